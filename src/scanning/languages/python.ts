// Python analyzer on tree-sitter (web-tree-sitter + tree-sitter-python): imports, calls → capabilities, simple flows.
import type { Node, Parser } from 'web-tree-sitter'
import type { FileFacts, FlowSink, FlowSource } from '../facts.ts'
import { PYTHON_APIS, SECRET_NAME, capabilityOf } from './api-catalog.ts'
import { loadParser } from './tree-sitter.ts'
import { FactSink, offscreenCode, overBudget, scanText } from './source-file.ts'
import { CLONES, Drops, TEMP_FILES, type WrittenPath } from './python-drops.ts'
import { PyNames } from './python-names.ts'
import { commandText, foldString, interpolatedValue, interpreterSource, isSensitive, joinDecodes, openMode, pickedFromTable, stringValue, targets, unparenthesized } from './python-syntax.ts'

const ENV_DUMP_METHODS = new Set(['items', 'keys', 'values'])
const PY_TRANSFORMERS =
  /^(str|repr|chr|ord|bytes|bytearray|dict|list|tuple|set|format|json\.dumps|json\.loads|base64\.\w*encode\w*|base64\.\w*decode\w*|urllib\.parse\.\w+|urllib\.urlencode|zlib\.\w+|binascii\.\w+|codecs\.\w+|marshal\.\w+)$/
const PY_DATA_METHODS = new Set([
  'encode', 'decode', 'format', 'join', 'replace', 'strip', 'lower', 'upper', 'split', 'read', 'readlines', 'json', 'hex',
  'items', 'keys', 'values', 'get', 'copy', 'getvalue', 'text', 'content', 'splitlines', 'rstrip', 'lstrip', 'append', 'extend', 'iter_content', 'iter_lines', 'readline',
])
/** Environment variables that name the machine or the user. */
const IDENTITY_VARIABLE = /^["'](COMPUTERNAME|USERNAME|USERDOMAIN|HOSTNAME|USER|LOGNAME)["']$/
const RECON_COMMAND = /\b(hostname|whoami|id|uname|ifconfig|ipconfig|systeminfo|pwd|printenv|net\s+user)\b|\bcat\s+\/etc\/(passwd|shadow|hosts)|^\s*(env|ls)\b/
/** Identifiers obfuscators generate from l, I and 1 (l1lI1_…), or from underscores only. */
const OBFUSCATED_NAME = /^(?=[lI1_]*[lI1][lI1_]*$)[lI1_]{5,}$|^[lI1]{3,}\w*_(cringe|obf)\w*_?$|^_{5,}$/
/** Methods of sockets, sessions and connections that send their arguments. */
const HANDLE_SENDS = new Set(['send', 'sendall', 'sendto', 'connect', 'request', 'post', 'put', 'get', 'patch', 'write', 'sendmail', 'send_message', 'storbinary', 'execute'])
/** Reading from a connection: what comes back is the remote side's, like an HTTP response. */
const HANDLE_RECEIVES = new Set(['recv', 'recvfrom', 'recv_into', 'read', 'readline', 'makefile', 'get', 'post', 'request', 'open'])
const SERIALISERS = /^(str|repr|dict|list|json\.dumps|json\.dump|pickle\.dumps|base64\.b64encode)$/

let parser: Parser | undefined

/** Loads the grammar once per process (WebAssembly, no native build). */
export async function initPython(): Promise<void> {
  parser ??= await loadParser('tree-sitter-python/tree-sitter-python.wasm')
}

export function analyzePython(path: string, rawSource: string): FileFacts {
  const { source, foldedAt } = interpreterSource(rawSource)
  const sink = new FactSink(path, 'python', source)
  if (foldedAt !== undefined) sink.indicator('obfuscation', 'identifiers spelled in mathematical alphanumerics, which Python reads as plain letters', foldedAt)
  if (!parser) throw new Error('initPython() must run before analyzePython()')
  const big = overBudget(sink, source, (collapsed) => analyzePython(path, collapsed))
  if (big) return big
  const tree = parser.parse(source)
  if (!tree) {
    scanText(sink)
    return sink.facts('parse error')
  }
  try {
    const walker = new PyWalker(sink)
    walker.run(tree.rootNode)
    if (walker.obfuscatedNames >= 10) sink.indicator('obfuscation', `${walker.obfuscatedNames} obfuscator-style identifiers (l1lI…)`, 0)
    if (walker.pickedStrings >= 3) sink.indicator('obfuscation', `${walker.pickedStrings} strings spelt by picking characters out of a table one index at a time`, walker.firstPicked ?? 0)
    const marker = /^__(obfuscator|pyarmor\w*|hyperion)__\s*=|pyarmor_runtime|__pyarmor__/m.exec(source)
    if (marker) sink.indicator('obfuscation', `obfuscator marker ${marker[0].slice(0, 40)}`, marker.index)
    const hidden = offscreenCode(source)
    if (hidden) sink.indicator('obfuscation', `code hidden ${hidden.columns} columns to the right of a statement`, hidden.offset)
    return sink.facts(tree.rootNode.hasError ? 'partial parse: syntax errors' : undefined, { trackReach: true })
  } finally {
    tree.delete()
  }
}

class PyWalker {
  private readonly names = new PyNames((node, name) => this.scopeOf(node).params.has(name))
  /** Taint per `scope:name`; scope 0 is the module, others the start index of the defining function. */
  private readonly taints = new Map<string, Set<FlowSource>>()
  private readonly scopes = new Map<number, { id: number; params: Set<string> }>()
  /** String constants by name: commands are often assembled in a variable before they run. */
  private readonly values = new Map<string, string>()
  /** Names holding sockets, sessions or connections: their send/request methods send data out. */
  private readonly handles = new Set<string>()
  /** What this file wrote to disk and cloned: when it later runs that path, what was written is what runs. */
  private readonly drops = new Drops()
  /** What each function of the file returns (decode helpers, fetch helpers), and which of its parameters it returns transformed. */
  private readonly returns = new Map<string, Set<FlowSource>>()
  private readonly passes = new Map<string, Set<number>>()
  /** Per function: `index>sink` for each parameter that reaches a sink inside it. */
  private readonly summaries = new Map<string, Set<string>>()
  /** Calls to functions of this file, with what each argument carries; resolved after the walk. */
  private readonly callSites: { fn: string; args: Set<string>[]; offsets: number[]; texts: (string | undefined)[] }[] = []

  constructor(private readonly sink: FactSink) {}

  private offset(node: Node): number {
    return this.sink.offsetOf(node.startPosition.row, node.startPosition.column)
  }

  /** The function a node belongs to (Python's local scope), and that function's parameter names. */
  private scopeOf(node: Node): { id: number; params: Set<string> } {
    const cached = this.scopes.get(node.id)
    if (cached) return cached
    let scope = { id: 0, params: new Set<string>() }
    for (let p: Node | null = node.parent; p; p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda') {
        const params = new Set<string>()
        for (const param of p.childForFieldName('parameters')?.namedChildren ?? []) {
          const name = param?.type === 'identifier' ? param.text : param?.childForFieldName('name')?.text ?? param?.namedChildren[0]?.text
          if (name) params.add(name)
        }
        scope = { id: p.startIndex + 1, params }
        break
      }
    }
    this.scopes.set(node.id, scope)
    return scope
  }

  private enclosingFunctionName(node: Node): string | undefined {
    for (let p: Node | null = node.parent; p; p = p.parent) {
      if (p.type === 'function_definition') return p.childForFieldName('name')?.text
    }
    return undefined
  }

  private addReturns(fn: string, taint: ReadonlySet<FlowSource>): void {
    if (taint.size === 0) return
    const set = this.returns.get(fn) ?? new Set<FlowSource>()
    for (const t of taint) {
      if (!t.startsWith('@')) set.add(t)
      // `def unpack(text): return b16decode(text)`: what the caller passes comes back out
      else if (t.startsWith(`@${fn}:`)) {
        const passes = this.passes.get(fn) ?? new Set<number>()
        passes.add(Number(t.slice(fn.length + 2)))
        this.passes.set(fn, passes)
      }
    }
    this.returns.set(fn, set)
  }

  private getTaint(at: Node, name: string): Set<FlowSource> | undefined {
    const scope = this.scopeOf(at)
    const local = this.taints.get(`${scope.id}:${name}`)
    if (local || scope.id === 0 || scope.params.has(name)) return local
    return this.taints.get(`0:${name}`)
  }

  private setTaint(at: Node, name: string, taint: Set<FlowSource>): void {
    this.taints.set(`${this.scopeOf(at).id}:${name}`, taint)
  }

  run(root: Node): void {
    // Iterative pre-order walk: obfuscated files nest deeply enough to exhaust recursion.
    // Each entry carries the top-level function (or Class.method) it sits in, and the module-level class.
    const stack: [Node, string | undefined, string | undefined][] = [[root, undefined, undefined]]
    while (stack.length > 0) {
      const [node, fn, cls] = stack.pop()!
      this.sink.fn = fn
      this.enter(node)
      let childFn = fn
      let childCls = cls
      if (node.type === 'function_definition' && fn === undefined) {
        const name = node.childForFieldName('name')?.text ?? ''
        if (name && !this.paramNames.has(name)) this.paramNames.set(name, PyWalker.paramsOf(node))
        childFn = cls ? `${cls}.${name}` : name
      } else if (node.type === 'class_definition' && fn === undefined && cls === undefined) {
        childCls = node.childForFieldName('name')?.text
      }
      const children = node.namedChildren
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i]
        // the name of a def is not a reference to it
        if (child && !(child.type === 'identifier' && (node.type === 'function_definition' || node.type === 'class_definition') && node.childForFieldName('name')?.id === child.id)) {
          stack.push([child, childFn, childCls])
        }
      }
    }
    this.sink.fn = undefined
    this.resolveCallSites()
  }

  /** Arguments that reach a sink inside a function of this file become flows at the call. */
  private resolveCallSites(): void {
    // `write_file(path, data)` then `run_file(path)`: what the first wrote to a path reaches the process the second starts on it
    const writtenTo = new Map<string, { sources: Set<string>; fn: string }>()
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

  /** `open(path, 'wb').write(data)`: a file written without naming its handle. */
  private writeInPlace(fnNode: Node | null, args: Node | null, node: Node): boolean {
    if (fnNode?.type !== 'attribute') return false
    const method = fnNode.childForFieldName('attribute')?.text
    const receiver = fnNode.childForFieldName('object')
    if ((method !== 'write' && method !== 'writelines') || receiver?.type !== 'call') return false
    if (!['open', 'io.open'].includes(this.names.resolve(receiver.childForFieldName('function')) ?? '')) return false
    if (!/[wa]/.test(openMode(receiver.childForFieldName('arguments')))) return false
    this.sink.capability('fs-write', `open(…).${method}`, this.offset(node))
    for (const arg of args?.namedChildren ?? []) if (arg) for (const source of this.taint(arg)) this.reach(source, 'fs-write', `open(…).${method}`, this.offset(arg))
    this.recordWrite(this.openedPath(receiver), args?.namedChildren[0] ?? undefined, this.offset(node))
    return true
  }

  /** Parameter names of the file's functions, so keyword arguments at call sites find their parameter. */
  private readonly paramNames = new Map<string, string[]>()

  private static paramsOf(def: Node): string[] {
    return (def.childForFieldName('parameters')?.namedChildren ?? []).map((param) =>
      param?.type === 'identifier' ? param.text : (param?.childForFieldName('name')?.text ?? param?.namedChildren[0]?.text ?? ''),
    )
  }

  /** Position of `name` among the parameters of the function `node` sits in, with that function's name. */
  private paramOf(node: Node, name: string): { fn: string; index: number } | undefined {
    for (let p: Node | null = node.parent; p; p = p.parent) {
      if (p.type !== 'function_definition') continue
      const fn = p.childForFieldName('name')?.text
      const index = PyWalker.paramsOf(p).indexOf(name)
      return fn && index >= 0 ? { fn, index } : undefined
    }
    return undefined
  }

  /** Records a sink reached by a parameter (as a summary) or by real data (as a flow). */
  /** A parameter (`@fn:index`) reaches a sink, or names the path a function writes (`write-path`): noted in the function's summary. */
  private summarize(param: string, sink: FlowSink | 'write-path'): void {
    const [fn, index] = param.slice(1).split(':') as [string, string]
    const set = this.summaries.get(fn) ?? new Set<string>()
    set.add(`${index}>${sink}`)
    this.summaries.set(fn, set)
  }

  private reach(source: string, sink: FlowSink, api: string, offset: number): void {
    if (source.startsWith('@')) {
      this.summarize(source, sink)
      return
    }
    this.sink.flow(source as FlowSource, sink, api, offset)
  }

  private enter(node: Node): void {
    switch (node.type) {
      case 'identifier':
        if (OBFUSCATED_NAME.test(node.text)) this.obfuscatedNames += 1
        this.sink.reference(node.text)
        break
      case 'import_statement':
      case 'import_from_statement':
        for (const module of this.names.importStatement(node)) this.sink.localImports.add(module)
        break
      case 'assignment':
      case 'augmented_assignment': {
        const left = node.childForFieldName('left')
        const right = node.childForFieldName('right')
        if (!left || !right) break
        const taint = this.taint(right)
        // self.reply = fetch(…) in one method, exec(self.reply) in another: the class's field holds the data
        const field = this.selfField(left)
        if (field && taint.size > 0) this.fields.set(field, new Set([...(this.fields.get(field) ?? []), ...[...taint].filter((t) => !t.startsWith('@'))]))
        // environ_copy[k] = v, data.x = y: the container now holds the data
        if (taint.size > 0 && (left.type === 'subscript' || left.type === 'attribute')) {
          let base: Node | null = left
          while (base && (base.type === 'subscript' || base.type === 'attribute')) base = base.childForFieldName(base.type === 'subscript' ? 'value' : 'object')
          if (base?.type === 'identifier') {
            const existing = this.getTaint(node, base.text) ?? new Set<FlowSource>()
            for (const t of taint) existing.add(t)
            this.setTaint(node, base.text, existing)
          }
        }
        for (const target of targets(left)) {
          this.names.bind(target)
          if (taint.size > 0) {
            const existing = node.type === 'augmented_assignment' ? (this.getTaint(node, target) ?? new Set<FlowSource>()) : new Set<FlowSource>()
            for (const t of taint) existing.add(t)
            this.setTaint(node, target, existing)
          }
          const resolved = this.names.resolve(right)
          if (resolved && (right.type === 'identifier' || right.type === 'attribute')) this.names.alias(target, resolved)
          const value = commandText(right, this.values)
          if (value !== undefined) this.values.set(target, node.type === 'augmented_assignment' ? (this.values.get(target) ?? '') + value : value)
          if (right.type === 'call' && capabilityOf(PYTHON_APIS, this.names.resolve(right.childForFieldName('function')) ?? '') === 'network') this.handles.add(target)
          if (right.type === 'call' && this.classes.has(right.childForFieldName('function')?.text ?? '')) this.instances.add(target)
          if (this.opensForWriting(right)) this.drops.opened(target, this.openedPath(right))
          // tempfile.NamedTemporaryFile(): a file written through the handle and run by its `.name`
          if (right.type === 'call' && TEMP_FILES.has(this.names.resolve(right.childForFieldName('function')) ?? '')) this.drops.opened(target, { expression: `${target}.name` })
          // `_ = lambda b: marshal.loads(zlib.decompress(b))`: calling `_` yields what the body yields
          if (right.type === 'lambda') this.addReturns(target, this.taint(right.childForFieldName('body')))
        }
        break
      }
      case 'for_in_clause':
        for (const target of targets(node.childForFieldName('left'))) this.names.bind(target)
        break
      case 'function_definition':
        this.names.bind(node.childForFieldName('name')?.text)
        break
      case 'for_statement': {
        for (const target of targets(node.childForFieldName('left'))) this.names.bind(target)
        const taint = this.taint(node.childForFieldName('right'))
        if (this.isEnvIteration(node.childForFieldName('right'))) taint.add('env')
        if (taint.size > 0) for (const target of targets(node.childForFieldName('left'))) this.setTaint(node, target, taint)
        break
      }
      case 'with_item': {
        const value = node.childForFieldName('value')
        if (value?.type === 'as_pattern') {
          const inner = value.namedChildren[0]
          const alias = value.childForFieldName('alias')
          const taint = this.taint(inner)
          if (alias) for (const target of targets(alias)) this.names.bind(target)
          if (alias && taint.size > 0) for (const target of targets(alias)) this.setTaint(node, target, taint)
          if (alias && this.opensForWriting(inner)) for (const target of targets(alias)) this.drops.opened(target, this.openedPath(inner))
          if (alias && inner?.type === 'call' && TEMP_FILES.has(this.names.resolve(inner.childForFieldName('function')) ?? '')) for (const target of targets(alias)) this.drops.opened(target, { expression: `${target}.name` })
        }
        break
      }
      case 'call':
        this.call(node)
        break
      case 'class_definition': {
        const name = node.childForFieldName('name')?.text
        if (name) this.classes.add(name)
        this.names.bind(name)
        break
      }
      case 'return_statement': {
        const fn = this.enclosingFunctionName(node)
        const value = node.namedChildren[0]
        if (fn && value) {
          this.addReturns(fn, this.taint(value))
        }
        break
      }
      case 'attribute':
        this.attribute(node)
        break
      case 'subscript': {
        const value = node.childForFieldName('value')
        if (value && this.names.resolve(value) === 'os.environ') {
          const key = node.childForFieldName('subscript')
          this.sink.capability('env-read', `os.environ[${key?.text ?? ''}]`, this.offset(node))
        }
        break
      }
      case 'string':
        if (node.parent?.type !== 'concatenated_string') this.sink.text(interpolatedValue(node, this.values), this.offset(node))
        break
      case 'concatenated_string':
        this.sink.text(node.namedChildren.map((c) => (c ? stringValue(c) : '')).join(''), this.offset(node))
        break
      case 'binary_operator': {
        const folded = foldString(node, this.values)
        if (folded !== undefined && folded.length >= 8 && node.parent?.type !== 'binary_operator') this.sink.text(folded, this.offset(node))
        if (node.parent?.type !== 'binary_operator' && pickedFromTable(node)) {
          this.pickedStrings += 1
          this.firstPicked ??= this.offset(node)
        }
        break
      }
    }
  }

  /** Classes this file defines, and names holding instances of them: their methods are the file's functions. */
  private readonly classes = new Set<string>()
  private readonly instances = new Set<string>()

  /** What the fields of the file's classes hold (`Class.field`), assigned through `self` in any method. */
  private readonly fields = new Map<string, Set<FlowSource>>()

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

  obfuscatedNames = 0
  /** Strings spelt by picking characters out of a table (`t[1]+t[8]+t[13]+t[0]…`), and where the first is. */
  pickedStrings = 0
  firstPicked: number | undefined

  private attribute(node: Node): void {
    if (this.names.resolve(node) !== 'os.environ') return
    const parent = node.parent
    if (!parent) return
    if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === node.id) {
      const method = parent.childForFieldName('attribute')?.text ?? ''
      if (ENV_DUMP_METHODS.has(method)) this.sink.capability('env-dump', `os.environ.${method}()`, this.offset(node))
      return
    }
    if (parent.type === 'argument_list') {
      const call = parent.parent
      const fn = call ? this.names.resolve(call.childForFieldName('function')) : undefined
      if (fn && SERIALISERS.test(fn)) this.sink.capability('env-dump', `${fn}(os.environ)`, this.offset(node))
    }
  }

  private isEnvIteration(node: Node | null): boolean {
    if (!node) return false
    if (this.names.resolve(node) === 'os.environ') return true
    if (node.type === 'call') {
      const fn = node.childForFieldName('function')
      return fn?.type === 'attribute' && this.names.resolve(fn.childForFieldName('object')) === 'os.environ' && ENV_DUMP_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')
    }
    return false
  }

  private call(node: Node): void {
    const fnNode = node.childForFieldName('function')
    const args = node.childForFieldName('arguments')
    if (this.writeInPlace(fnNode, args, node)) return
    const name = this.names.resolve(fnNode)
    if (!name) return
    // `from .util import run; run()`: the package may define what is called; its role decides whether that code runs
    let root = fnNode
    while (root?.type === 'attribute') root = root.childForFieldName('object')
    if (root?.type === 'identifier' && this.names.isImported(root.text) && name.includes('.')) this.sink.outsideCall(name)
    // a function of this file, or a method called on an instance of one of its classes (`self` comes first)
    const ownMethod = this.instanceMethod(fnNode)
    const local = fnNode?.type === 'identifier' && !this.names.isAlias(fnNode.text) ? fnNode.text : ownMethod
    if (local) {
      const given = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
      // positional arguments by position, keyword arguments by the parameter they name
      const byIndex: (Node | undefined)[] = [...(ownMethod ? [undefined] : []), ...given.filter((a) => a.type !== 'keyword_argument')]
      const params = this.paramNames.get(local) ?? []
      for (const kw of given.filter((a) => a.type === 'keyword_argument')) {
        const index = params.indexOf(kw.childForFieldName('name')?.text ?? '')
        const value = kw.childForFieldName('value')
        if (index >= 0 && value) byIndex[index] = value
      }
      if (byIndex.length > 0) {
        this.callSites.push({
          fn: local,
          args: Array.from(byIndex, (a) => (a ? (this.taint(a) as Set<string>) : new Set<string>())),
          offsets: Array.from(byIndex, (a) => (a ? this.offset(a) : 0)),
          texts: Array.from(byIndex, (a) => a?.text),
        })
      }
    }
    let cap = capabilityOf(PYTHON_APIS, name)
    if (!cap && fnNode?.type === 'attribute') {
      const method = fnNode.childForFieldName('attribute')?.text
      // ''.join(chr(c) for c in …), 'x'.decode('base64'), bytes.fromhex — decoding spelled as methods
      if (method === 'decode' && args && /base64|hex|rot.?13|zlib/i.test(args.text)) cap = 'decode'
      if (method === 'fromhex') cap = 'decode'
    }
    if (name === '__import__' || name === 'importlib.import_module') {
      const first = args?.namedChildren[0]
      if (first && first.type !== 'string') cap = 'dynamic-code'
    }
    // getattr(__builtins__, oct.__str__()[-3] + hex.__str__()[-4] + …): a builtin fetched by a name computed to hide it
    if (name === 'getattr' && ['builtins', '__builtins__'].includes(this.names.resolve(args?.namedChildren[0]) ?? '')) {
      const attr = args?.namedChildren[1]
      // a name glued from pieces (characters, slices, literals); a name read from data (`d.split(':')[1]`) is a lookup
      const glued = attr?.type === 'binary_operator' && attr.childForFieldName('operator')?.text === '+' && /[[("']/.test(attr.text)
      if (glued) this.sink.indicator('obfuscation', `a builtin looked up by a name glued from pieces: ${attr.text.slice(0, 80)}`, this.offset(node))
    }
    if (name === 'open' || name === 'io.open') {
      if (/[wa]/.test(openMode(args))) cap = 'fs-write'
    }
    this.followFolders(name, args, node)
    if (name === 'os.getenv' || name === 'os.environ.get') {
      this.sink.capability('env-read', `${name}(${args?.namedChildren[0]?.text ?? ''})`, this.offset(node))
      return
    }
    const receiver = fnNode?.type === 'attribute' ? fnNode.childForFieldName('object') : null
    const method = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined
    if (!cap && receiver?.type === 'identifier' && this.handles.has(receiver.text) && method && HANDLE_SENDS.has(method)) {
      cap = 'network'
    }
    if (!cap && receiver && receiver.type === 'identifier' && this.drops.isWriter(receiver.text) && (method === 'write' || method === 'writelines')) {
      const writes = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
      this.sink.capability('fs-write', `${receiver.text}.${method}`, this.offset(node))
      this.recordWrite(this.drops.pathOf(receiver.text), writes[0], this.offset(node))
      for (const arg of writes) for (const source of this.taint(arg)) this.reach(source, 'fs-write', `${receiver.text}.${method}`, this.offset(arg))
      return
    }
    if (!cap) return
    this.sink.capability(cap, name, this.offset(node))
    const argNodes = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
    if (cap === 'network' || cap === 'dynamic-code' || cap === 'process' || cap === 'dns') {
      for (const arg of argNodes) {
        // subprocess.run(..., env=os.environ.copy()) hands the environment to a child, not the network
        if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'env') continue
        for (const source of this.taint(arg)) {
          if (source === 'network-response' && cap === 'network') continue
          this.reach(source, cap, name, this.offset(arg))
        }
      }
    }
    if (cap === 'fs-write') {
      for (const arg of argNodes.slice(1)) for (const source of this.taint(arg)) this.reach(source, 'fs-write', name, this.offset(arg))
    }
    if (cap === 'process' || cap === 'dynamic-code') {
      // what a process or evaluator is given is executed: look at it as such
      for (const arg of argNodes) {
        const command = commandText(arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg, this.values)
        if (command) this.sink.text(command, this.offset(arg), { executed: true })
        // `[sys.executable, '-c', 'from pkg.sub import run; run()']`: the modules that inline code imports run too
        const inline = command !== undefined && cap === 'process' ? /(?:^|\s)-c\s+(.+)$/s.exec(command)?.[1] : undefined
        // only code the file spells out: `[python, '-c', content]` with content read elsewhere is a launcher
        if (inline && /\w/.test(inline)) {
          this.sink.indicator('inline-interpreter', inline.slice(0, 200), this.offset(arg))
          for (const m of inline.matchAll(/\bimport\s+([A-Za-z_][\w.]*)/g)) this.sink.localImports.add(m[1]!)
          for (const m of inline.matchAll(/\bfrom\s+([A-Za-z_][\w.]*)\s+import\s+([\w\s,]+)/g)) {
            this.sink.localImports.add(m[1]!)
            for (const name of m[2]!.split(',')) if (name.trim()) this.sink.localImports.add(`${m[1]}.${name.trim().split(/\s+/)[0]}`)
          }
        }
        // a file this file wrote and now runs (`open('/tmp/.x.py','w').write(…)`, then `python3 /tmp/.x.py`):
        // literal text written is code it runs, and data written (a download, a decoded blob) reaches the process
        // `os.chdir(clone)` then `python bypass.py`: a script named relative to a fetched folder is fetched code
        for (const drop of this.drops.runBy(arg.text, command, this.enclosingFunctionName(arg), cap === 'process')) {
          if (drop.text) this.sink.text(drop.text, drop.offset, { executed: true })
          for (const source of drop.sources) this.reach(source, cap, name, this.offset(arg))
        }
      }
    }
  }

  /**
   * A repository cloned into a folder is code from the network written there (`git.Repo.clone_from(url,
   * dir)`, `git clone url dir`); `os.chdir(dir)` makes it the folder the function's later commands run in.
   */
  private followFolders(name: string, args: Node | null, node: Node): void {
    const clones = CLONES.has(name)
    const gitCommand = !clones && name !== 'os.chdir' && capabilityOf(PYTHON_APIS, name) === 'process'
    if (!clones && !gitCommand && name !== 'os.chdir') return
    const given = (args?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'keyword_argument')
    const fn = this.enclosingFunctionName(node)
    const folder = clones ? given[1] : given[0]
    if (!folder) return
    const literal = folder.type === 'string' ? stringValue(folder) : undefined
    if (clones) this.drops.cloned({ expression: folder.text, ...(literal ? { name: literal } : {}) }, this.offset(node), fn)
    else if (gitCommand) this.drops.clonedByCommand(commandText(folder, this.values) ?? '', this.offset(node), fn)
    else this.drops.changedInto(folder.text, literal, fn)
  }

  /** The path an `open(…)` call writes: its expression and, when its last part is literal, the file name (`tmp + '/x.py'` → `x.py`). */
  private openedPath(node: Node | null | undefined): WrittenPath | undefined {
    const arg = node?.childForFieldName('arguments')?.namedChildren[0]
    if (!arg) return undefined
    // a function that opens its parameter for writing: its callers name the path it writes
    for (const t of this.taint(arg)) if (t.startsWith('@')) this.summarize(t, 'write-path')
    const name = commandText(arg, this.values)?.split(/[\\/]/).pop()
    return { expression: arg.text, ...(name && name.length >= 3 ? { name } : {}) }
  }

  private recordWrite(path: WrittenPath | undefined, data: Node | undefined, offset: number): void {
    if (!path || !data) return
    const text = commandText(data, this.values)
    const sources = this.taint(data)
    if (text || sources.size > 0) this.drops.add({ path, ...(text ? { text } : {}), sources, offset, fn: this.enclosingFunctionName(data) })
  }

  private opensForWriting(node: Node | null | undefined): boolean {
    if (node?.type !== 'call') return false
    const name = this.names.resolve(node.childForFieldName('function'))
    if (name !== 'open' && name !== 'io.open' && name !== 'codecs.open') return false
    return /[wax]/.test(openMode(node.childForFieldName('arguments')))
  }

  private taint(node: Node | null | undefined, depth = 0): Set<FlowSource> {
    const out = new Set<FlowSource>()
    if (!node || depth > 12) return out
    switch (node.type) {
      case 'identifier': {
        for (const t of this.getTaint(node, node.text) ?? []) out.add(t)
        const param = this.paramOf(node, node.text)
        if (param) out.add(`@${param.fn}:${param.index}` as FlowSource)
        return out
      }
      case 'attribute': {
        if (this.names.resolve(node) === 'os.environ') out.add('env')
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
        // the output of hostname/whoami/cat /etc/passwd is a host fingerprint
        if (cap === 'process' && RECON_COMMAND.test(commandText(args?.namedChildren[0], this.values) ?? '')) out.add('system-info')
        if (fnNode?.type === 'attribute' && fnNode.childForFieldName('attribute')?.text === 'decode' && args && /base64|hex|rot.?13|zlib/i.test(args.text)) out.add('decode')
        if (cap === 'system-info' && name !== 'os.path.expanduser') out.add('system-info')
        if (cap === 'network') out.add('network-response')
        if (fnNode?.type === 'attribute') {
          const handle = fnNode.childForFieldName('object')
          // `opener.open(url)`, `build_opener().open(url)`: a connection's methods return what the other side sent
          const connection = handle?.type === 'identifier' ? this.handles.has(handle.text) : handle?.type === 'call' && capabilityOf(PYTHON_APIS, this.names.resolve(handle.childForFieldName('function')) ?? '') === 'network'
          if (connection && HANDLE_RECEIVES.has(fnNode.childForFieldName('attribute')?.text ?? '')) out.add('network-response')
        }
        if ((name === 'os.getenv' || name === 'os.environ.get') && SECRET_NAME.test(args?.text ?? '')) out.add('env-secret')
        if ((name === 'os.getenv' || name === 'os.environ.get') && IDENTITY_VARIABLE.test(args?.namedChildren[0]?.text ?? '')) out.add('system-info')
        if ((name === 'open' || name === 'io.open' || name?.endsWith('read_text') || name?.endsWith('read_bytes')) && isSensitive(node.text)) out.add('sensitive-file')
        // Data passes through transformations (str, json.dumps, encode, join…), not through arbitrary calls.
        const method = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined
        const transforms = (name !== undefined && PY_TRANSFORMERS.test(name)) || (method !== undefined && PY_DATA_METHODS.has(method)) || cap === 'decode'
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
