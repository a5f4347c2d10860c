// Look-alike names inside the registry, on both dialects: a new squat is held with the finding; the owner appeals,
// a reviewer grants it and the name passes from then on; owners of the imitated package are exempt.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM } from '../../src/accounts/types.ts'
import { rescanBatch, startRescan } from '../../src/intel/rescans.ts'
import { archiveLimits } from '../../src/packages/service.ts'
import { Scanner } from '../../src/scanning/scanner.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

/** A local rule the built-in ruleset lacks: a scanner with it runs under a new ruleset version. */
const EXTRA_RULES = fileURLToPath(new URL('../fixtures/intel/extra-rules.ts', import.meta.url))
const FILES = { 'index.js': 'module.exports = function run(args) { return args.join(" ") }\n' }

describe.each(DIALECTS)('look-alike names (%s)', (dialect) => {
  let r: TestRegistry
  let reviewer: string
  const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    reviewer = await r.user('rita')
    await r.deps.db.kysely.updateTable('users').set({ role: 'reviewer' }).where('name', '=', 'rita').execute()
  })
  afterAll(() => r.close())

  async function stateOf(name: string, version: string): Promise<{ state: string; signals: { rule: string; weight: number; message: string }[] }> {
    const res = await r.app.inject({ url: `/-/api/v1/scans?name=${name}&version=${version}`, headers: { authorization: `Bearer ${reviewer}` } })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    return { state: body.state, signals: body.scans[0].signals }
  }

  it('holds a new package named like a popular one, with the technique in the finding', async () => {
    const mallory = await r.user('mallory')
    expect((await r.publish(mallory, 'crossenv', '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    const { state, signals } = await stateOf('crossenv', '1.0.0')
    expect(state).toBe('held')
    const finding = signals.find((s) => s.rule === 'typosquat')!
    expect(finding.weight).toBe(50)
    expect(finding.message).toMatch(/crossenv is cross-env with separators or case changed/)
  })

  it('lets the owner appeal, and a granted appeal lets later versions through', async () => {
    const owner = await r.user('olga')
    expect((await r.publish(owner, 'electorn', '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    expect((await stateOf('electorn', '1.0.0')).state).toBe('held')

    // Only an owner may appeal, and only a finding that exists.
    const stranger = await r.user('sam')
    const refused = await r.app.inject({ method: 'POST', url: '/-/api/v1/names/appeals', headers: json(stranger), payload: { ecosystem: 'npm', name: 'electorn', reason: 'not my package but I object' } })
    expect(refused.statusCode).toBe(403)
    const findings = (await r.app.inject({ url: '/-/api/v1/names/findings', headers: json(owner) })).json().packages
    expect(findings).toEqual([expect.objectContaining({ name: 'electorn', appeal: null })])

    const appeal = await r.app.inject({ method: 'POST', url: '/-/api/v1/names/appeals', headers: json(owner), payload: { ecosystem: 'npm', name: 'electorn', reason: 'an electron-orchestration tool, named years before the lookalike rule' } })
    expect(appeal.statusCode, appeal.body).toBe(201)
    const id = appeal.json().id
    const twice = await r.app.inject({ method: 'POST', url: '/-/api/v1/names/appeals', headers: json(owner), payload: { ecosystem: 'npm', name: 'electorn', reason: 'asking a second time, just in case' } })
    expect(twice.statusCode).toBe(409)

    // The appeal shows on the package's case, for the reviewers.
    const cases = (await r.app.inject({ url: '/-/api/v1/review/cases', headers: json(reviewer) })).json().cases
    const theCase = cases.find((c: { package: string }) => c.package === 'electorn')
    expect(theCase).toBeDefined()
    const detail = (await r.app.inject({ url: `/-/api/v1/review/cases/${theCase.id}`, headers: json(reviewer) })).json()
    expect(JSON.stringify(detail)).toContain(`Name appeal #${id}`)

    const decided = await r.app.inject({ method: 'POST', url: `/-/api/v1/names/appeals/${id}/decision`, headers: json(reviewer), payload: { grant: true, reason: 'checked the project history: an unrelated tool' } })
    expect(decided.statusCode, decided.body).toBe(200)
    expect(decided.json()).toMatchObject({ status: 'granted', decidedBy: 'rita' })
    const again = await r.app.inject({ method: 'POST', url: `/-/api/v1/names/appeals/${id}/decision`, headers: json(reviewer), payload: { grant: false, reason: 'changing my mind later on' } })
    expect(again.statusCode).toBe(409)
    const exceptions = (await r.app.inject({ url: '/-/api/v1/names/exceptions', headers: json(reviewer) })).json().exceptions
    expect(exceptions).toEqual([expect.objectContaining({ ecosystem: 'npm', name: 'electorn', target: '*', appealId: id })])
    const mine = (await r.app.inject({ url: '/-/api/v1/names/appeals?mine=1', headers: json(owner) })).json().appeals
    expect(mine).toEqual([expect.objectContaining({ id, status: 'granted', decisionReason: 'checked the project history: an unrelated tool' })])

    expect((await r.publish(owner, 'electorn', '1.0.1', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    const next = await stateOf('electorn', '1.0.1')
    expect(next.state).toBe('published')
    expect(next.signals.map((s) => s.rule)).not.toContain('typosquat')

    const audit = (await r.app.inject({ url: '/-/api/v1/audit?limit=200', headers: json(reviewer) })).json()
    expect(JSON.stringify(audit)).toContain('name-appeal.grant')
  })

  it('exempts owners of the imitated package, and names an admin accepted', async () => {
    const maintainer = await r.user('kentcdodds')
    expect((await r.publish(maintainer, 'cross-env', '7.0.3', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    expect((await r.publish(maintainer, 'cross-env-shell', '7.0.3', { files: FILES })).statusCode).toBe(201)
    expect((await r.publish(maintainer, 'crossenv-cli', '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    expect((await stateOf('crossenv-cli', '1.0.0')).signals.map((s) => s.rule)).not.toContain('typosquat')

    const add = await r.app.inject({ method: 'POST', url: '/-/api/v1/names/exceptions', headers: json(reviewer), payload: { ecosystem: 'npm', name: 'mongose', target: 'mongoose', reason: 'a Mongolian geese tracker, checked with the author' } })
    expect(add.statusCode, add.body).toBe(201)
    const author = await r.user('bat')
    expect((await r.publish(author, 'mongose', '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    const view = await stateOf('mongose', '1.0.0')
    expect(view.state).toBe('published')
    expect(view.signals.map((s) => s.rule)).not.toContain('typosquat')
  })

  it('does not find an accepted name a look-alike again when a new ruleset rescans it; a name still under review keeps its finding', async () => {
    const scanner = new Scanner({ threads: 1, timeoutMs: 60_000, limits: archiveLimits(r.deps.config), thresholds: r.deps.scanner.thresholds, extraRulesPath: EXTRA_RULES })
    const next = { ...r.deps, scanner, config: { ...r.deps.config, rescanPauseMs: 0 } }
    try {
      const { run } = await startRescan(next, { reason: 'a new ruleset', actor: SYSTEM('test') })
      for (let i = 0; i < 5; i++) await rescanBatch(next, run.id)
      for (const [name, version] of [['mongose', '1.0.0'], ['electorn', '1.0.1'], ['crossenv-cli', '1.0.0']] as const) {
        const view = await stateOf(name, version)
        expect(view.state).toBe('published')
        expect(view.signals.map((s) => s.rule)).not.toContain('typosquat')
      }
      const held = await stateOf('crossenv', '1.0.0')
      expect(held.state).toBe('held')
      expect(held.signals.find((s) => s.rule === 'typosquat')?.weight).toBe(50)
      const cases = (await r.app.inject({ url: '/-/api/v1/review/cases', headers: json(reviewer) })).json().cases as { package: string }[]
      expect(cases.map((c) => c.package)).not.toContain('mongose')
    } finally {
      await scanner.close()
    }
  }, 120_000)

  it("treats this registry's own much-downloaded packages as targets, and not the rarely downloaded ones", async () => {
    const maker = await r.user('quinn')
    for (const name of ['quuxly-widgets', 'blorpa-toolkit']) expect((await r.publish(maker, name, '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    expect((await stateOf('quuxly-widgets', '1.0.0')).state).toBe('published')
    const idOf = async (name: string) =>
      (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.id').where('packages.name', '=', name).executeTakeFirstOrThrow()).id
    const today = new Date().toISOString().slice(0, 10)
    await r.deps.db.kysely.insertInto('download_counts').values([{ version_id: await idOf('quuxly-widgets'), day: today, count: 150 }, { version_id: await idOf('blorpa-toolkit'), day: today, count: 20 }]).execute()
    const { forgetRegistryTargets } = await import('../../src/scanning/names/registry-targets.ts')
    forgetRegistryTargets(r.deps.db.kysely)

    const squatter = await r.user('sly')
    expect((await r.publish(squatter, 'quuxlly-widgets', '1.0.0', { files: FILES })).statusCode).toBe(201)
    expect((await r.publish(squatter, 'blorpaa-toolkit', '1.0.0', { files: FILES })).statusCode).toBe(201)
    await r.settle()
    const squat = await stateOf('quuxlly-widgets', '1.0.0')
    expect(squat.state).toBe('held')
    expect(squat.signals.find((s) => s.rule === 'typosquat')?.message).toMatch(/quuxly-widgets/)
    expect((await stateOf('blorpaa-toolkit', '1.0.0')).state).toBe('published')
  })
})
