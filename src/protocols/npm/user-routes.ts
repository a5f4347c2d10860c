// npm account routes: classic login/adduser, whoami, logout, tokens, user lookup for `npm owner`.
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import type { TokenRow } from '../../db/schema.ts'
import { RegistryError } from '../../core/errors.ts'
import { requireActor } from '../../http/auth.ts'
import { auditActor } from '../../accounts/types.ts'
import * as accounts from '../../accounts/service.ts'
import { tokenKey } from '../../accounts/tokens.ts'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

const USER_PREFIX = '/-/user/org.couchdb.user:'

function userFromPath(url: string): string {
  const path = url.split('?')[0]!
  const tail = decodeURIComponent(path.slice(USER_PREFIX.length))
  return tail.split('/')[0]!
}

function tokenObject(row: TokenRow, secret?: string): Json {
  return {
    // npm prints listed tokens as `${token}…`: send the prefix alone
    token: secret ?? row.prefix,
    key: row.key_hash,
    name: row.name,
    cidr_whitelist: row.cidr_whitelist ? (JSON.parse(row.cidr_whitelist) as string[]) : null,
    readonly: row.scope === 'read',
    created: row.created_at,
    updated: row.last_used_at ?? row.created_at,
    ...(row.expires_at ? { expires: row.expires_at } : {}),
  }
}

export function registerUserRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/-/ping', async () => ({}))

  app.get('/-/whoami', async (request) => ({ username: requireActor(request).name }))

  // npm 11 tries web login first; a 4xx makes it fall back to the classic flow below.
  app.post('/-/v1/login', async () => {
    throw new RegistryError('notFound', 'web login is not offered; npm falls back to the classic login')
  })

  app.put(`${USER_PREFIX}*`, async (request, reply) => {
    const body = request.body
    if (!isObject(body) || typeof body.name !== 'string' || typeof body.password !== 'string') {
      throw new RegistryError('invalidRequest', 'login needs a name and a password')
    }
    if (accounts.parseUsername(userFromPath(request.url)) !== accounts.parseUsername(body.name)) {
      throw new RegistryError('invalidRequest', 'the user name in the path and the body differ')
    }
    const email = typeof body.email === 'string' ? body.email : undefined
    const { user, token, created } = await accounts.loginOrSignup(deps, { name: body.name, password: body.password, email, ip: request.ip })
    return reply.status(201).send({
      ok: created ? `user '${user.name}' created` : `you are authenticated as '${user.name}'`,
      id: `org.couchdb.user:${user.name}`,
      token: token.secret,
    })
  })

  app.get(`${USER_PREFIX}*`, async (request) => {
    requireActor(request)
    const user = await accounts.findUser(deps, userFromPath(request.url))
    if (!user) throw new RegistryError('notFound', 'no such user')
    return { _id: `org.couchdb.user:${user.name}`, name: user.name, email: user.email }
  })

  // `npm logout`: revoke the token used for this request.
  app.delete('/-/user/token/:token', async (request) => {
    const actor = requireActor(request)
    const { token } = request.params as { token: string }
    await accounts.revokeToken(deps, actor, tokenKey(decodeURIComponent(token)))
    return { ok: true }
  })

  app.get('/-/npm/v1/tokens', async (request) => {
    const actor = requireActor(request)
    const rows = await accounts.listTokens(deps, actor.userId)
    return { objects: rows.map((row) => tokenObject(row)), total: rows.length, urls: {} }
  })

  app.post('/-/npm/v1/tokens', async (request) => {
    const actor = requireActor(request)
    const body = isObject(request.body) ? request.body : {}
    if (typeof body.password !== 'string') throw new RegistryError('invalidRequest', 'creating a token needs your password')
    await accounts.authenticatePassword(deps, actor.name, body.password, request.ip)
    const readonly = body.readonly === true || body.packages_and_scopes_permission === 'read-only'
    if (!readonly && actor.scope !== 'publish') throw new RegistryError('readOnlyToken', 'a read-only credential cannot create a publish token')
    const cidr = Array.isArray(body.cidr_whitelist) ? body.cidr_whitelist.filter((c): c is string => typeof c === 'string') : []
    const { secret, row } = await accounts.createToken(
      deps,
      actor.userId,
      {
        name: typeof body.name === 'string' ? body.name : null,
        scope: readonly ? 'read' : 'publish',
        cidrWhitelist: cidr,
        expiresInDays: typeof body.expires === 'number' ? body.expires : null,
      },
      auditActor(actor),
    )
    return tokenObject(row, secret)
  })

  app.delete('/-/npm/v1/tokens/token/:key', async (request, reply) => {
    const actor = requireActor(request)
    const { key } = request.params as { key: string }
    await accounts.revokeToken(deps, actor, key)
    return reply.status(204).send()
  })
}
