// Embedded job queue on the registry's own database (SQLite by default): a jobs table polled in-process.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import type { Database, JobRow } from '../db/schema.ts'
import type { Executor } from '../db/dialect.ts'
import type { JobHandler, JobQueue, JobType, WorkOptions } from './job-queue.ts'

const DEFAULT_LEASE_MS = 5 * 60_000
const IDLE_POLL_MS = 500

export interface EmbeddedQueueOptions {
  /** Delay before the next try of a job that failed its `attempts`-th try (tests shorten it). */
  readonly backoffMs?: (attempts: number) => number
  /** How long a claimed job is its worker's; past it another worker takes the job over (the first one died). */
  readonly leaseMs?: number
}

/** Exponential: 2 s, 4 s, 8 s … capped at 5 minutes. */
const defaultBackoffMs = (attempts: number): number => Math.min(2 ** attempts * 1000, 5 * 60_000)

export class EmbeddedQueue implements JobQueue {
  readonly kind = 'embedded' as const
  private handlers = new Map<string, JobHandler<any>>()
  private running = false
  private loops: Promise<void>[] = []
  /** One waker per idle loop: a single shared slot would let each loop overwrite the others'. */
  private readonly sleepers = new Set<() => void>()
  private readonly backoffMs: (attempts: number) => number
  private readonly leaseMs: number

  constructor(
    private readonly db: Kysely<Database>,
    options: EmbeddedQueueOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? defaultBackoffMs
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  }

  async init(): Promise<void> {}

  async enqueue<P>(trx: Executor, type: JobType<P>, payload: P): Promise<void> {
    const valid = type.schema.parse(payload)
    const at = new Date().toISOString()
    await trx
      .insertInto('jobs')
      .values({
        name: type.name,
        payload: JSON.stringify(valid),
        state: 'queued',
        max_attempts: type.maxAttempts,
        run_at: at,
        created_at: at,
      })
      .execute()
    // The worker shares this process: wake one idle loop. Its claim query runs after the caller's
    // transaction releases the connection, so the new row is visible by then; the idle poll covers other cases.
    setImmediate(() => this.sleepers.values().next().value?.())
  }

  async work(handlers: readonly JobHandler<any>[], options: WorkOptions): Promise<void> {
    for (const h of handlers) this.handlers.set(h.type.name, h)
    if (this.running) return
    this.running = true
    for (let i = 0; i < options.concurrency; i++) this.loops.push(this.loop(options))
  }

  async stop(): Promise<void> {
    this.running = false
    for (const wake of this.sleepers) wake()
    await Promise.all(this.loops)
    this.loops = []
  }

  async pending(name?: string): Promise<number> {
    let q = this.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['queued', 'active'])
    if (name) q = q.where('name', '=', name)
    const row = await q.executeTakeFirstOrThrow()
    return Number(row.n)
  }

  private async loop(options: WorkOptions): Promise<void> {
    while (this.running) {
      let job: JobRow | undefined
      try {
        job = await this.claim()
      } catch (err) {
        options.onError?.('(claim)', err)
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer)
            this.sleepers.delete(wake)
            resolve()
          }
          const timer = setTimeout(wake, IDLE_POLL_MS)
          this.sleepers.add(wake)
        })
        continue
      }
      await this.runJob(job, options)
    }
  }

  /** Claims the oldest runnable job, or one whose lease expired (its worker died), by compare-and-set. */
  private async claim(): Promise<JobRow | undefined> {
    const names = [...this.handlers.keys()]
    if (names.length === 0) return undefined
    for (let lostRaces = 0; lostRaces < 3; ) {
      const at = new Date().toISOString()
      const candidate = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('name', 'in', names)
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', at)]),
            eb.and([eb('state', '=', 'active'), eb('locked_until', '<', at)]),
          ]),
        )
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst()
      if (!candidate) return undefined
      if (candidate.state === 'active' && candidate.attempts >= candidate.max_attempts) {
        // Its worker died during the last try. That try counts as failed: otherwise a job that kills its
        // worker (out of memory on a hostile archive) would be claimed again, and crash workers, forever.
        await this.db
          .updateTable('jobs')
          .set({ state: 'failed', locked_until: null, finished_at: at, last_error: 'worker lost during the last attempt (lease expired)' })
          .where('id', '=', candidate.id)
          .where('state', '=', 'active')
          .where('attempts', '=', candidate.attempts)
          .execute()
        continue
      }
      const lockedUntil = new Date(Date.now() + this.leaseMs).toISOString()
      const claimed = await this.db
        .updateTable('jobs')
        .set({ state: 'active', attempts: candidate.attempts + 1, locked_until: lockedUntil })
        .where('id', '=', candidate.id)
        .where('state', '=', candidate.state)
        .where('attempts', '=', candidate.attempts)
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) === 1) {
        return { ...candidate, state: 'active', attempts: candidate.attempts + 1, locked_until: lockedUntil }
      }
      lostRaces += 1
      await sleep(5)
    }
    return undefined
  }

  private async runJob(job: JobRow, options: WorkOptions): Promise<void> {
    const handler = this.handlers.get(job.name)
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`)
      const payload = handler.type.schema.parse(JSON.parse(job.payload))
      await handler.run(payload)
      await this.db
        .updateTable('jobs')
        .set({ state: 'done', finished_at: new Date().toISOString(), locked_until: null })
        .where('id', '=', job.id)
        .execute()
    } catch (err) {
      options.onError?.(job.name, err)
      const finalTry = job.attempts >= job.max_attempts
      const backoffMs = this.backoffMs(job.attempts)
      await this.db
        .updateTable('jobs')
        .set({
          state: finalTry ? 'failed' : 'queued',
          run_at: new Date(Date.now() + backoffMs).toISOString(),
          locked_until: null,
          last_error: String((err as Error)?.stack ?? err).slice(0, 4000),
          finished_at: finalTry ? new Date().toISOString() : null,
        })
        .where('id', '=', job.id)
        .execute()
    }
  }
}
