// Limits every archive reader enforces before anything is stored or analysed.

export interface ArchiveLimits {
  /** Compressed size of the archive. */
  readonly maxArchiveBytes: number
  /** Sum of all entry sizes after decompression. */
  readonly maxUnpackedBytes: number
  readonly maxEntries: number
  readonly maxEntryBytes: number
  readonly maxPathDepth: number
  /** Unpacked/compressed ratio above which an archive counts as a decompression bomb (for archives over 1 MiB). */
  readonly maxRatio: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = Object.freeze({
  maxArchiveBytes: 32 * 1024 * 1024,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxEntries: 20_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxPathDepth: 64,
  maxRatio: 200,
})
