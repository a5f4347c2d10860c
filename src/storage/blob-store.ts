// The BlobStore port: content-addressed storage of package archives (filesystem, memory; S3 later).
import { createHash } from 'node:crypto'

export interface BlobDigests {
  readonly size: number
  readonly sha1: string
  readonly sha256: string
  /** base64, as used in npm's `integrity` (sha512-…) */
  readonly sha512: string
}

export interface StoredBlob extends BlobDigests {
  /** Store key, derived from the sha256: `sha256/ab/cd/abcd…`. */
  readonly key: string
}

export interface BlobStore {
  /** Stores bytes atomically under their content address. Idempotent: same bytes, same key. */
  put(bytes: Uint8Array): Promise<StoredBlob>
  /** The bytes under a key, or undefined when absent. */
  get(key: string): Promise<Buffer | undefined>
  has(key: string): Promise<boolean>
  /** Removes a blob; absent keys are not an error. */
  delete(key: string): Promise<void>
  /** Every key in the store (tests and garbage collection). */
  list(): AsyncIterable<string>
}

export function digestsOf(bytes: Uint8Array): BlobDigests {
  return {
    size: bytes.byteLength,
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha512: createHash('sha512').update(bytes).digest('base64'),
  }
}

export function keyFor(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`
}

export function isBlobKey(key: string): boolean {
  return /^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)
}
