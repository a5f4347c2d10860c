// A simulated mass upload through the real npm client: the monitor alerts a webhook within the burst, the circuit
// breaker stops young accounts, later uploads hear why, and the incident's attack window quarantines exactly the attack.
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { npmWorkspace, type NpmWorkspace } from '../helpers/npm-client.ts'

const SECRET = 'webhook-secret-for-the-test'

describe('a mass upload with the real npm client (sqlite)', () => {
  let r: ListeningRegistry
  let hook: Server
  const received: { body: string; signature: string | undefined }[] = []
  let attacker: NpmWorkspace
  let bystander: NpmWorkspace
  let admin: string
  let start: string
  const results: { name: string; code: number; out: string }[] = []

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-gatehouse-signature'] as string | undefined })
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()))
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`
    r = await startListeningRegistry('sqlite', { config: { alertWebhookUrl: hookUrl, alertWebhookSecret: SECRET, circuitBreakers: 'account-burst', switchCacheMs: 0 } })
    admin = await r.user('admin')
    await setRole(r.deps, 'admin', 'admin', CLI())
    bystander = npmWorkspace(r.url, await r.user('bystander'), 'bystander')
    attacker = npmWorkspace(r.url, await r.user('attacker'), 'attacker')
    start = new Date(Date.now() - 1000).toISOString()
    expect((await bystander.npm(['publish'], bystander.fixture('b', 'mass-bystander', '1.0.0', {}))).code).toBe(0)
    for (let i = 0; i < 15; i++) {
      const name = `mass-clone-${String(i).padStart(2, '0')}`
      const res = await attacker.npm(['publish', '--fetch-retries=0'], attacker.fixture(name, name, '1.0.0', { 'lib.js': 'module.exports = () => 42\n' }))
      results.push({ name, ...res })
    }
    await r.settle()
  }, 240_000)

  afterAll(async () => {
    await r?.close()
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()))
    attacker?.cleanup()
    bystander?.cleanup()
  })

  it('alerts the webhook once, signed, when one account passes 10 uploads in a minute', () => {
    const alerts = received.map((x) => ({ ...x, json: JSON.parse(x.body) as { rule: string; severity: string; summary: string } }))
    const burst = alerts.filter((a) => a.json.rule === 'account-burst')
    expect(burst).toHaveLength(1)
    expect(burst[0]!.json).toMatchObject({ severity: 'critical', summary: 'one account uploaded 11 versions in the last minute' })
    expect(burst[0]!.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(burst[0]!.body).digest('hex')}`)
  })

  it('flips the young-account switch, so later uploads get a clear refusal', async () => {
    expect(results.slice(0, 11).map((x) => x.code)).toEqual(Array(11).fill(0))
    for (const refused of results.slice(11)) {
      expect(refused.code, refused.out).not.toBe(0)
      expect(refused.out).toMatch(/403 Forbidden[\s\S]*accounts younger than 7 days cannot upload right now/)
    }
    const status = (await (await fetch(`${r.url}-/api/v1/status`)).json()) as { restrictions: { name: string }[]; incidents: { title: string }[] }
    expect(status.restrictions.map((x) => x.name)).toEqual(['new-account-uploads'])
    expect(status.incidents[0]?.title).toBe('Automatic protection: new-account-uploads')
  })

  it('finds exactly the attack in the incident window and quarantines it in one action', async () => {
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }
    const opened = await fetch(`${r.url}-/api/v1/defense/incidents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Mass upload of clones', body: 'one new account published a burst of packages', window: { from: start, to: new Date().toISOString(), accounts: ['attacker'] } }),
    })
    expect(opened.status).toBe(201)
    const { id } = (await opened.json()) as { id: number }
    const { versions } = (await (await fetch(`${r.url}-/api/v1/defense/incidents/${id}/versions`, { headers })).json()) as { versions: { name: string }[] }
    expect(versions.map((v) => v.name)).toEqual(results.slice(0, 11).map((x) => x.name))
    const quarantine = await fetch(`${r.url}-/api/v1/defense/incidents/${id}/quarantine`, { method: 'POST', headers, body: JSON.stringify({ reason: 'quarantine the burst for review', suspendAccounts: true }) })
    expect(quarantine.status).toBe(200)
    expect(((await quarantine.json()) as { held: string[] }).held).toHaveLength(11)
    const dir = bystander.project()
    expect((await bystander.npm(['install', 'mass-clone-00'], dir)).code).not.toBe(0)
    expect((await bystander.npm(['install', 'mass-bystander'], dir)).code).toBe(0)
  }, 120_000)
})
