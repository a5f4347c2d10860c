// Download counts on both dialects: served tarballs are tallied and written in batches; a rescan works through
// the newest and the most-downloaded versions first, taking turns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM } from '../../src/accounts/types.ts'
import { recentDownloads } from '../../src/packages/downloads.ts'
import { rescanOrder, startRescan } from '../../src/intel/rescans.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

describe('rescan order', () => {
  it('alternates the newest and the most downloaded, each version once, then the rest newest first', () => {
    const v = (id: number, day: number, downloads = 0) => ({ id, createdAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`, downloads })
    // 1 is oldest and most downloaded; 5 newest, never downloaded
    const order = rescanOrder([v(1, 1, 900), v(2, 2, 5), v(3, 3), v(4, 4, 40), v(5, 5)])
    expect(order).toEqual([5, 1, 4, 2, 3])
    expect(rescanOrder([v(1, 1), v(2, 2), v(3, 3)])).toEqual([3, 2, 1])
    expect(rescanOrder([])).toEqual([])
  })
})

describe.each(DIALECTS)('download counts (%s)', (dialect) => {
  let r: TestRegistry

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
  }, 120_000)
  afterAll(() => r.close())

  const versionId = async (name: string, version: string) =>
    (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.id').where('packages.name', '=', name).where('versions.version', '=', version).executeTakeFirstOrThrow()).id

  it('counts served tarballs per version and day, not refusals, and survives versions unpublished in between', async () => {
    const owner = await r.user('dl-owner')
    for (const [name, version] of [['dl-popular', '1.0.0'], ['dl-popular', '1.1.0'], ['dl-quiet', '1.0.0'], ['dl-gone', '1.0.0']] as const) {
      expect((await r.publish(owner, name, version)).statusCode).toBe(201)
    }
    await r.settle()
    const get = (name: string, version: string) => r.app.inject({ url: `/${name}/-/${name}-${version}.tgz` })
    for (let i = 0; i < 7; i++) expect((await get('dl-popular', '1.0.0')).statusCode).toBe(200)
    for (let i = 0; i < 2; i++) expect((await get('dl-popular', '1.1.0')).statusCode).toBe(200)
    expect((await get('dl-gone', '1.0.0')).statusCode).toBe(200)
    expect((await get('dl-popular', '9.9.9')).statusCode).toBe(404)
    // dl-gone is unpublished before the tally is written: its count is dropped, the others are not
    expect((await r.app.inject({ method: 'DELETE', url: '/dl-gone/-rev/1', headers: { authorization: `Bearer ${owner}` } })).statusCode).toBeLessThan(300)
    await r.deps.downloads.flush()
    for (let i = 0; i < 3; i++) await get('dl-popular', '1.0.0')
    await r.deps.downloads.flush()

    const ids = [await versionId('dl-popular', '1.0.0'), await versionId('dl-popular', '1.1.0'), await versionId('dl-quiet', '1.0.0')]
    const counts = await recentDownloads(r.deps.db.kysely, ids)
    expect(ids.map((id) => counts.get(id) ?? 0)).toEqual([10, 2, 0])
    const rows = await r.deps.db.kysely.selectFrom('download_counts').selectAll().where('version_id', '=', ids[0]!).execute()
    expect(rows).toEqual([{ version_id: ids[0], day: new Date().toISOString().slice(0, 10), count: 10 }])
    // a month-old day falls out of the 30-day window
    await r.deps.db.kysely.insertInto('download_counts').values({ version_id: ids[2]!, day: '2000-01-01', count: 1000 }).execute()
    expect((await recentDownloads(r.deps.db.kysely, [ids[2]!])).get(ids[2]!)).toBeUndefined()
  })

  it('puts the most-downloaded version near the head of a rescan', async () => {
    await r.deps.queue.stop()
    const run = (await startRescan({ ...r.deps, scanner: { ...r.deps.scanner, rulesetVersion: 'order-test' } as typeof r.deps.scanner }, { reason: 'order test', actor: SYSTEM('test') })).run
    const items = await r.deps.db.kysely.selectFrom('rescan_items').select(['version_id', 'position']).where('run_id', '=', run.id).orderBy('position').execute()
    const popular = await versionId('dl-popular', '1.0.0')
    const newest = await versionId('dl-quiet', '1.0.0')
    expect(items.map((i) => i.version_id).slice(0, 2)).toEqual([newest, popular])
  })
})
