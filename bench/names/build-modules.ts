// Builds the bundled import-name owners (src/scanning/names/data/pypi-modules.txt): which popular PyPI
// project installs which top-level module, read off Debian's file lists, where every python3-* package
// records its project's metadata directory (<Project>-<version>.dist-info or .egg-info) beside the
// modules it installs.
//
//   curl -O http://deb.debian.org/debian/dists/trixie/main/Contents-all.gz
//   curl -O http://deb.debian.org/debian/dists/trixie/main/Contents-amd64.gz
//   node bin/run-ts.js bench/names/build-modules.ts Contents-all.gz Contents-amd64.gz
//
// Only projects in the bundled popular list (data/pypi.txt) are kept: the module check asks "does this
// upload install a module that an established project installs?", and the list is what "established" means.
import { createReadStream, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { parseArgs } from 'node:util'
import { canonicalName } from '../../src/scanning/names/name-forms.ts'
import { NOT_A_PROJECT_MODULE } from '../../src/scanning/names/module-owners.ts'
import { bundledIndex } from '../../src/scanning/names/popular-index.ts'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { out: { type: 'string', default: 'src/scanning/names/data/pypi-modules.txt' } } })
const PREFIX = 'usr/lib/python3/dist-packages/'
const METADATA = /^(.+?)-\d[^/]*\.(?:dist|egg)-info$/
const EXTENSION = /^([A-Za-z_]\w*)\.(?:cpython-[^.]+|abi3)\.so$/

/** Per Debian binary package: the projects its metadata names, and its top-level modules (namespace directories apart). */
interface DebPackage {
  projects: Set<string>
  modules: Set<string>
  withInit: Set<string>
}
const packages = new Map<string, DebPackage>()

for (const file of positionals) {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line.startsWith(PREFIX)) continue
    const cut = line.search(/\s+\S+$/)
    const path = line.slice(PREFIX.length, cut)
    const owners = line.slice(cut).trim().split(',').map((o) => o.split('/').pop()!)
    const [top, second] = path.split('/')
    if (!top) continue
    for (const owner of owners) {
      const entry = packages.get(owner) ?? { projects: new Set(), modules: new Set(), withInit: new Set() }
      packages.set(owner, entry)
      const metadata = METADATA.exec(top)
      if (metadata) entry.projects.add(canonicalName('pypi', metadata[1]!))
      else if (second === undefined) {
        const module = /^([A-Za-z_]\w*)\.py$/.exec(top)?.[1] ?? EXTENSION.exec(top)?.[1]
        if (module) entry.modules.add(module)
      } else if (/^[A-Za-z_]\w*$/.test(top) && path.split('/').length === 2 && /^__init__\.(py|.*\.so)$/.test(second)) {
        entry.withInit.add(top)
      }
    }
  }
}

const popular = bundledIndex('pypi')

// module -> the popular projects that install it
const owners = new Map<string, Set<string>>()
for (const entry of packages.values()) {
  // A package that carries several projects' metadata cannot say which module is whose.
  if (entry.projects.size !== 1) continue
  const [project] = entry.projects
  if (!popular.has(project!)) continue
  // Directories without __init__ are namespaces shared by many projects (google, azure, zope).
  for (const module of [...entry.modules, ...entry.withInit]) {
    if (NOT_A_PROJECT_MODULE.test(module)) continue
    const set = owners.get(module) ?? new Set()
    set.add(project!)
    owners.set(module, set)
  }
}

const rows = [...owners.entries()]
  .map(([module, projects]) => `${module} ${[...projects].sort((a, b) => popular.rankOf(a)! - popular.rankOf(b)!).join(' ')}`)
  .sort()
const header = [
  '# Top-level Python modules and the popular PyPI projects (data/pypi.txt) that install them: "module project [project…]", most downloaded first.',
  `# Read off Debian's file lists (${positionals.map((p) => p.split('/').pop()).join(', ')}): each python3-* package's <project>.dist-info/.egg-info beside its modules.`,
  '# built by bench/names/build-modules.ts',
]
writeFileSync(values.out!, `${header.join('\n')}\n${rows.join('\n')}\n`)
console.log(`${values.out}: ${rows.length} modules of ${new Set([...owners.values()].flatMap((s) => [...s])).size} popular projects`)
