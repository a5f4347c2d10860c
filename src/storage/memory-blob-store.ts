// In-memory BlobStore for tests where the filesystem is irrelevant.
import { digestsOf, keyFor, type BlobStore, type StoredBlob } from './blob-store.ts'

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>()

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const digests = digestsOf(bytes)
    const key = keyFor(digests.sha256)
    if (!this.blobs.has(key)) this.blobs.set(key, Buffer.from(bytes))
    return { ...digests, key }
  }

  async get(key: string): Promise<Buffer | undefined> {
    // A copy, like a read from disk: a caller that changes the buffer must not change the stored blob.
    const bytes = this.blobs.get(key)
    return bytes && Buffer.from(bytes)
  }

  async has(key: string): Promise<boolean> {
    return this.blobs.has(key)
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(key)
  }

  async *list(): AsyncIterable<string> {
    yield* [...this.blobs.keys()]
  }
}
