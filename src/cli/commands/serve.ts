// `gatehouse serve`: the registry's HTTP server, with the job worker inside unless configured away.
import type { Config } from '../../config/config.ts'
import { buildApp } from '../../http/build-app.ts'
import { closeDeps, openDeps, startWorker } from '../../boot.ts'

export async function serve(config: Config): Promise<void> {
  const deps = await openDeps(config)
  if (config.worker) await startWorker(deps)
  const app = await buildApp(deps)
  await app.listen({ port: config.port, host: config.host })
  deps.log.info(
    { url: config.publicUrl, database: config.database.kind, queue: deps.queue.kind, worker: config.worker },
    `Gatehouse is serving on ${config.publicUrl}`,
  )
  onShutdown(async () => {
    await app.close()
    await closeDeps(deps)
  })
}

export function onShutdown(close: () => Promise<void>): void {
  let closing = false
  const stop = (signal: string) => {
    if (closing) return
    closing = true
    close()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(`error while stopping on ${signal}:`, err)
        process.exit(1)
      })
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}
