// pg-boss job queue on PostgreSQL: `gatehouse worker` processes on many machines share the work.
import PgBoss from 'pg-boss'
import { CompiledQuery } from 'kysely'
import type { Executor } from '../db/dialect.ts'
import type { JobHandler, JobQueue, JobType, WorkOptions } from './job-queue.ts'

export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const
  private readonly boss: PgBoss
  private started = false
  private readonly queues = new Set<string>()

  /** `schema` is pg-boss's own schema (its tables never mix with the registry's). */
  constructor(connectionString: string, private readonly schema = 'pgboss') {
    this.boss = new PgBoss({ connectionString, schema, max: 4, supervise: true, schedule: false })
    this.boss.on('error', () => {
      // Connection errors surface through the calls that hit them; the maintainer loop retries on its own.
    })
  }

  async init(types: readonly JobType<unknown>[]): Promise<void> {
    if (!this.started) {
      await this.boss.start()
      this.started = true
    }
    for (const type of types) {
      if (this.queues.has(type.name)) continue
      const existing = await this.boss.getQueue(type.name)
      if (!existing) {
        try {
          await this.boss.createQueue(type.name, {
            name: type.name,
            retryLimit: Math.max(type.maxAttempts - 1, 0),
            retryDelay: 1,
            retryBackoff: true,
            expireInSeconds: 15 * 60,
          })
        } catch (err) {
          // Another process created it first.
          if (!(await this.boss.getQueue(type.name))) throw err
        }
      }
      this.queues.add(type.name)
    }
  }

  async enqueue<P>(trx: Executor, type: JobType<P>, payload: P): Promise<void> {
    const valid = type.schema.parse(payload)
    const db = {
      executeSql: async (text: string, values: unknown[]) => {
        const result = await trx.executeQuery(CompiledQuery.raw(text, values))
        return { rows: result.rows as any[] }
      },
    }
    const id = await this.boss.send(type.name, valid as object, { db })
    // pg-boss inserts nothing, and says so only by returning null, when the queue was never created;
    // throwing fails the caller's transaction instead of committing a state change whose job is lost.
    if (id === null) throw new Error(`job queue ${type.name} does not exist: pass its type to init() first`)
  }

  async work(handlers: readonly JobHandler<any>[], options: WorkOptions): Promise<void> {
    await this.init(handlers.map((h) => h.type as JobType<unknown>))
    for (const handler of handlers) {
      for (let i = 0; i < options.concurrency; i++) {
        await this.boss.work(handler.type.name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) {
            try {
              await handler.run(handler.type.schema.parse(job.data))
            } catch (err) {
              options.onError?.(handler.type.name, err)
              throw err
            }
          }
        })
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 })
  }

  async pending(name?: string): Promise<number> {
    const names = name ? [name] : [...this.queues]
    let total = 0
    for (const n of names) total += await this.boss.getQueueSize(n, { before: 'completed' })
    return total
  }
}
