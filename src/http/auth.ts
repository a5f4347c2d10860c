// Resolves the request's credentials (Bearer token or Basic password) to an Actor once, for every route.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../deps.ts'
import type { Actor } from '../accounts/types.ts'
import { RegistryError } from '../core/errors.ts'
import { actorFromUser, authenticatePassword, authenticateToken } from '../accounts/service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
  }
}

export function registerAuth(app: FastifyInstance, deps: Pick<Deps, 'db' | 'config' | 'defense'>): void {
  app.decorateRequest('actor', null)
  app.addHook('preHandler', async (request) => {
    request.actor = await resolveActor(deps, request)
  })
}

/**
 * No credentials → anonymous. Credentials that do not check out are refused outright rather than
 * downgraded to anonymous, so a client with a stale token hears about it.
 */
async function resolveActor(deps: Pick<Deps, 'db' | 'config' | 'defense'>, request: FastifyRequest): Promise<Actor | null> {
  const header = request.headers.authorization
  if (!header) return null
  const [scheme, ...rest] = header.trim().split(/\s+/)
  const value = rest.join(' ')
  const ip = request.ip ?? null
  switch (scheme?.toLowerCase()) {
    case 'bearer': {
      await deps.defense.guardToken(ip)
      const actor = await authenticateToken(deps, value, ip)
      if (!actor) await deps.defense.tokenFailed(ip)
      if (!actor) throw new RegistryError('badCredentials', 'the token is not valid: it is unknown, revoked, expired, or not allowed from this address')
      return actor
    }
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0) throw new RegistryError('badCredentials', 'malformed Basic credentials')
      const user = await authenticatePassword(deps, decoded.slice(0, colon), decoded.slice(colon + 1), ip)
      return actorFromUser(user, 'publish', ip)
    }
    default:
      throw new RegistryError('badCredentials', `unsupported authorization scheme ${scheme ?? ''}`)
  }
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new RegistryError('authRequired', 'you must be logged in: run `npm login` or configure a token')
  return request.actor
}
