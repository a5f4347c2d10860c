// The scheduled OSV feed pull on both dialects: of two workers asking at once exactly one enqueues the pull; it is
// not due again until its interval passes; the pull acts like an import; a worker configured with a feed pulls it at start.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runIfDue } from '../../src/intel/schedules.ts'
import { pullIntelFeedJob } from '../../src/intel/jobs.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

function malRecord(id: string, name: string, versions: string[]) {
  return {
    schema_version: '1.5.0',
    id,
    modified: '2026-11-01T10:00:00Z',
    published: '2026-11-01T10:00:00Z',
    summary: `Malicious code in ${name} (npm)`,
    details: 'credential stealer in the postinstall script',
    affected: [{ package: { ecosystem: 'npm', name }, versions }],
  }
}

describe.each(DIALECTS)('scheduled OSV feed pull (%s)', (dialect) => {
  let feed: Server
  let feedUrl: string
  let requests = 0
  const records = [malRecord('MAL-2026-9001', 'feed-evil', ['1.0.0']), malRecord('MAL-2026-9002', 'feed-absent', ['0.0.1'])]

  beforeAll(async () => {
    feed = createServer((req, res) => {
      requests++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(records))
    })
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve))
    feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/osv/all.json`
  })
  afterAll(() => new Promise<void>((resolve) => feed.close(() => resolve())))

  describe('across workers', () => {
    let r: TestRegistry
    beforeAll(async () => {
      r = await startTestRegistry(dialect)
    }, 120_000)
    afterAll(() => r.close())

    const stateOf = async (name: string) =>
      (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.state').where('packages.name', '=', name).executeTakeFirstOrThrow()).state

    it('enqueues one pull per interval whichever worker asks, and the pull holds and blocks like an import', async () => {
      const owner = await r.user('feed-owner')
      expect((await r.publish(owner, 'feed-evil', '1.0.0')).statusCode).toBe(201)
      await r.settle()
      expect(await stateOf('feed-evil')).toBe('published')

      // Another worker: a second process's own pool on PostgreSQL. Embedded SQLite runs one process (two connections
      // in one thread would block each other), so there the second asker shares the connection.
      const other = dialect === 'postgres' ? await r.sibling() : { deps: r.deps }
      const before = requests
      const enqueue = (deps: typeof r.deps) => (trx: Parameters<typeof r.deps.queue.enqueue>[0]) => deps.queue.enqueue(trx, pullIntelFeedJob, { url: feedUrl })
      const won = await Promise.all([runIfDue(r.deps, 'test-feed', 3_600_000, enqueue(r.deps)), runIfDue(other.deps, 'test-feed', 3_600_000, enqueue(other.deps))])
      expect(won.filter(Boolean)).toHaveLength(1)
      await r.settle()
      expect(requests - before).toBe(1)
      expect(await stateOf('feed-evil')).toBe('held')
      expect((await r.publish(owner, 'feed-absent', '0.0.1')).statusCode).toBe(403)

      // Not due again within the interval; once it is, the re-pull changes nothing.
      expect(await runIfDue(other.deps, 'test-feed', 3_600_000, enqueue(other.deps))).toBe(false)
      await r.deps.db.kysely.updateTable('schedules').set({ next_run_at: '2000-01-01T00:00:00.000Z' }).where('name', '=', 'test-feed').execute()
      const cases = await r.deps.db.kysely.selectFrom('cases').select('id').execute()
      expect(await runIfDue(other.deps, 'test-feed', 3_600_000, enqueue(other.deps))).toBe(true)
      await r.settle()
      expect(requests - before).toBe(2)
      expect(await r.deps.db.kysely.selectFrom('cases').select('id').execute()).toEqual(cases)
    })
  })

  it('is pulled by a worker started with GATEHOUSE_INTEL_FEED_URL', { timeout: 60_000 }, async () => {
    const r = await startTestRegistry(dialect, { config: { intelFeedUrl: feedUrl } })
    try {
      const deadline = Date.now() + 30_000
      let blocks: { pattern: string }[] = []
      while (Date.now() < deadline) {
        blocks = await r.deps.db.kysely.selectFrom('name_blocks').select('pattern').execute()
        if (blocks.length >= 2) break
        await new Promise((res) => setTimeout(res, 100))
      }
      expect(blocks.map((b) => b.pattern).sort()).toEqual(['feed-absent', 'feed-evil'])
      const schedule = await r.deps.db.kysely.selectFrom('schedules').selectAll().where('name', '=', 'intel-feed').executeTakeFirstOrThrow()
      expect(new Date(schedule.next_run_at).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000)
    } finally {
      await r.close()
    }
  })
})
