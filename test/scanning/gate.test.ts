// The gate inside the registry, on both dialects: uploads through the npm protocol are scanned on the worker
// pool, the verdict moves the version, held and rejected versions are never served, and the scan is shown
// only to owners and the security team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { RULESET_VERSION } from '../../src/scanning/rules/ruleset.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { BENIGN, DROPPER, ENV_STEALER, WEBHOOK_STEALER } from '../helpers/gate-fixtures.ts'

interface ScanView {
  state: string
  stateReason: string | null
  scans: { verdict: string; score: number; rulesetVersion: string; reasons: string[]; signals: { rule: string; weight: number; file?: string; line?: number; explanation: string }[] }[]
}

const weightedRules = (view: ScanView) => view.scans[0]!.signals.filter((s) => s.weight > 0).map((s) => s.rule).sort()

describe.each(DIALECTS)('the gate (%s)', (dialect) => {
  let r: TestRegistry
  let owner: string
  let reviewer: string
  let stranger: string

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    owner = await r.user('owner')
    reviewer = await r.user('reviewer')
    stranger = await r.user('stranger')
    await setRole(r.deps, 'reviewer', 'reviewer', CLI())
    const uploads = await Promise.all([
      r.publish(owner, 'gate-benign', '1.0.0', BENIGN),
      r.publish(owner, 'gate-stealer', '1.0.0', ENV_STEALER),
      r.publish(owner, 'gate-webhook', '1.0.0', WEBHOOK_STEALER),
      r.publish(owner, 'gate-dropper', '1.0.0', DROPPER),
    ])
    // the gate judges after the upload: every publish is accepted as pending
    for (const res of uploads) expect(res.statusCode, res.body).toBe(201)
    for (const res of uploads) expect(res.json().state).toBe('pending')
    await r.settle()
  }, 120_000)

  afterAll(async () => r?.close())

  const scansAs = (token: string | undefined, name: string, version = '1.0.0') =>
    r.app.inject({ url: `/-/api/v1/scans?ecosystem=npm&name=${name}&version=${version}`, headers: token ? { authorization: `Bearer ${token}` } : {} })

  async function view(name: string, version = '1.0.0'): Promise<ScanView> {
    const res = await scansAs(owner, name, version)
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as ScanView
  }

  async function versionRow(name: string, version = '1.0.0') {
    return r.deps.db.kysely
      .selectFrom('versions')
      .innerJoin('packages', 'packages.id', 'versions.package_id')
      .select(['versions.id', 'versions.state', 'versions.state_reason'])
      .where('packages.name', '=', name)
      .where('versions.version', '=', version)
      .executeTakeFirstOrThrow()
  }

  async function scanRows(versionId: number) {
    return r.deps.db.kysely.selectFrom('scans').selectAll().where('version_id', '=', versionId).execute()
  }

  it('publishes a benign package and stores its scan', async () => {
    const row = await versionRow('gate-benign')
    expect(row.state).toBe('published')
    const scans = await scanRows(row.id)
    expect(scans).toHaveLength(1)
    expect(scans[0]).toMatchObject({ verdict: 'publish', ruleset_version: RULESET_VERSION })
    expect(Number(scans[0]!.score)).toBeLessThan(50)

    const doc = await r.app.inject({ url: '/gate-benign' })
    expect(doc.statusCode).toBe(200)
    expect(doc.json()['dist-tags']).toEqual({ latest: '1.0.0' })
    expect((await r.app.inject({ url: '/gate-benign/-/gate-benign-1.0.0.tgz' })).statusCode).toBe(200)

    const v = await view('gate-benign')
    expect(v).toMatchObject({ state: 'published', scans: [{ verdict: 'publish', rulesetVersion: RULESET_VERSION }] })
    expect(v.stateReason).toMatch(/^gate: publish \(score \d+/)
  })

  it('holds the environment stealer and never serves it', async () => {
    const row = await versionRow('gate-stealer')
    expect(row.state).toBe('held')
    expect(row.state_reason).toMatch(/^gate: hold \(score 125; score 125 ≥ review threshold 50; exfiltrates-environment: /)
    const scans = await scanRows(row.id)
    expect(scans).toHaveLength(1)
    expect(scans[0]).toMatchObject({ verdict: 'hold', ruleset_version: RULESET_VERSION })

    expect((await r.app.inject({ url: '/gate-stealer' })).statusCode).toBe(404)
    expect((await r.app.inject({ url: '/gate-stealer/-/gate-stealer-1.0.0.tgz' })).statusCode).toBe(404)

    const v = await view('gate-stealer')
    expect(v.state).toBe('held')
    expect(v.scans).toHaveLength(1)
    expect(v.scans[0]).toMatchObject({ verdict: 'hold', score: 125 })
    expect(weightedRules(v)).toEqual(['exfiltrates-environment', 'install-time-network'])
    const steal = v.scans[0]!.signals.find((s) => s.rule === 'exfiltrates-environment')!
    expect(steal).toMatchObject({ file: 'setup.js', line: 3, weight: 100 })
    expect(steal.explanation).toMatch(/environment/)
    expect(v.scans[0]!.signals).toContainEqual(expect.objectContaining({ rule: 'install-hook', weight: 0, message: 'postinstall: node setup.js' }))
  })

  it('rejects the webhook stealer and the dropper outright', async () => {
    const webhook = await view('gate-webhook')
    expect(webhook).toMatchObject({ state: 'rejected', scans: [{ verdict: 'reject' }] })
    expect(webhook.scans[0]!.score).toBeGreaterThanOrEqual(150)
    expect(weightedRules(webhook)).toEqual(['exfiltrates-environment', 'exfiltration-endpoint', 'install-time-network'])

    const dropper = await view('gate-dropper')
    expect(dropper).toMatchObject({ state: 'rejected', scans: [{ verdict: 'reject' }] })
    expect(weightedRules(dropper)).toEqual(expect.arrayContaining(['decodes-and-executes', 'downloads-and-executes', 'exfiltrates-environment', 'exfiltration-endpoint']))
    expect(dropper.stateReason).toMatch(/^gate: reject \(score \d+; score \d+ ≥ reject threshold 150/)

    for (const name of ['gate-webhook', 'gate-dropper']) {
      expect((await r.app.inject({ url: `/${name}` })).statusCode).toBe(404)
      expect((await r.app.inject({ url: `/${name}/-/${name}-1.0.0.tgz` })).statusCode).toBe(404)
    }
  })

  it('shows scans to the owner and to reviewers, and to no one else', async () => {
    const asOwner = await scansAs(owner, 'gate-stealer')
    const asReviewer = await scansAs(reviewer, 'gate-stealer')
    expect(asOwner.statusCode).toBe(200)
    expect(asReviewer.statusCode).toBe(200)
    expect(asReviewer.json().scans).toEqual(asOwner.json().scans)

    const denied = await scansAs(stranger, 'gate-stealer')
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error).toMatch(/owners and the security team/)
    expect(denied.body).not.toContain('exfiltrates-environment')
    expect((await scansAs(undefined, 'gate-stealer')).statusCode).toBe(401)
    expect((await scansAs(owner, 'gate-stealer', '9.9.9')).statusCode).toBe(404)
  })

  it('records each verdict in the audit log as system:scanner', async () => {
    const rows = await r.deps.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor', 'subject_type', 'subject_id', 'reason'])
      .where('actor', '=', 'system:scanner')
      .execute()
    const expected: [string, string][] = [
      ['gate-benign', 'version.published'],
      ['gate-stealer', 'version.held'],
      ['gate-webhook', 'version.rejected'],
      ['gate-dropper', 'version.rejected'],
    ]
    for (const [name, action] of expected) {
      const { id } = await versionRow(name)
      const mine = rows.filter((a) => a.subject_type === 'version' && String(a.subject_id) === String(id))
      expect(mine.map((a) => a.action), name).toEqual([action])
      expect(mine[0]!.reason).toMatch(/^gate: /)
    }
  })

  it('holds a malicious new version of a published package and keeps serving the old one', async () => {
    expect((await r.publish(owner, 'gate-takeover', '1.0.0', BENIGN)).statusCode).toBe(201)
    await r.settle()
    expect((await r.publish(owner, 'gate-takeover', '1.0.1', ENV_STEALER)).statusCode).toBe(201)
    await r.settle()
    expect((await view('gate-takeover', '1.0.1')).state).toBe('held')
    const doc = await r.app.inject({ url: '/gate-takeover' })
    expect(doc.statusCode).toBe(200)
    expect(Object.keys(doc.json().versions)).toEqual(['1.0.0'])
    expect(doc.json()['dist-tags']).toEqual({ latest: '1.0.0' })
    expect((await r.app.inject({ url: '/gate-takeover/-/gate-takeover-1.0.1.tgz' })).statusCode).toBe(404)
    expect((await r.app.inject({ url: '/gate-takeover/-/gate-takeover-1.0.0.tgz' })).statusCode).toBe(200)
  })
})

describe('the gate with configured thresholds (sqlite)', () => {
  let r: TestRegistry
  beforeAll(async () => {
    r = await startTestRegistry('sqlite', { config: { holdThreshold: 100, rejectThreshold: 1000 } })
  })
  afterAll(async () => r?.close())

  it('hands the configured thresholds to the scanner workers', async () => {
    const owner = await r.user('owner')
    expect((await r.publish(owner, 'gate-webhook', '1.0.0', WEBHOOK_STEALER)).statusCode).toBe(201)
    // 25 points of install-time network: below this registry's review threshold of 100
    expect((await r.publish(owner, 'gate-fetcher', '1.0.0', { files: { 'x.js': `require('https').get('https://downloads.example.com/tool.tgz')\n` }, manifest: { scripts: { postinstall: 'node x.js' } } })).statusCode).toBe(201)
    await r.settle()
    const get = async (name: string) =>
      (await r.app.inject({ url: `/-/api/v1/scans?ecosystem=npm&name=${name}&version=1.0.0`, headers: { authorization: `Bearer ${owner}` } })).json() as ScanView
    const webhook = await get('gate-webhook')
    expect(webhook).toMatchObject({ state: 'held', scans: [{ verdict: 'hold' }] })
    expect(webhook.stateReason).toMatch(/≥ review threshold 100/)
    expect(await get('gate-fetcher')).toMatchObject({ state: 'published', scans: [{ verdict: 'publish', score: 25 }] })
  })
})
