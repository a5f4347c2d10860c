// Serves the security console (web/dist, built by `npm run build:web`) under /-/console/, with an SPA fallback.
import { statSync } from 'node:fs'
import { join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'

export const CONSOLE_PREFIX = '/-/console/'
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url))

/**
 * The console shows code from hostile packages: a strict policy means nothing in it can load or run
 * anything from elsewhere, even if a rendering bug let markup through.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

export async function consoleRoutes(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? DEFAULT_CONSOLE_DIR
  // serve: false — the routes below decide between a file, the SPA's index.html, and "not built".
  await app.register(fastifyStatic, { root, serve: false, suppressWarning: true })

  function sendIndex(reply: FastifyReply) {
    // The index names the hashed bundles of the current build; it must never be cached.
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false })
  }

  app.get('/-/console', async (_request, reply) => reply.redirect(CONSOLE_PREFIX))
  app.get(`${CONSOLE_PREFIX}*`, async (request, reply) => {
    // Checked per request, so a build made while the server runs is picked up without a restart.
    if (!isFile(join(root, 'index.html'))) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The security console is not built. Run `npm run build:web` (or start Gatehouse with `npm start`, which builds it).\n')
    }
    const wanted = normalize((request.params as { '*': string })['*'] ?? '')
    if (wanted && !wanted.startsWith('..') && !wanted.split(sep).includes('..') && isFile(join(root, wanted))) {
      // Vite names bundles by content hash, so they can be kept for good.
      const immutable = wanted.startsWith(`assets${sep}`)
      return reply
        .headers(SECURITY_HEADERS)
        .sendFile(wanted, root, immutable ? { maxAge: 365 * 24 * 3600 * 1000, immutable: true } : { cacheControl: false })
    }
    // A missing bundle is a real 404; a page path (/-/console/cases/7) is the SPA's to route.
    if (wanted.startsWith(`assets${sep}`)) return reply.status(404).type('text/plain; charset=utf-8').send('not found\n')
    return sendIndex(reply)
  })
}
