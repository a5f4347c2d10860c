// API token secrets: random, shown once, stored only as a hash.
import { createHash, randomBytes } from 'node:crypto'

const PREFIX = 'ghp_'

export function generateTokenSecret(): string {
  return PREFIX + randomBytes(30).toString('base64url')
}

/** sha512 hex of the secret: what the database keeps and what npm's token API calls `key`. */
export function tokenKey(secret: string): string {
  return createHash('sha512').update(secret).digest('hex')
}

/** The part of a secret safe to display in listings. */
export function tokenDisplayPrefix(secret: string): string {
  return secret.slice(0, PREFIX.length + 6)
}
