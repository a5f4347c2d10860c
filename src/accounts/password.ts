// Password hashing with scrypt (memory-hard), run on libuv's thread pool so logins never block the event loop.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

const KEY_LENGTH = 32
// OWASP's scrypt guidance: N=2^15, r=8, p=3 uses 32 MiB per hash and takes ~100 ms on one core.
const R = 8
const P = 3

/** Returns a self-describing hash: `scrypt$<log2N>$<r>$<p>$<salt b64>$<key b64>`. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEY_LENGTH, params(cost, R, P))
  return ['scrypt', cost, R, P, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !cost || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, params(Number(cost), Number(r), Number(p)))
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

function params(cost: number, r: number, p: number): ScryptOptions {
  const N = 2 ** cost
  return { N, r, p, maxmem: 128 * N * r * (p + 2) }
}
