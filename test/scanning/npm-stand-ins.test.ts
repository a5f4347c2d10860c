// Which dependencies an npm package gets stand-ins for in the sandbox, and what those stand-ins are; sandbox.test.ts
// runs them for real.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import { npmEcosystem } from '../../src/protocols/npm/ecosystem.ts'
import { requestedPackage, requestedPackages, writeStandIns } from '../../src/scanning/sandbox/npm-stand-ins.ts'
import { npmTarball } from '../helpers/tarballs.ts'

describe('npm dependency stand-ins', () => {
  it('names bare packages asked for by require, import() and import/export statements, with the names ES modules import', async () => {
    const artifact = await npmEcosystem.readArtifact(
      await npmTarball('asks', '1.0.0', {
        'index.js': `const a = require('axios/lib/core'), fs = require("node:fs"), os = require('os'), local = require('./util')
const b = require( \`chalk\` )
import('@scope/pkg/deep/file.js').then(() => {})`,
        'esm.mjs': `import kleur, { red, green as g, default as d } from 'kleur'\nimport * as ns from "ns-pkg"\nexport { x, y as z } from 'reexp'\nimport 'side-effect'\nexport * from 'star'\nimport p from '../outside'`,
        'cli.cjs': `require('..'); require('../../etc/passwd'); require('https://example.com/x.js'); require('.bin/x')`,
        'README.md': `require('not-code')`,
      }),
      DEFAULT_ARCHIVE_LIMITS,
    )
    const found = requestedPackages(artifact)
    expect(Object.fromEntries([...found].map(([name, names]) => [name, [...names].sort()]))).toEqual({
      axios: [],
      chalk: [],
      '@scope/pkg': [],
      kleur: ['green', 'red'],
      'ns-pkg': [],
      reexp: ['x', 'y'],
      'side-effect': [],
      star: [],
    })
  })

  it('refuses names that are not package names', () => {
    const refused = ['fs', 'node:fs', 'fs/promises', './x', '/abs', '..', '@scope', 'a b', 'file:x']
    expect(refused.filter((r) => requestedPackage(r) !== undefined)).toEqual([])
    expect(requestedPackage('@a/b/c/d')).toBe('@a/b')
    expect(requestedPackage('lodash.get/x')).toBe('lodash.get')
  })

  it('writes packages whose every export accepts any use and does nothing, from CommonJS and ES modules alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stand-ins-'))
    try {
      writeStandIns(dir, new Map([['kleur', new Set(['red', 'delete'])], ['@scope/pkg', new Set<string>()]]))
      expect(JSON.parse(readFileSync(join(dir, '@scope/pkg/package.json'), 'utf8')).name).toBe('@scope/pkg')
      // the generated package requires stand-in.cjs from the sandbox's driver folder; here it is required from the source tree
      const source = readFileSync(join(dir, 'kleur/index.cjs'), 'utf8')
      expect(source).toMatch(/require\("\/gh\/driver\/stand-in\.cjs"\)\.standIn\("kleur"\)/)
      const { standIn } = createRequire(import.meta.url)('../../src/scanning/sandbox/stand-in.cjs')
      const kleur = standIn('kleur')
      expect(typeof kleur.red.bold('x')).toBe('function')
      expect(`${kleur.red}`).toBe('')
      expect([...kleur.items]).toEqual([])
      // not a thenable: awaiting a call gives the stand-in it returned
      const fetched = kleur.fetch('x')
      expect(fetched.then).toBeUndefined()
      expect(await fetched).toBe(fetched)
      class Bot extends kleur.Telegraf {
        start() {
          return 'own method'
        }
      }
      expect(new Bot().start()).toBe('own method')
      expect(typeof new Bot().launch()).toBe('function')
      expect(readFileSync(join(dir, 'kleur/index.mjs'), 'utf8')).toContain('export { m1 as delete }')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
