// Data flows of the Python analyzer: what each expression carries (taint) per function scope, through the file's own functions and class fields, into sinks.
import type { Node } from 'web-tree-sitter'
import type { FlowSink, FlowSource, FunctionFlows } from '../facts.ts'
import { KEY_PARAMETER, PYTHON_APIS, SECRET_NAME, capabilityOf } from './api-catalog.ts'
import { namesCredentialStore, printsDownload, type FactSink } from './source-file.ts'
import type { PyNames } from './python-names.ts'
import { commandText, joinDecodes, unparenthesized } from './python-syntax.ts'

export const ENV_DUMP_METHODS = new Set(['items', 'keys', 'values'])
const PY_TRANSFORMERS =
  /^(str|repr|chr|ord|bytes|bytearray|dict|list|tuple|set|enumerate|zip|reversed|sorted|iter|next|format|json\.dumps|json\.loads|base64\.\w*encode\w*|base64\.\w*decode\w*|urllib\.parse\.\w+|urllib\.urlencode|zlib\.\w+|binascii\.\w+|codecs\.\w+|marshal\.\w+)$/
const PY_DATA_METHODS = new Set([
  'encode', 'decode', 'format', 'join', 'replace', 'strip', 'lower', 'upper', 'split', 'read', 'readlines', 'json', 'hex',
  'items', 'keys', 'values', 'get', 'copy', 'getvalue', 'text', 'content', 'splitlines', 'rstrip', 'lstrip', 'append', 'extend', 'iter_content', 'iter_lines', 'readline',
])
/** The path of a file found by listing a folder: not data of its own until the file is opened. */
const FOUND_PATH: Taint = '@found-path'
/** Calls that list a folder's files (`os.walk(d)`, `glob.glob(p)`, `Path(d).rglob(p)`). */
const DIRECTORY_LISTINGS = /^(os\.(listdir|walk|scandir)|glob\.i?glob|pathlib\.Path(\(\))?\.(r?glob|iterdir))$|\.(rglob|iterdir)$/
/** Environment variables that name the machine or the user. */
const IDENTITY_VARIABLE = /^["'](COMPUTERNAME|USERNAME|USERDOMAIN|HOSTNAME|USER|LOGNAME)["']$/
const RECON_COMMAND = /\b(hostname|whoami|id|uname|ifconfig|ipconfig|systeminfo|pwd|printenv|net\s+user)\b|\bcat\s+\/etc\/(passwd|shadow|hosts)|^\s*(env|ls)\b/
/** Expressions that read a file's content rather than name it: the name they bind holds data, not a path. */
const CONTENT_READERS = /\b(open|read_text|read_bytes|read|load|loads)\s*\(/
/** What a web request carries (Flask's and Bottle's `request`, a Django view's `request.GET`): the remote side's data, like an
 * HTTP response, so a server that runs it is a backdoor. */
const REQUEST_DATA = /^(flask\.|bottle\.)?request\.(args|form|values|data|json|files|cookies|headers|query|forms|params|GET|POST|body|get_json|get_data)$/
/** Reading from a connection: what comes back is the remote side's, like an HTTP response. */
const HANDLE_RECEIVES = new Set(['recv', 'recvfrom', 'recv_into', 'read', 'readline', 'makefile', 'get', 'post', 'request', 'open'])

const TOP_SCOPE = { id: 0, params: new Set<string>() }
const SCOPES = new Set(['function_definition', 'lambda'])
const FUNCTIONS = new Set(['function_definition'])

/**
 * The nearest ancestor of `node` of one of `types`, or null. Every node passed on the way up is remembered in `known`
 * (they share the answer), so walking a file asks each node for its parent about once.
 */
function nearest(node: Node, types: ReadonlySet<string>, known: Map<number, Node | null>): Node | null {
  const asked = known.get(node.id)
  if (asked !== undefined) return asked
  const passed: number[] = []
  let found: Node | null = null
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (types.has(p.type)) {
      found = p
      break
    }
    const answer = known.get(p.id)
    if (answer !== undefined) {
      found = answer
      break
    }
    passed.push(p.id)
  }
  known.set(node.id, found)
  for (const id of passed) known.set(id, found)
  return found
}

/** A taint is a flow source, or `@fn:index`: the index-th parameter of the file's function `fn`, resolved at its call sites. */
export type Taint = FlowSource | `@${string}`

/** The function a node sits in, by name. */
export function enclosingFunctionName(node: Node): string | undefined {
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p.childForFieldName('name')?.text
  }
  return undefined
}

function paramsOf(def: Node): string[] {
  return (def.childForFieldName('parameters')?.namedChildren ?? []).map((param) =>
    param?.type === 'identifier' ? param.text : (param?.childForFieldName('name')?.text ?? param?.namedChildren[0]?.text ?? ''),
  )
}

/** What the walker knows that flows read: string constants by name, and names holding connections. */
export interface FlowContext {
  readonly values: ReadonlyMap<string, string>
  readonly handles: ReadonlySet<string>
}

/**
 * The flows of one file. The walker reports bindings, returns and calls as it meets them; `taint`
 * says what an expression carries; sinks reached by real data become flows at once, sinks reached by
 * a parameter become the function's summary, turned into flows at its call sites by `resolveCallSites`.
 */
/** Decoding spelled as a method: `'…'.decode('base64')`, `.fromhex(…)`, a cipher's `.decrypt(…)` (Fernet, AES, XOR helpers). */
export function decodesByMethod(method: string | undefined, args: Node | null | undefined): boolean {
  return (method === 'decode' && !!args && /base64|hex|rot.?13|zlib/i.test(args.text)) || method === 'fromhex' || method === 'decrypt'
}

export class PyFlows {
  /** Taint per `scope:name`; scope 0 is the module, others the start index of the defining function. */
  private readonly taints = new Map<string, Set<Taint>>()
  /** Each function's or lambda's scope, by the node that defines it. */
  private readonly scopes = new Map<number, { id: number; params: Set<string> }>()
  /** The nearest enclosing function or lambda, and the nearest function definition, of nodes already asked (see `nearest`). */
  private readonly scopeDefs = new Map<number, Node | null>()
  private readonly functionDefs = new Map<number, Node | null>()
  /** What each function of the file returns (decode helpers, fetch helpers), and which of its parameters it returns transformed. */
  private readonly returns = new Map<string, Set<FlowSource>>()
  private readonly passes = new Map<string, Set<number>>()
  /** Per function: `index>sink` for each parameter that reaches a sink inside it. */
  private readonly summaries = new Map<string, Set<string>>()
  /** Calls to functions of this file, with what each argument carries; resolved after the walk. */
  private readonly callSites: { fn: string; args: Set<Taint>[]; offsets: number[]; texts: (string | undefined)[] }[] = []
  /** Parameter names of the file's functions, so keyword arguments at call sites find their parameter. */
  private readonly paramNames = new Map<string, string[]>()
  /** Classes this file defines, and names holding instances of them: their methods are the file's functions. */
  private readonly classes = new Set<string>()
  private readonly instances = new Set<string>()
  /** What the fields of the file's classes hold (`Class.field`), assigned through `self` in any method. */
  private readonly fields = new Map<string, Set<FlowSource>>()
  /** Names given the path of a credential store (file-wide, as string constants are): what opening them reads is a secret. */
  private readonly sensitivePaths = new Set<string>()
  /** Functions defined at the module's top level: what other modules can import. */
  private readonly moduleFunctions = new Set<string>()

  /** `imported`: what functions of the package's other modules do with data, by the dotted name calls here resolve to (`.util.collect`, `pkg.net.send`). */
  constructor(
    private readonly sink: FactSink,
    private readonly names: PyNames,
    private readonly context: FlowContext,
    private readonly imported: ReadonlyMap<string, FunctionFlows> = new Map(),
  ) {}

  private offset(node: Node): number {
    return this.sink.offsetOf(node.startPosition.row, node.startPosition.column)
  }

  /** The function a node belongs to (Python's local scope), and that function's parameter names. */
  scopeOf(node: Node): { id: number; params: Set<string> } {
    const def = nearest(node, SCOPES, this.scopeDefs)
    if (!def) return TOP_SCOPE
    let scope = this.scopes.get(def.id)
    if (!scope) {
      const params = new Set<string>()
      for (const param of def.childForFieldName('parameters')?.namedChildren ?? []) {
        const name = param?.type === 'identifier' ? param.text : param?.childForFieldName('name')?.text ?? param?.namedChildren[0]?.text
        if (name) params.add(name)
      }
      scope = { id: def.startIndex + 1, params }
      this.scopes.set(def.id, scope)
    }
    return scope
  }

  /** A top-level function (or method) of the file: its parameters, by name, for keyword arguments. */
  defineFunction(name: string, def: Node): void {
    if (!this.paramNames.has(name)) this.paramNames.set(name, paramsOf(def))
    const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent
    if (parent?.type === 'module') this.moduleFunctions.add(name)
  }

  defineClass(name: string): void {
    this.classes.add(name)
  }

  /** `target = right`: a name holding an instance of one of the file's classes. */
  noteInstance(target: string, right: Node): void {
    if (right.type === 'call' && this.classes.has(right.childForFieldName('function')?.text ?? '')) this.instances.add(target)
  }

  /** What a function (or a lambda bound to a name) returns. */
  addReturns(fn: string, taint: ReadonlySet<Taint>): void {
    if (taint.size === 0) return
    const set = this.returns.get(fn) ?? new Set<FlowSource>()
    for (const t of taint) {
      if (!t.startsWith('@')) set.add(t as FlowSource)
      // `def unpack(text): return b16decode(text)`: what the caller passes comes back out
      else if (t.startsWith(`@${fn}:`)) {
        const passes = this.passes.get(fn) ?? new Set<number>()
        passes.add(Number(t.slice(fn.length + 2)))
        this.passes.set(fn, passes)
      }
    }
    this.returns.set(fn, set)
  }

  private getTaint(at: Node, name: string): Set<Taint> | undefined {
    const scope = this.scopeOf(at)
    const local = this.taints.get(`${scope.id}:${name}`)
    if (local || scope.id === 0 || scope.params.has(name)) return local
    return this.taints.get(`0:${name}`)
  }

  /** Names bound at `at` (loop variables, `with … as x`) now carry `taint`. */
  bind(at: Node, names: readonly string[], taint: Set<Taint>): void {
    if (taint.size === 0) return
    for (const name of names) this.taints.set(`${this.scopeOf(at).id}:${name}`, taint)
  }

  /** `left = right` (or `left += right`) with the names `left` binds. */
  assign(node: Node, left: Node, right: Node, bound: readonly string[]): void {
    if (namesCredentialStore(right.text) && !CONTENT_READERS.test(right.text)) for (const target of bound) this.sensitivePaths.add(target)
    const taint = this.taint(right)
    if (taint.size === 0) return
    // self.reply = fetch(…) in one method, exec(self.reply) in another: the class's field holds the data
    const field = this.selfField(left)
    if (field) this.fields.set(field, new Set([...(this.fields.get(field) ?? []), ...([...taint].filter((t) => !t.startsWith('@')) as FlowSource[])]))
    // environ_copy[k] = v, data.x = y: the container now holds the data
    if (left.type === 'subscript' || left.type === 'attribute') {
      let base: Node | null = left
      while (base && (base.type === 'subscript' || base.type === 'attribute')) base = base.childForFieldName(base.type === 'subscript' ? 'value' : 'object')
      if (base?.type === 'identifier') this.fill(node, base.text, taint)
    }
    for (const target of bound) {
      const existing = node.type === 'augmented_assignment' ? (this.getTaint(node, target) ?? new Set<Taint>()) : new Set<Taint>()
      for (const t of taint) existing.add(t)
      this.taints.set(`${this.scopeOf(node).id}:${target}`, existing)
    }
  }

  /**
   * The container `name` now holds data carrying `taint` (`box[k] = v`, `box.append(v)`): its set itself grows, so a
   * module-level container filled inside a function carries the data everywhere.
   */
  fill(at: Node, name: string, taint: ReadonlySet<Taint>): void {
    if (taint.size === 0) return
    const existing = this.getTaint(at, name) ?? new Set<Taint>()
    for (const t of taint) existing.add(t)
    this.taints.set(`${this.scopeOf(at).id}:${name}`, existing)
  }

  /**
   * Whether a call reads a credential store: its text names one (`open(os.path.expanduser('~/.ssh/id_rsa'))`),
   * or an argument or its receiver is a name that was given such a path (`path = os.path.join(home, '.aws/credentials')`).
   */
  readsSensitive(call: Node): boolean {
    if (namesCredentialStore(call.text)) return true
    const fn = call.childForFieldName('function')
    const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined
    const given = [receiver, ...(call.childForFieldName('arguments')?.namedChildren ?? [])]
    return given.some((n) => n?.type === 'identifier' && this.sensitivePaths.has(n.text))
  }

  /** Position of `name` among the parameters of the function `node` sits in, with that function's name. */
  private paramOf(node: Node, name: string): { fn: string; index: number } | undefined {
    const def = nearest(node, FUNCTIONS, this.functionDefs)
    const fn = def?.childForFieldName('name')?.text
    const index = def ? paramsOf(def).indexOf(name) : -1
    return fn && index >= 0 ? { fn, index } : undefined
  }

  /** `self.reply` inside a method of class `C`: `C.reply`. */
  private selfField(node: Node | null): string | undefined {
    if (node?.type !== 'attribute' || node.childForFieldName('object')?.text !== 'self') return undefined
    for (let p: Node | null = node.parent; p; p = p.parent) {
      if (p.type === 'class_definition') return `${p.childForFieldName('name')?.text ?? ''}.${node.childForFieldName('attribute')?.text ?? ''}`
    }
    return undefined
  }

  /** `client.fetch(…)` on an instance of a class of this file, or `self.fetch(…)`: the method's name. */
  private instanceMethod(fnNode: Node | null | undefined): string | undefined {
    if (fnNode?.type !== 'attribute') return undefined
    const object = fnNode.childForFieldName('object')
    if (object?.type !== 'identifier' || (object.text !== 'self' && !this.instances.has(object.text))) return undefined
    return fnNode.childForFieldName('attribute')?.text
  }

  /** A parameter (`@fn:index`) reaches a sink, or names the path a function writes (`write-path`): noted in the function's summary. */
  summarize(param: Taint, sink: FlowSink | 'write-path'): void {
    if (!param.startsWith('@') || param === FOUND_PATH) return
    const [fn, index] = param.slice(1).split(':') as [string, string]
    const set = this.summaries.get(fn) ?? new Set<string>()
    set.add(`${index}>${sink}`)
    this.summaries.set(fn, set)
  }

  /** Data reaches a sink: a flow, or for a parameter the function's summary. */
  reach(source: Taint, sink: FlowSink, api: string, offset: number): void {
    if (source.startsWith('@')) this.summarize(source, sink)
    else this.sink.flow(source as FlowSource, sink, api, offset)
  }

  /** A call to a function of this file, or a method called on an instance of one of its classes (`self` comes first): remembered with what its arguments carry. */
  localCall(fnNode: Node | null, args: Node | null): void {
    const ownMethod = this.instanceMethod(fnNode)
    const local = fnNode?.type === 'identifier' && !this.names.isAlias(fnNode.text) ? fnNode.text : ownMethod
    if (!local) return
    const given = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
    // positional arguments by position, keyword arguments by the parameter they name
    const byIndex: (Node | undefined)[] = [...(ownMethod ? [undefined] : []), ...given.filter((a) => a.type !== 'keyword_argument')]
    const params = this.paramNames.get(local) ?? []
    for (const kw of given.filter((a) => a.type === 'keyword_argument')) {
      const index = params.indexOf(kw.childForFieldName('name')?.text ?? '')
      const value = kw.childForFieldName('value')
      if (index >= 0 && value) byIndex[index] = value
    }
    if (byIndex.length === 0) return
    this.callSites.push({
      fn: local,
      args: Array.from(byIndex, (a) => (a ? this.taint(a) : new Set<Taint>())),
      offsets: Array.from(byIndex, (a) => (a ? this.offset(a) : 0)),
      texts: Array.from(byIndex, (a) => a?.text),
    })
  }

  /**
   * A call to a function another module of the package defines (`name` as resolved through the
   * imports): its arguments reach the sinks that function hands its parameters to.
   */
  outsideCall(name: string, args: Node | null): void {
    const sinks = this.imported.get(name)?.sinks
    if (!sinks) return
    const positional = (args?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'keyword_argument')
    for (const { index, sink } of sinks) {
      const arg = positional[index]
      if (!arg) continue
      for (const source of this.taint(arg)) {
        if (source === 'network-response' && sink === 'network') continue
        this.reach(source, sink, `${name}() → ${sink}`, this.offset(arg))
      }
    }
  }

  /** The module-level functions whose data other modules may use: real sources they return, parameters they hand to sinks. */
  exported(): Record<string, FunctionFlows> {
    const out: Record<string, FunctionFlows> = {}
    for (const fn of this.moduleFunctions) {
      const returns = [...(this.returns.get(fn) ?? [])]
      const sinks = [...(this.summaries.get(fn) ?? [])]
        .map((r) => r.split('>') as [string, string])
        .filter(([, sink]) => sink !== 'write-path')
        .map(([index, sink]) => ({ index: Number(index), sink: sink as FlowSink }))
      if (returns.length > 0 || sinks.length > 0) out[fn] = { ...(returns.length > 0 ? { returns } : {}), ...(sinks.length > 0 ? { sinks } : {}) }
    }
    return out
  }

  /** Arguments that reach a sink inside a function of this file become flows at the call. */
  resolveCallSites(): void {
    // `write_file(path, data)` then `run_file(path)`: what the first wrote to a path reaches the process the second starts on it
    const writtenTo = new Map<string, { sources: Set<Taint>; fn: string }>()
    for (const site of this.callSites) {
      const reaches = [...(this.summaries.get(site.fn) ?? [])].map((r) => r.split('>') as [string, string])
      for (const [index, sink] of reaches) {
        if (sink === 'write-path') {
          const path = site.texts[Number(index)]
          const data = new Set(reaches.filter(([, s]) => s === 'fs-write').flatMap(([i]) => [...(site.args[Number(i)] ?? [])]))
          if (path && data.size > 0) writtenTo.set(path, { sources: data, fn: site.fn })
          continue
        }
        for (const source of site.args[Number(index)] ?? []) {
          if (source.startsWith('@') || (source === 'network-response' && sink === 'network')) continue
          this.sink.flow(source as FlowSource, sink as FlowSink, `${site.fn}() → ${sink}`, site.offsets[Number(index)] ?? 0)
        }
      }
    }
    for (const site of this.callSites) {
      for (const reach of this.summaries.get(site.fn) ?? []) {
        const [index, sink] = reach.split('>') as [string, string]
        const written = sink === 'process' || sink === 'dynamic-code' ? writtenTo.get(site.texts[Number(index)] ?? '') : undefined
        for (const source of written?.sources ?? []) {
          if (!source.startsWith('@')) this.sink.flow(source as FlowSource, sink as FlowSink, `${site.fn}() runs what ${written!.fn}() wrote`, site.offsets[Number(index)] ?? 0)
        }
      }
    }
  }

  /** What an expression carries: flow sources, and the parameters of the enclosing function it passes on. */
  taint(node: Node | null | undefined, depth = 0): Set<Taint> {
    const out = new Set<Taint>()
    if (!node || depth > 12) return out
    switch (node.type) {
      case 'identifier': {
        for (const t of this.getTaint(node, node.text) ?? []) out.add(t)
        const param = this.paramOf(node, node.text)
        if (param) out.add(`@${param.fn}:${param.index}`)
        if (param && KEY_PARAMETER.test(node.text)) out.add('key-argument')
        return out
      }
      case 'attribute': {
        const resolved = this.names.resolve(node)
        if (resolved === 'os.environ') out.add('env')
        if (resolved !== undefined && REQUEST_DATA.test(resolved)) out.add('network-response')
        const field = this.selfField(node)
        if (field) for (const t of this.fields.get(field) ?? []) out.add(t)
        for (const t of this.taint(node.childForFieldName('object'), depth + 1)) out.add(t)
        return out
      }
      case 'subscript': {
        const value = node.childForFieldName('value')
        if (value && this.names.resolve(value) === 'os.environ') {
          // one variable, not the environment: only secret-looking names count
          if (SECRET_NAME.test(node.childForFieldName('subscript')?.text ?? '')) out.add('env-secret')
          // the machine's or the user's name read from the environment is a host fingerprint
          if (IDENTITY_VARIABLE.test(node.childForFieldName('subscript')?.text ?? '')) out.add('system-info')
          return out
        }
        for (const t of this.taint(value, depth + 1)) out.add(t)
        return out
      }
      case 'call': {
        const fnNode = node.childForFieldName('function')
        const name = this.names.resolve(fnNode)
        const cap = name ? capabilityOf(PYTHON_APIS, name) : undefined
        const args = node.childForFieldName('arguments')
        // a function of this file returns what its return statements carry
        const callee = unparenthesized(fnNode)
        const local = callee?.type === 'identifier' ? callee.text : this.instanceMethod(callee)
        for (const t of (name ? this.imported.get(name)?.returns : undefined) ?? []) out.add(t)
        if (local) {
          for (const t of this.returns.get(local) ?? []) out.add(t)
          const positional = (args?.namedChildren ?? []).filter((a) => a !== null && a.type !== 'keyword_argument')
          const shift = callee?.type === 'identifier' ? 0 : 1
          for (const index of this.passes.get(local) ?? []) for (const t of this.taint(positional[index - shift], depth + 1)) out.add(t)
        }
        if (cap === 'decode') out.add('decode')
        // chr(ord(c) - k) over a string is a character-shift decoder
        if (name === 'chr' && /\bord\s*\(/.test(args?.text ?? '')) out.add('decode')
        // ''.join(table[alphabet.index(c)] for c in '<cipher text>'): a substitution-cipher decoder
        // ''.join(chr(c) for c in [101, 120, 101, 99]), ''.join(map(chr, …)): text spelt in character codes
        if (fnNode?.type === 'attribute' && fnNode.childForFieldName('attribute')?.text === 'join' && joinDecodes(args)) out.add('decode')
        if (cap === 'process') {
          const command = commandText(args?.namedChildren[0], this.context.values) ?? ''
          // the output of hostname/whoami/cat /etc/passwd is a host fingerprint; the output of `curl <url>` is the download
          if (RECON_COMMAND.test(command)) out.add('system-info')
          if (printsDownload(command)) out.add('network-response')
        }
        const method = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined
        if (decodesByMethod(method, args)) out.add('decode')
        if (cap === 'system-info' && name !== 'os.path.expanduser') out.add('system-info')
        if (cap === 'network' || (name !== undefined && REQUEST_DATA.test(name))) out.add('network-response')
        if (fnNode?.type === 'attribute') {
          const handle = fnNode.childForFieldName('object')
          // `opener.open(url)`, `build_opener().open(url)`: a connection's methods return what the other side sent
          const connection =
            handle?.type === 'identifier' ? this.context.handles.has(handle.text) : handle?.type === 'call' && capabilityOf(PYTHON_APIS, this.names.resolve(handle.childForFieldName('function')) ?? '') === 'network'
          if (connection && HANDLE_RECEIVES.has(fnNode.childForFieldName('attribute')?.text ?? '')) out.add('network-response')
        }
        if ((name === 'os.getenv' || name === 'os.environ.get') && SECRET_NAME.test(args?.text ?? '')) out.add('env-secret')
        if ((name === 'os.getenv' || name === 'os.environ.get') && IDENTITY_VARIABLE.test(args?.namedChildren[0]?.text ?? '')) out.add('system-info')
        const opens = name === 'open' || name === 'io.open' || name?.endsWith('read_text') || name?.endsWith('read_bytes')
        if (opens && this.readsSensitive(node)) out.add('sensitive-file')
        // a file found by listing a folder: its path (carried through joins), and what opening it reads
        if (name !== undefined && DIRECTORY_LISTINGS.test(name)) out.add(FOUND_PATH)
        if ((opens || name === 'os.path.join') && (args?.namedChildren ?? []).some((a) => a && this.taint(a, depth + 1).has(FOUND_PATH))) out.add(opens ? 'found-file' : FOUND_PATH)
        // Data passes through transformations (str, json.dumps, encode, join…, decoders and ciphers), not through arbitrary calls.
        const transforms = (name !== undefined && PY_TRANSFORMERS.test(name)) || (method !== undefined && PY_DATA_METHODS.has(method)) || cap === 'decode' || decodesByMethod(method, args)
        const receiver = fnNode?.type === 'attribute' ? fnNode.childForFieldName('object') : null
        if (receiver && this.names.resolve(receiver) === 'os.environ') {
          // os.environ.items() is the environment; os.environ.get('X') is one variable
          if (method !== undefined && ENV_DUMP_METHODS.has(method)) out.add('env')
        } else if (method !== undefined && PY_DATA_METHODS.has(method)) {
          for (const t of this.taint(receiver, depth + 1)) out.add(t)
        }
        if (transforms) {
          for (const arg of args?.namedChildren ?? []) {
            if (arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'env') continue
            for (const t of this.taint(arg, depth + 1)) out.add(t)
          }
        }
        return out
      }
      case 'lambda':
      case 'function_definition':
        return out
      default:
        for (const child of node.namedChildren) if (child) for (const t of this.taint(child, depth + 1)) out.add(t)
        return out
    }
  }
}
