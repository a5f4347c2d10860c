// `npm audit` with the real npm client: a project that locked a version the registry later removed as malicious gets a finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { npmWorkspace, type NpmWorkspace } from '../helpers/npm-client.ts'

describe('npm audit against Gatehouse (sqlite)', () => {
  let r: ListeningRegistry
  let ws: NpmWorkspace
  let project: string
  let advisory: string

  beforeAll(async () => {
    r = await startListeningRegistry('sqlite')
    const publisher = await r.user('alice')
    const reporter = await r.user('tina')
    const reviewer = await r.user('rita')
    await setRole(r.deps, 'tina', 'reporter', CLI())
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    ws = npmWorkspace(r.url, publisher, 'audit')
    expect((await ws.npm(['publish'], ws.fixture('v1', 'audit-e2e', '1.0.0', { 'lib.js': 'module.exports = 1\n' }))).code).toBe(0)
    expect((await ws.npm(['publish'], ws.fixture('ok1', 'audit-ok', '1.0.0', {}))).code).toBe(0)
    await r.settle()
    project = ws.project()
    const installed = await ws.npm(['install', 'audit-e2e@1.0.0', 'audit-ok@1.0.0'], project)
    expect(installed.code, installed.out).toBe(0)

    // A trusted reporter's observation files a case; the reviewer removes the version.
    const headers = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' })
    const obs = await fetch(`${r.url}-/api/v1/intel/observations`, { method: 'POST', headers: headers(reporter), body: JSON.stringify({ package: 'audit-e2e', version: '1.0.0', evidence: 'lib.js exfiltrates tokens at require time' }) })
    expect(obs.status).toBe(201)
    const { report } = (await obs.json()) as { report: { caseId: number } }
    const res = await fetch(`${r.url}-/api/v1/review/cases/${report.caseId}/remove`, { method: 'POST', headers: headers(reviewer), body: JSON.stringify({ reason: 'confirmed token exfiltration at require time' }) })
    expect(res.status).toBe(200)
    advisory = ((await res.json()) as { removal: { advisoryId: string } }).removal.advisoryId
  }, 240_000)

  afterAll(async () => {
    await r?.close()
    ws?.cleanup()
  })

  it('reports the removed version with its title, severity and advisory link', async () => {
    const res = await ws.npm(['audit', '--audit=true'], project)
    expect(res.code, res.out).not.toBe(0)
    expect(res.out).toMatch(/audit-e2e/)
    expect(res.out).toMatch(/Severity: critical/)
    expect(res.out).toMatch(/Malicious code in audit-e2e/)
    expect(res.out).toContain(`${r.url}-/advisories/${advisory}`)
    expect(res.out).not.toMatch(/audit-ok/)

    const json = await ws.npm(['audit', '--json', '--audit=true'], project)
    const report = JSON.parse(json.out.slice(json.out.indexOf('{'))) as { vulnerabilities: Record<string, { severity: string; via: { url: string }[] }> }
    expect(Object.keys(report.vulnerabilities)).toEqual(['audit-e2e'])
    expect(report.vulnerabilities['audit-e2e']).toMatchObject({ severity: 'critical', via: [expect.objectContaining({ url: `${r.url}-/advisories/${advisory}` })] })
  }, 120_000)
})
