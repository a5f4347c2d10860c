// Filesystem BlobStore: content-addressed files written atomically (temp file, fsync, rename, fsync dir).
import { mkdir, open, readFile, rename, rm, stat, readdir } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { randomBytes } from 'node:crypto'
import { digestsOf, isBlobKey, keyFor, type BlobStore, type StoredBlob } from './blob-store.ts'

export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const digests = digestsOf(bytes)
    const key = keyFor(digests.sha256)
    const target = this.pathOf(key)
    if (await exists(target)) return { ...digests, key }
    const dir = dirname(target)
    await mkdir(dir, { recursive: true })
    await mkdir(join(this.root, 'tmp'), { recursive: true })
    const temp = join(this.root, 'tmp', `${digests.sha256}.${randomBytes(6).toString('hex')}.tmp`)
    const handle = await open(temp, 'wx', 0o644)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      // rename is atomic: readers see the whole blob or nothing, and concurrent writers of the same content converge.
      await rename(temp, target)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    await syncDir(dir)
    return { ...digests, key }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async has(key: string): Promise<boolean> {
    return exists(this.pathOf(key))
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true })
  }

  async *list(): AsyncIterable<string> {
    const base = join(this.root, 'sha256')
    for (const a of await readdirOrEmpty(base)) {
      for (const b of await readdirOrEmpty(join(base, a))) {
        for (const name of await readdirOrEmpty(join(base, a, b))) {
          const key = `sha256/${a}/${b}/${name}`
          if (isBlobKey(key)) yield key
        }
      }
    }
  }

  private pathOf(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key: ${key}`)
    return join(this.root, key)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path)
  } catch {
    return []
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
