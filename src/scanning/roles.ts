// When each file runs: follows install hooks and import entries through the package's own local imports.
import { dirname, posix } from 'node:path'
import { type FileFacts, type FunctionFlows, type Role, reachFrom } from './facts.ts'
import { resolveRubyRequire } from './languages/ruby.ts'

const JS_EXTENSIONS = ['', '.js', '.cjs', '.mjs', '.ts', '.json', '/index.js', '/index.cjs', '/index.mjs']

/**
 * Walks from each start file through the package's own local imports, marking every file reached
 * with the start's role (install beats import beats runtime). `factsOf` analyses a file on demand,
 * so the walk decides which files are analysed first.
 */
export function assignRoles(
  paths: readonly string[],
  factsOf: (path: string, role: Role) => FileFacts | undefined,
  starts: { readonly role: Role; readonly paths: readonly string[] }[],
): Map<string, Role> {
  const roles = new Map<string, Role>()
  const known = new Set(paths)
  const pythonModules = indexPythonModules(paths)
  for (const { role, paths: startPaths } of starts) {
    const queue = [...startPaths]
    while (queue.length > 0) {
      const path = queue.shift()!
      const current = roles.get(path)
      if (current === 'install' || current === role) continue
      roles.set(path, role)
      const facts = factsOf(path, role)
      if (!facts) continue
      for (const spec of facts.localImports) {
        const target =
          facts.language === 'python' ? resolvePython(spec, path, pythonModules) : facts.language === 'ruby' ? resolveRubyRequire(spec, path, known) : resolveJs(spec, path, known)
        if (target && target !== path) queue.push(target)
      }
    }
  }
  return roles
}

/**
 * Widens each file's reach by the calls that code which runs makes into it: `from .util import run;
 * run()` in an `__init__.py` (or `require('./util').run()` in a main entry) makes `run` (and what it
 * calls) import-time code of the util module, not code that waits for a user. `entries` are functions run from outside (a command's `pkg.cli:main`).
 * Replaces the facts of the files it widens.
 */
export function reachAcrossFiles(files: Map<string, FileFacts>, roles: ReadonlyMap<string, Role>, entries: readonly { path: string; fn: string }[] = []): void {
  const memberOf = memberResolver(files)
  const queue = [...files.keys()].filter((p) => roles.get(p) === 'install' || roles.get(p) === 'import')
  const widen = (path: string, name: string) => {
    const callee = files.get(path)
    if (!callee?.reachable || !callee.references || callee.reachable.includes(name)) return
    files.set(path, { ...callee, reachable: reachFrom(callee.references, [...callee.reachable, name]) })
    queue.push(path)
  }
  for (const entry of entries) widen(entry.path, entry.fn)
  while (queue.length > 0) {
    const path = queue.pop()!
    const facts = files.get(path)!
    if (!facts.outsideCalls || !facts.reachable) continue
    const reached = new Set(facts.reachable)
    for (const [caller, calls] of Object.entries(facts.outsideCalls)) {
      if (caller !== '' && !reached.has(caller)) continue
      for (const dotted of calls) {
        const target = memberOf(facts, dotted)
        if (target) widen(target.file, target.name)
      }
    }
  }
}

/** Rounds of `flowsAcrossFiles`: each carries what a function does one module further (collect → encode → send). */
const FLOW_ROUNDS = 3

/**
 * Flows across the package's modules (Python and JavaScript): a file that calls a function another
 * module defines (`from .collect import grab; requests.post(url, data=grab())`,
 * `require('./net').send(process.env)`) is analysed again knowing what that function returns and
 * which of its parameters reach a sink, until nothing new is learnt. Replaces the facts of the files
 * it analyses again.
 */
export function flowsAcrossFiles(files: Map<string, FileFacts>, reanalyze: (path: string, imported: ReadonlyMap<string, FunctionFlows>) => FileFacts | undefined): void {
  const memberOf = memberResolver(files)
  const analysedWith = new Map<string, string>()
  for (let round = 0; round < FLOW_ROUNDS; round++) {
    let changed = false
    for (const [path, facts] of files) {
      if (!facts.outsideCalls) continue
      const imported = new Map<string, FunctionFlows>()
      for (const dotted of new Set(Object.values(facts.outsideCalls).flat())) {
        const target = memberOf(facts, dotted)
        const flows = target ? files.get(target.file)?.functionFlows?.[target.name] : undefined
        if (flows) imported.set(dotted, flows)
      }
      if (imported.size === 0) continue
      const key = JSON.stringify([...imported].sort(([a], [b]) => a.localeCompare(b)))
      if (analysedWith.get(path) === key) continue
      analysedWith.set(path, key)
      const again = reanalyze(path, imported)
      if (!again) continue
      files.set(path, again)
      changed = true
    }
    if (!changed) break
  }
}

/** For a file's call into another module (`outsideCalls`): the package's file and the member it lands on, if the package has them. */
function memberResolver(files: ReadonlyMap<string, FileFacts>): (caller: FileFacts, dotted: string) => { file: string; name: string } | undefined {
  const modules = indexPythonModules([...files.keys()])
  const known = new Set(files.keys())
  return (caller, dotted) => {
    const target =
      caller.language === 'python' ? resolvePythonMember(dotted, caller.path, modules) : caller.language === 'javascript' ? resolveJsMember(dotted, caller.path, known) : undefined
    return target && target.file !== caller.path ? target : undefined
  }
}

/** The module file and member a dotted call names (`.util.run`, `pkg.util.Runner`), when the package has that module. */
function resolvePythonMember(dotted: string, from: string, modules: ReadonlyMap<string, string>): { file: string; name: string } | undefined {
  const dots = /^\.*/.exec(dotted)![0]
  const parts = dotted.slice(dots.length).split('.')
  for (let n = parts.length - 1; n >= (dots ? 0 : 1); n--) {
    const module = dots + parts.slice(0, n).join('.')
    const file = dots ? resolvePython(module, from, modules) : modules.get(module)
    if (file) return { file, name: parts[n]! }
  }
  return undefined
}

/** The module file and member a call through a local require or import names (`./lib/util.start`, `./util.js.start`). */
function resolveJsMember(dotted: string, from: string, files: ReadonlySet<string>): { file: string; name: string } | undefined {
  for (let dot = dotted.lastIndexOf('.'); dot > 1; dot = dotted.lastIndexOf('.', dot - 1)) {
    const file = resolveJs(dotted.slice(0, dot), from, files)
    if (file) return { file, name: dotted.slice(dot + 1).split('.')[0]! }
  }
  return undefined
}

function resolveJs(spec: string, from: string, files: ReadonlySet<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined
  const base = posix.normalize(posix.join(dirname(from), spec))
  for (const ext of JS_EXTENSIONS) if (files.has(base + ext)) return base + ext
  return undefined
}

/** Module name → file, for every plausible package root (the archive root, src/, and nested roots). */
function indexPythonModules(paths: readonly string[]): Map<string, string> {
  const index = new Map<string, string>()
  for (const path of paths) {
    if (!path.endsWith('.py')) continue
    const parts = path.slice(0, -3).split('/')
    if (parts[parts.length - 1] === '__init__') parts.pop()
    for (let start = 0; start < parts.length; start++) {
      const name = parts.slice(start).join('.')
      if (name && !index.has(name)) index.set(name, path)
    }
  }
  return index
}

function resolvePython(spec: string, from: string, modules: ReadonlyMap<string, string>): string | undefined {
  if (spec.startsWith('.')) {
    const dots = /^\.+/.exec(spec)![0].length
    let dir = dirname(from).split('/')
    dir = dir.slice(0, Math.max(0, dir.length - (dots - 1)))
    const rest = spec.slice(dots)
    const joined = [...dir.filter((d) => d !== '.' && d !== ''), ...(rest ? rest.split('.') : [])].join('.')
    return modules.get(joined)
  }
  // `import pkg.sub` loads pkg/__init__.py and pkg/sub.py; the deepest local match is what runs last.
  const parts = spec.split('.')
  for (let n = parts.length; n > 0; n--) {
    const hit = modules.get(parts.slice(0, n).join('.'))
    if (hit) return hit
  }
  return undefined
}

/** Files an install hook command runs (`node x.js`, `python y.py`, `sh z.sh`…). */
export function filesRunBy(command: string, exists: (path: string) => boolean, mainEntries: readonly string[] = []): string[] {
  const found: string[] = []
  // `node .` runs the package's main entry
  if (/(^|[\s;&|])node\s+\.\/?(\s|$)/.test(command)) found.push(...mainEntries)
  const re = /(?:^|[\s;&|(])(?:node|nodejs|python3?|py|sh|bash|ruby|tsx|ts-node|perl)\s+(?:-[\w-]+\s+)*["']?([^\s"';&|)]+)/g
  for (const match of command.matchAll(re)) {
    const path = posix.normalize(match[1]!.replace(/^\.\//, ''))
    for (const candidate of [path, `${path}.js`, `${path}/index.js`]) {
      if (exists(candidate)) {
        found.push(candidate)
        break
      }
    }
  }
  // A bare `./script.sh` runs the script too.
  for (const match of command.matchAll(/(?:^|[\s;&|])\.\/([^\s;&|]+)/g)) if (exists(match[1]!)) found.push(match[1]!)
  return found
}
