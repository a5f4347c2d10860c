// The typed dependencies handed to services, routes, jobs and commands at boot (no ambient lookup).
import type { Config } from './config/config.ts'
import type { Db } from './db/create-db.ts'
import type { BlobStore } from './storage/blob-store.ts'
import type { JobQueue } from './jobs/job-queue.ts'
import type { Ecosystem, EcosystemId } from './core/ecosystem.ts'
import type { Scanner } from './scanning/scanner.ts'
import type { Defense } from './defense/service.ts'
import type { DownloadCounter } from './packages/downloads.ts'

export interface Logger {
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
  debug(obj: object | string, msg?: string): void
}

/** For command-line tools that report in their own output. */
export const SILENT_LOGGER: Logger = { info() {}, warn() {}, error() {}, debug() {} }

export interface Deps {
  readonly config: Config
  readonly db: Db
  readonly blobs: BlobStore
  /** Archives of removed versions: kept as evidence, never served. */
  readonly forensics: BlobStore
  readonly queue: JobQueue
  readonly ecosystems: ReadonlyMap<EcosystemId, Ecosystem>
  readonly scanner: Scanner
  /** Switches, IP blocks, rate limits, the upload monitor, alerts and incidents. */
  readonly defense: Defense
  /** Tallies served archives per version and day (written in batches). */
  readonly downloads: DownloadCounter
  readonly log: Logger
}
