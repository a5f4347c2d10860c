// Download counts: tallied in memory as tarballs are served and written in one upsert per flush, so serving never waits on a write.
import { sql } from 'kysely'
import type { Db } from '../db/create-db.ts'
import type { Executor } from '../db/dialect.ts'
import type { Logger } from '../deps.ts'

/** How often tallies are written; a crash loses at most this much of the count, never a download. */
export const DEFAULT_FLUSH_MS = 10_000

export class DownloadCounter {
  private pending = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly flushMs = DEFAULT_FLUSH_MS,
  ) {}

  /** One served archive of the version. */
  count(versionId: number, at: Date = new Date()): void {
    const key = `${versionId}:${at.toISOString().slice(0, 10)}`
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1)
    if (!this.timer && this.flushMs > 0) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs)
      this.timer.unref()
    }
  }

  /** Writes what has been tallied; concurrent calls are chained, and a failed write keeps its tallies for the next. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write())
    return this.flushing
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.size === 0) return
    const batch = this.pending
    this.pending = new Map()
    const rows = [...batch].map(([key, count]) => {
      const [versionId, day] = key.split(':')
      return { version_id: Number(versionId), day: day!, count }
    })
    try {
      await this.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500) {
          const chunk = rows.slice(i, i + 500)
          // a version deleted since it was served (an unpublish) has nothing left to count against
          const live = new Set((await trx.selectFrom('versions').select('id').where('id', 'in', chunk.map((r) => r.version_id)).execute()).map((v) => v.id))
          const values = chunk.filter((r) => live.has(r.version_id))
          if (values.length === 0) continue
          await trx
            .insertInto('download_counts')
            .values(values)
            .onConflict((oc) => oc.columns(['version_id', 'day']).doUpdateSet({ count: sql<number>`download_counts.count + excluded.count` }))
            .execute()
        }
      })
    } catch (err) {
      this.log.warn({ err: (err as Error).message, rows: rows.length }, 'download counts not written; kept for the next flush')
      for (const [key, count] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + count)
      if (!this.timer && this.flushMs > 0) {
        this.timer = setTimeout(() => void this.flush(), this.flushMs)
        this.timer.unref()
      }
    }
  }
}

/** Downloads per version over the last `days` days (today included). */
export async function recentDownloads(db: Executor, versionIds: readonly number[], days = 30, now: Date = new Date()): Promise<Map<number, number>> {
  if (versionIds.length === 0) return new Map()
  const since = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
  const out = new Map<number, number>()
  for (let i = 0; i < versionIds.length; i += 1000) {
    const rows = await db
      .selectFrom('download_counts')
      .select((eb) => ['version_id', eb.fn.sum<number>('count').as('n')])
      .where('version_id', 'in', versionIds.slice(i, i + 1000))
      .where('day', '>=', since)
      .groupBy('version_id')
      .execute()
    for (const r of rows) out.set(r.version_id, Number(r.n))
  }
  return out
}
