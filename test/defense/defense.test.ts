// Switches, IP blocks and rate limits on both dialects, obeyed by a second server instance sharing the database
// (and Redis for limits); incidents with an attack window, bulk quarantine, a forensic bundle; status page and metrics.
import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { BENIGN } from '../helpers/gate-fixtures.ts'
import { npmTarball, publishDocument } from '../helpers/tarballs.ts'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

describe.each(DIALECTS)('defense (%s)', (dialect) => {
  let r: TestRegistry
  let b: { app: FastifyInstance; close(): Promise<void> }
  let admin: string
  let alice: string

  const headers = (token?: string) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' })
  const put = (app: FastifyInstance, token: string, url: string, payload: unknown) => app.inject({ method: 'PUT', url, headers: headers(token), payload: JSON.stringify(payload) })
  const post = (app: FastifyInstance, token: string, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: headers(token), payload: JSON.stringify(payload) })
  const flip = (name: string, value: unknown) => put(r.app, admin, `/-/api/v1/defense/switches/${name}`, { value, reason: 'incident response exercise' })
  async function publishVia(app: FastifyInstance, token: string, name: string, version: string, remoteAddress = '127.0.0.1') {
    const tgz = await npmTarball(name, version, BENIGN.files)
    return app.inject({ method: 'PUT', url: `/${name}`, remoteAddress, headers: headers(token), payload: publishDocument(name, version, tgz) })
  }

  beforeAll(async () => {
    r = await startTestRegistry(dialect, {
      config: { switchCacheMs: 0, redisUrl: REDIS_URL, redisPrefix: `test-${randomBytes(6).toString('hex')}`, rateLimits: JSON.stringify({ 'login-ip': { points: 3, seconds: 60 } }) },
    })
    b = await r.sibling()
    admin = await r.user('admin')
    alice = await r.user('alice')
    await setRole(r.deps, 'admin', 'admin', CLI())
  }, 60_000)
  afterAll(async () => r?.close())

  it('refuses uploads while uploads-closed is on, in every instance, and audits each flip', async () => {
    expect((await flip('uploads-closed', 'on')).statusCode).toBe(200)
    const refused = await publishVia(b.app, alice, 'def-closed', '1.0.0')
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error).toMatch(/uploads are paused by the registry's operators/)
    expect(await r.countRows('versions')).toBe(0)
    expect((await flip('uploads-closed', 'off')).statusCode).toBe(200)
    expect((await publishVia(b.app, alice, 'def-closed', '1.0.0')).statusCode).toBe(201)
    const audit = (await r.app.inject({ url: '/-/api/v1/audit?subjectType=switch', headers: headers(admin) })).json().entries
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['switch.off', 'switch.on'])
    expect(audit[1]).toMatchObject({ actor: 'user:admin', subjectId: 'uploads-closed', reason: 'incident response exercise' })
    expect((await put(r.app, alice, '/-/api/v1/defense/switches/uploads-closed', { value: 'on', reason: 'not my call to make' })).statusCode).toBe(403)
  })

  it('closes new names but not new versions, and holds back young accounts', async () => {
    await flip('new-packages-closed', 'on')
    expect((await publishVia(b.app, alice, 'def-brand-new', '1.0.0')).statusCode).toBe(403)
    expect((await publishVia(b.app, alice, 'def-closed', '1.0.1')).statusCode).toBe(201)
    await flip('new-packages-closed', 'off')

    await flip('new-account-uploads', 7)
    const young = await publishVia(b.app, alice, 'def-young', '1.0.0')
    expect(young.statusCode).toBe(403)
    expect(young.json().error).toMatch(/accounts younger than 7 days cannot upload/)
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString()
    await r.deps.db.kysely.updateTable('users').set({ created_at: tenDaysAgo }).where('name', '=', 'alice').execute()
    expect((await publishVia(b.app, alice, 'def-young', '1.0.0')).statusCode).toBe(201)
    await flip('new-account-uploads', 'off')
  })

  it('refuses signups while registrations are closed, and every write in read-only mode but the switch itself', async () => {
    await flip('registrations-closed', 'on')
    const signup = await b.app.inject({ method: 'PUT', url: '/-/user/org.couchdb.user:newbie', headers: headers(), payload: JSON.stringify({ name: 'newbie', password: 'a-long-password', email: 'n@example.com' }) })
    expect(signup.statusCode).toBe(403)
    expect(signup.json().error).toMatch(/new accounts are not being accepted/)
    await flip('registrations-closed', 'off')

    await r.settle()
    await flip('read-only', 'on')
    await flip('banner', 'maintenance until 14:00 UTC')
    const tag = await put(b.app, alice, '/-/package/def-closed/dist-tags/beta', '1.0.0')
    expect(tag.statusCode).toBe(503)
    expect(tag.json().error).toMatch(/read-only for now: maintenance until 14:00 UTC/)
    expect((await b.app.inject({ url: '/def-closed' })).statusCode).toBe(200)
    const status = (await b.app.inject({ url: '/-/api/v1/status' })).json()
    expect(status.banner).toBe('maintenance until 14:00 UTC')
    expect(status.restrictions.map((x: { name: string }) => x.name)).toEqual(['read-only'])
    expect((await flip('read-only', 'off')).statusCode).toBe(200)
    expect((await put(b.app, alice, '/-/package/def-closed/dist-tags/beta', '1.0.0')).statusCode).toBe(200)
    expect((await flip('banner', 'off')).statusCode).toBe(200)
  })

  it('blocks IPv4 and IPv6 ranges per action until they expire', async () => {
    const add = (cidr: string, scopes: string[], expiresInHours?: number) =>
      post(r.app, admin, '/-/api/v1/defense/ip-blocks', { cidr, scopes, reason: 'abuse from this hosting range', ...(expiresInHours ? { expiresInHours } : {}) })
    const v4 = await add('203.0.113.0/24', ['upload'])
    expect(v4.statusCode, v4.body).toBe(201)
    expect((await add('2001:db8::/32', ['upload'])).statusCode).toBe(201)
    expect((await add('not-an-address', ['upload'])).statusCode).toBe(400)

    const blocked = await publishVia(b.app, alice, 'def-ip', '1.0.0', '203.0.113.7')
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().error).toMatch(/requests from 203\.0\.113\.7 are blocked/)
    expect((await publishVia(b.app, alice, 'def-ip', '1.0.0', '2001:db8:1::5')).statusCode).toBe(403)
    expect((await publishVia(b.app, alice, 'def-ip', '1.0.0', '198.51.100.1')).statusCode).toBe(201)

    // an expired block no longer applies
    await r.deps.db.kysely.updateTable('ip_blocks').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', v4.json().id).execute()
    expect((await publishVia(b.app, alice, 'def-ip', '1.0.1', '203.0.113.7')).statusCode).toBe(201)
  })

  it('counts failed logins across instances through Redis and answers 429 with Retry-After', async () => {
    const login = (app: FastifyInstance) =>
      app.inject({ method: 'PUT', url: '/-/user/org.couchdb.user:alice', remoteAddress: '192.0.2.44', headers: headers(), payload: JSON.stringify({ name: 'alice', password: 'wrong-password' }) })
    expect((await login(r.app)).statusCode).toBe(401)
    expect((await login(b.app)).statusCode).toBe(401)
    expect((await login(r.app)).statusCode).toBe(401)
    const limited = await login(b.app)
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.json().error).toMatch(/too many login attempts/)
  })

  it('finds an attack window, quarantines it in one action and exports a forensic bundle', async () => {
    const from = new Date(Date.now() - 1000).toISOString()
    const mallory = await r.user('mallory')
    for (let i = 0; i < 3; i++) expect((await publishVia(b.app, mallory, `def-camp-${i}`, '1.0.0')).statusCode).toBe(201)
    expect((await publishVia(b.app, alice, 'def-bystander', '1.0.0')).statusCode).toBe(201)
    await r.settle()
    const to = new Date(Date.now() + 1000).toISOString()

    const opened = await post(r.app, admin, '/-/api/v1/defense/incidents', { title: 'Campaign of clones', body: 'many near-identical packages from one account', window: { from, to, accounts: ['mallory'] } })
    expect(opened.statusCode, opened.body).toBe(201)
    const id = opened.json().id
    const versions = (await r.app.inject({ url: `/-/api/v1/defense/incidents/${id}/versions`, headers: headers(admin) })).json().versions
    expect(versions.map((v: { name: string }) => v.name).sort()).toEqual(['def-camp-0', 'def-camp-1', 'def-camp-2'])

    const q = await post(r.app, admin, `/-/api/v1/defense/incidents/${id}/quarantine`, { reason: 'quarantine the whole campaign', suspendAccounts: true })
    expect(q.statusCode, q.body).toBe(200)
    expect(q.json().held.sort()).toEqual(['def-camp-0@1.0.0', 'def-camp-1@1.0.0', 'def-camp-2@1.0.0'])
    const states = await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select(['packages.name', 'versions.state']).execute()
    expect(states.filter((s) => s.name.startsWith('def-camp-')).every((s) => s.state === 'held')).toBe(true)
    expect(states.find((s) => s.name === 'def-bystander')?.state).toBe('published')
    expect((await r.app.inject({ url: '/-/whoami', headers: headers(mallory) })).statusCode).toBe(401)
    const cases = (await r.app.inject({ url: '/-/api/v1/review/cases', headers: headers(admin) })).json().cases as { package: string; source: string }[]
    expect(cases.filter((c) => c.package.startsWith('def-camp-')).map((c) => c.source)).toEqual(['incident', 'incident', 'incident'])

    const bundle = await r.app.inject({ url: `/-/api/v1/defense/incidents/${id}/export`, headers: headers(admin) })
    expect(bundle.statusCode).toBe(200)
    const tarText = gunzipSync(bundle.rawPayload).toString('latin1')
    expect(tarText).toContain('manifest.json')
    expect(tarText).toContain('def-camp-0-1.0.0.tgz')

    const update = await post(r.app, admin, `/-/api/v1/defense/incidents/${id}/updates`, { status: 'resolved', body: 'all campaign versions quarantined', postmortem: 'one account, three clones' })
    expect(update.json().status).toBe('resolved')
    const page = await r.app.inject({ url: '/-/status' })
    expect(page.body).toContain('Campaign of clones')
    expect(page.body).toContain('all campaign versions quarantined')
    const feed = await r.app.inject({ url: '/-/status/feed.atom' })
    expect(feed.headers['content-type']).toMatch(/atom/)
    expect(feed.body).toContain('Campaign of clones: resolved')
  })

  it('exposes Prometheus metrics', async () => {
    // Each process counts its own; the second instance served the uploads and refusals above.
    const res = await b.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toMatch(/gatehouse_uploads_total\{ecosystem="npm",new_package="true"\} \d+/)
    expect(res.body).toMatch(/gatehouse_refusals_total\{reason="switch:uploads-closed"\} 1/)
    expect(res.body).toMatch(/gatehouse_switch_on\{switch="read-only"\} 0/)
  })
})
