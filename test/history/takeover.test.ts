// The history diff inside the registry, on both dialects: reconstructed account takeovers are stopped with
// explanations a reviewer understands; an ordinary upgrade raises nothing that counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addOwner } from '../../src/packages/repository.ts'
import { insertNameBlock } from '../../src/review/repository.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { npmTarball, publishDocument } from '../helpers/tarballs.ts'
import { EVENT_STREAM, FLATMAP_STREAM, ORDINARY_UPGRADE, UA_PARSER, type HistoryStep } from '../helpers/takeover-fixtures.ts'

interface SignalView {
  rule: string
  weight: number
  message: string
  explanation: string
  file?: string
}
interface ScanView {
  state: string
  scans: { verdict: string; score: number; signals: SignalView[] }[]
}

describe.each(DIALECTS)('history diff (%s)', (dialect) => {
  let r: TestRegistry
  let reviewer: string

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    reviewer = await r.user('reviewer')
    await r.deps.db.kysely.updateTable('users').set({ role: 'reviewer' }).where('name', '=', 'reviewer').execute()
  })
  afterAll(() => r.close())

  async function publish(token: string, step: HistoryStep, ip = '127.0.0.1'): Promise<ScanView> {
    const tarball = await npmTarball(step.name, step.version, step.files, step.manifest)
    const res = await r.app.inject({
      method: 'PUT',
      url: `/${step.name}`,
      remoteAddress: ip,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: publishDocument(step.name, step.version, tarball, { manifest: step.manifest }),
    })
    expect(res.statusCode, res.body).toBe(201)
    await r.settle()
    const view = await r.app.inject({ url: `/-/api/v1/scans?name=${step.name}&version=${step.version}`, headers: { authorization: `Bearer ${reviewer}` } })
    expect(view.statusCode, view.body).toBe(200)
    return view.json() as ScanView
  }

  const history = (view: ScanView) => view.scans[0]!.signals.filter((s) => s.rule.startsWith('history-'))
  const weighted = (view: ScanView) => history(view).filter((s) => s.weight > 0)

  it('stops ua-parser-js 0.7.29: a first-ever preinstall from a new address', async () => {
    const faisal = await r.user('faisal')
    const before = await publish(faisal, UA_PARSER[0]!, '198.51.100.7')
    expect(before.state).toBe('published')
    expect(history(before)).toEqual([])

    const after = await publish(faisal, UA_PARSER[1]!, '203.0.113.50')
    expect(after.state).not.toBe('published')
    const rules = weighted(after).map((s) => s.rule)
    expect(rules).toContain('history-first-install-hook')
    expect(rules).toContain('history-takeover-pattern')
    const hook = weighted(after).find((s) => s.rule === 'history-first-install-hook')!
    expect(hook.message).toContain('preinstall: start /B node preinstall.js')
    expect(hook.explanation).toMatch(/Earlier versions ran nothing at install/)
    expect(weighted(after).find((s) => s.rule === 'history-takeover-pattern')!.message).toContain('203.0.113.50')
  })

  it('stops flatmap-stream 0.1.1 (payload in the minified file) and then event-stream 3.3.6 (the new dependency)', async () => {
    const dominic = await r.user('dominic')
    const right9 = await r.user('right9ctrl')
    expect((await publish(right9, FLATMAP_STREAM[0]!)).state).toBe('published')
    expect((await publish(dominic, EVENT_STREAM[0]!)).state).toBe('published')

    const payload = await publish(right9, FLATMAP_STREAM[1]!)
    expect(payload.state).not.toBe('published')
    const minified = weighted(payload).find((s) => s.rule === 'history-changed-minified')
    expect(minified, JSON.stringify(history(payload))).toBeDefined()
    expect(minified!.message).toMatch(/index\.min\.js changed and gained .*dynamic-code/)

    // dominic hands the package over: the new maintainer's first release adds flatmap-stream.
    const pkg = await r.deps.db.kysely.selectFrom('packages').select('id').where('name', '=', 'event-stream').executeTakeFirstOrThrow()
    const user = await r.deps.db.kysely.selectFrom('users').select('id').where('name', '=', 'right9ctrl').executeTakeFirstOrThrow()
    await addOwner(r.deps.db.kysely, pkg.id, user.id, new Date().toISOString())
    const takeover = await publish(right9, EVENT_STREAM[1]!)
    expect(takeover.state).toBe('held')
    const dep = weighted(takeover).find((s) => s.rule === 'history-new-dependency')!
    expect(dep.message).toMatch(/flatmap-stream added; its version 0\.1\.1 was (held|rejected) by the gate/)
    expect(weighted(takeover).map((s) => s.rule)).toEqual(expect.arrayContaining(['history-new-publisher', 'history-takeover-pattern']))
  })

  it('holds a new package whose first version depends on a package the gate stopped', async () => {
    // Runs after flatmap-stream 0.1.1 was stopped above: a clean-looking first version that only pulls it in.
    const stranger = await r.user('stranger')
    const wrapper = await publish(stranger, {
      name: 'stream-helpers',
      version: '1.0.0',
      files: { 'index.js': "'use strict'\nmodule.exports = require('flatmap-stream')\n" },
      manifest: { main: 'index.js', dependencies: { 'flatmap-stream': '^0.1.0' } },
    })
    expect(wrapper.state).toBe('held')
    const dep = weighted(wrapper).find((s) => s.rule === 'history-new-dependency')
    expect(dep, JSON.stringify(history(wrapper))).toBeDefined()
    expect(dep!.message).toMatch(/flatmap-stream is a dependency of this first version; its version 0\.1\.1 was (held|rejected) by the gate/)

    const plain = await publish(stranger, { name: 'stream-plain', version: '1.0.0', files: { 'index.js': "module.exports = require('through')\n" }, manifest: { main: 'index.js', dependencies: { through: '^2.3.8' } } })
    expect(plain.state).toBe('published')
    expect(weighted(plain)).toEqual([])
  })

  it('holds a version that depends on a name blocked as malicious, though no such package is served here', async () => {
    // An imported OSV malicious-package record blocks the name; the package itself lives elsewhere.
    await insertNameBlock(r.deps.db.kysely, { ecosystem: 'npm', kind: 'exact', pattern: 'sdk-core-helpers', reason: 'OSV MAL-2023-4242: malicious code in sdk-core-helpers (npm)', source: 'osv', createdBy: 'osv-import', at: new Date().toISOString() })
    const stranger = await r.user('cloner')
    const clone = await publish(stranger, {
      name: 'cloud-sdk-clone',
      version: '1.0.0',
      files: { 'index.js': "'use strict'\nmodule.exports = { client: () => ({}) }\n" },
      manifest: { main: 'index.js', dependencies: { 'sdk-core-helpers': '^2.13.0', through: '^2.3.8' } },
    })
    expect(clone.state).toBe('held')
    const dep = weighted(clone).find((s) => s.rule === 'history-new-dependency')
    expect(dep?.message, JSON.stringify(history(clone))).toMatch(/sdk-core-helpers is a dependency of this first version; the name is blocked here \(OSV MAL-2023-4242/)

    // A later version that adds it is held the same way, with no other history evidence needed.
    const maintainer = await r.user('tidy-maintainer')
    const base = { files: { 'index.js': "module.exports = require('through')\n" }, manifest: { main: 'index.js', dependencies: { through: '^2.3.8' } } }
    expect((await publish(maintainer, { name: 'tidy-lib', version: '1.0.0', ...base })).state).toBe('published')
    const added = await publish(maintainer, { name: 'tidy-lib', version: '1.1.0', files: base.files, manifest: { main: 'index.js', dependencies: { through: '^2.3.8', 'sdk-core-helpers': '^2.13.0' } } })
    expect(added.state).toBe('held')
    expect(weighted(added).find((s) => s.rule === 'history-new-dependency')?.message).toMatch(/sdk-core-helpers added; the name is blocked here/)
  })

  it('lets an ordinary upgrade through with nothing that counts', async () => {
    const maintainer = await r.user('maintainer')
    await publish(maintainer, { name: 'through', version: '2.3.8', files: { 'index.js': 'module.exports = function through () { return null }\n' }, manifest: { main: 'index.js' } })
    expect((await publish(maintainer, ORDINARY_UPGRADE[0]!)).state).toBe('published')
    const upgrade = await publish(maintainer, ORDINARY_UPGRADE[1]!)
    expect(upgrade.state).toBe('published')
    expect(weighted(upgrade)).toEqual([])
  })
})
