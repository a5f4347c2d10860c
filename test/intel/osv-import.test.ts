// OSV import on both dialects, with records written in the ossf/malicious-packages layout for npm and PyPI.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI } from '../../src/accounts/types.ts'
import { importOsv, readOsvFiles } from '../../src/intel/service.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { BENIGN } from '../helpers/gate-fixtures.ts'

function record(id: string, ecosystem: string, name: string, affected: Record<string, unknown>, summary = `Malicious code in ${name} (${ecosystem})`) {
  return {
    modified: '2026-11-01T00:00:00Z',
    published: '2026-11-01T00:00:00Z',
    schema_version: '1.5.0',
    id,
    summary,
    details: '\n---\n_-= Per source details. Do not edit below this line.=-_\n',
    affected: [{ package: { ecosystem, name }, ...affected, database_specific: { 'malicious-packages-origins': [{ source: 'test' }] } }],
    database_specific: { 'malicious-packages-origins': [{ source: 'test' }] },
  }
}

describe.each(DIALECTS)('OSV import (%s)', (dialect) => {
  let r: TestRegistry
  let dir: string
  let owner: string

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    owner = await r.user('owner')
    for (const v of ['1.0.0', '1.0.1', '1.1.0']) expect((await r.publish(owner, 'osv-local', v, BENIGN)).statusCode).toBe(201)
    await r.settle()
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-osv-'))
    const write = (eco: string, name: string, rec: object) => {
      mkdirSync(join(dir, 'osv', 'malicious', eco, name), { recursive: true })
      writeFileSync(join(dir, 'osv', 'malicious', eco, name, `${(rec as { id: string }).id}.json`), JSON.stringify(rec))
    }
    // a range from 1.0.1 up to (not including) 1.1.0 on a package we host
    write('npm', 'osv-local', record('MAL-2026-1001', 'npm', 'osv-local', { ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.1' }, { fixed: '1.1.0' }] }] }))
    // a whole package (introduced 0) we do not host, on npm and on PyPI with a non-normalised name
    write('npm', 'evil-absent', record('MAL-2026-1002', 'npm', 'evil-absent', { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }))
    write('pypi', 'Evil_Absent.Py', record('MAL-2026-1003', 'PyPI', 'Evil_Absent.Py', { versions: ['0.1', '0.2'] }))
  })

  afterAll(async () => {
    await r?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('holds the matching versions for review and reserves absent names, once', async () => {
    const records = readOsvFiles([dir])
    expect(records.map((x) => x.id).sort()).toEqual(['MAL-2026-1001', 'MAL-2026-1002', 'MAL-2026-1003'])
    const first = await importOsv(r.deps, records, CLI())
    expect(first).toMatchObject({ records: 3, applied: 3, unchanged: 0, held: ['npm:osv-local@1.0.1'], blockedNames: ['npm:evil-absent', 'pypi:evil-absent-py'] })
    const states = await r.deps.db.kysely.selectFrom('versions').select(['version', 'state']).orderBy('id').execute()
    expect(states).toEqual([
      { version: '1.0.0', state: 'published' },
      { version: '1.0.1', state: 'held' },
      { version: '1.1.0', state: 'published' },
    ])
    const [c] = await r.deps.db.kysely.selectFrom('cases').selectAll().execute()
    expect(c).toMatchObject({ source: 'osv', status: 'open' })
    expect((await r.publish(owner, 'evil-absent', '1.0.0', BENIGN)).statusCode).toBe(403)

    const auditRows = await r.countRows('audit_log')
    const again = await importOsv(r.deps, readOsvFiles([dir]), CLI())
    expect(again).toMatchObject({ applied: 0, unchanged: 3, held: [], blockedNames: [] })
    expect(await r.countRows('audit_log')).toBe(auditRows)
  })

  it('refuses a file that is not an OSV record', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ hello: 'world' }))
    expect(() => readOsvFiles([bad])).toThrow(/not an OSV record/)
  })
})
