// Builds the HTTP application from its dependencies; never listens (tests use app.inject).
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Deps } from '../deps.ts'
import { registerAuth } from './auth.ts'
import { defenseRoutes, registerReadOnlyGuard } from '../defense/routes.ts'
import { npmRoutes } from '../protocols/npm/routes.ts'
import { scanRoutes } from '../scanning/routes.ts'
import { reviewRoutes } from '../review/routes.ts'
import { clusterRoutes } from '../review/clusters/routes.ts'
import { auditRoutes } from '../audit/routes.ts'
import { sessionRoutes } from '../accounts/routes.ts'
import { consoleRoutes } from './console.ts'
import { intelRoutes } from '../intel/routes.ts'

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: deps.config.maxBodyBytes,
    trustProxy: deps.config.trustProxy,
    // scoped names and tarball paths make long URLs
    routerOptions: { maxParamLength: 1000 },
    // Per-request lines only when debugging: installs make thousands of requests.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace' }),
  })
  // Clients send `content-type: application/json` on bodiless DELETEs too; an empty body is no body.
  const jsonParser = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined)
    jsonParser(request, body.toString(), done)
  })
  registerAuth(app, deps)
  registerReadOnlyGuard(app, deps)
  // npm owns the root namespace (its clients address packages as /:name); other protocols get prefixes.
  await app.register(async (instance) => scanRoutes(instance, deps))
  await app.register(async (instance) => sessionRoutes(instance, deps))
  await app.register(async (instance) => reviewRoutes(instance, deps))
  await app.register(async (instance) => clusterRoutes(instance, deps))
  await app.register(async (instance) => auditRoutes(instance, deps))
  await app.register(async (instance) => defenseRoutes(instance, deps))
  await app.register(async (instance) => intelRoutes(instance, deps))
  // The console's pages live under /-/console/, registered before npm's catch-all package routes.
  await app.register(async (instance) => consoleRoutes(instance))
  await app.register(async (instance) => npmRoutes(instance, deps))
  await app.ready()
  return app
}
