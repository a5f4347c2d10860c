// Retroactive rescans: versions judged under an older ruleset are rescanned when a new rule arrives; critical ones are held, others filed.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI, SYSTEM } from '../../src/accounts/types.ts'
import type { Deps } from '../../src/deps.ts'
import { Scanner } from '../../src/scanning/scanner.ts'
import { archiveLimits } from '../../src/packages/service.ts'
import { rescanAction, rescanBatch, startRescan } from '../../src/intel/rescans.ts'
import { verifyAuditChain } from '../../src/audit/service.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

export const EXTRA_RULES = fileURLToPath(new URL('../fixtures/intel/extra-rules.ts', import.meta.url))
const EXTRA_RULES_V2 = fileURLToPath(new URL('../fixtures/intel/extra-rules-v2.ts', import.meta.url))
const LIB = { 'index.js': 'module.exports = function add(a, b) { return a + b }\n' }

describe('rescan policy', () => {
  const config = { holdThreshold: 50, rescanCriticalThreshold: 150, rescanHoldCritical: true }
  it('holds published versions past the critical score, files the rest, never releases', () => {
    expect(rescanAction('published', 200, config)).toBe('hold')
    expect(rescanAction('published', 60, config)).toBe('file')
    expect(rescanAction('published', 10, config)).toBe('none')
    expect(rescanAction('held', 200, config)).toBe('file')
    expect(rescanAction('published', 200, { ...config, rescanHoldCritical: false })).toBe('file')
    // every weighted finding already dismissed by a reviewer on this version: nothing to do
    expect(rescanAction('published', 200, config, false)).toBe('none')
    expect(rescanAction('held', 60, config, false)).toBe('none')
  })
})

describe.each(DIALECTS)('retroactive rescan (%s)', (dialect) => {
  let r: TestRegistry
  let rita: string
  let newDeps: Deps

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    const owner = await r.user('owner')
    rita = await r.user('rita')
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    for (const [name, files] of [
      ['old-beacon', { ...LIB, 'beacon.js': 'module.exports = 1\n' }],
      ['old-lite', { ...LIB, 'beacon-lite.js': 'module.exports = 2\n' }],
      ['old-clean', LIB],
    ] as const) {
      expect((await r.publish(owner, name, '1.0.0', { files })).statusCode).toBe(201)
    }
    await r.settle()
    // The registry's worker stops; the rescan runs with a scanner that knows the new rule.
    await r.deps.queue.stop()
    const scanner = new Scanner({ threads: 1, timeoutMs: 60_000, limits: archiveLimits(r.deps.config), thresholds: r.deps.scanner.thresholds, extraRulesPath: EXTRA_RULES })
    newDeps = { ...r.deps, scanner, config: { ...r.deps.config, rescanPauseMs: 0, rescanBatchSize: 2 } }
  }, 120_000)

  afterAll(async () => {
    await newDeps?.scanner.close()
    await r?.close()
  })

  const state = async (name: string) =>
    (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.state').where('packages.name', '=', name).executeTakeFirstOrThrow()).state

  it('flags what the new rule catches, exactly once, with progress and audit', async () => {
    expect(await state('old-beacon')).toBe('published')
    expect(newDeps.scanner.rulesetVersion).not.toBe(r.deps.scanner.rulesetVersion)
    const { run, created } = await startRescan(newDeps, { reason: 'new beacon rule', actor: SYSTEM('test') })
    expect(created).toBe(true)
    expect(run.total).toBe(3)
    expect((await startRescan(newDeps, { reason: 'again', actor: SYSTEM('test') })).created).toBe(false)
    // Two batches of two; a repeated delivery of a batch changes nothing.
    await rescanBatch(newDeps, run.id)
    await rescanBatch(newDeps, run.id)
    await rescanBatch(newDeps, run.id)

    expect(await state('old-beacon')).toBe('held')
    expect(await state('old-lite')).toBe('published')
    expect(await state('old-clean')).toBe('published')
    const scans = await r.deps.db.kysely.selectFrom('scans').select(['version_id']).where('ruleset_version', '=', newDeps.scanner.rulesetVersion).execute()
    expect(scans).toHaveLength(3)

    const progress = (await r.app.inject({ url: `/-/api/v1/intel/rescans/${run.id}`, headers: { authorization: `Bearer ${rita}` } })).json()
    expect(progress).toMatchObject({ status: 'done', total: 3, done: 3, flagged: 2, held: 1, percent: 100 })
    const cases = (await r.app.inject({ url: '/-/api/v1/review/cases', headers: { authorization: `Bearer ${rita}` } })).json().cases as { package: string; source: string }[]
    expect(cases.map((c) => [c.package, c.source]).sort()).toEqual([['old-beacon', 'rescan'], ['old-lite', 'rescan']])
    const actions = (await r.deps.db.kysely.selectFrom('audit_log').select('action').execute()).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['rescan.start', 'version.rescan-flag', 'version.held', 'rescan.finish']))
    expect((await verifyAuditChain(r.deps.db.kysely)).ok).toBe(true)
  }, 120_000)

  it('does not file again what a reviewer dismissed under the next ruleset; a new finding files it', async () => {
    const headers = { authorization: `Bearer ${rita}`, 'content-type': 'application/json' }
    const cases = (await r.app.inject({ url: '/-/api/v1/review/cases', headers })).json().cases as { id: number; package: string }[]
    for (const c of cases) {
      const res = await r.app.inject({ method: 'POST', url: `/-/api/v1/review/cases/${c.id}/dismiss`, headers, payload: JSON.stringify({ reason: 'the beacon files are the documented test fixtures of this library' }) })
      expect(res.statusCode, res.body).toBe(200)
    }
    expect(await state('old-beacon')).toBe('published')
    expect(await state('old-lite')).toBe('published')

    const scanner = new Scanner({ threads: 1, timeoutMs: 60_000, limits: archiveLimits(r.deps.config), thresholds: r.deps.scanner.thresholds, extraRulesPath: EXTRA_RULES_V2 })
    const next = { ...newDeps, scanner }
    try {
      expect(scanner.rulesetVersion).not.toBe(newDeps.scanner.rulesetVersion)
      const { run } = await startRescan(next, { reason: 'second-look rule', actor: SYSTEM('test') })
      expect(run.total).toBe(3)
      for (let i = 0; i < 3; i++) await rescanBatch(next, run.id)
      // old-beacon scores 200 again, all of it the rule the reviewer dismissed; old-lite has a finding nobody judged
      expect(await state('old-beacon')).toBe('published')
      expect(await state('old-lite')).toBe('published')
      const open = (await r.app.inject({ url: '/-/api/v1/review/cases', headers })).json().cases as { package: string; source: string }[]
      expect(open.map((c) => [c.package, c.source])).toEqual([['old-lite', 'rescan']])
      const progress = (await r.app.inject({ url: `/-/api/v1/intel/rescans/${run.id}`, headers })).json()
      expect(progress).toMatchObject({ status: 'done', total: 3, flagged: 1, held: 0 })
    } finally {
      await scanner.close()
    }
  }, 120_000)
})
