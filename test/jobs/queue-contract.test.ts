// One contract for every JobQueue adapter (embedded on SQLite, pg-boss on PostgreSQL), plus the embedded queue's crash and race cases.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { z } from 'zod'
import { DIALECTS, freshDatabase, type TestDatabase } from '../helpers/databases.ts'
import { createDb, type Db } from '../../src/db/create-db.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { defineJob, handle, type JobQueue, type JobType } from '../../src/jobs/job-queue.ts'
import { EmbeddedQueue } from '../../src/jobs/embedded-queue.ts'
import { PgBossQueue } from '../../src/jobs/pg-boss-queue.ts'

/** Runs once; a failure would be retried, so it must not fail. */
const echoJob = defineJob('contract_echo', z.object({ n: z.number().int(), text: z.string() }), { maxAttempts: 1 })
/** Fails its first two tries in the tests that use it, then succeeds on the last allowed one. */
const flakyJob = defineJob('contract_flaky', z.object({ id: z.string() }), { maxAttempts: 3 })
/** Fails every try. */
const doomedJob = defineJob('contract_doomed', z.object({ id: z.string() }), { maxAttempts: 2 })
const TYPES: readonly JobType<any>[] = [echoJob, flakyJob, doomedJob]

// Embedded retries wait 2^attempts s in production; the contract is about whether jobs retry, not when.
const noBackoff = { backoffMs: () => 0 }

type NormalState = 'queued' | 'active' | 'done' | 'failed'

interface QueueFixture {
  readonly db: Db
  readonly database: TestDatabase
  /** A queue built the way src/boot.ts builds it, initialised for TYPES; stopped after the test. */
  newQueue(): Promise<JobQueue>
  /** States of the jobs of one type, in each adapter's storage, normalised to the embedded queue's names. */
  states(type: JobType<any>): Promise<NormalState[]>
  close(): Promise<void>
}

interface Adapter {
  readonly name: string
  open(): Promise<QueueFixture>
}

async function openDatabase(dialect: 'sqlite' | 'postgres'): Promise<{ database: TestDatabase; db: Db }> {
  const database = await freshDatabase(dialect)
  const db = createDb(database.target)
  await migrateToLatest(db)
  return { database, db }
}

function fixture(database: TestDatabase, db: Db, make: () => JobQueue, states: QueueFixture['states']): QueueFixture {
  const queues: JobQueue[] = []
  return {
    db,
    database,
    async newQueue() {
      const queue = make()
      queues.push(queue)
      await queue.init(TYPES)
      return queue
    },
    states,
    async close() {
      for (const q of queues) await q.stop()
      await db.close()
      await database.drop()
    },
  }
}

const embeddedOnSqlite: Adapter = {
  name: 'embedded on sqlite',
  async open() {
    const { database, db } = await openDatabase('sqlite')
    return fixture(database, db, () => new EmbeddedQueue(db.kysely, noBackoff), async (type) => {
      const rows = await db.kysely.selectFrom('jobs').select('state').where('name', '=', type.name).orderBy('id').execute()
      return rows.map((r) => r.state)
    })
  },
}

const PG_BOSS_STATES: Record<string, NormalState> = {
  created: 'queued',
  retry: 'queued',
  active: 'active',
  completed: 'done',
  failed: 'failed',
}

const pgBossOnPostgres: Adapter = {
  name: 'pg-boss on postgres',
  async open() {
    const { database, db } = await openDatabase('postgres')
    const jobSchema = database.jobSchema!
    if (database.target.kind !== 'postgres') throw new Error('pg-boss needs a PostgreSQL target')
    const url = database.target.url
    return fixture(database, db, () => new PgBossQueue(url, jobSchema), async (type) => {
      const { rows } = await sql<{ state: string }>`select state from ${sql.table(`${jobSchema}.job`)} where name = ${type.name} order by created_on`.execute(db.kysely)
      return rows.map((r) => PG_BOSS_STATES[r.state] ?? (`unknown:${r.state}` as NormalState))
    })
  },
}

const ADAPTERS: Adapter[] = [embeddedOnSqlite, ...(DIALECTS.includes('postgres') ? [pgBossOnPostgres] : [])]

/** Polls until `check` holds; the deadline only turns a hang into a readable failure. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(25)
  }
}

describe.each(ADAPTERS)('job queue contract ($name)', (adapter) => {
  let f: QueueFixture
  beforeEach(async () => {
    f = await adapter.open()
  })
  afterEach(async () => f?.close())

  it('runs a job enqueued in a committed transaction exactly once, with its payload', async () => {
    const q = await f.newQueue()
    const runs: unknown[] = []
    await q.work([handle(echoJob, async (p) => void runs.push(p))], { concurrency: 2 })
    await f.db.kysely.transaction().execute(async (trx) => {
      await q.enqueue(trx, echoJob, { n: 1, text: 'hello' })
    })
    await eventually('the job has run', async () => (await q.pending()) === 0)
    expect(runs).toEqual([{ n: 1, text: 'hello' }])
    expect(await f.states(echoJob)).toEqual(['done'])
  })

  it('never runs a job whose transaction rolled back', async () => {
    const q = await f.newQueue()
    const runs: { n: number }[] = []
    await q.work([handle(echoJob, async (p) => void runs.push(p))], { concurrency: 1 })
    const at = new Date().toISOString()
    await expect(
      f.db.kysely.transaction().execute(async (trx) => {
        // The state change that causes the job, then the job, then a failure before commit.
        await trx.insertInto('users').values({ name: 'ghost', email: 'ghost@example.com', password_hash: 'x', created_at: at, updated_at: at }).execute()
        await q.enqueue(trx, echoJob, { n: 1, text: 'rolled back' })
        throw new Error('abort the publish')
      }),
    ).rejects.toThrow('abort the publish')
    expect(await q.pending()).toBe(0)
    expect(await f.db.kysely.selectFrom('users').selectAll().execute()).toEqual([])

    // A job committed afterwards: once it has run, the worker has looked at the queue since the rollback.
    await f.db.kysely.transaction().execute(async (trx) => q.enqueue(trx, echoJob, { n: 2, text: 'committed' }))
    await eventually('the committed job has run', async () => (await q.pending()) === 0)
    expect(runs).toEqual([{ n: 2, text: 'committed' }])
    expect(await f.states(echoJob)).toEqual(['done'])
  })

  it('retries a handler that throws until it succeeds, within maxAttempts', async () => {
    const q = await f.newQueue()
    const tries: string[] = []
    const errors: string[] = []
    await q.work(
      [
        handle(flakyJob, async (p) => {
          tries.push(p.id)
          if (tries.length < flakyJob.maxAttempts) throw new Error(`try ${tries.length} fails`)
        }),
      ],
      { concurrency: 1, onError: (job, err) => errors.push(`${job}: ${(err as Error).message}`) },
    )
    await q.enqueue(f.db.kysely, flakyJob, { id: 'flaky-1' })
    await eventually('the job has succeeded', async () => (await q.pending()) === 0)
    expect(tries).toEqual(['flaky-1', 'flaky-1', 'flaky-1'])
    expect(errors).toEqual(['contract_flaky: try 1 fails', 'contract_flaky: try 2 fails'])
    expect(await f.states(flakyJob)).toEqual(['done'])
  })

  it('marks a job failed after maxAttempts failures, and stops counting it as pending', async () => {
    const q = await f.newQueue()
    const tries: string[] = []
    await q.work(
      [
        handle(doomedJob, async (p) => {
          tries.push(p.id)
          throw new Error('always fails')
        }),
      ],
      { concurrency: 2 },
    )
    await q.enqueue(f.db.kysely, doomedJob, { id: 'doomed-1' })
    expect(await q.pending()).toBe(1)
    await eventually('the job is no longer pending', async () => (await q.pending()) === 0)
    expect(await f.states(doomedJob)).toEqual(['failed'])
    expect(tries).toEqual(['doomed-1', 'doomed-1'])
    expect(await q.pending(doomedJob.name)).toBe(0)
  })

  it('validates payloads with the job type schema at enqueue, storing nothing when invalid', async () => {
    const q = await f.newQueue()
    await expect(q.enqueue(f.db.kysely, echoJob, { n: 'one', text: 'x' } as any)).rejects.toThrow(z.ZodError)
    await expect(q.enqueue(f.db.kysely, echoJob, { n: 1.5, text: 'x' })).rejects.toThrow(z.ZodError)
    await expect(
      f.db.kysely.transaction().execute(async (trx) => q.enqueue(trx, flakyJob, { id: 42 } as any)),
    ).rejects.toThrow(z.ZodError)
    expect(await q.pending()).toBe(0)
    expect(await f.states(echoJob)).toEqual([])
    expect(await f.states(flakyJob)).toEqual([])
  })

  it('counts queued jobs in pending(), in total and by name', async () => {
    const q = await f.newQueue()
    await f.db.kysely.transaction().execute(async (trx) => {
      for (let n = 0; n < 3; n++) await q.enqueue(trx, echoJob, { n, text: 'count me' })
      for (const id of ['a', 'b']) await q.enqueue(trx, flakyJob, { id })
    })
    expect(await q.pending()).toBe(5)
    expect(await q.pending(echoJob.name)).toBe(3)
    expect(await q.pending(flakyJob.name)).toBe(2)
    expect(await q.pending(doomedJob.name)).toBe(0)

    await q.work([handle(echoJob, async () => {}), handle(flakyJob, async () => {})], { concurrency: 2 })
    await eventually('every job has run', async () => (await q.pending()) === 0)
    expect(await q.pending(echoJob.name)).toBe(0)
    expect(await f.states(echoJob)).toEqual(['done', 'done', 'done'])
  })

  it('lets stop() wait for the jobs in flight to finish', async () => {
    const q = await f.newQueue()
    const events: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    await q.work(
      [
        handle(echoJob, async () => {
          events.push('started')
          await gate
          events.push('finished')
        }),
      ],
      { concurrency: 1 },
    )
    await q.enqueue(f.db.kysely, echoJob, { n: 1, text: 'slow' })
    await eventually('the job has started', () => events.includes('started'))
    const stopped = q.stop().then(() => events.push('stopped'))
    // Give a stop() that does not wait the chance to return before the job finishes.
    await sleep(200)
    release()
    await stopped
    expect(events).toEqual(['started', 'finished', 'stopped'])
    // Finished, not abandoned: the job counts as done, not failed by the shutdown.
    expect(await f.states(echoJob)).toEqual(['done'])
  })

  it('never accepts a job and then loses it, even for a type init() was not told about', async () => {
    const q = await f.newQueue()
    const strayJob = defineJob('contract_stray', z.object({ n: z.number() }), { maxAttempts: 1 })
    const outcome = await q.enqueue(f.db.kysely, strayJob, { n: 1 }).then(
      () => 'accepted',
      (err: Error) => `refused: ${err.message}`,
    )
    // Refusing is fine (the caller's transaction fails loudly); accepting means the job must exist.
    if (outcome === 'accepted') expect(await q.pending(strayJob.name)).toBe(1)
    else expect(outcome).toMatch(/contract_stray/)
  })
})

describe('embedded queue on a shared SQLite file', () => {
  const recoverableJob = defineJob('contract_recoverable', z.object({ n: z.number() }), { maxAttempts: 3 })
  let database: TestDatabase
  const dbs: Db[] = []
  const queues: EmbeddedQueue[] = []

  /** Another process on the same database file: its own connection and its own queue. */
  function instance(): { db: Db; queue: EmbeddedQueue } {
    const db = createDb(database.target)
    const queue = new EmbeddedQueue(db.kysely, noBackoff)
    dbs.push(db)
    queues.push(queue)
    return { db, queue }
  }

  beforeEach(async () => {
    database = await freshDatabase('sqlite')
    const db = createDb(database.target)
    await migrateToLatest(db)
    await db.close()
  })
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.stop()
    for (const db of dbs.splice(0)) await db.close()
    await database.drop()
  })

  async function jobIdOf(db: Db, n: number): Promise<number> {
    const rows = await db.kysely.selectFrom('jobs').select(['id', 'payload']).execute()
    return rows.find((r) => JSON.parse(r.payload).n === n)!.id
  }

  /** What a worker that claimed the job and then died leaves behind. */
  async function abandon(db: Db, id: number, attempts: number, lockedUntil: Date): Promise<void> {
    await db.kysely.updateTable('jobs').set({ state: 'active', attempts, locked_until: lockedUntil.toISOString() }).where('id', '=', id).execute()
  }

  it('picks up a job whose worker died (expired lease) in another queue instance, and leaves live leases alone', async () => {
    const a = instance()
    await a.queue.enqueue(a.db.kysely, recoverableJob, { n: 1 })
    await a.queue.enqueue(a.db.kysely, recoverableJob, { n: 2 })
    await abandon(a.db, await jobIdOf(a.db, 1), 1, new Date(Date.now() - 60_000))
    // Job 2's worker is alive: its lease runs for another hour.
    await abandon(a.db, await jobIdOf(a.db, 2), 1, new Date(Date.now() + 3_600_000))
    await a.queue.enqueue(a.db.kysely, recoverableJob, { n: 3 })

    const b = instance()
    const runs: number[] = []
    await b.queue.work([handle(recoverableJob, async (p) => void runs.push(p.n))], { concurrency: 1 })
    // Jobs are claimed oldest first, so once job 3 has run, job 2 was passed over, not merely not reached.
    await eventually('jobs 1 and 3 have run', () => runs.includes(1) && runs.includes(3))
    await b.queue.stop()
    expect(runs).toEqual([1, 3])
    const rows = await b.db.kysely.selectFrom('jobs').select(['payload', 'state', 'attempts']).orderBy('id').execute()
    expect(rows.map((r) => [JSON.parse(r.payload).n, r.state, r.attempts])).toEqual([
      [1, 'done', 2],
      [2, 'active', 1],
      [3, 'done', 1],
    ])
  })

  it('fails a job whose worker died on its last attempt instead of running it again', async () => {
    const a = instance()
    await a.queue.enqueue(a.db.kysely, recoverableJob, { n: 1 })
    await a.queue.enqueue(a.db.kysely, recoverableJob, { n: 2 })
    // Every try so far killed its worker (say, out of memory on a hostile archive).
    await abandon(a.db, await jobIdOf(a.db, 1), recoverableJob.maxAttempts, new Date(Date.now() - 60_000))

    const b = instance()
    const runs: number[] = []
    await b.queue.work([handle(recoverableJob, async (p) => void runs.push(p.n))], { concurrency: 1 })
    await eventually('nothing is pending', async () => (await b.queue.pending()) === 0)
    await b.queue.stop()
    expect(runs).toEqual([2])
    const job = await b.db.kysely.selectFrom('jobs').selectAll().where('id', '=', await jobIdOf(b.db, 1)).executeTakeFirstOrThrow()
    expect(job).toMatchObject({ state: 'failed', attempts: recoverableJob.maxAttempts, locked_until: null })
    expect(job.last_error).toMatch(/lease expired/)
  })

  it('never runs a job twice when two queue instances work the same file', async () => {
    const a = instance()
    const b = instance()
    await a.db.kysely.transaction().execute(async (trx) => {
      for (let n = 0; n < 50; n++) await a.queue.enqueue(trx, recoverableJob, { n })
    })
    const executions = new Map<number, number>()
    const byWorker = { a: 0, b: 0 }
    const handler = (worker: 'a' | 'b') =>
      handle(recoverableJob, async (p) => {
        executions.set(p.n, (executions.get(p.n) ?? 0) + 1)
        byWorker[worker] += 1
        // Yield so the claims of all four loops interleave.
        await sleep(1)
      })
    await a.queue.work([handler('a')], { concurrency: 2 })
    await b.queue.work([handler('b')], { concurrency: 2 })
    await eventually('all 50 jobs have run', async () => (await a.queue.pending()) === 0)
    await a.queue.stop()
    await b.queue.stop()

    expect([...executions.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, n) => n))
    expect([...executions].filter(([, count]) => count !== 1)).toEqual([])
    expect(byWorker.a + byWorker.b).toBe(50)
    const rows = await a.db.kysely.selectFrom('jobs').select(['id', 'state', 'attempts']).execute()
    expect(rows).toHaveLength(50)
    expect(rows.filter((r) => r.state !== 'done' || r.attempts !== 1)).toEqual([])
  })
})
