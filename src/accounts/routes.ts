// Console sessions over JSON: sign in with a password for a short-lived token, see who you are, sign out.
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import { endSession, startSession } from './service.ts'

export async function sessionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  app.post('/-/api/v1/session', async (request, reply) => {
    const input = (request.body ?? {}) as Record<string, unknown>
    if (typeof input.name !== 'string' || typeof input.password !== 'string') throw new RegistryError('invalidRequest', 'name and password are required')
    const session = await startSession(deps, input.name, input.password, request.ip ?? null)
    return reply.status(201).send({ token: session.secret, user: { name: session.user.name, role: session.user.role }, expiresAt: session.expiresAt })
  })
  app.get('/-/api/v1/session', async (request) => {
    const actor = requireActor(request)
    return { user: { name: actor.name, role: actor.role } }
  })
  app.delete('/-/api/v1/session', async (request) => {
    await endSession(deps, requireActor(request))
    return { ok: true }
  })
}
