// Campaign clusters on both dialects: 30 near-identical packages from 30 accounts form one cluster; removing one
// holds the rest; a newcomer copying a removed package is held at once; unrelated and trivial packages do not cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { campaignFiles } from '../helpers/campaign-fixtures.ts'

const CAMPAIGN = 30

describe.each(DIALECTS)('campaign clusters (%s)', (dialect) => {
  let r: TestRegistry
  let reviewer: string
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    reviewer = await r.user('rita')
    await r.deps.db.kysely.updateTable('users').set({ role: 'reviewer' }).where('name', '=', 'rita').execute()
  }, 120_000)
  afterAll(() => r.close())

  const stateOf = async (name: string, version: string) =>
    (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.state').where('packages.name', '=', name).where('versions.version', '=', version).executeTakeFirstOrThrow()).state

  it('groups 30 copies from 30 accounts into one cluster; removing one holds the rest; a later copy is held at once', { timeout: 180_000 }, async () => {
    for (let i = 1; i <= CAMPAIGN; i++) {
      const token = await r.user(`sock${i}`)
      const name = `tint-${['fast', 'pro', 'lite', 'plus', 'x'][i % 5]}-${i}`
      const res = await r.publish(token, name, `1.0.${i}`, { files: campaignFiles(name), manifest: { description: `terminal colours, variant ${i}`, scripts: { postinstall: 'node setup.js' } } })
      expect(res.statusCode, res.body).toBe(201)
    }
    // unrelated and trivial packages
    const bystander = await r.user('bystander')
    for (const name of ['trivial-a', 'trivial-b']) await r.publish(bystander, name, '1.0.0', { files: { 'index.js': 'module.exports = {}\n' } })
    await r.publish(bystander, 'date-helper', '2.0.0', { files: { 'index.js': `module.exports = function format(d) { return new Date(d).toISOString().slice(0, 10) } // a date helper that is long enough to count as content for fingerprints, ${'x'.repeat(200)}\n` } })
    await r.settle()

    const list = (await r.app.inject({ url: '/-/api/v1/clusters', headers: auth(reviewer) })).json().clusters
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ packages: CAMPAIGN, versions: CAMPAIGN, published: CAMPAIGN, removed: 0 })
    const detail = (await r.app.inject({ url: `/-/api/v1/clusters/${list[0].id}`, headers: auth(reviewer) })).json()
    expect(new Set(detail.members.map((m: { publisher: string }) => m.publisher)).size).toBe(CAMPAIGN)
    expect(detail.members.map((m: { name: string }) => m.name)).not.toContain('date-helper')

    // A reviewer removes one copy through the desk.
    const victim = 'tint-pro-1'
    const version = await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select(['versions.id', 'packages.id as package_id']).where('packages.name', '=', victim).executeTakeFirstOrThrow()
    const { fileVersionForReview } = await import('../../src/review/service.ts')
    const { SYSTEM } = await import('../../src/accounts/types.ts')
    const theCase = await r.deps.db.kysely.transaction().execute((trx) => fileVersionForReview(trx, r.deps.db.dialect, { packageId: version.package_id, versionId: version.id, score: 0, source: 'report', actor: SYSTEM('test'), note: 'reported by a user' }))
    const removed = await r.app.inject({ method: 'POST', url: `/-/api/v1/review/cases/${theCase.id}/remove`, headers: auth(reviewer), payload: { reason: 'credential stealer confirmed by hand', versions: ['1.0.1'] } })
    expect(removed.statusCode, removed.body).toBeLessThan(300)
    expect(await stateOf(victim, '1.0.1')).toBe('removed')

    for (let i = 2; i <= CAMPAIGN; i++) {
      const name = `tint-${['fast', 'pro', 'lite', 'plus', 'x'][i % 5]}-${i}`
      expect(await stateOf(name, `1.0.${i}`), name).toBe('held')
      const tarball = await r.app.inject({ url: `/${name}/-/${name}-1.0.${i}.tgz` })
      expect(tarball.statusCode).toBeGreaterThanOrEqual(400)
    }
    expect(await stateOf('date-helper', '2.0.0')).toBe('published')
    const after = (await r.app.inject({ url: '/-/api/v1/clusters', headers: auth(reviewer) })).json().clusters[0]
    expect(after).toMatchObject({ published: 0, held: CAMPAIGN - 1, removed: 1 })

    // A new copy under a new name from a new account is held by its own scan.
    const late = await r.user('sock-late')
    expect((await r.publish(late, 'tint-next-99', '3.1.4', { files: campaignFiles('tint-next-99'), manifest: { description: 'colours!', scripts: { postinstall: 'node setup.js' } } })).statusCode).toBe(201)
    await r.settle()
    expect(await stateOf('tint-next-99', '3.1.4')).toBe('held')
    const scan = (await r.app.inject({ url: '/-/api/v1/scans?name=tint-next-99&version=3.1.4', headers: auth(reviewer) })).json()
    const signal = scan.scans[0].signals.find((s: { rule: string }) => s.rule === 'cluster-with-removed')
    expect(signal.message).toMatch(/fingerprint with tint-pro-1@1\.0\.1 \(npm\), removed as malicious/)
  })

  it('forms one cluster from copies whose scans finish at the same moment', { timeout: 120_000 }, async () => {
    const quiet = await startTestRegistry(dialect, { worker: false })
    try {
      const names = ['hue-race-1', 'hue-race-2', 'hue-race-3', 'hue-race-4']
      for (const name of names) {
        const token = await quiet.user(`${name}-owner`)
        expect((await quiet.publish(token, name, '1.0.0', { files: campaignFiles(name), manifest: { scripts: { postinstall: 'node setup.js' } } })).statusCode).toBe(201)
      }
      const pending = await quiet.deps.db.kysely.selectFrom('versions').select('id').where('state', '=', 'pending').execute()
      expect(pending).toHaveLength(names.length)
      const { scanVersion } = await import('../../src/scanning/pipeline.ts')
      await Promise.all(pending.map(({ id }) => scanVersion(quiet.deps, id)))
      const session = await quiet.user('hue-reviewer')
      await quiet.deps.db.kysely.updateTable('users').set({ role: 'reviewer' }).where('name', '=', 'hue-reviewer').execute()
      const list = (await quiet.app.inject({ url: '/-/api/v1/clusters', headers: auth(session) })).json().clusters
      expect(list).toHaveLength(1)
      expect(list[0]).toMatchObject({ packages: names.length, versions: names.length })
      expect(await quiet.deps.db.kysely.selectFrom('clusters').select('id').execute()).toHaveLength(1)
    } finally {
      await quiet.close()
    }
  })
})
