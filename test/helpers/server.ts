// A registry under test that really listens on 127.0.0.1, for end-to-end tests driving real clients.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ConfigInput } from '../../src/config/config.ts'
import type { DialectName } from './databases.ts'
import { startTestRegistry, type TestRegistry } from './registry.ts'

export interface ListeningRegistry extends TestRegistry {
  /** The registry's base URL, with a trailing slash: http://127.0.0.1:PORT/ */
  readonly url: string
  readonly port: number
}

/**
 * Binds a socket on an ephemeral port first, so the public URL (which tarball URLs are built from)
 * is known before the app is built, then hands every request on that socket to the Fastify app.
 * There is no window in which another process could take the port.
 */
export async function startListeningRegistry(
  dialect: DialectName,
  options: { config?: ConfigInput; blobs?: 'memory' | 'fs' } = {},
): Promise<ListeningRegistry> {
  let registry: TestRegistry | undefined
  const server: Server = createServer((req, res) => {
    if (!registry) {
      res.statusCode = 503
      res.end()
      return
    }
    registry.app.server.emit('request', req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}/`
  try {
    registry = await startTestRegistry(dialect, { ...options, config: { ...options.config, publicUrl: url, host: '127.0.0.1', port } })
  } catch (err) {
    server.close()
    throw err
  }
  const inner = registry
  return {
    ...inner,
    url,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await inner.close()
    },
  }
}
