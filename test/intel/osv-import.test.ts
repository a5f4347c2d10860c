// OSV import on records in the ossf/malicious-packages layout (npm and PyPI): holds, cases, name blocks, idempotence; and the registry's own feed.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actorFromUser, findUser, setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { publish } from '../../src/packages/service.ts'
import { pypiEcosystem } from '../../src/protocols/pypi/ecosystem.ts'
import { importOsv } from '../../src/intel/osv-import.ts'
import { answerDependentsOfRecord } from '../../src/intel/dependents.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'

/** Records as ossf/malicious-packages writes them: osv/malicious/<ecosystem>/<name>/MAL-….json */
function malRecord(id: string, ecosystem: string, name: string, affected: Record<string, unknown>) {
  return {
    modified: '2025-03-01T10:00:00Z',
    published: '2025-03-01T10:00:00Z',
    schema_version: '1.5.0',
    id,
    summary: `Malicious code in ${name} (${ecosystem})`,
    details: '\n---\n_-= Per source details. Do not edit below this line.=-_\n',
    affected: [{ package: { ecosystem, name }, ...affected, database_specific: { source: 'https://github.com/ossf/malicious-packages' } }],
    credits: [{ name: 'Test Research', type: 'FINDER' }],
    database_specific: { 'malicious-packages-origins': [{ source: 'test', sha256: 'x', import_time: '2025-03-01T10:00:00Z' }] },
  }
}

function feedFolder(records: ReturnType<typeof malRecord>[]): string {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-osv-'))
  for (const r of records) {
    const a = r.affected[0]!
    const dir = join(root, 'osv', 'malicious', a.package.ecosystem.toLowerCase(), a.package.name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${r.id}.json`), JSON.stringify(r, null, 2))
  }
  return root
}

describe.each(DIALECTS)('OSV import and export (%s)', (dialect) => {
  let r: TestRegistry
  let owner: string
  let rita: string
  let folder: string

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    owner = await r.user('owner')
    rita = await r.user('rita')
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    const lib = { files: { 'index.js': 'module.exports = 1\n' } }
    for (const v of ['1.0.0', '1.0.1', '2.0.0']) expect((await r.publish(owner, 'osv-npm-evil', v, lib)).statusCode).toBe(201)
    expect((await r.publish(owner, 'osv-npm-fine', '1.0.0', lib)).statusCode).toBe(201)
    // Published before any record names their dependencies.
    expect((await r.publish(owner, 'osv-npm-carrier', '1.0.0', { ...lib, manifest: { dependencies: { 'osv-npm-absent': '^1.0.0' } } })).statusCode).toBe(201)
    expect((await r.publish(owner, 'osv-npm-user', '3.0.0', { ...lib, manifest: { dependencies: { 'osv-npm-evil': '^2.0.0' } } })).statusCode).toBe(201)
    const user = (await findUser(r.deps, 'owner'))!
    const bytes = await sdistTarGz('Evil_Py', '0.1.0', { 'evil_py/__init__.py': 'X = 1\n' })
    await publish(r.deps, pypiEcosystem, actorFromUser(user, 'publish', null), { name: 'Evil_Py', version: '0.1.0', bytes, filename: 'evil_py-0.1.0.tar.gz', manifest: {}, declared: {}, tags: [] })
    await r.settle()
    folder = feedFolder([
      malRecord('MAL-2025-0001', 'npm', 'osv-npm-evil', { versions: ['1.0.1'] }),
      malRecord('MAL-2025-0002', 'npm', 'osv-npm-evil', { ranges: [{ type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.1.0' }] }] }),
      malRecord('MAL-2025-0003', 'npm', 'osv-npm-absent', { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }),
      malRecord('MAL-2025-0004', 'PyPI', 'evil-py', { versions: ['0.1.0'] }),
      malRecord('MAL-2025-0005', 'PyPI', 'Absent.Py', { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }),
      malRecord('MAL-2025-0006', 'crates.io', 'not-served', {}),
    ])
  }, 120_000)

  afterAll(async () => r?.close())

  /** The open cases, as a reviewer lists them. */
  const openCases = async () => (await r.app.inject({ url: '/-/api/v1/review/cases', headers: { authorization: `Bearer ${rita}` } })).json().cases as { id: number; package: string; source: string }[]
  /** A reviewer's decision on a case (`dismiss`, `remove`). */
  const decide = (id: number, action: string, body: Record<string, unknown>) =>
    r.app.inject({ method: 'POST', url: `/-/api/v1/review/cases/${id}/${action}`, headers: { authorization: `Bearer ${rita}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) })

  const stateOf = async (ecosystem: string, name: string, version: string) =>
    (
      await r.deps.db.kysely
        .selectFrom('versions')
        .innerJoin('packages', 'packages.id', 'versions.package_id')
        .select('versions.state')
        .where('packages.ecosystem', '=', ecosystem)
        .where('packages.name', '=', name)
        .where('versions.version', '=', version)
        .executeTakeFirstOrThrow()
    ).state

  it('holds matching versions, opens cases, blocks absent names, and ignores other ecosystems', async () => {
    const summary = await importOsv(r.deps, folder, CLI())
    expect(summary).toMatchObject({ records: 6, created: 5, ignored: 1, held: 3, blocked: 2, errors: [] })
    expect(await stateOf('npm', 'osv-npm-evil', '1.0.0')).toBe('published')
    expect(await stateOf('npm', 'osv-npm-evil', '1.0.1')).toBe('held')
    expect(await stateOf('npm', 'osv-npm-evil', '2.0.0')).toBe('held')
    expect(await stateOf('npm', 'osv-npm-fine', '1.0.0')).toBe('published')
    expect(await stateOf('pypi', 'evil-py', '0.1.0')).toBe('held')
    // The import's job files the dependents (below); once it has run, every case is there.
    await r.settle()
    const cases = await openCases()
    expect(cases.filter((c) => c.source === 'osv').map((c) => c.package).sort()).toEqual(['evil-py', 'osv-npm-evil'])

    // Packages already published that depend on a reported name are filed for review, still installable.
    expect(cases.filter((c) => c.source === 'dependency').map((c) => c.package).sort()).toEqual(['osv-npm-carrier', 'osv-npm-user'])
    expect(await stateOf('npm', 'osv-npm-carrier', '1.0.0')).toBe('published')
    expect(await stateOf('npm', 'osv-npm-user', '3.0.0')).toBe('published')
    const told = await r.deps.db.kysely.selectFrom('notifications').select(['kind', 'channel', 'subject_key']).where('kind', 'in', ['dependent-blocked', 'dependent-filed']).orderBy('subject_key').orderBy('channel').execute()
    expect(told.map((n) => `${n.kind}/${n.channel}/${n.subject_key.replace(/package:\d+/, 'package')}`)).toEqual([
      'dependent-blocked/email/osv:npm:osv-npm-absent:package',
      'dependent-filed/review/osv:npm:osv-npm-absent:package',
      'dependent-blocked/webhook/osv:npm:osv-npm-absent:package',
      'dependent-blocked/email/osv:npm:osv-npm-evil:package',
      'dependent-filed/review/osv:npm:osv-npm-evil:package',
      'dependent-blocked/webhook/osv:npm:osv-npm-evil:package',
    ])

    // Names the records mention but nobody has published are closed to new packages (PyPI names normalised).
    const blocked = await r.publish(owner, 'osv-npm-absent', '1.0.0', { files: { 'index.js': '1\n' } })
    expect(blocked.statusCode).toBe(403)
    const blocks = await r.deps.db.kysely.selectFrom('name_blocks').select(['ecosystem', 'pattern', 'source']).orderBy('pattern').execute()
    expect(blocks).toEqual([
      { ecosystem: 'pypi', pattern: 'absent-py', source: 'osv' },
      { ecosystem: 'npm', pattern: 'osv-npm-absent', source: 'osv' },
    ])
  })

  it('changes nothing when the same records are imported again', async () => {
    const before = { audit: await r.countRows('audit_log'), events: (await r.deps.db.kysely.selectFrom('case_events').select('id').execute()).length }
    const again = await importOsv(r.deps, folder, CLI())
    expect(again).toMatchObject({ records: 6, created: 0, unchanged: 5, held: 0, filed: 0, blocked: 0 })
    expect(await r.countRows('audit_log')).toBe(before.audit)
    expect((await r.deps.db.kysely.selectFrom('case_events').select('id').execute()).length).toBe(before.events)
  })

  it('does not file a dependent again once a reviewer has closed its case (a retried job)', async () => {
    const carrier = (await openCases()).find((c) => c.package === 'osv-npm-carrier')!
    const dismissed = await decide(carrier.id, 'dismiss', { reason: 'the dependency is a name it meant to reserve; no code of it runs' })
    expect(dismissed.statusCode, dismissed.body).toBe(200)
    await answerDependentsOfRecord(r.deps, { recordId: 'MAL-2025-0003', ecosystem: 'npm', name: 'osv-npm-absent' })
    const open = await openCases()
    expect(open.map((c) => c.package)).not.toContain('osv-npm-carrier')
  })

  it('tells npm audit about OSV-flagged versions, and rejects bad bodies', async () => {
    const res = await r.app.inject({
      method: 'POST',
      url: '/-/npm/v1/security/advisories/bulk',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(JSON.stringify({ 'osv-npm-evil': ['1.0.0', '2.0.0'], 'osv-npm-fine': ['1.0.0'] })),
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as Record<string, { id: string; severity: string; vulnerable_versions: string; url: string }[]>
    expect(Object.keys(body)).toEqual(['osv-npm-evil'])
    expect(body['osv-npm-evil']!.map((a) => [a.id, a.vulnerable_versions, a.severity])).toEqual([['MAL-2025-0002', '>=2.0.0 <2.1.0', 'critical']])
    expect((await r.app.inject({ url: new URL(body['osv-npm-evil']![0]!.url).pathname })).json().id).toBe('MAL-2025-0002')
    const bad = await r.app.inject({ method: 'POST', url: '/-/npm/v1/security/advisories/bulk', headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, payload: Buffer.from('not gzip') })
    expect(bad.statusCode).toBe(400)
  })

  it("publishes the registry's own removals as OSV, which another registry imports", async () => {
    const c = (await openCases()).find((x) => x.package === 'osv-npm-evil')!
    const removed = await decide(c.id, 'remove', { reason: 'confirmed malicious from the OSV report', wholePackage: true })
    expect(removed.statusCode, removed.body).toBe(200)
    const advisory = removed.json().removal.advisoryId as string
    const feed = (await r.app.inject({ url: '/-/osv/feed.json' })).json().records as { id: string; affected: { package: { name: string }; versions: string[] }[] }[]
    expect(feed.map((x) => x.id)).toEqual([advisory])
    expect(feed[0]!.affected[0]!.versions.sort()).toEqual(['1.0.0', '1.0.1', '2.0.0'])

    const archive = await r.app.inject({ url: '/-/osv/all.tar.gz' })
    expect(archive.statusCode).toBe(200)
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-osv-export-')), 'all.tar.gz')
    writeFileSync(file, archive.rawPayload)
    const other = await startTestRegistry('sqlite')
    try {
      const summary = await importOsv(other.deps, file, CLI())
      expect(summary).toMatchObject({ records: 1, created: 1, blocked: 1 })
    } finally {
      await other.close()
    }

    const audit = await r.app.inject({ method: 'POST', url: '/-/npm/v1/security/advisories/bulk', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ 'osv-npm-evil': ['1.0.0'] }) })
    const found = audit.json()['osv-npm-evil'] as { id: string; url: string; vulnerable_versions: string }[]
    expect(found.map((a) => a.id)).toContain(advisory)
    expect(found.find((a) => a.id === advisory)).toMatchObject({ vulnerable_versions: '*', url: `http://registry.test/-/advisories/${advisory}` })
  })
})
