// Python analyzer on tree-sitter (web-tree-sitter + tree-sitter-python): imports, calls → capabilities and indicators; flows in python-flows.ts.
import type { Node, Parser } from 'web-tree-sitter'
import type { FileFacts, FunctionFlows, IndicatorKind } from '../facts.ts'
import { PYTHON_APIS, capabilityOf } from './api-catalog.ts'
import { loadParser } from './tree-sitter.ts'
import { FactSink, MAX_PARSE_BYTES, offscreenCode, overBudget, scanText } from './source-file.ts'
import { ARCHIVE_OPENERS, CLONES, Drops, SAVES_DOWNLOAD, TEMP_FILES, type WrittenPath } from './python-drops.ts'
import { PyNames } from './python-names.ts'
import { ENV_DUMP_METHODS, PyFlows, decodesByMethod, enclosingFunctionName, type Taint } from './python-flows.ts'
import { commandText, emptyLongStrings, foldString, interpolatedValue, interpreterSource, joinsPath, openMode, pickedFromTable, stringValue, targets } from './python-syntax.ts'

/** Decorators that register a function as a web request handler (Flask, FastAPI, Bottle, Sanic, aiohttp's route table). */
const REQUEST_HANDLER_DECORATORS = new Set(['route', 'get', 'post', 'put', 'patch', 'delete', 'websocket', 'api_route'])
/** What a server's start is called: `app.run()`, `uvicorn.run(app)`, `server.serve_forever()`, `web.run_app(app)`. */
const SERVER_STARTS = ['run', 'serve_forever', 'run_app', 'run_simple', 'serve']
/** Identifiers obfuscators generate from l, I and 1 (l1lI1_…), from O and 0 (OOO0O00O0…, as Oxyry's does), or from underscores only. */
const OBFUSCATED_NAME = /^(?=[lI1_]*[lI1][lI1_]*$)[lI1_]{5,}$|^[lI1]{3,}\w*_(cringe|obf)\w*_?$|^O(?=[O0]*0)[O0]{7,}$|^_{5,}$/
/** Libraries that read the browsers' own cookie databases. */
const COOKIE_STORE_READERS = /^(browser_cookie3|browsercookie|pycookiecheat|rookiepy)\.\w+$/
/** Methods that put their argument into the container they are called on. */
const CONTAINER_FILLS = new Set(['append', 'extend', 'insert', 'add', 'update', 'appendleft', 'setdefault'])
/** Methods of sockets, sessions and connections that send their arguments. */
const HANDLE_SENDS = new Set(['send', 'sendall', 'sendto', 'connect', 'request', 'post', 'put', 'get', 'patch', 'write', 'sendmail', 'send_message', 'storbinary', 'execute'])

/** The text a list of at least eight printable character codes spells, if it is one. */
function charCodeText(node: Node): string | undefined {
  const items = node.namedChildren
  if (items.length < 8 || items.length > 20_000) return undefined
  let text = ''
  for (const item of items) {
    if (item?.type !== 'integer') return undefined
    const code = Number(item.text)
    if (!(code === 9 || code === 10 || code === 13 || (code >= 32 && code < 127))) return undefined
    text += String.fromCharCode(code)
  }
  return text
}

/** The command-line network tools: what their arguments carry leaves the machine (`dig <data>.<domain>`, `curl -d <data>`). */
const NETWORK_TOOL = /^\s*(?:\S*[\\/])?(dig|nslookup|host|ping|curl|wget|nc|ncat)(?:\.exe)?(?:\s|$)/

/** Evaluators whose first argument is Python source. */
const EVALUATES_SOURCE = new Set(['exec', 'eval', 'compile'])
/** What a path names: credential stores and places that start programs. */
const PATH_KINDS: readonly IndicatorKind[] = ['persistence', 'sensitive-path', 'browser-store', 'discord-store', 'wallet-path']
/** A command that starts Python: `python3 …`, `/usr/bin/python …`, `py.exe …`. */
const PYTHON_LAUNCH = /^\s*(?:\S*python[\d.]*w?(?:\.exe)?|py(?:\.exe)?)(?:\s|$)/i
/** Text that reads as Python statements: a script written to disk whatever its file is called. */
const PYTHON_SOURCE = /^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\s)/
const SERIALISERS = /^(str|repr|dict|list|json\.dumps|json\.dump|pickle\.dumps|base64\.b64encode)$/

let parser: Parser | undefined

/** String literals at least this long are emptied when that brings a file over the parse budget under it. */
const LONG_STRING_CHARS = 2_000

/**
 * A file over the parse budget because of the text its strings carry (modules bundled as strings, as
 * stickytape bundles them; data tables): its code is parsed with those strings emptied, and its whole
 * text is scanned for indicators, as a file too large to parse is.
 */
function carriesText(path: string, source: string, imported?: ReadonlyMap<string, FunctionFlows>): FileFacts | undefined {
  if (source.length <= MAX_PARSE_BYTES) return undefined
  const code = emptyLongStrings(source, LONG_STRING_CHARS)
  if (code.length > MAX_PARSE_BYTES) return undefined
  const facts = analyzePython(path, code, imported)
  const text = new FactSink(path, 'python', source)
  scanText(text)
  return { ...facts, indicators: [...facts.indicators, ...text.facts().indicators] }
}

/** Loads the grammar once per process (WebAssembly, no native build). */
export async function initPython(): Promise<void> {
  parser ??= await loadParser('tree-sitter-python/tree-sitter-python.wasm')
}

/** `imported`: what the package's other modules' functions do with data, by dotted name (see `flowsAcrossFiles`). */
export function analyzePython(path: string, rawSource: string, imported?: ReadonlyMap<string, FunctionFlows>): FileFacts {
  const { source, foldedAt } = interpreterSource(rawSource)
  const sink = new FactSink(path, 'python', source)
  if (foldedAt !== undefined) sink.indicator('obfuscation', 'identifiers spelled in mathematical alphanumerics, which Python reads as plain letters', foldedAt)
  if (!parser) throw new Error('initPython() must run before analyzePython()')
  const carried = carriesText(path, source, imported)
  if (carried) return carried
  const big = overBudget(sink, source, (collapsed) => analyzePython(path, collapsed, imported))
  if (big) return big
  const tree = parser.parse(source)
  if (!tree) {
    scanText(sink)
    return sink.facts('parse error')
  }
  try {
    const walker = new PyWalker(sink, imported)
    walker.run(tree.rootNode)
    if (walker.obfuscatedNames >= 10) sink.indicator('obfuscation', `${walker.obfuscatedNames} obfuscator-style identifiers (l1lI…, OO0O…)`, 0)
    if (walker.pickedStrings >= 3) sink.indicator('obfuscation', `${walker.pickedStrings} strings spelt by picking characters out of a table one index at a time`, walker.firstPicked ?? 0)
    const marker = /^__(obfuscator|pyarmor\w*|hyperion)__\s*=|pyarmor_runtime|__pyarmor__/m.exec(source)
    if (marker) sink.indicator('obfuscation', `obfuscator marker ${marker[0].slice(0, 40)}`, marker.index)
    const hidden = offscreenCode(source)
    if (hidden) sink.indicator('obfuscation', `code hidden ${hidden.columns} columns to the right of a statement`, hidden.offset)
    const facts = sink.facts(tree.rootNode.hasError ? 'partial parse: syntax errors' : undefined, { trackReach: true })
    const functionFlows = walker.exportedFlows()
    return Object.keys(functionFlows).length > 0 ? { ...facts, functionFlows } : facts
  } finally {
    tree.delete()
  }
}

class PyWalker {
  private readonly names = new PyNames((node, name) => this.flows.scopeOf(node).params.has(name))
  /** String constants by name: commands are often assembled in a variable before they run. */
  private readonly values = new Map<string, string>()
  /** Names holding sockets, sessions or connections: their send/request methods send data out. */
  private readonly handles = new Set<string>()
  /** What this file wrote to disk and cloned: when it later runs that path, what was written is what runs. */
  private readonly drops = new Drops()
  /** Names holding an opened archive (→ the archive's path): what they extract comes from that file. */
  private readonly archives = new Map<string, WrittenPath>()
  private readonly flows: PyFlows

  constructor(
    private readonly sink: FactSink,
    imported?: ReadonlyMap<string, FunctionFlows>,
  ) {
    this.flows = new PyFlows(sink, this.names, { values: this.values, handles: this.handles }, imported)
  }

  exportedFlows(): Record<string, FunctionFlows> {
    return this.flows.exported()
  }

  private offset(node: Node): number {
    return this.sink.offsetOf(node.startPosition.row, node.startPosition.column)
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
        if (name) this.flows.defineFunction(name, node)
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
    this.flows.resolveCallSites()
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
    const path = this.openedPath(receiver)
    for (const arg of args?.namedChildren ?? []) if (arg) this.reachesFile(path, arg, `open(…).${method}`)
    this.recordWrite(path, args?.namedChildren[0] ?? undefined, this.offset(node))
    return true
  }

  private enter(node: Node): void {
    switch (node.type) {
      case 'identifier':
        if (OBFUSCATED_NAME.test(node.text)) this.obfuscatedNames += 1
        this.sink.reference(node.text)
        // `from .main import setup; Thread(target=setup).start()`: a function of another module handed on as a value runs
        // as a call of it would (a callee is the same name, recorded once); the import statement itself only binds it
        if (this.names.isImported(node.text)) {
          const name = this.names.resolve(node)
          if (name?.includes('.') && !inImport(node)) this.sink.outsideCall(name)
        }
        break
      case 'import_statement':
      case 'import_from_statement':
        for (const module of this.names.importStatement(node)) this.sink.localImports.add(module)
        break
      case 'decorated_definition': {
        // `@app.route('/x') def x(): …`: a request handler runs once its server does (`app.run()`, `uvicorn.run(app)`,
        // `Thread(target=app.run)`), so the server's start reaches it as a call would
        const name = node.childForFieldName('definition')?.childForFieldName('name')?.text
        const registers = node.namedChildren.some((d) => {
          const call = d?.type === 'decorator' ? d.namedChildren[0] : undefined
          const fn = call?.type === 'call' ? call.childForFieldName('function') : undefined
          return fn?.type === 'attribute' && REQUEST_HANDLER_DECORATORS.has(fn.childForFieldName('attribute')?.text ?? '')
        })
        if (name && registers && this.sink.fn === undefined) for (const start of SERVER_STARTS) this.sink.referenceFrom(start, name)
        break
      }
      case 'assignment':
      case 'augmented_assignment': {
        const left = node.childForFieldName('left')
        const right = node.childForFieldName('right')
        if (!left || !right) break
        this.flows.assign(node, left, right, targets(left))
        for (const target of targets(left)) {
          this.names.bind(target)
          const resolved = this.names.resolve(right)
          if (resolved && (right.type === 'identifier' || right.type === 'attribute')) this.names.alias(target, resolved)
          // f = eval('os.system'), spelt in pieces or backwards: f is that function
          const evaluated = this.evaluatedName(right)
          if (evaluated) this.names.alias(target, evaluated)
          const value = commandText(right, this.values)
          if (value !== undefined) this.values.set(target, node.type === 'augmented_assignment' ? (this.values.get(target) ?? '') + value : value)
          // a path built from parts names what its parts alone do not (`os.path.join(home, 'Library', 'LaunchAgents')`)
          if (value !== undefined && joinsPath(right)) this.sink.text(value, this.offset(right), { only: PATH_KINDS })
          if (right.type === 'call' && capabilityOf(PYTHON_APIS, this.names.resolve(right.childForFieldName('function')) ?? '') === 'network') this.handles.add(target)
          this.flows.noteInstance(target, right)
          if (this.opensForWriting(right)) this.drops.opened(target, this.openedPath(right))
          this.noteArchive(target, right)
          // tempfile.NamedTemporaryFile(): a file written through the handle and run by its `.name`
          if (right.type === 'call' && TEMP_FILES.has(this.names.resolve(right.childForFieldName('function')) ?? '')) this.drops.opened(target, { expression: `${target}.name` })
          // `_ = lambda b: marshal.loads(zlib.decompress(b))`: calling `_` yields what the body yields
          if (right.type === 'lambda') this.flows.addReturns(target, this.flows.taint(right.childForFieldName('body')))
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
        const taint = this.flows.taint(node.childForFieldName('right'))
        if (this.isEnvIteration(node.childForFieldName('right'))) taint.add('env')
        this.flows.bind(node, targets(node.childForFieldName('left')), taint)
        break
      }
      case 'with_item': {
        const value = node.childForFieldName('value')
        if (value?.type === 'as_pattern') {
          const inner = value.namedChildren[0]
          const alias = value.childForFieldName('alias')
          const taint = this.flows.taint(inner)
          if (alias) for (const target of targets(alias)) this.names.bind(target)
          if (alias) this.flows.bind(node, targets(alias), taint)
          if (alias && this.opensForWriting(inner)) for (const target of targets(alias)) this.drops.opened(target, this.openedPath(inner))
          if (alias) for (const target of targets(alias)) this.noteArchive(target, inner)
          if (alias && inner?.type === 'call' && TEMP_FILES.has(this.names.resolve(inner.childForFieldName('function')) ?? '')) for (const target of targets(alias)) this.drops.opened(target, { expression: `${target}.name` })
        }
        break
      }
      case 'call':
        this.call(node)
        break
      case 'class_definition': {
        const name = node.childForFieldName('name')?.text
        if (name) this.flows.defineClass(name)
        this.names.bind(name)
        break
      }
      case 'return_statement': {
        const fn = enclosingFunctionName(node)
        const value = node.namedChildren[0]
        if (fn && value) this.flows.addReturns(fn, this.flows.taint(value))
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
      case 'list':
      case 'tuple': {
        // [104, 116, 116, 112, …]: text spelt in character codes, decoded by a helper elsewhere
        const text = charCodeText(node)
        if (text) this.sink.text(text, this.offset(node))
        break
      }
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
    this.flows.localCall(fnNode, args)
    this.flows.outsideCall(name, args)
    let cap = capabilityOf(PYTHON_APIS, name)
    if (!cap && fnNode?.type === 'attribute') {
      const method = fnNode.childForFieldName('attribute')?.text
      if (decodesByMethod(method, args)) cap = 'decode'
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
    // libraries whose one job is reading the browsers' cookie stores (browser_cookie3.chrome(), pycookiecheat)
    if (COOKIE_STORE_READERS.test(name)) this.sink.indicator('browser-store', `${name}(): the browser's cookie store`, this.offset(node))
    this.followFolders(name, args, node)
    this.followDownloads(name, args, node)
    this.followExtraction(name, fnNode, args, node)
    if (name === 'os.getenv' || name === 'os.environ.get') {
      this.sink.capability('env-read', `${name}(${args?.namedChildren[0]?.text ?? ''})`, this.offset(node))
      return
    }
    const receiver = fnNode?.type === 'attribute' ? fnNode.childForFieldName('object') : null
    const method = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined
    // `box.append(item)`: the container holds what it is given
    if (receiver?.type === 'identifier' && method && CONTAINER_FILLS.has(method)) {
      for (const arg of args?.namedChildren ?? []) this.flows.fill(node, receiver.text, this.flows.taint(arg))
    }
    // `config.read(path)` with a credential store's path (configparser, a reader object): the reader holds its content
    if (receiver?.type === 'identifier' && (method === 'read' || method === 'read_file') && this.flows.readsSensitive(node)) {
      this.flows.fill(node, receiver.text, new Set(['sensitive-file']))
    }
    if (!cap && receiver?.type === 'identifier' && this.handles.has(receiver.text) && method && HANDLE_SENDS.has(method)) {
      cap = 'network'
    }
    if (!cap && receiver && receiver.type === 'identifier' && this.drops.isWriter(receiver.text) && (method === 'write' || method === 'writelines')) {
      const writes = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
      const path = this.drops.pathOf(receiver.text)
      this.sink.capability('fs-write', `${receiver.text}.${method}`, this.offset(node))
      this.recordWrite(path, writes[0], this.offset(node))
      for (const arg of writes) this.reachesFile(path, arg, `${receiver.text}.${method}`)
      return
    }
    if (!cap) return
    this.sink.capability(cap, name, this.offset(node))
    const argNodes = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
    if (cap === 'network' || cap === 'dynamic-code' || cap === 'process' || cap === 'dns') {
      // a process that is a network tool (`dig`, `ping`, `curl`…) sends what its command line carries
      const tool = cap === 'process' ? NETWORK_TOOL.exec(commandText(argNodes[0], this.values) ?? '')?.[1] : undefined
      const toolSink = tool ? (/^(dig|nslookup|host|ping)$/.test(tool) ? 'dns' : 'network') : undefined
      for (const arg of argNodes) {
        // subprocess.run(..., env=os.environ.copy()) hands the environment to a child, not the network
        if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'env') continue
        for (const source of this.flows.taint(arg)) {
          if (source === 'network-response' && cap === 'network') continue
          this.flows.reach(source, cap, name, this.offset(arg))
          if (toolSink && source !== 'network-response') this.flows.reach(source, toolSink, `${name} (${tool})`, this.offset(arg))
        }
      }
    }
    if (cap === 'fs-write') {
      for (const arg of argNodes.slice(1)) for (const source of this.flows.taint(arg)) this.flows.reach(source, 'fs-write', name, this.offset(arg))
    }
    if (cap === 'process' || cap === 'dynamic-code') {
      // what a process or evaluator is given is executed: look at it as such
      for (const arg of argNodes) {
        const command = commandText(arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg, this.values)
        if (command) this.sink.text(command, this.offset(arg), { executed: true })
        // exec('…'), compile('…'): Python held in a string is code of this file's, run where it is evaluated
        if (command && cap === 'dynamic-code' && arg === argNodes[0] && EVALUATES_SOURCE.has(name)) this.sink.program('python', command, this.offset(arg))
        // `[sys.executable, '-c', 'from pkg.sub import run; run()']`: the modules that inline code imports run too
        const inline = command !== undefined && cap === 'process' ? /(?:^|\s)-c\s+(.+)$/s.exec(command)?.[1] : undefined
        // only code the file spells out: `[python, '-c', content]` with content read elsewhere is a launcher
        if (inline && /\w/.test(inline)) {
          this.sink.indicator('inline-interpreter', inline.slice(0, 200), this.offset(arg))
          if (this.startsPython(arg, command)) this.sink.program('python', inline, this.offset(arg))
          for (const m of inline.matchAll(/\bimport\s+([A-Za-z_][\w.]*)/g)) this.sink.localImports.add(m[1]!)
          for (const m of inline.matchAll(/\bfrom\s+([A-Za-z_][\w.]*)\s+import\s+([\w\s,]+)/g)) {
            this.sink.localImports.add(m[1]!)
            for (const name of m[2]!.split(',')) if (name.trim()) this.sink.localImports.add(`${m[1]}.${name.trim().split(/\s+/)[0]}`)
          }
        }
        // `[sys.executable, '-m', 'pkg.tool']`, `python -m pkg.tool`: a module of the package run as a script runs
        // where this call runs, its `if __name__ == '__main__':` block with it
        const module = command !== undefined && cap === 'process' && this.startsPython(arg, command) ? /(?:^|\s)-m\s+([A-Za-z_][\w.]*)(?:\s|$)/.exec(command)?.[1] : undefined
        if (module) this.sink.localImports.add(module)
        // a file this file wrote and now runs (`open('/tmp/.x.py','w').write(…)`, then `python3 /tmp/.x.py`):
        // literal text written is code it runs, and data written (a download, a decoded blob) reaches the process
        // `os.chdir(clone)` then `python bypass.py`: a script named relative to a fetched folder is fetched code
        for (const drop of this.drops.runBy(arg.text, command, enclosingFunctionName(arg), cap === 'process')) {
          if (drop.text) this.sink.text(drop.text, drop.offset, { executed: true })
          // a script it writes and then runs with Python (or execs) is a program of its own
          if (drop.text && (cap === 'dynamic-code' || this.startsPython(arg, command) || /\.pyw?$/i.test(drop.path.name ?? '') || PYTHON_SOURCE.test(drop.text))) this.sink.program('python', drop.text, this.offset(arg))
          for (const source of drop.sources) this.flows.reach(source as Taint, cap, name, this.offset(arg))
        }
      }
    }
  }

  /** The dotted name `eval('…')` of a folded string yields (`eval(('met' + 'sys.so')[::-1])` → `os.system`). */
  private evaluatedName(node: Node): string | undefined {
    if (node.type !== 'call' || this.names.resolve(node.childForFieldName('function')) !== 'eval') return undefined
    const args = node.childForFieldName('arguments')?.namedChildren ?? []
    const text = args.length === 1 && args[0] ? foldString(args[0], this.values) : undefined
    return text !== undefined && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(text.trim()) ? text.trim() : undefined
  }

  /** Whether a process argument starts Python: `[sys.executable, …]`, or a command beginning `python3 …`. */
  private startsPython(arg: Node, command: string | undefined): boolean {
    const first = arg.type === 'list' || arg.type === 'tuple' ? arg.namedChildren[0] : undefined
    return this.names.resolve(first) === 'sys.executable' || PYTHON_LAUNCH.test(command ?? '')
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
    const fn = enclosingFunctionName(node)
    const folder = clones ? given[1] : given[0]
    if (!folder) return
    const literal = folder.type === 'string' ? stringValue(folder) : undefined
    if (clones) this.drops.cloned({ expression: folder.text, ...(literal ? { name: literal } : {}) }, this.offset(node), fn)
    else if (gitCommand) this.drops.clonedByCommand(commandText(folder, this.values) ?? '', this.offset(node), fn)
    else this.drops.changedInto(folder.text, literal, fn)
  }

  /** `x = zipfile.ZipFile(path)`, `with tarfile.open(path) as x`: `x` reads the archive at `path`. */
  private noteArchive(target: string, right: Node | null | undefined): void {
    const path = this.archiveOpened(right)
    if (path) this.archives.set(target, path)
  }

  private archiveOpened(node: Node | null | undefined): WrittenPath | undefined {
    if (node?.type !== 'call' || !ARCHIVE_OPENERS.has(this.names.resolve(node.childForFieldName('function')) ?? '')) return undefined
    const arg = node.childForFieldName('arguments')?.namedChildren[0]
    return arg ? this.pathNamed(arg) : undefined
  }

  /**
   * `reader.extractall(folder)`, `zipfile.ZipFile(p).extractall(folder)`, `shutil.unpack_archive(p, folder)`:
   * an archive this file saved, unpacked into a folder whose scripts it may then run.
   */
  private followExtraction(name: string, fnNode: Node | null, args: Node | null, node: Node): void {
    const given = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
    const keyword = (k: string) => given.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === k)?.childForFieldName('value') ?? undefined
    const positional = given.filter((a) => a.type !== 'keyword_argument')
    let archive: WrittenPath | undefined
    let folder: Node | undefined
    if (name === 'shutil.unpack_archive') {
      archive = positional[0] && this.pathNamed(positional[0])
      folder = keyword('extract_dir') ?? positional[1]
    } else if (fnNode?.type === 'attribute' && ['extractall', 'extract'].includes(fnNode.childForFieldName('attribute')?.text ?? '')) {
      const reader = fnNode.childForFieldName('object')
      archive = reader?.type === 'identifier' ? this.archives.get(reader.text) : this.archiveOpened(reader)
      folder = keyword('path') ?? positional[fnNode.childForFieldName('attribute')?.text === 'extract' ? 1 : 0]
    }
    if (archive && folder) this.drops.extracted(archive, this.pathNamed(folder), this.offset(node), enclosingFunctionName(node))
  }

  /** `urlretrieve(url, path)`, `wget.download(url, out=path)`: a download saved under a path, which a later process may run. */
  private followDownloads(name: string, args: Node | null, node: Node): void {
    const keyword = SAVES_DOWNLOAD.get(name)
    if (!keyword) return
    const given = args?.namedChildren ?? []
    const named = given.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === keyword)?.childForFieldName('value')
    const path = named ?? given.filter((a) => a !== null && a.type !== 'keyword_argument')[1]
    if (!path) return
    this.drops.add({ path: this.pathNamed(path), sources: new Set(['network-response']), offset: this.offset(node), fn: enclosingFunctionName(node) })
  }

  /** The path an `open(…)` call writes: its expression and, when its last part is literal, the file name (`tmp + '/x.py'` → `x.py`). */
  private openedPath(node: Node | null | undefined): WrittenPath | undefined {
    const arg = node?.childForFieldName('arguments')?.namedChildren[0]
    if (!arg) return undefined
    // a function that opens its parameter for writing: its callers name the path it writes
    let callerNamed = false
    for (const t of this.flows.taint(arg)) {
      if (!t.startsWith('@')) continue
      this.flows.summarize(t, 'write-path')
      callerNamed = true
    }
    const path = this.pathNamed(arg)
    return callerNamed ? { ...path, callerNamed } : path
  }

  /**
   * What `data` carries reaches a file written at `path`. Decoded data written where the caller says is a
   * converter's output (a hex file's script saved under the name its user gave); a dropper picks the place.
   */
  private reachesFile(path: WrittenPath | undefined, data: Node, api: string): void {
    for (const source of this.flows.taint(data)) {
      if (source === 'decode' && path?.callerNamed) continue
      this.flows.reach(source, 'fs-write', api, this.offset(data))
    }
  }

  /** A path given as `node`: its expression and, when its last part is literal, the file name. */
  private pathNamed(node: Node): WrittenPath {
    const name = commandText(node, this.values)?.split(/[\\/]/).pop()
    return { expression: node.text, ...(name && name.length >= 3 ? { name } : {}) }
  }

  private recordWrite(path: WrittenPath | undefined, data: Node | undefined, offset: number): void {
    if (!path || !data) return
    const text = commandText(data, this.values)
    const sources = this.flows.taint(data)
    if (text || sources.size > 0) this.drops.add({ path, ...(text ? { text } : {}), sources, offset, fn: enclosingFunctionName(data) })
  }

  private opensForWriting(node: Node | null | undefined): boolean {
    if (node?.type !== 'call') return false
    const name = this.names.resolve(node.childForFieldName('function'))
    if (name !== 'open' && name !== 'io.open' && name !== 'codecs.open') return false
    return /[wax]/.test(openMode(node.childForFieldName('arguments')))
  }
}

/** A name in an import statement itself, which binds it rather than uses it. */
function inImport(node: Node): boolean {
  for (let at: Node | null = node.parent; at; at = at.parent) {
    if (at.type === 'import_statement' || at.type === 'import_from_statement') return true
    if (at.type.endsWith('statement') || at.type === 'module') return false
  }
  return false
}
