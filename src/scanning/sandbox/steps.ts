// What runs in the sandbox for a package, derived from its ecosystem's install hooks and import entries.
import { pathToFileURL } from 'node:url'
import type { Artifact, Ecosystem } from '../../core/ecosystem.ts'

export interface SandboxStep {
  /** 'postinstall', 'setup.py', 'import index.js'… */
  readonly label: string
  /**
   * When a user's machine would run it: at install, when the package is loaded, or when a program calls what the
   * package exports (the exerciser's calls with placeholder arguments).
   */
  readonly phase: 'install' | 'load' | 'call'
  readonly argv: readonly string[]
  /** Working directory relative to the package root. */
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
}

const dirOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.')
const ROOT = '/gh/pkg'
/** Where the sandbox holds its own helpers (the driver, the exercisers), read-only. */
export const DRIVER_DIR = '/gh/driver'

/** The file the exercisers write and pass where a function wants a path (exercise.py, exercise.cjs): the caller's, not the package's. */
export const PLACEHOLDER_INPUT = '/tmp/gatehouse-input.txt'

/** Submodules imported one by one in a sandbox run, after the packages themselves. */
const MAX_SUBMODULE_IMPORTS = 20

export function sandboxSteps(eco: Ecosystem, artifact: Artifact): SandboxStep[] {
  const hooks = eco.installHooks(artifact)
  const entries = eco.importEntries(artifact)
  const steps: SandboxStep[] = []
  switch (eco.id) {
    case 'npm':
      for (const hook of hooks) {
        // npm's own native build needs a toolchain and headers the sandbox does not carry; scripts run as written
        if (hook.file === 'binding.gyp') continue
        steps.push({
          label: hook.phase,
          phase: 'install',
          argv: ['sh', '-c', hook.command],
          cwd: '.',
          env: { npm_lifecycle_event: hook.phase, npm_lifecycle_script: hook.command, npm_package_name: artifact.name, npm_package_version: artifact.version, INIT_CWD: ROOT },
        })
      }
      // import() loads CommonJS and ES modules alike (require() refuses the latter)
      for (const entry of entries) steps.push({ label: `load ${entry}`, phase: 'load', argv: ['node', '-e', `import(${JSON.stringify(pathToFileURL(`${ROOT}/${entry}`).href)})`], cwd: '.' })
      // then what they export, called as a user's program would
      if (entries.length > 0) steps.push({ label: `call ${artifact.name}`, phase: 'call', argv: ['node', `${DRIVER_DIR}/exercise.cjs`, ...entries.map((e) => `${ROOT}/${e}`)], cwd: '.' })
      break
    case 'pypi': {
      for (const hook of hooks) {
        if (hook.phase !== 'setup.py' || !hook.file) continue
        // as pip does: the metadata first, then the build and install a wheel build runs, where a `cmdclass` override of
        // install or build_py waits; a dry run keeps setuptools from compiling and copying, the package's own code still runs
        // (the metadata is written into the package's folder, where the dry install expects to find it). The command comes
        // first, as pip puts it (payloads test `sys.argv[1] == 'install'`), so the dry run is set by a config file.
        // Both run through the exerciser, which stands in for a module the hook imports and the sandbox lacks.
        steps.push({ label: 'setup.py egg_info', phase: 'install', argv: ['python3', `${DRIVER_DIR}/exercise.py`, '--setup', 'egg_info'], cwd: dirOf(hook.file) })
        steps.push({
          label: 'setup.py install',
          phase: 'install',
          argv: ['python3', `${DRIVER_DIR}/exercise.py`, '--setup', 'install', '--root', '/tmp/gatehouse-install'],
          cwd: dirOf(hook.file),
          env: { DIST_EXTRA_CONFIG: `${DRIVER_DIR}/setup-dry-run.cfg` },
        })
      }
      const files = new Set(artifact.files.map((f) => f.path))
      const modules: { name: string; cwd: string; main: boolean }[] = []
      for (const entry of entries) {
        if (/^[^/]+\.data\/scripts\//.test(entry)) continue // installed commands; running them without arguments proves little
        const parts = entry.replace(/\.py$/, '').split('/')
        const last = parts[parts.length - 1]
        if (last === '__init__' || last === '__main__') parts.pop()
        const names = [parts.pop()]
        // a submodule is imported by its dotted name from the folder that holds its top package
        while (parts.length > 0 && files.has(`${parts.join('/')}/__init__.py`)) names.unshift(parts.pop())
        if (!names.every((n) => n && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) continue
        modules.push({ name: names.join('.'), cwd: parts.join('/') || '.', main: last === '__main__' })
      }
      // the packages themselves first; then their submodules, as many as a sandbox run can afford
      const loaded = [...modules.filter((m) => !m.name.includes('.')), ...modules.filter((m) => m.name.includes('.')).slice(0, MAX_SUBMODULE_IMPORTS)]
      for (const m of loaded) {
        // through the exerciser, which stands in for a dependency the sandbox lacks rather than stop at its import
        const argv = ['python3', `${DRIVER_DIR}/exercise.py`, m.main ? '--main' : '--load', m.name]
        steps.push({ label: m.main ? `python -m ${m.name}` : `import ${m.name}`, phase: 'load', argv, cwd: m.cwd })
      }
      // then what they export, called as a user's program would, from each folder they were imported from
      for (const cwd of new Set(loaded.map((m) => m.cwd))) {
        const names = loaded.filter((m) => m.cwd === cwd && !m.main).map((m) => m.name)
        if (names.length === 0) continue
        steps.push({ label: `call ${names.filter((n) => !n.includes('.')).join(', ') || names[0]}`, phase: 'call', argv: ['python3', `${DRIVER_DIR}/exercise.py`, ...names], cwd })
      }
      break
    }
    case 'rubygems':
      for (const hook of hooks) {
        if (hook.phase !== 'extension' || !hook.file) continue
        const file = hook.file.split('/').pop()!
        steps.push({ label: `extension ${hook.file}`, phase: 'install', argv: /Rakefile$/i.test(file) ? ['rake'] : ['ruby', file], cwd: dirOf(hook.file) })
      }
      for (const entry of entries) {
        const [lib, ...rest] = entry.split('/')
        if (!lib || rest.length === 0) continue
        steps.push({ label: `require ${entry}`, phase: 'load', argv: ['ruby', '-I', lib, '-e', `require ${JSON.stringify(rest.join('/').replace(/\.rb$/, ''))}`], cwd: '.' })
      }
      break
  }
  return steps
}
