// The npm client protocol as one Fastify plugin, with npm's error envelope.
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import { jsonErrorHandler } from '../../http/errors.ts'
import { registerUserRoutes } from './user-routes.ts'
import { registerSearchRoutes } from './search-routes.ts'
import { registerPackageRoutes } from './package-routes.ts'

export async function npmRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // npm's error envelope is `{ "error": message }`, which the shared JSON handler produces
  app.setErrorHandler(jsonErrorHandler(deps.config))
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'not found', code: 'notFound' }))
  registerUserRoutes(app, deps)
  registerSearchRoutes(app, deps)
  registerPackageRoutes(app, deps)
}
