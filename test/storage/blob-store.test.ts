// One contract for every BlobStore adapter (filesystem, memory), plus the filesystem store's atomicity and key checks.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BlobStore } from '../../src/storage/blob-store.ts'
import { FsBlobStore } from '../../src/storage/fs-blob-store.ts'
import { MemoryBlobStore } from '../../src/storage/memory-blob-store.ts'

interface Adapter {
  readonly name: string
  open(dir: string): BlobStore
}

const ADAPTERS: Adapter[] = [
  { name: 'fs', open: (dir) => new FsBlobStore(join(dir, 'blobs')) },
  { name: 'memory', open: () => new MemoryBlobStore() },
]

async function keysOf(store: BlobStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.list()) keys.push(key)
  return keys.sort()
}

/** Byte equality; toEqual compares large buffers element by element, slowly. */
function sameBytes(actual: Buffer | undefined, expected: Uint8Array): boolean {
  return actual !== undefined && actual.equals(expected)
}

/** Every regular file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
}

describe.each(ADAPTERS)('blob store contract ($name)', (adapter) => {
  let dir: string
  let store: BlobStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-blobs-'))
    store = adapter.open(dir)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('returns the size and sha1, sha256 and sha512 (base64) digests node:crypto computes, and the bytes back', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('hello, registry\n'), randomBytes(1024 * 1024 + 7)]) {
      const stored = await store.put(bytes)
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      expect(stored).toEqual({
        key: `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`,
        size: bytes.length,
        sha1: createHash('sha1').update(bytes).digest('hex'),
        sha256,
        sha512: createHash('sha512').update(bytes).digest('base64'),
      })
      expect(sameBytes(await store.get(stored.key), bytes)).toBe(true)
      expect(await store.has(stored.key)).toBe(true)
    }
    expect(await keysOf(store)).toHaveLength(3)
  })

  it('stores exactly the bytes of a view into a larger buffer', async () => {
    const backing = Buffer.from('....the payload....')
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 11)
    const stored = await store.put(view)
    expect(stored.size).toBe(11)
    expect(stored.sha256).toBe(createHash('sha256').update('the payload').digest('hex'))
    expect((await store.get(stored.key))?.toString()).toBe('the payload')
  })

  it('is idempotent: the same bytes twice give the same result and one blob', async () => {
    const bytes = Buffer.from('same bytes')
    const first = await store.put(bytes)
    const second = await store.put(Buffer.from('same bytes'))
    expect(second).toEqual(first)
    expect(await keysOf(store)).toEqual([first.key])
    const other = await store.put(Buffer.from('other bytes'))
    expect(await keysOf(store)).toEqual([first.key, other.key].sort())
  })

  it('answers undefined and false for a key it does not hold', async () => {
    const absent = (await new MemoryBlobStore().put(Buffer.from('never stored here'))).key
    expect(await store.get(absent)).toBeUndefined()
    expect(await store.has(absent)).toBe(false)
  })

  it('deletes a blob, and deleting an absent key is not an error', async () => {
    const kept = await store.put(Buffer.from('kept'))
    const doomed = await store.put(Buffer.from('doomed'))
    await store.delete(doomed.key)
    expect(await store.get(doomed.key)).toBeUndefined()
    expect(await store.has(doomed.key)).toBe(false)
    expect(await keysOf(store)).toEqual([kept.key])
    await store.delete(doomed.key)
    await expect(store.delete(doomed.key)).resolves.toBeUndefined()
    expect(await store.get(kept.key)).toEqual(Buffer.from('kept'))
    // Stored again after deletion, it is back.
    await store.put(Buffer.from('doomed'))
    expect(await store.has(doomed.key)).toBe(true)
  })

  it('keeps the stored bytes when callers later change the buffers they passed in or got back', async () => {
    const input = Buffer.from('immutable blob')
    const stored = await store.put(input)
    input.fill(0)
    const got = (await store.get(stored.key))!
    expect(got.toString()).toBe('immutable blob')
    got.fill(0)
    expect((await store.get(stored.key))?.toString()).toBe('immutable blob')
  })
})

describe('filesystem blob store', () => {
  let dir: string
  let root: string
  let store: FsBlobStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-blobs-'))
    root = join(dir, 'blobs')
    store = new FsBlobStore(root)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('leaves no temp files behind, only the content-addressed files', async () => {
    const keys: string[] = []
    for (let i = 0; i < 10; i++) keys.push((await store.put(Buffer.from(`blob ${i}`))).key)
    await store.put(Buffer.from('blob 0'))
    expect(await filesUnder(join(root, 'tmp'))).toEqual([])
    expect(await filesUnder(root)).toEqual([...keys].sort())
  })

  it('converges 20 concurrent puts of identical bytes on exactly one file', async () => {
    const bytes = randomBytes(256 * 1024)
    const results = await Promise.all(Array.from({ length: 20 }, () => store.put(Buffer.from(bytes))))
    expect(new Set(results.map((r) => r.key)).size).toBe(1)
    const key = results[0]!.key
    expect(await filesUnder(root)).toEqual([key])
    expect(await keysOf(store)).toEqual([key])
    expect(sameBytes(await store.get(key), bytes)).toBe(true)
    expect((await stat(join(root, key))).size).toBe(bytes.length)
  })

  it('is durable across instances on the same directory', async () => {
    const stored = await store.put(Buffer.from('still here'))
    const reopened = new FsBlobStore(root)
    expect(await reopened.get(stored.key)).toEqual(Buffer.from('still here'))
    expect(await keysOf(reopened)).toEqual([stored.key])
  })

  it('refuses keys that are not content addresses, before touching the filesystem', async () => {
    const outside = join(dir, 'outside.txt')
    await writeFile(outside, 'not a blob')
    const sha = createHash('sha256').update('x').digest('hex')
    const invalid = [
      '../etc/passwd',
      '../outside.txt',
      '/etc/passwd',
      `sha256/${sha.slice(0, 2)}/../../../outside.txt`,
      `sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/../../../../outside.txt`,
      `sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha.toUpperCase()}`,
      `sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}/extra`,
      `sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha.slice(1)}`,
      `sha256\\${sha.slice(0, 2)}\\${sha.slice(2, 4)}\\${sha}`,
      `sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}\n`,
      '',
    ]
    for (const key of invalid) {
      await expect(store.get(key), key).rejects.toThrow(/invalid blob key/)
      await expect(store.has(key), key).rejects.toThrow(/invalid blob key/)
      await expect(store.delete(key), key).rejects.toThrow(/invalid blob key/)
    }
    expect((await stat(outside)).isFile()).toBe(true)
  })
})
