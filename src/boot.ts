// Wires configuration into dependencies: database, blob store, job queue, ecosystems, logger.
import { join } from 'node:path'
import pino from 'pino'
import type { Config } from './config/config.ts'
import type { Deps, Logger } from './deps.ts'
import type { JobHandler, JobQueue, JobType } from './jobs/job-queue.ts'
import type { BlobStore } from './storage/blob-store.ts'
import { createDb, type Db, type DatabaseTarget } from './db/create-db.ts'
import { migrateToLatest } from './db/migrate.ts'
import { FsBlobStore } from './storage/fs-blob-store.ts'
import { EmbeddedQueue } from './jobs/embedded-queue.ts'
import { PgBossQueue } from './jobs/pg-boss-queue.ts'
import { ECOSYSTEMS } from './ecosystems.ts'
import { scanningHandlers } from './scanning/handlers.ts'
import { scanVersionJob } from './scanning/jobs.ts'
import { INTEL_JOBS } from './intel/jobs.ts'
import { intelHandlers } from './intel/handlers.ts'
import { rescanOnWorkerStart } from './intel/rescans.ts'
import { startSchedules, stopSchedules } from './intel/schedules.ts'
import { Scanner } from './scanning/scanner.ts'
import { archiveLimits } from './packages/service.ts'
import { Defense } from './defense/service.ts'
import { DownloadCounter } from './packages/downloads.ts'

export { ECOSYSTEMS }

/** Every job type the registry enqueues; producers create their queues at boot. */
export const JOB_TYPES: readonly JobType<any>[] = [scanVersionJob, ...INTEL_JOBS]

export function jobHandlers(deps: Deps): JobHandler<any>[] {
  return [...scanningHandlers(deps), ...intelHandlers(deps)]
}

export interface OpenOptions {
  /** Overrides for tests: a prepared database target, blob store or logger. */
  readonly target?: DatabaseTarget
  readonly blobs?: BlobStore
  readonly forensics?: BlobStore
  readonly log?: Logger
  /** pg-boss schema (tests isolate themselves). */
  readonly jobSchema?: string
  readonly migrate?: boolean
}

export async function openDeps(config: Config, options: OpenOptions = {}): Promise<Deps> {
  const log = options.log ?? pino({ level: config.logLevel })
  const target: DatabaseTarget = options.target ?? (config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : config.database)
  const db = createDb(target)
  try {
    if (options.migrate !== false) await migrateToLatest(db)
    const queue = createQueue(db, target, config.jobLeaseSeconds, options.jobSchema)
    await queue.init(JOB_TYPES)
    const blobs = options.blobs ?? new FsBlobStore(join(config.dataDir, 'blobs'))
    const scanner = new Scanner({
      threads: config.scanThreads,
      timeoutMs: config.scanTimeoutSeconds * 1000,
      limits: archiveLimits(config),
      thresholds: { hold: config.holdThreshold, reject: config.rejectThreshold },
      extraRulesPath: config.extraRulesPath,
    })
    const forensics = options.forensics ?? new FsBlobStore(join(config.dataDir, 'forensics'))
    const defense = new Defense(db, config, log)
    const downloads = new DownloadCounter(db, log)
    return { config, db, blobs, forensics, queue, ecosystems: ECOSYSTEMS, scanner, defense, downloads, log }
  } catch (err) {
    await db.close()
    throw err
  }
}

function createQueue(db: Db, target: DatabaseTarget, leaseSeconds: number, jobSchema?: string): JobQueue {
  if (target.kind === 'postgres') return new PgBossQueue(target.url, jobSchema ?? (target.schema ? `${target.schema}_boss` : 'pgboss'))
  return new EmbeddedQueue(db.kysely, { leaseMs: leaseSeconds * 1000 })
}

export async function startWorker(deps: Deps): Promise<void> {
  await deps.queue.work(jobHandlers(deps), {
    concurrency: deps.config.workerConcurrency,
    onError: (job, err) => deps.log.error({ err, job }, 'job failed'),
  })
  // A changed ruleset starts (or an interrupted run resumes) a rescan; periodic intel pulls begin.
  await rescanOnWorkerStart(deps).catch((err) => deps.log.error({ err }, 'rescan: could not check for stale scans'))
  startSchedules(deps)
}

export async function closeDeps(deps: Deps): Promise<void> {
  stopSchedules(deps)
  await deps.queue.stop()
  await deps.scanner.close()
  await deps.defense.close()
  await deps.downloads.close()
  await deps.db.close()
}
