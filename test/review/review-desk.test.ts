// The review desk over its JSON API, on both dialects: cases from the gate, dismiss, second opinion, removal with
// forensic copies and tombstones, the two-person rule, restore, name blocks, rule precision and the audit browser.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { verifyAuditChain } from '../../src/audit/service.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { BENIGN, ENV_STEALER } from '../helpers/gate-fixtures.ts'

const REASON = 'posts the whole environment to a collection host at install'

describe.each(DIALECTS)('review desk (%s)', (dialect) => {
  let r: TestRegistry
  let owner: string
  let rita: string
  let sam: string
  let plain: string

  const as = (token: string | undefined) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' })
  const get = (token: string | undefined, url: string) => r.app.inject({ url, headers: as(token) })
  const post = (token: string, url: string, payload: unknown = {}) => r.app.inject({ method: 'POST', url, headers: as(token), payload: JSON.stringify(payload) })

  async function caseOf(name: string) {
    const res = await get(rita, '/-/api/v1/review/cases?status=all')
    expect(res.statusCode, res.body).toBe(200)
    const found = (res.json().cases as { id: number; package: string; status: string }[]).filter((c) => c.package === name)
    return found.at(-1)!
  }

  async function stateOf(name: string, version: string) {
    const row = await r.deps.db.kysely
      .selectFrom('versions')
      .innerJoin('packages', 'packages.id', 'versions.package_id')
      .select(['versions.id', 'versions.state'])
      .where('packages.name', '=', name)
      .where('versions.version', '=', version)
      .executeTakeFirstOrThrow()
    return row
  }

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    owner = await r.user('owner')
    rita = await r.user('rita')
    sam = await r.user('sam')
    plain = await r.user('plain')
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    await setRole(r.deps, 'sam', 'admin', CLI())
    const uploads = [
      await r.publish(owner, 'desk-ok', '1.0.0', BENIGN),
      await r.publish(owner, 'desk-ok', '1.1.0', ENV_STEALER),
      await r.publish(owner, 'desk-evil', '1.0.0', ENV_STEALER),
      await r.publish(owner, 'desk-evil', '1.0.1', { ...ENV_STEALER, files: { ...ENV_STEALER.files, 'extra.js': 'module.exports = 1\n' } }),
    ]
    for (const res of uploads) expect(res.statusCode, res.body).toBe(201)
    await r.settle()
  }, 120_000)

  afterAll(async () => r?.close())

  it('opens one case per package for held versions, riskiest first, for reviewers only', async () => {
    const res = await get(rita, '/-/api/v1/review/cases')
    expect(res.statusCode, res.body).toBe(200)
    const cases = res.json().cases as { package: string; status: string; risk: number; versions: { version: string; state: string }[] }[]
    expect(cases.map((c) => c.package).sort()).toEqual(['desk-evil', 'desk-ok'])
    const evil = cases.find((c) => c.package === 'desk-evil')!
    expect(evil.versions.map((v) => [v.version, v.state])).toEqual([['1.0.0', 'held'], ['1.0.1', 'held']])
    expect(cases.map((c) => c.risk)).toEqual([...cases.map((c) => c.risk)].sort((a, b) => b - a))

    expect((await get(plain, '/-/api/v1/review/cases')).statusCode).toBe(403)
    expect((await get(owner, '/-/api/v1/audit')).statusCode).toBe(403)
    expect((await get(undefined, '/-/api/v1/review/cases')).statusCode).toBe(401)
  })

  it('shows a case with its signals, code, files and the diff against the previous version', async () => {
    const c = await caseOf('desk-ok')
    const detail = (await get(rita, `/-/api/v1/review/cases/${c.id}`)).json()
    const version = detail.versions[0]
    expect(version).toMatchObject({ version: '1.1.0', state: 'held', publisher: 'owner' })
    expect(version.scan.verdict).toBe('hold')
    const signal = (version.scan.signals as { file?: string; line?: number; excerpt?: string; weight: number }[]).find((s) => s.weight > 0 && s.file === 'setup.js')
    expect(signal?.excerpt).toMatch(/process\.env|https\.request/)
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['opened'])

    const files = (await get(rita, `/-/api/v1/review/versions/${version.id}/files`)).json().files as { path: string }[]
    expect(files.map((f) => f.path)).toContain('setup.js')
    const file = (await get(rita, `/-/api/v1/review/versions/${version.id}/file?path=setup.js`)).json()
    expect(file).toMatchObject({ path: 'setup.js', binary: false, truncated: false })
    expect(file.text).toContain('collect.example.com')

    const diff = (await get(rita, `/-/api/v1/review/versions/${version.id}/diff`)).json()
    expect(diff.previous).toMatchObject({ version: '1.0.0' })
    const added = (diff.files as { path: string; status: string; patch: string }[]).find((f) => f.path === 'setup.js')
    expect(added?.status).toBe('added')
    expect(added?.patch).toContain('+req.write(JSON.stringify(process.env))')
  })

  it('dismisses a case as legitimate only with a reason, publishes it and counts its rules as false positives', async () => {
    const c = await caseOf('desk-ok')
    const short = await post(rita, `/-/api/v1/review/cases/${c.id}/dismiss`, { reason: 'ok' })
    expect(short.statusCode).toBe(400)
    expect(short.json().error).toMatch(/reason of at least 10 characters/)
    expect((await stateOf('desk-ok', '1.1.0')).state).toBe('held')

    const res = await post(rita, `/-/api/v1/review/cases/${c.id}/dismiss`, { reason: 'telemetry to the vendor, documented in the README' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ status: 'closed', resolution: 'legitimate' })
    expect((await stateOf('desk-ok', '1.1.0')).state).toBe('published')
    expect((await get(undefined, '/desk-ok')).json()['dist-tags'].latest).toBe('1.1.0')
    expect((await post(rita, `/-/api/v1/review/cases/${c.id}/dismiss`, { reason: 'a second time, which must fail' })).statusCode).toBe(409)

    const rules = (await get(rita, '/-/api/v1/review/rules')).json().rules as { rule: string; dismissed: number; confirmed: number; precision: number }[]
    expect(rules.length).toBeGreaterThan(0)
    expect(rules.every((x) => x.dismissed >= 1 && x.precision === 0)).toBe(true)

    const audit = (await get(rita, '/-/api/v1/audit?action=case.dismiss')).json().entries
    expect(audit[0]).toMatchObject({ actor: 'user:rita', action: 'case.dismiss', subjectType: 'case', subjectId: String(c.id), reason: 'telemetry to the vendor, documented in the README' })
  })

  it('removes with doubt only after a second reviewer confirms; keeps forensic copies and answers installers with a tombstone', async () => {
    const c = await caseOf('desk-evil')
    const held = await stateOf('desk-evil', '1.0.0')
    const [artifact] = await r.deps.db.kysely.selectFrom('artifacts').selectAll().where('version_id', '=', held.id).execute()

    const proposed = await post(rita, `/-/api/v1/review/cases/${c.id}/remove`, { reason: REASON, wholePackage: true, doubt: true, suspendOwners: true, reserveName: true })
    expect(proposed.statusCode, proposed.body).toBe(202)
    expect(proposed.json().case.status).toBe('awaiting-second')
    expect(proposed.json().removal).toMatchObject({ status: 'pending', wholePackage: true, proposedBy: 'rita' })
    expect((await stateOf('desk-evil', '1.0.0')).state).toBe('held')

    const self = await post(rita, `/-/api/v1/review/cases/${c.id}/confirm`, { reason: 'confirming my own removal' })
    expect(self.statusCode).toBe(403)
    expect(self.json().error).toMatch(/different reviewer/)

    const confirmed = await post(sam, `/-/api/v1/review/cases/${c.id}/confirm`, { reason: 'verified: exfiltrates env at install' })
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    const removal = confirmed.json().removal
    expect(removal).toMatchObject({ status: 'done', confirmedBy: 'sam', versions: ['1.0.0', '1.0.1'] })
    expect(confirmed.json().case).toMatchObject({ status: 'closed', resolution: 'malicious' })
    expect((await stateOf('desk-evil', '1.0.0')).state).toBe('removed')

    // the live copy is gone, the evidence is kept and exportable with its hashes
    expect(await r.blobs.has(artifact!.blob_key)).toBe(false)
    expect(await r.forensics.has(artifact!.blob_key)).toBe(true)
    const evidence = await get(rita, `/-/api/v1/review/forensics/${held.id}`)
    expect(evidence.statusCode).toBe(200)
    expect(evidence.headers['x-gatehouse-sha256']).toBe(artifact!.sha256)
    expect(createHash('sha256').update(evidence.rawPayload).digest('hex')).toBe(artifact!.sha256)

    // installers get a tombstone: deprecated entries and a 410 naming the advisory
    const docRes = await get(undefined, '/desk-evil')
    expect(docRes.statusCode, docRes.body).toBe(200)
    const doc = docRes.json()
    expect(doc.versions['1.0.0'].deprecated).toMatch(new RegExp(`removed by the registry's security team.*${removal.advisoryId}`))
    expect(doc.versions['1.0.0'].dist).not.toHaveProperty('integrity')
    const tarball = await get(undefined, '/desk-evil/-/desk-evil-1.0.0.tgz')
    expect(tarball.statusCode).toBe(410)
    expect(tarball.json().error).toMatch(/desk-evil@1\.0\.0 was removed/)
    const advisory = (await get(undefined, `/-/advisories/${removal.advisoryId}`)).json()
    expect(advisory).toMatchObject({ id: removal.advisoryId, affected: [{ package: { ecosystem: 'npm', name: 'desk-evil' }, versions: ['1.0.0', '1.0.1'] }] })

    // the owner is suspended with every token revoked, and the package takes no new versions
    expect((await get(owner, '/-/whoami')).statusCode).toBe(401)
    const blocks = (await get(rita, '/-/api/v1/review/name-blocks')).json().blocks
    expect(blocks).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'exact', pattern: 'desk-evil', source: 'removal' })]))
    const rules = (await get(rita, '/-/api/v1/review/rules')).json().rules as { confirmed: number }[]
    expect(rules.some((x) => x.confirmed >= 2)).toBe(true)
  })

  it('restores a removal: versions back where they were, archives back, suspension and reservation lifted', async () => {
    const removals = (await get(rita, '/-/api/v1/review/removals')).json().removals as { id: number; package: string; status: string }[]
    const removal = removals.find((x) => x.package === 'desk-evil' && x.status === 'done')!
    expect((await post(rita, `/-/api/v1/review/removals/${removal.id}/restore`, { reason: 'short' })).statusCode).toBe(400)
    const res = await post(rita, `/-/api/v1/review/removals/${removal.id}/restore`, { reason: 'restoring to re-examine the second version' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().status).toBe('restored')
    const held = await stateOf('desk-evil', '1.0.0')
    expect(held.state).toBe('held')
    const [artifact] = await r.deps.db.kysely.selectFrom('artifacts').selectAll().where('version_id', '=', held.id).execute()
    expect(await r.blobs.has(artifact!.blob_key)).toBe(true)
    const user = await r.deps.db.kysely.selectFrom('users').select('suspended_at').where('name', '=', 'owner').executeTakeFirstOrThrow()
    expect(user.suspended_at).toBeNull()
    const blocks = (await get(rita, '/-/api/v1/review/name-blocks')).json().blocks as { pattern: string }[]
    expect(blocks.some((b) => b.pattern === 'desk-evil')).toBe(false)
    expect((await caseOf('desk-evil')).status).toBe('open')
    expect((await get(undefined, `/-/advisories/GATEHOUSE-MAL-${new Date().getUTCFullYear()}-${removal.id}`)).json().withdrawn).toBeTruthy()
    const audit = (await get(sam, '/-/api/v1/audit?action=removal.restore')).json().entries
    expect(audit[0]).toMatchObject({ actor: 'user:rita', reason: 'restoring to re-examine the second version' })
  })

  it('declines a proposed removal back to an open case, and removes single versions at once without doubt', async () => {
    const c = await caseOf('desk-evil')
    expect((await post(sam, `/-/api/v1/review/cases/${c.id}/second-opinion`, { reason: 'is 1.0.1 the same payload?' })).json().status).toBe('awaiting-second')
    expect((await post(rita, `/-/api/v1/review/cases/${c.id}/remove`, { reason: REASON, versions: ['1.0.1'], doubt: true })).statusCode).toBe(202)
    const declined = await post(sam, `/-/api/v1/review/cases/${c.id}/decline`, { reason: 'let us look at 1.0.1 first' })
    expect(declined.statusCode, declined.body).toBe(200)
    expect(declined.json().status).toBe('open')
    expect((await stateOf('desk-evil', '1.0.1')).state).toBe('held')

    const removed = await post(rita, `/-/api/v1/review/cases/${c.id}/remove`, { reason: REASON, versions: ['1.0.1'] })
    expect(removed.statusCode, removed.body).toBe(200)
    expect(removed.json().removal).toMatchObject({ status: 'done', versions: ['1.0.1'], confirmedBy: null })
    expect((await stateOf('desk-evil', '1.0.1')).state).toBe('removed')
    expect((await stateOf('desk-evil', '1.0.0')).state).toBe('held')
    const events = (await get(rita, `/-/api/v1/review/cases/${c.id}`)).json().events.map((e: { kind: string }) => e.kind)
    expect(events).toEqual(expect.arrayContaining(['second-opinion', 'removal-proposed', 'removal-declined', 'removed']))
  })

  it('blocks new package names by exact name, prefix and glob; existing packages are unaffected', async () => {
    const add = (kind: string, pattern: string, ecosystem: string | null = 'npm') =>
      post(rita, '/-/api/v1/review/name-blocks', { ecosystem, kind, pattern, reason: 'internal names of the company' })
    expect((await add('prefix', 'corp-')).statusCode).toBe(201)
    expect((await add('glob', '*-stealer-?', null)).statusCode).toBe(201)
    expect((await add('exact', 'Desk-OK')).statusCode).toBe(400) // not a valid new npm name
    const noReason = await post(rita, '/-/api/v1/review/name-blocks', { ecosystem: 'npm', kind: 'exact', pattern: 'x' })
    expect(noReason.statusCode).toBe(400)

    const blocked = await r.publish(plain, 'corp-internal', '1.0.0', BENIGN)
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error).toMatch(/reserved by the registry's security team/)
    expect((await r.publish(plain, 'env-stealer-2', '1.0.0', BENIGN)).statusCode).toBe(403)
    expect((await r.publish(plain, 'corporate', '1.0.0', BENIGN)).statusCode).toBe(201)
    expect(await r.countRows('versions')).toBe(5)

    const block = ((await get(rita, '/-/api/v1/review/name-blocks')).json().blocks as { id: number; pattern: string }[]).find((b) => b.pattern === 'corp-')!
    const del = await r.app.inject({ method: 'DELETE', url: `/-/api/v1/review/name-blocks/${block.id}`, headers: as(rita), payload: JSON.stringify({ reason: 'the company moved to a scope' }) })
    expect(del.statusCode, del.body).toBe(200)
    expect((await r.publish(plain, 'corp-internal', '1.0.0', BENIGN)).statusCode).toBe(201)
  })

  it('browses the audit log newest first with filters and paging, and the chain verifies', async () => {
    const page1 = (await get(rita, '/-/api/v1/audit?action=name-block.&limit=2')).json()
    expect(page1.entries.map((e: { action: string }) => e.action)).toEqual(['name-block.delete', 'name-block.create'])
    expect(page1.next).toBe(page1.entries[1].id)
    const page2 = (await get(rita, `/-/api/v1/audit?action=name-block.&limit=2&before=${page1.next}`)).json()
    expect(page2.entries.map((e: { action: string }) => e.action)).toEqual(['name-block.create'])
    expect(page2.next).toBeNull()
    const byScanner = (await get(rita, '/-/api/v1/audit?actor=system:scanner&limit=500')).json().entries as { action: string }[]
    expect(byScanner.map((e) => e.action)).toEqual(expect.arrayContaining(['version.held', 'case.open']))
    expect(await verifyAuditChain(r.deps.db.kysely)).toMatchObject({ ok: true })
  })
})

describe('review desk under the two-person rule', () => {
  it('makes every removal wait for a second reviewer', async () => {
    const r = await startTestRegistry('sqlite', { config: { reviewTwoPerson: true } })
    try {
      const owner = await r.user('owner')
      const rita = await r.user('rita')
      await setRole(r.deps, 'rita', 'reviewer', CLI())
      expect((await r.publish(owner, 'two-person', '1.0.0', ENV_STEALER)).statusCode).toBe(201)
      await r.settle()
      const [c] = (await r.app.inject({ url: '/-/api/v1/review/cases', headers: { authorization: `Bearer ${rita}` } })).json().cases
      const res = await r.app.inject({
        method: 'POST',
        url: `/-/api/v1/review/cases/${c.id}/remove`,
        headers: { authorization: `Bearer ${rita}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ reason: REASON }),
      })
      expect(res.statusCode, res.body).toBe(202)
      expect(res.json().removal.status).toBe('pending')
    } finally {
      await r.close()
    }
  })
})
