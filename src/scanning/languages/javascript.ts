// JavaScript/TypeScript analyzer on oxc-parser: resolves imports, maps calls to capabilities, tracks simple flows.
import { parseSync } from 'oxc-parser'
import type { FileFacts, FlowSink, FlowSource, FunctionFlows } from '../facts.ts'
import { JAVASCRIPT_APIS, SECRET_NAME, capabilityOf } from './api-catalog.ts'
import { FactSink, inlineCode, namesCredentialStore, offscreenCode, overBudget, printsDownload, scanText } from './source-file.ts'
import {
  DATA_METHODS,
  TRANSFORMERS,
  boundNames,
  destructured,
  isCharCodeList,
  isDecodingEncoding,
  isRequire,
  isStringy,
  normalizeModule,
  propertyName,
  type Node,
} from './estree.ts'
import { Scope, type Binding, type CallSite } from './javascript-scope.ts'

/** Methods that put their arguments into the container they are called on (arrays, sets, maps). */
const CONTAINER_FILLS = new Set(['push', 'unshift', 'add', 'set', 'splice'])
const OBFUSCATOR_IDENTIFIER = /^_0x[0-9a-f]{3,}$/i
const NETWORK_METHODS = new Set(['write', 'end', 'send', 'post', 'put', 'emit'])
const CALLBACK_METHODS = new Set(['then', 'on', 'once', 'pipe'])

/** `imported`: what the package's other modules' functions do with data, by the name calls here resolve to (`./util.send`; see `flowsAcrossFiles`). */
export function analyzeJavaScript(path: string, source: string, imported?: ReadonlyMap<string, FunctionFlows>): FileFacts {
  const sink = new FactSink(path, 'javascript', source)
  const big = overBudget(sink, source, (collapsed) => analyzeJavaScript(path, collapsed, imported))
  if (big) return big
  const lang = /\.tsx$/.test(path) ? 'tsx' : /\.(ts|mts|cts)$/.test(path) ? 'ts' : /\.jsx$/.test(path) ? 'jsx' : 'js'
  let program: Node
  let parseError: string | undefined
  try {
    const result = parseSync(path, source, { lang, sourceType: 'unambiguous' as never })
    program = result.program as unknown as Node
    if (result.errors.length > 0 && program.body.length === 0) {
      scanText(sink)
      return sink.facts(`parse error: ${result.errors[0]?.message ?? 'unknown'}`)
    }
    if (result.errors.length > 0) parseError = `partial parse: ${result.errors[0]?.message ?? ''}`
  } catch (err) {
    scanText(sink)
    return sink.facts(`parse error: ${(err as Error).message}`)
  }
  const walker = new JsWalker(sink, source, imported)
  walker.run(program)
  const facts = sink.facts(parseError, { trackReach: true })
  const functionFlows = walker.exported()
  return Object.keys(functionFlows).length > 0 ? { ...facts, functionFlows } : facts
}

/** The text a hex literal spells, when it spells readable words or a path (not a digest or key). */
export function hexSpelledText(value: string): string | undefined {
  if (value.length < 8 || value.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(value)) return undefined
  const text = Buffer.from(value, 'hex').toString('latin1')
  return /^[\x20-\x7e]+$/.test(text) && /[a-z]{3}/i.test(text) ? text : undefined
}

/** Names the runtime provides; any other unbound name is some local thing we know nothing about. */
const GLOBALS = new Set([
  'eval', 'Function', 'fetch', 'atob', 'btoa', 'require', 'setTimeout', 'setInterval', 'XMLHttpRequest', 'WebSocket',
  'Buffer', 'process', 'String', 'Object', 'JSON', 'globalThis', 'global', 'window', 'self', 'module', 'exports',
  'Reflect', 'URL', 'TextDecoder', 'unescape', 'decodeURIComponent', 'Array', 'Uint8Array', 'navigator', 'document', 'import',
])

/** Where sent data rides in the arguments; connection constructors only take addresses and options. */
const CONNECT_ONLY = /^(net\.(Socket|connect|createConnection)|tls\.connect|dgram\.createSocket|http2\.connect)$/

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

class JsWalker {
  private scope = new Scope()
  private readonly root = this.scope
  /** Taint for the parameters of callbacks, decided where the callback is registered. */
  private readonly paramTaints = new WeakMap<object, Set<FlowSource>>()
  private obfuscatedIdentifiers = 0
  /** Names of the enclosing functions, innermost last ('' for anonymous ones). */
  private readonly functions: string[] = []
  /** Per function: `index>sink` for each parameter that reaches a sink inside it. */
  private readonly summaries = new Map<string, Set<string>>()
  /** Per function: `index>fn:index` for each parameter passed on to another function of this file. */
  private readonly forwards = new Map<string, Set<string>>()
  /** Functions that make network requests: what they return may be a response. */
  private readonly fetchers = new Set<string>()
  private readonly callSites: CallSite[] = []
  /** Function nodes already walked under their declared name. */
  private readonly skip = new WeakSet<object>()
  /** Functions declared at the module's top level: what other modules can call. */
  private readonly moduleFunctions = new Set<string>()

  constructor(
    private readonly sink: FactSink,
    private readonly source: string,
    private readonly imported: ReadonlyMap<string, FunctionFlows> = new Map(),
  ) {}

  /** The top-level functions whose data other modules may use: a response they return, parameters they hand to sinks. */
  exported(): Record<string, FunctionFlows> {
    const out: Record<string, FunctionFlows> = {}
    for (const fn of this.moduleFunctions) {
      const returns: FlowSource[] = this.fetchers.has(fn) ? ['network-response'] : []
      const sinks = [...(this.summaries.get(fn) ?? [])].map((r) => r.split('>') as [string, FlowSink]).map(([index, sink]) => ({ index: Number(index), sink }))
      if (returns.length > 0 || sinks.length > 0) out[fn] = { ...(returns.length > 0 ? { returns } : {}), ...(sinks.length > 0 ? { sinks } : {}) }
    }
    return out
  }

  run(program: Node): void {
    this.visit(program)
    this.resolveCallSites()
    if (this.obfuscatedIdentifiers >= 15) {
      this.sink.indicator('obfuscation', `${this.obfuscatedIdentifiers} obfuscator-style _0x identifiers`, 0)
    }
    const packer = /eval\(function\(p,a,c,k,e,[dr]\)/.exec(this.source)
    if (packer) this.sink.indicator('obfuscation', 'packed eval(function(p,a,c,k,e,…))', packer.index)
    const jsfuck = /\[\]\[\(!\[\]\+\[\]\)\[\+\[\]\]/.exec(this.source)
    if (jsfuck) this.sink.indicator('obfuscation', 'JSFuck encoding', jsfuck.index)
    const hidden = offscreenCode(this.source)
    if (hidden) this.sink.indicator('obfuscation', `code hidden ${hidden.columns} columns to the right of a statement`, hidden.offset)
  }

  private visit(node: unknown): void {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) {
      for (const child of node) this.visit(child)
      return
    }
    const n = node as Node
    if (typeof n.type !== 'string') return
    if (FUNCTION_TYPES.has(n.type)) {
      if (!this.skip.has(n)) this.enterFunction(n)
      return
    }
    switch (n.type) {
      case 'ImportDeclaration':
        this.importDeclaration(n)
        break
      case 'VariableDeclarator':
        this.declarator(n)
        break
      case 'AssignmentExpression':
        this.assignment(n)
        break
      case 'CallExpression':
      case 'NewExpression':
        this.call(n)
        break
      case 'ImportExpression':
        if (n.source?.type === 'Literal' && typeof n.source.value === 'string') this.moduleLoad(n.source.value)
        break
      case 'MemberExpression':
        this.member(n)
        break
      case 'CatchClause':
        if (n.param?.type === 'Identifier') this.scope.vars.set(n.param.name, {})
        break
      case 'Literal':
        if (typeof n.value === 'string') this.sink.text(n.value, n.start)
        // regular expressions describe what code looks for; they name stores, they do not run commands
        else if (n.regex?.pattern) this.sink.text(n.regex.pattern, n.start, { only: ['discord-store', 'browser-store', 'wallet-path'] })
        break
      case 'TemplateLiteral':
        this.sink.text(n.quasis.map((q: Node) => q.value?.cooked ?? q.value?.raw ?? '').join('${}'), n.start)
        break
      case 'BinaryExpression':
        if (n.operator === '+') {
          const folded = this.foldString(n)
          if (folded !== undefined && folded.length >= 8) this.sink.text(folded, n.start)
        }
        break
      case 'Identifier':
        if (OBFUSCATOR_IDENTIFIER.test(n.name)) this.obfuscatedIdentifiers += 1
        this.sink.reference(n.name)
        break
    }
    this.visitChildren(n)
  }

  private visitChildren(n: Node): void {
    for (const key in n) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'range' || key === 'loc') continue
      const child = n[key]
      if (child !== null && typeof child === 'object') this.visit(child)
    }
  }

  private enterFunction(fn: Node, givenName?: string): void {
    const name = givenName ?? (fn.id?.type === 'Identifier' ? String(fn.id.name) : '')
    if (fn.type === 'FunctionDeclaration' && name) this.scope.vars.set(name, { fn: name })
    const outer = this.scope
    this.scope = new Scope(outer)
    const taint = this.paramTaints.get(fn)
    ;(fn.params ?? []).forEach((param: Node, index: number) => {
      for (const local of boundNames(param)) {
        this.scope.vars.set(local, { ...(taint ? { taint: new Set(taint) } : {}), ...(name ? { param: { fn: name, index } } : {}) })
      }
    })
    this.functions.push(name)
    // Facts inside a function declared at module level belong to it: they run only if it is called.
    const topLevel = outer === this.root && name !== '' && this.sink.fn === undefined
    if (topLevel) this.moduleFunctions.add(name)
    if (topLevel) this.sink.fn = name
    try {
      this.visit(fn.body)
    } finally {
      if (topLevel) this.sink.fn = undefined
      this.functions.pop()
      this.scope = outer
    }
  }

  /** After the walk: arguments that reach a sink through functions of this file become flows. */
  private resolveCallSites(): void {
    // Parameters forwarded to another function reach whatever that function's parameter reaches.
    for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
      changed = false
      for (const [fn, edges] of this.forwards) {
        for (const edge of edges) {
          const [from, target] = edge.split('>') as [string, string]
          const [callee, index] = target.split(':') as [string, string]
          for (const reach of this.summaries.get(callee) ?? []) {
            const [i, sink] = reach.split('>') as [string, string]
            if (i !== index) continue
            const set = this.summaries.get(fn) ?? new Set<string>()
            const entry = `${from}>${sink}`
            if (!set.has(entry)) {
              set.add(entry)
              this.summaries.set(fn, set)
              changed = true
            }
          }
        }
      }
    }
    for (const site of this.callSites) {
      for (const reach of this.summaries.get(site.fn) ?? []) {
        const [i, sink] = reach.split('>') as [string, FlowSink]
        const sources = site.args[Number(i)]
        if (!sources) continue
        for (const source of sources) {
          if (source.startsWith('@') || (source === 'network-response' && sink === 'network')) continue
          this.sink.flow(source as FlowSource, sink, `${site.fn}() → ${sink}`, site.offsets[Number(i)] ?? 0)
        }
      }
    }
  }

  private importDeclaration(n: Node): void {
    const from = normalizeModule(String(n.source?.value ?? ''))
    this.moduleLoad(String(n.source?.value ?? ''))
    for (const spec of n.specifiers ?? []) {
      const local = spec.local?.name
      if (!local) continue
      if (spec.type === 'ImportSpecifier') {
        const imported = spec.imported?.name ?? spec.imported?.value
        this.root.vars.set(local, { alias: imported === 'default' ? from : `${from}.${imported}` })
      } else {
        this.root.vars.set(local, { alias: from })
      }
    }
  }

  private moduleLoad(specifier: string): void {
    if (specifier.startsWith('./') || specifier.startsWith('../')) this.sink.localImports.add(specifier)
  }

  private declarator(n: Node): void {
    const init = n.init as Node | null
    if (n.id?.type === 'Identifier' && init && (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression')) {
      this.scope.vars.set(n.id.name, { fn: n.id.name })
      this.enterFunction(init, n.id.name)
      this.skip.add(init)
      return
    }
    if (n.id?.type === 'Identifier') {
      const binding: Binding = {}
      if (init) {
        const target = this.resolve(init)
        if (target && (init.type === 'Identifier' || init.type === 'MemberExpression' || isRequire(init) || init.type === 'AwaitExpression')) binding.alias = target
        const taint = this.taint(init)
        if (taint.size > 0) binding.taint = taint
        const value = this.foldString(init)
        if (value !== undefined) binding.value = value
        if (this.isSensitivePath(init)) binding.credentialPath = true
        if (this.isNetworkHandle(init)) binding.network = true
      }
      this.scope.vars.set(n.id.name, binding)
      return
    }
    const target = init ? this.resolve(init) : undefined
    for (const [key, local] of destructured(n.id)) {
      this.scope.vars.set(local, target && key ? { alias: `${target}.${key}` } : {})
    }
  }

  private assignment(n: Node): void {
    if (n.left?.type !== 'Identifier') return
    const taint = this.taint(n.right)
    const binding = this.scope.lookup(n.left.name)
    const target = binding ?? {}
    if (!binding) this.root.vars.set(n.left.name, target)
    if (taint.size > 0) {
      const existing = n.operator === '=' ? new Set<FlowSource>() : (target.taint ?? new Set<FlowSource>())
      for (const t of taint) existing.add(t)
      target.taint = existing
    }
    if (this.isNetworkHandle(n.right)) target.network = true
    if (this.isSensitivePath(n.right)) target.credentialPath = true
    const value = this.foldString(n.right)
    if (value !== undefined) target.value = n.operator === '+=' && target.value ? target.value + value : value
  }

  private member(n: Node): void {
    const name = this.resolve(n)
    if (name?.startsWith('process.env.')) this.sink.capability('env-read', name, n.start)
  }

  private call(n: Node): void {
    const callee = n.callee as Node
    if (isRequire(n) && !this.scope.lookup('require')) {
      const arg = n.arguments?.[0]
      if (arg?.type === 'Literal' && typeof arg.value === 'string') this.moduleLoad(arg.value)
      return
    }
    const name = this.resolve(callee)
    const args = (n.arguments ?? []) as Node[]
    // `require('./util').start()`: another module of the package may define what is called; its reach follows
    if (name?.startsWith('.')) this.sink.outsideCall(name)
    // …and hand its arguments to the sinks that function sends its parameters to
    for (const { index, sink } of (name ? this.imported.get(name)?.sinks : undefined) ?? []) if (args[index]) this.sinkArgs([args[index]], sink, `${name}() → ${sink}`)
    const local = callee.type === 'Identifier' ? this.scope.lookup(callee.name)?.fn : undefined
    if (local) this.recordCall(local, args)

    // process.env handed whole to a serialiser: the environment is being packed up
    for (const arg of args) {
      if (this.isWholeEnv(arg) && name && /^(JSON\.stringify|querystring\.stringify|Buffer\.from|String|util\.inspect)$/.test(name)) {
        this.sink.capability('env-dump', `${name}(process.env)`, arg.start)
      }
    }

    // a local helper handed a hex literal that spells a name or path: how payloads hide what they load
    if (!name && args.length === 1 && args[0]?.type === 'Literal' && typeof args[0].value === 'string') {
      const spelled = hexSpelledText(args[0].value)
      if (spelled) this.sink.indicator('obfuscation', `hex-encoded string decoded at run time: ${JSON.stringify(spelled)}`, args[0].start)
    }
    let cap = name ? capabilityOf(JAVASCRIPT_APIS, name) : undefined
    if (name === 'Buffer.from' && isDecodingEncoding(args[1])) cap = 'decode'
    if ((name === 'setTimeout' || name === 'setInterval') && args[0] && isStringy(args[0])) cap = 'dynamic-code'
    if (callee.type === 'MemberExpression' && !cap) {
      const method = propertyName(callee)
      const objectName = callee.object?.type === 'Identifier' ? callee.object.name : undefined
      if (method && objectName && this.scope.lookup(objectName)?.network && NETWORK_METHODS.has(method)) {
        this.sinkArgs(args, 'network', `${objectName}.${method}`)
      } else if (method && NETWORK_METHODS.has(method) && this.isNetworkHandle(callee.object)) {
        // https.request(…).write(data): the same send, without naming the request first
        this.sinkArgs(args, 'network', `${this.resolve(callee.object.type === 'AwaitExpression' ? callee.object.argument.callee : callee.object.callee)}(…).${method}`)
      }
      // `found.push(item)`: the container holds what it is given
      const holder = callee.object?.type === 'Identifier' ? this.scope.lookup(callee.object.name) : undefined
      if (holder && method && CONTAINER_FILLS.has(method)) {
        for (const arg of args) for (const t of this.taint(arg)) (holder.taint ??= new Set<FlowSource>()).add(t)
      }
      // callbacks registered on data that came from somewhere (responses, decoded buffers) receive it
      if (method && CALLBACK_METHODS.has(method)) {
        const from = this.taint(callee.object)
        if (from.size > 0) for (const fn of args) this.taintParams(fn, from)
      }
    }
    if (!cap || !name) return
    this.sink.capability(cap, name, n.start)
    if (cap === 'network') for (const fn of this.functions) if (fn) this.fetchers.add(fn)
    if (cap === 'fs-read' && args[0]) this.inspectPath(args[0])
    if (cap === 'network') for (const fn of args) this.taintParams(fn, new Set(['network-response']))
    if (cap === 'network' && CONNECT_ONLY.test(name)) return
    if (cap === 'network' || cap === 'dynamic-code' || cap === 'process' || cap === 'dns') this.sinkArgs(args, cap, name)
    if (cap === 'fs-write') this.sinkArgs(args.slice(1), 'fs-write', name)
    if (cap === 'process' || cap === 'dynamic-code') {
      // what a process or evaluator is given is executed: look at it as such
      for (const arg of args) {
        const command = this.commandText(arg)
        if (command) this.sink.text(command, arg.start, { executed: true })
        // eval('…'), Function('…'), vm.runInThisContext('…'): JavaScript held in a string is code of this file's
        if (command && cap === 'dynamic-code' && (arg === args[0] || name === 'Function')) this.sink.program('javascript', command, arg.start)
        // exec('node -e "…"'), exec('python3 -c "…"'): inline code a process is started on
        if (command && cap === 'process') for (const inline of inlineCode(command)) this.sink.program(inline.language, inline.code, arg.start)
      }
    }
  }

  private recordCall(fn: string, args: Node[]): void {
    const taints = args.map((arg) => this.taint(arg) as Set<string>)
    this.callSites.push({ fn, args: taints, offsets: args.map((a) => a.start) })
    taints.forEach((set, index) => {
      for (const source of set) {
        if (!source.startsWith('@')) continue
        // a parameter of the enclosing function is passed on to this one
        const [from, fromIndex] = source.slice(1).split(':') as [string, string]
        const edges = this.forwards.get(from) ?? new Set<string>()
        edges.add(`${fromIndex}>${fn}:${index}`)
        this.forwards.set(from, edges)
      }
    })
  }

  /** The text of a command argument: a literal, a concatenation, an array of words, or a variable holding one. */
  private commandText(arg: Node): string | undefined {
    if (arg.type === 'ArrayExpression') {
      const words = (arg.elements ?? []).map((e: Node | null) => (e ? this.foldString(e) : undefined))
      return words.some((w: string | undefined) => w !== undefined) ? words.map((w: string | undefined) => w ?? '…').join(' ') : undefined
    }
    if (arg.type === 'Identifier') return this.scope.lookup(arg.name)?.value
    const folded = this.foldString(arg)
    if (folded !== undefined) return folded
    if (arg.type === 'TemplateLiteral') return arg.quasis.map((q: Node) => q.value?.cooked ?? '').join(' ')
    return undefined
  }

  private sinkArgs(args: Node[], sink: 'network' | 'dynamic-code' | 'process' | 'dns' | 'fs-write', api: string): void {
    for (const arg of args) {
      for (const source of this.taint(arg)) {
        if (source.startsWith('@')) {
          // a parameter reaches this sink: remember it in the function's summary
          const [fn, index] = source.slice(1).split(':') as [string, string]
          const set = this.summaries.get(fn) ?? new Set<string>()
          set.add(`${index}>${sink}`)
          this.summaries.set(fn, set)
          continue
        }
        if (source === 'network-response' && sink === 'network') continue
        this.sink.flow(source, sink, api, arg.start)
      }
    }
  }

  private inspectPath(arg: Node): void {
    const text = this.foldString(arg) ?? (arg.type === 'TemplateLiteral' ? arg.quasis.map((q: Node) => q.value?.cooked ?? '').join('') : undefined)
    if (text) this.sink.text(text, arg.start)
  }

  private taintParams(fn: Node, from: Set<FlowSource>): void {
    if (fn?.type !== 'ArrowFunctionExpression' && fn?.type !== 'FunctionExpression') return
    this.paramTaints.set(fn, from)
  }

  /** Sources of data an expression may carry. */
  private taint(node: Node | null | undefined, depth = 0): Set<FlowSource> {
    const out = new Set<FlowSource>()
    if (!node || typeof node !== 'object' || depth > 12) return out
    switch (node.type) {
      case 'Identifier': {
        const binding = this.scope.lookup(node.name)
        for (const t of binding?.taint ?? []) out.add(t)
        if (binding?.param) out.add(`@${binding.param.fn}:${binding.param.index}` as FlowSource)
        return out
      }
      case 'MemberExpression': {
        if (this.isWholeEnv(node)) {
          out.add('env')
          return out
        }
        if (this.isWholeEnv(node.object)) {
          // one variable: only secret-looking names count, and as a weaker source
          if (SECRET_NAME.test(propertyName(node) ?? '')) out.add('env-secret')
          return out
        }
        for (const t of this.taint(node.object, depth + 1)) out.add(t)
        return out
      }
      case 'CallExpression':
      case 'NewExpression': {
        const name = this.resolve(node.callee)
        const cap = name ? capabilityOf(JAVASCRIPT_APIS, name) : undefined
        const args = (node.arguments ?? []) as Node[]
        if ((cap === 'decode' && !(name === 'String.fromCharCode' && !isCharCodeList(args))) || (name === 'Buffer.from' && isDecodingEncoding(args[1]))) out.add('decode')
        if (cap === 'system-info') out.add('system-info')
        if (cap === 'network') out.add('network-response')
        // execSync('curl <url>') returns the download
        if (cap === 'process' && args[0] && printsDownload(this.commandText(args[0]) ?? '')) out.add('network-response')
        if (cap === 'fs-read' && args[0] && this.isSensitivePath(args[0])) out.add('sensitive-file')
        const local = node.callee?.type === 'Identifier' ? this.scope.lookup(node.callee.name)?.fn : undefined
        if (local && this.fetchers.has(local)) out.add('network-response')
        for (const t of (name ? this.imported.get(name)?.returns : undefined) ?? []) out.add(t)
        // Data passes through transformations (serialise, encode, slice…), not through arbitrary calls:
        // a client built with a decoded key does not make everything it returns decoded.
        const method = node.callee?.type === 'MemberExpression' ? propertyName(node.callee) : undefined
        const transforms = (name !== undefined && TRANSFORMERS.test(name)) || (method !== undefined && DATA_METHODS.has(method))
        if (transforms || (cap === 'decode' && name !== 'String.fromCharCode')) for (const arg of args) for (const t of this.taint(arg, depth + 1)) out.add(t)
        if (method !== undefined && DATA_METHODS.has(method)) for (const t of this.taint(node.callee.object, depth + 1)) out.add(t)
        return out
      }
      case 'ObjectExpression':
        for (const prop of node.properties ?? []) {
          // `{ env: process.env }` hands the environment to a child process, not to the network
          if (prop.type === 'Property' && (prop.key?.name === 'env' || prop.key?.value === 'env')) continue
          for (const t of this.taint(prop.type === 'SpreadElement' ? prop.argument : prop.value, depth + 1)) out.add(t)
        }
        return out
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassExpression':
        return out
      default:
        for (const key in node) {
          if (key === 'type' || key === 'start' || key === 'end') continue
          const child = node[key]
          if (Array.isArray(child)) for (const c of child) for (const t of this.taint(c, depth + 1)) out.add(t)
          else if (child && typeof child === 'object' && typeof child.type === 'string') for (const t of this.taint(child, depth + 1)) out.add(t)
        }
        return out
    }
  }

  private isSensitivePath(arg: Node): boolean {
    const text = this.foldString(arg) ?? (arg.type === 'TemplateLiteral' ? arg.quasis.map((q: Node) => q.value?.cooked ?? '').join('/') : undefined)
    if (text && namesCredentialStore(text)) return true
    if (arg.type === 'CallExpression') return (arg.arguments ?? []).some((a: Node) => this.isSensitivePath(a))
    if (arg.type === 'Identifier') {
      const binding = this.scope.lookup(arg.name)
      return binding?.credentialPath === true || (binding?.value !== undefined && namesCredentialStore(binding.value))
    }
    return false
  }

  private isWholeEnv(node: Node | null | undefined): boolean {
    return node?.type === 'MemberExpression' && this.resolve(node) === 'process.env'
  }

  private isNetworkHandle(init: Node): boolean {
    const call = init?.type === 'AwaitExpression' ? init.argument : init
    if (call?.type !== 'CallExpression' && call?.type !== 'NewExpression') return false
    const name = this.resolve(call.callee)
    return name !== undefined && capabilityOf(JAVASCRIPT_APIS, name) === 'network'
  }

  /** The dotted name an expression refers to, through imports and aliases; undefined for local values. */
  private resolve(node: Node | null | undefined, depth = 0): string | undefined {
    if (!node || depth > 8) return undefined
    switch (node.type) {
      case 'Identifier': {
        const binding = this.scope.lookup(node.name)
        if (binding) return binding.alias
        return GLOBALS.has(node.name) ? node.name : undefined
      }
      case 'MemberExpression': {
        const object = this.resolve(node.object, depth + 1)
        const prop = propertyName(node)
        if (!object || !prop) return undefined
        return `${object}.${prop}`.replace(/^(globalThis|global|window|self)\./, '')
      }
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        return this.resolve(node.expression, depth + 1)
      case 'CallExpression':
        if (isRequire(node) && !this.scope.lookup('require')) {
          const arg = node.arguments?.[0]
          return arg?.type === 'Literal' && typeof arg.value === 'string' ? normalizeModule(arg.value) : undefined
        }
        return undefined
      case 'AwaitExpression':
        return this.resolve(node.argument, depth + 1)
      default:
        return undefined
    }
  }

  /** The value of a concatenation of string literals (and constants), when it is one. */
  private foldString(node: Node, depth = 0): string | undefined {
    if (depth > 50 || !node) return undefined
    if (node.type === 'Literal' && typeof node.value === 'string') return node.value
    if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0]?.value?.cooked ?? ''
    if (node.type === 'Identifier' && depth > 0) return this.scope.lookup(node.name)?.value
    if (node.type === 'BinaryExpression' && node.operator === '+') {
      const left = this.foldString(node.left, depth + 1)
      const right = this.foldString(node.right, depth + 1)
      if (left !== undefined && right !== undefined) return left + right
      if (left !== undefined || right !== undefined) return (left ?? '') + ' ' + (right ?? '')
    }
    return undefined
  }
}
