// Periodic intel work (the OSV feed pull) across any number of workers: a due time taken by compare-and-set, so one worker enqueues each run.
import type { Deps } from '../deps.ts'
import { isUniqueViolation } from '../db/dialect.ts'
import { pullIntelFeedJob } from './jobs.ts'

const TICK_MS = 60_000
const timers = new WeakMap<object, NodeJS.Timeout>()

/** Enqueues the job when its time has come and this worker wins the slot; returns whether it did. */
export async function runIfDue(deps: Pick<Deps, 'db' | 'queue'>, name: string, everyMs: number, enqueue: (trx: Parameters<Deps['queue']['enqueue']>[0]) => Promise<void>): Promise<boolean> {
  const now = new Date()
  const next = new Date(now.getTime() + everyMs).toISOString()
  return deps.db.kysely.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('schedules').selectAll().where('name', '=', name).executeTakeFirst()
    if (!row) {
      try {
        await trx.insertInto('schedules').values({ name, next_run_at: next }).execute()
      } catch (err) {
        if (isUniqueViolation(err)) return false
        throw err
      }
    } else {
      if (row.next_run_at > now.toISOString()) return false
      const won = await trx.updateTable('schedules').set({ next_run_at: next }).where('name', '=', name).where('next_run_at', '=', row.next_run_at).executeTakeFirst()
      if (Number(won.numUpdatedRows) !== 1) return false
    }
    await enqueue(trx)
    return true
  })
}

export function startSchedules(deps: Deps): void {
  const url = deps.config.intelFeedUrl
  if (!url) return
  const tick = () =>
    runIfDue(deps, 'intel-feed', deps.config.intelFeedIntervalMinutes * 60_000, (trx) => deps.queue.enqueue(trx, pullIntelFeedJob, { url })).catch((err) =>
      deps.log.warn({ err }, 'intel feed schedule failed'),
    )
  void tick()
  const timer = setInterval(tick, TICK_MS)
  timer.unref()
  timers.set(deps, timer)
}

export function stopSchedules(deps: Deps): void {
  const timer = timers.get(deps)
  if (timer) clearInterval(timer)
  timers.delete(deps)
}
