// Trusted reporters and community reports: auto-hold rules, outcomes and accuracy, and dependents told of a removal by real mail and webhook.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { autoHoldDecision } from '../../src/intel/auto-hold.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

interface Mail {
  to: string[]
  raw: string
}

describe('auto-hold rules', () => {
  const base = { youngPackageHours: 24, openReports: [] }
  it('holds on a trusted report of a young package, or two independent reports with one trusted', () => {
    expect(autoHoldDecision({ ...base, trusted: true, reporterKey: 'user:1', packageAgeHours: 2 })).toMatchObject({ hold: true })
    expect(autoHoldDecision({ ...base, trusted: true, reporterKey: 'user:1', packageAgeHours: 48 })).toMatchObject({ hold: false })
    expect(autoHoldDecision({ ...base, trusted: false, reporterKey: 'ip:1', packageAgeHours: 2 })).toMatchObject({ hold: false })
    expect(autoHoldDecision({ ...base, trusted: true, reporterKey: 'user:1', packageAgeHours: 48, openReports: [{ reporterKey: 'ip:2', trusted: false }] })).toMatchObject({ hold: true })
    expect(autoHoldDecision({ ...base, trusted: false, reporterKey: 'ip:1', packageAgeHours: 48, openReports: [{ reporterKey: 'ip:2', trusted: false }] })).toMatchObject({ hold: false })
    expect(autoHoldDecision({ ...base, trusted: true, reporterKey: 'user:1', packageAgeHours: 48, openReports: [{ reporterKey: 'user:1', trusted: true }] })).toMatchObject({ hold: false })
  })
})

describe.each(DIALECTS)('reports, outcomes and dependents (%s)', (dialect) => {
  let r: TestRegistry
  let smtp: SMTPServer
  let hooks: Server
  const mails: Mail[] = []
  const webhooks: Record<string, unknown>[] = []
  let owner: string
  let dana: string
  let tina: string
  let rita: string

  const json = (token: string | undefined) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' })
  const post = (token: string | undefined, url: string, payload: unknown, ip = '203.0.113.7') => r.app.inject({ method: 'POST', url, headers: json(token), payload: JSON.stringify(payload), remoteAddress: ip })
  const get = (token: string | undefined, url: string) => r.app.inject({ url, headers: json(token) })
  const stateOf = async (name: string) =>
    (await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select('versions.state').where('packages.name', '=', name).orderBy('versions.id').execute()).map((v) => v.state)

  async function until(check: () => boolean | Promise<boolean>, ms = 20_000) {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (await check()) return
      await new Promise((res) => setTimeout(res, 100))
    }
    throw new Error('timed out')
  }

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        let raw = ''
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')))
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((a) => a.address), raw })
          done()
        })
      },
    })
    await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', res))
    hooks = createServer((req, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')))
      req.on('end', () => {
        webhooks.push({ ...(JSON.parse(raw) as Record<string, unknown>), signature: req.headers['x-gatehouse-signature'] })
        res.end('ok')
      })
    })
    await new Promise<void>((res) => hooks.listen(0, '127.0.0.1', res))
    r = await startTestRegistry(dialect, {
      config: {
        smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
        mailFrom: 'security@registry.test',
        notifyWebhookUrl: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`,
        notifyWebhookSecret: 'a-webhook-secret-of-some-length',
        rateLimits: JSON.stringify({ 'report-ip': { points: 10, seconds: 3600 } }),
      },
    })
    owner = await r.user('owner')
    dana = await r.user('dana')
    tina = await r.user('tina')
    rita = await r.user('rita')
    await setRole(r.deps, 'tina', 'reporter', CLI())
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    const lib = { files: { 'index.js': 'module.exports = 1\n' } }
    for (const res of [
      await r.publish(owner, 'young-pkg', '1.0.0', lib),
      await r.publish(owner, 'old-pkg', '1.0.0', lib),
      await r.publish(owner, 'old-pkg', '1.1.0', lib),
      await r.publish(dana, 'dependent-app', '2.0.0', { ...lib, manifest: { dependencies: { 'old-pkg': '^1.0.0' } } }),
      await r.publish(dana, 'unrelated-app', '1.0.0', { ...lib, manifest: { dependencies: { 'old-pkg-utils': '^1.0.0' } } }),
    ]) {
      expect(res.statusCode, res.body).toBe(201)
    }
    await r.settle()
    // old-pkg has been around for three days.
    await r.deps.db.kysely.updateTable('packages').set({ created_at: new Date(Date.now() - 72 * 3_600_000).toISOString() }).where('name', '=', 'old-pkg').execute()
  }, 120_000)

  afterAll(async () => {
    await r?.close()
    await new Promise<void>((res) => smtp?.close(() => res()))
    await new Promise<void>((res) => (hooks ? hooks.close(() => res()) : res()))
  })

  it('lets only reporters submit observations; a trusted report on a young package holds it at once', async () => {
    expect((await post(owner, '/-/api/v1/intel/observations', { package: 'young-pkg', evidence: 'posts tokens to a webhook' })).statusCode).toBe(403)
    const res = await post(tina, '/-/api/v1/intel/observations', { package: 'young-pkg', version: '1.0.0', kind: 'malware', evidence: 'index.js posts ~/.npmrc to a webhook' })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().report).toMatchObject({ action: 'held', status: 'open', source: 'reporter' })
    expect(await stateOf('young-pkg')).toEqual(['held'])
  })

  it('files a community report on an established package; a second, trusted one holds it', async () => {
    const anon = await post(undefined, '/-/api/v1/intel/reports', { package: 'old-pkg', evidence: 'the postinstall downloads a binary', email: 'finder@example.org' })
    expect(anon.statusCode, anon.body).toBe(202)
    expect(anon.json()).toMatchObject({ report: { action: 'filed', status: 'open' }, receipt: expect.any(String) })
    expect(await stateOf('old-pkg')).toEqual(['published', 'published'])
    const receipt = anon.json().receipt as string
    expect((await get(undefined, `/-/api/v1/intel/reports/${anon.json().report.id}?receipt=${receipt}`)).json().status).toBe('open')
    expect((await get(undefined, `/-/api/v1/intel/reports/${anon.json().report.id}?receipt=wrong`)).statusCode).toBe(404)

    const trusted = await post(tina, '/-/api/v1/intel/observations', { package: 'old-pkg', evidence: 'same binary seen in our telemetry' })
    expect(trusted.json().report.action).toBe('held')
    expect(await stateOf('old-pkg')).toEqual(['held', 'held'])
  })

  it('rate-limits anonymous reports per address', async () => {
    const codes: number[] = []
    for (let i = 0; i < 11; i++) codes.push((await post(undefined, '/-/api/v1/intel/reports', { package: `nobody-${i}`, evidence: 'looks like a typosquat of lodash' }, '198.51.100.9')).statusCode)
    expect(codes.slice(0, 10).every((c) => c === 202)).toBe(true)
    expect(codes[10]).toBe(429)
  })

  it('settles reports with the decision, tells reporters, tracks accuracy, and files and mails the dependents of a removal', async () => {
    const cases = (await get(rita, '/-/api/v1/review/cases')).json().cases as { id: number; package: string; source: string }[]
    const oldCase = cases.find((c) => c.package === 'old-pkg')!
    const youngCase = cases.find((c) => c.package === 'young-pkg')!
    expect(oldCase.source).toBe('report')
    const removed = await post(rita, `/-/api/v1/review/cases/${oldCase.id}/remove`, { reason: 'confirmed: downloads and runs a binary', wholePackage: true })
    expect(removed.statusCode, removed.body).toBe(200)
    expect((await post(rita, `/-/api/v1/review/cases/${youngCase.id}/dismiss`, { reason: 'the webhook is the documented telemetry' })).statusCode).toBe(200)
    await r.settle()

    const mine = (await get(tina, '/-/api/v1/intel/observations')).json()
    expect(mine.reports.map((x: { package: string; status: string }) => [x.package, x.status]).sort()).toEqual([['old-pkg', 'confirmed'], ['young-pkg', 'dismissed']])
    expect(mine.stats).toMatchObject({ reporter: 'user:tina', confirmed: 1, dismissed: 1, accuracy: 0.5 })
    const reporters = (await get(rita, '/-/api/v1/intel/reporters')).json().reporters as { reporter: string; accuracy: number | null }[]
    expect(reporters.find((x) => x.reporter === 'anonymous')).toMatchObject({ confirmed: 1 })

    await until(() => mails.length >= 3)
    const toDana = mails.find((m) => m.to.includes('dana@example.com'))
    expect(toDana?.raw).toMatch(/dependent-app depends on old-pkg/)
    expect(mails.some((m) => m.to.includes('finder@example.org') && /confirmed/.test(m.raw))).toBe(true)
    expect(mails.some((m) => m.to.includes('tina@example.com'))).toBe(true)
    expect(mails.some((m) => m.to.includes('owner@example.com') && /unrelated/.test(m.raw))).toBe(false)
    await until(() => webhooks.length >= 1)
    expect(webhooks).toHaveLength(1)
    expect(webhooks[0]).toMatchObject({ event: 'dependent-removed', removed: { name: 'old-pkg', wholePackage: true }, dependent: { name: 'dependent-app', versions: ['2.0.0'] }, signature: expect.stringMatching(/^sha256=/) })
    // The dependent is filed for review, not held: its users keep it while a reviewer looks.
    expect(await stateOf('dependent-app')).toEqual(['published'])
    const filed = ((await get(rita, '/-/api/v1/review/cases')).json().cases as { package: string; source: string }[]).filter((c) => c.package === 'dependent-app')
    expect(filed).toEqual([expect.objectContaining({ package: 'dependent-app', source: 'dependency' })])
    expect(await stateOf('unrelated-app')).toEqual(['published'])
    const notes = await r.deps.db.kysely.selectFrom('notifications').select(['kind', 'channel', 'recipient', 'status']).where('kind', '=', 'dependent-removed').orderBy('channel').execute()
    expect(notes).toEqual([
      { kind: 'dependent-removed', channel: 'email', recipient: 'dana@example.com', status: 'sent' },
      { kind: 'dependent-removed', channel: 'webhook', recipient: expect.stringMatching(/\/hook$/), status: 'sent' },
    ])
  }, 60_000)
})
