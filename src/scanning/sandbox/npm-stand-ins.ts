// Stand-ins for an npm package's dependencies. The sandbox runs a package alone (it has no network, and a
// dependency's code would run under this package's verdict), but npm installs dependencies before a postinstall runs
// and before a program loads the package: without them `require('chalk')` on a script's first line ends the run before
// the package's own code does anything. For every bare module name the package's JavaScript requires or imports, the
// sandbox gets a package of that name under /gh/node_modules, above the package's folder, where Node.js looks after the
// package's own node_modules (so bundled dependencies still win), for CommonJS and ES modules alike, in every process
// and thread the steps start. It exports a stand-in (stand-in.cjs); for ES modules, the names the package imports from it.
// Python's exerciser does the same for Python inside its process (exercise.py). decisions.md says why.
import { mkdirSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { join } from 'node:path'
import type { Artifact } from '../../core/ecosystem.ts'
import { DRIVER_DIR } from './steps.ts'

/** Where the stand-in packages are mounted: the parent of the package's folder (/gh/pkg). */
export const STAND_IN_MODULES = '/gh/node_modules'

const SCRIPT = /\.(?:c|m)?js$/
const MAX_SCRIPT_BYTES = 4 * 1024 ** 2
const MAX_PACKAGES = 200
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
// require('x'), import('x'), import … from 'x', export … from 'x', import 'x'
const REQUESTS = [
  /\brequire\s*\(\s*(?<q>['"`])(?<request>[^'"`\s]+)\k<q>\s*\)/g,
  /\bimport\s*\(\s*(?<q>['"`])(?<request>[^'"`\s]+)\k<q>\s*\)/g,
  /\b(?:import|export)\s*(?:[\w$]+\s*,\s*)?(?:\{(?<names>[^}]*)\}|\*\s*as\s+[\w$]+|[\w$]+|\*)\s*from\s*(?<q>['"])(?<request>[^'"\s]+)\k<q>/g,
  /\bimport\s*(?<q>['"])(?<request>[^'"\s]+)\k<q>/g,
]

/** The package a bare request names (`@scope/name/sub` → `@scope/name`), or nothing for built-ins, paths and URLs. */
export function requestedPackage(request: string): string | undefined {
  if (/^[./]/.test(request) || /^[a-z][a-z0-9+.-]*:/i.test(request) || isBuiltin(request)) return undefined
  const parts = request.split('/')
  const name = request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
  // each part starts with a letter or digit, so no `.` or `..` reaches a path
  return PACKAGE_NAME.test(name) ? name : undefined
}

/** Bare packages the package's scripts ask for, each with the names ES modules import from it (`{ red, green as g }` → red, green). */
export function requestedPackages(artifact: Artifact): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>()
  for (const file of artifact.files) {
    if (!SCRIPT.test(file.path) || file.content.length > MAX_SCRIPT_BYTES) continue
    const source = file.content.toString('utf8')
    for (const pattern of REQUESTS) {
      for (const m of source.matchAll(pattern)) {
        const name = requestedPackage(m.groups!.request!)
        if (!name || (!found.has(name) && found.size >= MAX_PACKAGES)) continue
        const names = found.get(name) ?? new Set<string>()
        found.set(name, names)
        for (const part of (m.groups!.names ?? '').split(',')) {
          const imported = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim()
          if (IDENTIFIER.test(imported) && imported !== 'default') names.add(imported)
        }
      }
    }
  }
  return found
}

/** Writes one stand-in package per requested name under `dir` (mounted read-only at STAND_IN_MODULES). */
export function writeStandIns(dir: string, packages: ReadonlyMap<string, ReadonlySet<string>>): void {
  const entry = { import: './index.mjs', default: './index.cjs' }
  for (const [name, names] of packages) {
    const root = join(dir, name)
    mkdirSync(root, { recursive: true })
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '0.0.0', main: 'index.cjs', exports: { '.': entry, './*': entry } }))
    writeFileSync(join(root, 'index.cjs'), `module.exports = require(${JSON.stringify(`${DRIVER_DIR}/stand-in.cjs`)}).standIn(${JSON.stringify(name)})\n`)
    writeFileSync(
      join(root, 'index.mjs'),
      [
        `import stand from './index.cjs'`,
        'export default stand',
        ...[...names].map((n, i) => `const m${i} = stand[${JSON.stringify(n)}]\nexport { m${i} as ${n} }`),
        '',
      ].join('\n'),
    )
  }
}
