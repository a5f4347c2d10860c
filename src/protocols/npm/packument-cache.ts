// Rendered packuments kept per process, keyed by the package's revision, which every change bumps.
import { LRUCache } from 'lru-cache'

export type PackumentKind = 'full' | 'abbreviated'

export class PackumentCache {
  private readonly cache: LRUCache<string, Buffer>

  constructor(maxBytes: number) {
    this.cache = new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (b) => Math.max(b.byteLength, 1) })
  }

  /**
   * The key names a revision, so entries never go stale: a change bumps the revision in the
   * same transaction, and other processes simply miss on the new key.
   */
  static key(packageId: number, revision: number, kind: PackumentKind): string {
    return `${packageId}:${revision}:${kind}`
  }

  get(key: string): Buffer | undefined {
    return this.cache.get(key)
  }

  set(key: string, body: Buffer): void {
    this.cache.set(key, body)
  }
}
