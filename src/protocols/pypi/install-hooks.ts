// What runs when a Python distribution is installed or imported: setup.py, build backends, .pth files, top-level packages.
import { parse as parseToml } from 'smol-toml'
import type { Artifact, InstallHook } from '../../core/ecosystem.ts'

// A Python identifier (PEP 3131 allows non-ASCII letters); anything else cannot be imported by name.
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u
// Root-level scripts of an sdist that are run by tools, never imported by installed code.
const SDIST_TOOLING = new Set(['setup.py', 'conftest.py', 'noxfile.py', 'runtests.py', 'ez_setup.py', 'distribute_setup.py', 'versioneer.py', 'tasks.py', 'fabfile.py', 'manage.py', 'pavement.py'])
/**
 * sdist files that ship with the source but are never installed: scripts, tests, docs, developer tooling. A top-level
 * `test.py` could not even be imported once installed: the standard library's `test` package comes first on the path.
 */
const NOT_INSTALLED = /^(bootstrap[\w-]*\.py|tests?\.py|test_\w+\.py|\w+_test\.py)$|^(tests?|testing|docs?|examples?|dev|scripts|tools|benchmarks?|ci|build)\//
// Wheel payload folders that pip installs into site-packages alongside the root.
const WHEEL_SITE_PACKAGES_DATA = /^[^/]+\.data\/(purelib|platlib)\//
const WHEEL_SCRIPTS = /^[^/]+\.data\/scripts\/[^/]+$/

export function pythonInstallHooks(artifact: Artifact): InstallHook[] {
  switch (artifact.format) {
    case 'sdist-tar':
    case 'sdist-zip':
      return sdistHooks(artifact)
    case 'wheel':
      return wheelHooks(artifact)
    // bdist_dumb trees are unpacked by hand, never installed by pip.
    default:
      return []
  }
}

function sdistHooks(artifact: Artifact): InstallHook[] {
  const hooks: InstallHook[] = []
  // Reported whenever present: setuptools (the default backend) runs it, and so do legacy installs.
  if (artifact.files.some((f) => f.path === 'setup.py')) {
    hooks.push({ phase: 'setup.py', command: 'python setup.py install', file: 'setup.py' })
  }
  const pyproject = artifact.files.find((f) => f.path === 'pyproject.toml')
  if (pyproject) {
    const backend = buildBackend(pyproject.content.toString('utf8'), new Set(artifact.files.map((f) => f.path)))
    if (backend) hooks.push(backend)
  }
  return hooks
}

/**
 * PEP 517: pip imports the named backend and calls it to build the wheel. `backend-path` puts the
 * backend inside the sdist itself, so the hook then names that file.
 */
function buildBackend(text: string, paths: ReadonlySet<string>): InstallHook | null {
  let doc: Record<string, unknown>
  try {
    doc = parseToml(text)
  } catch (err) {
    // Python's tomllib may still read what this parser refuses; say so rather than stay silent.
    return { phase: 'build-backend', command: `unknown: pyproject.toml could not be parsed (${(err as Error).message.split('\n')[0]})`, file: 'pyproject.toml' }
  }
  const system = doc['build-system']
  if (system === null || typeof system !== 'object' || Array.isArray(system)) return null
  const backend = (system as Record<string, unknown>)['build-backend']
  if (typeof backend !== 'string' || backend.trim() === '') return null
  const backendPath = (system as Record<string, unknown>)['backend-path']
  const inTree = Array.isArray(backendPath) ? inTreeBackendFile(backend, backendPath, paths) : null
  return { phase: 'build-backend', command: `PEP 517 build backend ${backend}`, file: inTree ?? 'pyproject.toml' }
}

function inTreeBackendFile(backend: string, backendPath: unknown[], paths: ReadonlySet<string>): string | null {
  const modulePath = backend.split(':')[0]!.trim().replace(/\./g, '/')
  for (const entry of backendPath) {
    if (typeof entry !== 'string') continue
    const folder = entry.replace(/^\.\/?/, '').replace(/\/+$/, '')
    const prefix = folder === '' ? '' : `${folder}/`
    for (const candidate of [`${prefix}${modulePath}.py`, `${prefix}${modulePath}/__init__.py`]) {
      if (paths.has(candidate)) return candidate
    }
  }
  return null
}

/** site.py executes `import` lines of every .pth file in site-packages at each interpreter start. */
function wheelHooks(artifact: Artifact): InstallHook[] {
  const hooks: InstallHook[] = []
  for (const file of artifact.files) {
    const relative = file.path.replace(WHEEL_SITE_PACKAGES_DATA, '')
    if (!relative.includes('/') && relative.endsWith('.pth')) {
      hooks.push({ phase: 'startup', command: `python interpreter startup (site.py reads ${relative})`, file: file.path })
    }
  }
  return hooks
}

/** Top-level packages' `__init__.py` and top-level modules (what `import <name>` runs first), packages' `__main__.py` and a wheel's scripts (the commands it installs). */
export function pythonImportEntries(artifact: Artifact): string[] {
  const roots = importRoots(artifact)
  const sdist = artifact.format === 'sdist-tar' || artifact.format === 'sdist-zip'
  // setuptools records what an sdist installs in *.egg-info/top_level.txt; trust it when present.
  const topLevel = sdist ? declaredTopLevel(artifact) : undefined
  const found: string[] = []
  const paths = new Set(artifact.files.map((f) => f.path))
  // A top folder without __init__.py is a namespace package (PEP 420) when it is installed: named in an sdist's
  // top_level.txt, or at the top of a built distribution, where everything lands in site-packages.
  const namespace = (dir: string) => !dir.includes('/') && !/\.(dist-info|data|egg-info)$/.test(dir) && (topLevel ? topLevel.has(dir) : artifact.format === 'wheel')
  for (const file of artifact.files) {
    for (const root of roots) {
      if (!file.path.startsWith(root)) continue
      const rest = file.path.slice(root.length)
      if (!isImportEntry(rest) && !isSubmodule(rest, (dir) => paths.has(`${root}${dir}/__init__.py`) || namespace(dir))) continue
      if (sdist && root === '' && (SDIST_TOOLING.has(rest) || NOT_INSTALLED.test(rest))) continue
      if (topLevel && !topLevel.has(rest.split('/')[0]!.replace(/\.py$/, ''))) continue
      found.push(file.path)
    }
  }
  // A wheel's scripts are installed onto the user's PATH as commands: running them is using the package.
  if (artifact.format === 'wheel') for (const file of artifact.files) if (WHEEL_SCRIPTS.test(file.path)) found.push(file.path)
  return [...new Set(found)].sort()
}

/** `__import__('pkg_resources').declare_namespace(__name__)`, `__path__ = pkgutil.extend_path(__path__, __name__)`. */
const DECLARES_NAMESPACE = /\bdeclare_namespace\s*\(|\bextend_path\s*\(/

/** A compiled module at the top of a built distribution: `cv2.abi3.so`, `_speedups.cpython-311-x86_64-linux-gnu.so`, `win32api.cp311-win_amd64.pyd`. */
const EXTENSION_MODULE = /^([\p{L}_][\p{L}\p{N}_]*)(?:\.[\w-]+)?\.(?:so|pyd)$/u

/**
 * The top-level modules the package installs: `mod.py` and `pkg/__init__.py` among its import entries, and a
 * built distribution's compiled modules. A folder without `__init__.py` (a namespace such as twisted/plugins/), or
 * whose `__init__.py` declares a namespace, is shared, not taken.
 */
export function pythonInstalledModules(artifact: Artifact, importEntries: readonly string[] = pythonImportEntries(artifact)): string[] {
  const roots = importRoots(artifact)
  const rootOf = (path: string) => roots.filter((r) => path.startsWith(r)).sort((a, b) => b.length - a.length)[0] ?? ''
  const byPath = new Map(artifact.files.map((f) => [f.path, f]))
  const modules = new Set<string>()
  for (const path of importEntries) {
    const top = /^([^/]+)(?:\.py|\/__init__\.py)$/.exec(path.slice(rootOf(path).length))
    if (!top || WHEEL_SCRIPTS.test(path)) continue
    // an __init__.py that declares a namespace (pkg_resources, pkgutil) shares the folder: zope.*, paste.*, fs.* plugins
    if (path.endsWith('/__init__.py') && DECLARES_NAMESPACE.test(byPath.get(path)?.content.toString('utf8') ?? '')) continue
    modules.add(top[1]!)
  }
  if (artifact.format !== 'sdist-tar' && artifact.format !== 'sdist-zip') {
    for (const file of artifact.files) {
      const relative = file.path.slice(rootOf(file.path).length)
      const compiled = relative.includes('/') ? null : EXTENSION_MODULE.exec(relative)
      if (compiled && roots.some((r) => file.path.startsWith(r))) modules.add(compiled[1]!)
    }
  }
  return [...modules].sort()
}

/** `tool = pkg.cli:main` (an optional `[extras]` after it): the module and the object a command calls. */
const ENTRY_POINT = /^\s*[\w.-]+\s*=\s*([\w.]+)\s*:\s*([\w.]+)\s*(?:\[[^\]]*\])?\s*$/
/** The entry-point groups that install commands. */
const SCRIPT_GROUPS = /^(console|gui)_scripts$/

/**
 * The functions the package's commands call: console_scripts and gui_scripts from the metadata a
 * build wrote (`entry_points.txt`), or from pyproject.toml, setup.cfg and setup.py in an sdist.
 */
export function pythonEntryFunctions(artifact: Artifact): { path: string; fn: string }[] {
  const specs: string[] = []
  for (const file of artifact.files) {
    if (/^(?:src\/)?[^/]+\.(?:egg|dist)-info\/entry_points\.txt$/.test(file.path)) specs.push(...scriptsInIni(file.content.toString('utf8'), false))
    else if (file.path === 'setup.cfg') specs.push(...scriptsInIni(file.content.toString('utf8'), true))
    else if (file.path === 'pyproject.toml') specs.push(...scriptsInPyproject(file.content.toString('utf8')))
    else if (file.path === 'setup.py') {
      const text = file.content.toString('utf8')
      // entry_points={'console_scripts': ['tool = pkg.cli:main']}: the strings, where the file names a scripts group
      if (/(console|gui)_scripts/.test(text)) for (const m of text.matchAll(/["']([^"'\n]{3,200})["']/g)) if (ENTRY_POINT.test(m[1]!)) specs.push(m[1]!)
    }
  }
  const paths = new Set(artifact.files.map((f) => f.path))
  const roots = importRoots(artifact)
  const found = new Map<string, { path: string; fn: string }>()
  for (const spec of specs) {
    const [, module, object] = ENTRY_POINT.exec(spec)!
    const fn = object!.split('.')[0]!
    for (const root of roots) {
      const base = `${root}${module!.replace(/\./g, '/')}`
      const path = [`${base}.py`, `${base}/__init__.py`].find((p) => paths.has(p))
      if (path) found.set(`${path}:${fn}`, { path, fn })
    }
  }
  return [...found.values()]
}

/**
 * `name = module:object` lines of the console_scripts and gui_scripts groups: in entry_points.txt each
 * group is a section; in setup.cfg they are keys of [options.entry_points] with the lines indented below.
 */
function scriptsInIni(text: string, nested: boolean): string[] {
  const specs: string[] = []
  let section = ''
  let group = ''
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line)
    if (header) {
      section = header[1]!.trim()
      group = nested ? '' : section
      continue
    }
    const key = nested && section === 'options.entry_points' ? /^([\w.-]+)\s*=\s*(.*)$/.exec(line) : null
    if (key) {
      group = key[1]!
      if (SCRIPT_GROUPS.test(group) && ENTRY_POINT.test(key[2]!)) specs.push(key[2]!)
    } else if (SCRIPT_GROUPS.test(group) && ENTRY_POINT.test(line)) specs.push(line)
  }
  return specs
}

function scriptsInPyproject(text: string): string[] {
  let doc: Record<string, unknown>
  try {
    doc = parseToml(text)
  } catch {
    return []
  }
  const project = doc['project'] as Record<string, unknown> | undefined
  const specs: string[] = []
  for (const group of ['scripts', 'gui-scripts']) {
    const table = project?.[group]
    if (table && typeof table === 'object' && !Array.isArray(table)) {
      for (const [name, target] of Object.entries(table)) if (typeof target === 'string') specs.push(`${name} = ${target}`)
    }
  }
  return specs
}

function declaredTopLevel(artifact: Artifact): Set<string> | undefined {
  const file = artifact.files.find((f) => /^(src\/)?[^/]+\.egg-info\/top_level\.txt$/.test(f.path))
  if (!file) return undefined
  const names = file.content.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  return names.length > 0 ? new Set(names) : undefined
}

function importRoots(artifact: Artifact): string[] {
  switch (artifact.format) {
    case 'sdist-tar':
    case 'sdist-zip':
      return ['', 'src/']
    case 'wheel': {
      const data = new Set<string>()
      for (const f of artifact.files) {
        const match = WHEEL_SITE_PACKAGES_DATA.exec(f.path)
        if (match) data.add(match[0])
      }
      return ['', ...data]
    }
    default: {
      // bdist_dumb: whatever sits under a site-packages folder (`Lib/site-packages/`, `usr/lib/python3/dist-packages/`).
      const roots = new Set<string>()
      for (const f of artifact.files) {
        const match = /^(?:.*\/)?(?:site|dist)-packages\//.exec(f.path)
        if (match) roots.add(match[0])
      }
      return [...roots]
    }
  }
}

/**
 * A module inside a package (`pkg/sub/mod.py`, every folder a package): importing it (`from pkg.sub import mod`) runs
 * its module-level code, as importing the package runs `__init__.py`. Tests inside the package are not imported.
 */
function isSubmodule(relative: string, isPackage: (dir: string) => boolean): boolean {
  const parts = relative.split('/')
  if (parts.length < 2 || !relative.endsWith('.py')) return false
  const module = parts[parts.length - 1]!.slice(0, -3)
  if (!IDENTIFIER.test(module) || /^(test_\w+|\w+_tests?|conftest)$/.test(module)) return false
  const dirs = parts.slice(0, -1)
  if (dirs.some((d) => !IDENTIFIER.test(d) || /^(tests?|testing)$/.test(d))) return false
  return dirs.every((_, i) => isPackage(dirs.slice(0, i + 1).join('/')))
}

/** `pkg/__init__.py` and `mod.py` run on import; `pkg/__main__.py` runs as the package's command (`python -m pkg`). */
function isImportEntry(relative: string): boolean {
  const parts = relative.split('/')
  if (parts.length === 1) return parts[0]!.endsWith('.py') && IDENTIFIER.test(parts[0]!.slice(0, -3))
  return parts.length === 2 && (parts[1] === '__init__.py' || parts[1] === '__main__.py') && IDENTIFIER.test(parts[0]!)
}
