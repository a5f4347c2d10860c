// Kysely queries for users and tokens.
import type { Executor } from '../db/dialect.ts'
import type { Role, TokenRow, TokenScope, UserRow } from '../db/schema.ts'

export const findUserByName = (db: Executor, name: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst()

export const findUserById = (db: Executor, id: number): Promise<UserRow | undefined> =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()

export async function insertUser(
  db: Executor,
  user: { name: string; email: string; passwordHash: string; role: Role; at: string },
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ name: user.name, email: user.email, password_hash: user.passwordHash, role: user.role, created_at: user.at, updated_at: user.at })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateUserRole(db: Executor, id: number, role: Role, at: string): Promise<void> {
  await db.updateTable('users').set({ role, updated_at: at }).where('id', '=', id).execute()
}

export async function insertToken(
  db: Executor,
  token: { userId: number; keyHash: string; prefix: string; name: string | null; scope: TokenScope; cidrWhitelist: string[] | null; expiresAt: string | null; at: string },
): Promise<TokenRow> {
  return db
    .insertInto('tokens')
    .values({
      user_id: token.userId,
      key_hash: token.keyHash,
      prefix: token.prefix,
      name: token.name,
      scope: token.scope,
      cidr_whitelist: token.cidrWhitelist ? JSON.stringify(token.cidrWhitelist) : null,
      created_at: token.at,
      expires_at: token.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const findTokenByKey = (db: Executor, keyHash: string) =>
  db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .select([
      'tokens.id as token_id',
      'tokens.scope',
      'tokens.cidr_whitelist',
      'tokens.expires_at',
      'tokens.revoked_at',
      'tokens.last_used_at',
      'users.id as user_id',
      'users.name',
      'users.email',
      'users.role',
      'users.suspended_at',
    ])
    .where('tokens.key_hash', '=', keyHash)
    .executeTakeFirst()

export const listActiveTokens = (db: Executor, userId: number): Promise<TokenRow[]> =>
  db.selectFrom('tokens').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('id').execute()

export async function markTokenRevoked(db: Executor, tokenId: number, at: string): Promise<void> {
  await db.updateTable('tokens').set({ revoked_at: at }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute()
}

export async function touchToken(db: Executor, tokenId: number, at: string): Promise<void> {
  await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute()
}
