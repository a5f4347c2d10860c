// Account use cases: users, password logins, API tokens, roles — each state change audited.
import type { Deps } from '../deps.ts'
import type { Role, TokenRow, TokenScope, UserRow } from '../db/schema.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { isUniqueViolation } from '../db/dialect.ts'
import { hashPassword, verifyPassword } from './password.ts'
import { generateTokenSecret, tokenDisplayPrefix, tokenKey } from './tokens.ts'
import { ipAllowed, parseCidrList } from './cidr.ts'
import { auditActor, type Actor } from './types.ts'
import * as repo from './repository.ts'

type AccountDeps = Pick<Deps, 'db' | 'config' | 'defense'>

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const MIN_PASSWORD = 8
// Writing last_used_at on every request would turn reads into writes; once a minute is enough.
const TOUCH_INTERVAL_MS = 60_000

export function parseUsername(raw: string): string {
  const name = raw.trim().toLowerCase()
  if (!USERNAME.test(name)) {
    throw new RegistryError('invalidRequest', 'user names are 1–64 characters: letters, digits, ".", "_" and "-", starting with a letter or digit')
  }
  return name
}

export async function createUser(
  deps: AccountDeps,
  input: { name: string; email: string; password: string; role?: Role },
  by: AuditActor,
): Promise<UserRow> {
  const name = parseUsername(input.name)
  if (!EMAIL.test(input.email)) throw new RegistryError('invalidRequest', `not an email address: ${input.email}`)
  if (input.password.length < MIN_PASSWORD) throw new RegistryError('invalidRequest', `passwords need at least ${MIN_PASSWORD} characters`)
  const passwordHash = await hashPassword(input.password, deps.config.passwordCost)
  try {
    return await deps.db.kysely.transaction().execute(async (trx) => {
      const user = await repo.insertUser(trx, { name, email: input.email, passwordHash, role: input.role ?? 'user', at: new Date().toISOString() })
      await appendAudit(trx, deps.db.dialect, {
        actor: by.id === null && by.label.startsWith('user:') ? { ...by, id: user.id } : by,
        action: 'user.create',
        subjectType: 'user',
        subjectId: user.id,
        after: { name, email: input.email, role: user.role },
      })
      return user
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new RegistryError('userExists', `user ${name} already exists`)
    throw err
  }
}

/** Checks a name and password; the same error for an unknown user and a wrong password. */
export async function authenticatePassword(deps: AccountDeps, rawName: string, password: string, ip: string | null): Promise<UserRow> {
  await deps.defense.guardLogin(ip, rawName)
  let name: string
  try {
    name = parseUsername(rawName)
  } catch {
    await deps.defense.loginFailed(ip, rawName)
    throw new RegistryError('badCredentials', 'incorrect user name or password')
  }
  const user = await repo.findUserByName(deps.db.kysely, name)
  // Hash even for unknown users so response time does not reveal which names exist.
  const ok = user
    ? await verifyPassword(password, user.password_hash)
    : (await hashPassword(password, deps.config.passwordCost), false)
  if (!user || !ok) {
    await deps.defense.loginFailed(ip, rawName)
    throw new RegistryError('badCredentials', 'incorrect user name or password')
  }
  if (user.suspended_at) throw new RegistryError('accountSuspended', `account ${user.name} is suspended`)
  return user
}

export function actorFromUser(user: UserRow, scope: TokenScope, ip: string | null, tokenId: number | null = null): Actor {
  return { userId: user.id, name: user.name, email: user.email, role: user.role, tokenId, scope, ip }
}

/** Resolves a bearer secret to its actor; undefined when unknown, revoked, expired, suspended or outside its CIDR list. */
export async function authenticateToken(deps: AccountDeps, secret: string, ip: string | null): Promise<Actor | undefined> {
  const row = await repo.findTokenByKey(deps.db.kysely, tokenKey(secret))
  if (!row || row.revoked_at || row.suspended_at) return undefined
  const now = Date.now()
  if (row.expires_at && Date.parse(row.expires_at) <= now) return undefined
  const cidrs = row.cidr_whitelist ? (JSON.parse(row.cidr_whitelist) as string[]) : []
  if (!ipAllowed(ip, cidrs)) return undefined
  if (!row.last_used_at || now - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
    await repo.touchToken(deps.db.kysely, row.token_id, new Date(now).toISOString())
  }
  return { userId: row.user_id, name: row.name, email: row.email, role: row.role, tokenId: row.token_id, scope: row.scope, ip }
}

export interface NewToken {
  readonly secret: string
  readonly row: TokenRow
}

export async function createToken(
  deps: AccountDeps,
  userId: number,
  input: { name?: string | null; scope: TokenScope; cidrWhitelist?: readonly string[]; expiresInDays?: number | null },
  by: AuditActor,
): Promise<NewToken> {
  const cidrs = input.cidrWhitelist && input.cidrWhitelist.length > 0 ? parseCidrList(input.cidrWhitelist) : null
  if (input.expiresInDays !== undefined && input.expiresInDays !== null && !(input.expiresInDays > 0 && input.expiresInDays <= 3650)) {
    throw new RegistryError('invalidRequest', 'token expiry must be between 1 and 3650 days')
  }
  const secret = generateTokenSecret()
  const at = new Date()
  const expiresAt = input.expiresInDays ? new Date(at.getTime() + input.expiresInDays * 86_400_000).toISOString() : null
  const row = await deps.db.kysely.transaction().execute(async (trx) => {
    const token = await repo.insertToken(trx, {
      userId,
      keyHash: tokenKey(secret),
      prefix: tokenDisplayPrefix(secret),
      name: input.name ?? null,
      scope: input.scope,
      cidrWhitelist: cidrs,
      expiresAt,
      at: at.toISOString(),
    })
    await appendAudit(trx, deps.db.dialect, {
      actor: by,
      action: 'token.create',
      subjectType: 'user',
      subjectId: userId,
      after: { tokenId: token.id, prefix: token.prefix, scope: token.scope, cidrWhitelist: cidrs, expiresAt },
    })
    return token
  })
  return { secret, row }
}

export const listTokens = (deps: AccountDeps, userId: number): Promise<TokenRow[]> => repo.listActiveTokens(deps.db.kysely, userId)

/** Revokes one of the user's tokens, named by its key (sha512 hex), a unique prefix of the key, or the secret itself. */
export async function revokeToken(deps: AccountDeps, actor: Actor, keyOrSecret: string): Promise<void> {
  const tokens = await repo.listActiveTokens(deps.db.kysely, actor.userId)
  const key = keyOrSecret.startsWith('ghp_') ? tokenKey(keyOrSecret) : keyOrSecret.toLowerCase()
  const matches = tokens.filter((t) => t.key_hash === key || (key.length >= 6 && t.key_hash.startsWith(key)))
  if (matches.length === 0) throw new RegistryError('notFound', 'no such token')
  if (matches.length > 1) throw new RegistryError('invalidRequest', 'token id is ambiguous; give more characters')
  const token = matches[0]!
  await deps.db.kysely.transaction().execute(async (trx) => {
    await repo.markTokenRevoked(trx, token.id, new Date().toISOString())
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'token.revoke',
      subjectType: 'user',
      subjectId: actor.userId,
      before: { tokenId: token.id, prefix: token.prefix },
    })
  })
}

export async function setRole(deps: AccountDeps, rawName: string, role: Role, by: AuditActor): Promise<UserRow> {
  const name = parseUsername(rawName)
  return deps.db.kysely.transaction().execute(async (trx) => {
    const user = await repo.findUserByName(trx, name)
    if (!user) throw new RegistryError('notFound', `no user named ${name}`)
    await repo.updateUserRole(trx, user.id, role, new Date().toISOString())
    await appendAudit(trx, deps.db.dialect, {
      actor: by,
      action: 'user.role',
      subjectType: 'user',
      subjectId: user.id,
      before: { role: user.role },
      after: { role },
    })
    return { ...user, role }
  })
}

export async function findUser(deps: AccountDeps, rawName: string): Promise<UserRow | undefined> {
  try {
    return await repo.findUserByName(deps.db.kysely, parseUsername(rawName))
  } catch {
    return undefined
  }
}

/**
 * The client login flow (npm adduser/login): an existing user proves the password and receives a
 * new publish token; an unknown name becomes an account when signup is open.
 */
export async function loginOrSignup(
  deps: AccountDeps,
  input: { name: string; password: string; email?: string | undefined; ip: string | null },
): Promise<{ user: UserRow; token: NewToken; created: boolean }> {
  const existing = await findUser(deps, input.name)
  let user: UserRow
  let created = false
  if (existing) {
    user = await authenticatePassword(deps, input.name, input.password, input.ip)
  } else {
    if (!deps.config.allowSignup) throw new RegistryError('signupClosed', 'new accounts are not being accepted on this registry')
    if (!input.email) throw new RegistryError('badCredentials', `no user named ${input.name}; use \`npm adduser\` to create one`)
    await deps.defense.guardSignup(input.ip)
    const name = parseUsername(input.name)
    user = await createUser(deps, { name, email: input.email, password: input.password }, { id: null, label: `user:${name}`, ip: input.ip })
    created = true
    await deps.defense.afterSignup()
  }
  const actor = actorFromUser(user, 'publish', input.ip)
  const token = await createToken(deps, user.id, { name: 'npm login', scope: 'publish' }, auditActor(actor))
  return { user, token, created }
}

/** Console sign-in: checks the password and issues a short-lived token for the session. */
export async function startSession(deps: AccountDeps, rawName: string, password: string, ip: string | null): Promise<{ secret: string; user: UserRow; expiresAt: string }> {
  const user = await authenticatePassword(deps, rawName, password, ip)
  const { secret, row } = await createToken(deps, user.id, { name: 'console session', scope: 'publish', expiresInDays: SESSION_HOURS / 24 }, { id: user.id, label: `user:${user.name}`, ip })
  return { secret, user, expiresAt: row.expires_at! }
}

const SESSION_HOURS = 12

/** Ends the session the request authenticated with. */
export async function endSession(deps: AccountDeps, actor: Actor): Promise<void> {
  if (actor.tokenId === null) throw new RegistryError('invalidRequest', 'this request did not authenticate with a session token')
  await deps.db.kysely.transaction().execute(async (trx) => {
    await repo.markTokenRevoked(trx, actor.tokenId!, new Date().toISOString())
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: 'token.revoke', subjectType: 'user', subjectId: actor.userId, before: { tokenId: actor.tokenId } })
  })
}
