// Ordinary upgrades of real popular packages, fetched from the public npm registry: the history diff
// must not raise a score at the review threshold for any of them (the false-alarm side of the diff).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeArtifact, initEngine } from '../../src/scanning/engine.ts'
import { diffHistory } from '../../src/scanning/history/diff.ts'
import { DEFAULT_THRESHOLDS } from '../../src/core/verdict.ts'
import { ECOSYSTEMS } from '../../src/ecosystems.ts'

/** Consecutive releases (and four major upgrades), several with install scripts (esbuild, sharp) and bundled output (webpack, react). */
const UPGRADES: readonly [string, string, string][] = [
  ['express', '4.21.1', '4.21.2'],
  ['lodash', '4.17.20', '4.17.21'],
  ['react', '18.2.0', '18.3.0'],
  ['axios', '1.7.8', '1.7.9'],
  ['chalk', '5.3.0', '5.4.0'],
  ['commander', '12.0.0', '12.1.0'],
  ['debug', '4.3.6', '4.3.7'],
  ['esbuild', '0.24.0', '0.24.2'],
  ['webpack', '5.96.1', '5.97.0'],
  ['semver', '7.6.2', '7.6.3'],
  ['ws', '8.18.0', '8.18.1'],
  ['sharp', '0.33.4', '0.33.5'],
  ['moment', '2.29.4', '2.30.1'],
  ['eslint', '9.15.0', '9.16.0'],
  // major releases change far more, and must still pass
  ['express', '4.21.2', '5.0.0'],
  ['axios', '0.27.2', '1.0.0'],
  ['chalk', '4.1.2', '5.0.0'],
  ['node-fetch', '2.7.0', '3.0.0'],
]

const CACHE = join(tmpdir(), 'gatehouse-upgrade-tarballs')
const LIMITS = { maxArchiveBytes: 200 * 1024 * 1024, maxUnpackedBytes: 1024 * 1024 * 1024, maxEntries: 100_000, maxEntryBytes: 256 * 1024 * 1024, maxPathDepth: 64, maxRatio: 1000 }

async function tarball(name: string, version: string): Promise<Buffer> {
  mkdirSync(CACHE, { recursive: true })
  const file = join(CACHE, `${name.replace('/', '__')}-${version}.tgz`)
  if (existsSync(file)) return readFileSync(file)
  const res = await fetch(`https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`)
  if (!res.ok) throw new Error(`registry answered ${res.status} for ${name}@${version}`)
  const bytes = Buffer.from(await res.arrayBuffer())
  writeFileSync(file, bytes)
  return bytes
}

describe('history diff over real upgrades', () => {
  const eco = ECOSYSTEMS.get('npm')!
  beforeAll(() => initEngine())

  it.each(UPGRADES)('%s %s → %s stays below the review threshold', { timeout: 120_000 }, async (name, from, to) => {
    const [before, after] = await Promise.all([from, to].map(async (v) => eco.readArtifact(await tarball(name, v), LIMITS)))
    const profile = (artifact: typeof before) => analyzeArtifact(artifact!, eco).profile
    const publisher = { id: 1, name: 'maintainer' }
    const signals = diffHistory({
      next: { version: to, profile: profile(after), dependencies: eco.dependencyNames(after!.manifest), publisher, tokenId: 1, uploadIp: '192.0.2.1' },
      previous: { version: from, profile: profile(before), dependencies: eco.dependencyNames(before!.manifest), publisher, tokenId: 1, uploadIp: '192.0.2.1' },
      seen: { publishers: new Set([1]), ips: new Set(['192.0.2.1']), versions: 1 },
      dependencies: new Map(),
    })
    const score = signals.reduce((sum, s) => sum + s.weight, 0)
    console.log(`${name} ${from} → ${to}: history score ${score}${signals.length ? ` (${signals.map((s) => `${s.rule} ${s.weight}`).join(", ")})` : ""}`)
    expect(score, signals.map((s) => `${s.rule} ${s.weight}: ${s.message}`).join('\n')).toBeLessThan(DEFAULT_THRESHOLDS.hold)
  })
})
