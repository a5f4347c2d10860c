// The job queue port: jobs are data plus an idempotent function, enqueued in the caller's transaction.
import type { z } from 'zod'
import type { Executor } from '../db/dialect.ts'

export interface JobType<P> {
  readonly name: string
  readonly schema: z.ZodType<P>
  /** Total tries before the job is marked failed. */
  readonly maxAttempts: number
}

export function defineJob<P>(name: string, schema: z.ZodType<P>, options: { maxAttempts?: number } = {}): JobType<P> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`job names are snake_case: ${name}`)
  return Object.freeze({ name, schema, maxAttempts: options.maxAttempts ?? 5 })
}

export interface JobHandler<P = unknown> {
  readonly type: JobType<P>
  run(payload: P): Promise<void>
}

export function handle<P>(type: JobType<P>, run: (payload: P) => Promise<void>): JobHandler<P> {
  return { type, run }
}

export interface WorkOptions {
  readonly concurrency: number
  /** Called when a job throws; the queue retries it until maxAttempts. */
  readonly onError?: (job: string, err: unknown) => void
}

export interface JobQueue {
  readonly kind: 'embedded' | 'pg-boss'
  /**
   * Adds a job inside the caller's transaction, so it exists exactly when the state change that
   * causes it commits.
   */
  enqueue<P>(trx: Executor, type: JobType<P>, payload: P): Promise<void>
  /** Prepares the queue's own storage (queues, tables). Producers call it too. */
  init(types: readonly JobType<unknown>[]): Promise<void>
  /** Starts consuming the given job types in this process. */
  work(handlers: readonly JobHandler<any>[], options: WorkOptions): Promise<void>
  /** Stops consuming; in-flight jobs finish first. */
  stop(): Promise<void>
  /** Counts jobs not yet finished, by name (tests and operators wait on it). */
  pending(name?: string): Promise<number>
}
