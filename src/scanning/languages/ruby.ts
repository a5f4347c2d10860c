// Ruby analyzer on tree-sitter (web-tree-sitter + tree-sitter-ruby): calls → capabilities, strings → indicators, simple flows.
import { posix } from 'node:path'
import type { Node, Parser } from 'web-tree-sitter'
import type { FileFacts, FlowSink, FlowSource } from '../facts.ts'
import { RUBY_APIS, SECRET_NAME, capabilityOf } from './api-catalog.ts'
import { loadParser } from './tree-sitter.ts'
import { FactSink, overBudget, scanText } from './source-file.ts'

/** Methods that hand a string to the interpreter when their argument is not a block. */
const EVALUATORS = new Set(['eval', 'instance_eval', 'class_eval', 'module_eval', 'instance_exec'])
/** `obj.send(:name)` is dispatch; `obj.send(computed)` runs whatever the data names. */
const DISPATCH = new Set(['send', 'public_send', '__send__'])
/** Data a web request carries: attacker-controlled, like a network response. */
const REQUEST_DATA = /^(request\.)?(cookies|params|headers)$/
const ENV_DUMP = new Set(['to_h', 'to_a', 'to_hash', 'each', 'each_pair', 'map', 'inspect', 'select', 'keys', 'values', 'reject', 'filter_map'])
const IDENTITY_VARIABLE = /^["']?(USER|USERNAME|LOGNAME|HOSTNAME|COMPUTERNAME|USERDOMAIN)["']?$/

let parser: Parser | undefined

/** Loads the grammar once per process (WebAssembly, no native build). */
export async function initRuby(): Promise<void> {
  parser ??= await loadParser('tree-sitter-ruby/tree-sitter-ruby.wasm')
}

export function analyzeRuby(path: string, source: string): FileFacts {
  if (!parser) throw new Error('initRuby() must run before analyzeRuby()')
  const sink = new FactSink(path, 'ruby', source)
  const big = overBudget(sink, source, (collapsed) => analyzeRuby(path, collapsed))
  if (big) return big
  const tree = parser.parse(source)
  if (!tree) {
    scanText(sink)
    return sink.facts('parse error')
  }
  try {
    new RubyWalker(sink).run(tree.rootNode)
    return sink.facts(tree.rootNode.hasError ? 'partial parse: syntax errors' : undefined, { trackReach: true })
  } finally {
    tree.delete()
  }
}

class RubyWalker {
  /** Taint of local variables, by name (Ruby locals are method-scoped; one map per method is close enough). */
  private readonly taints = new Map<string, Set<FlowSource>>()

  constructor(private readonly sink: FactSink) {}

  run(root: Node): void {
    // Iterative pre-order walk with the enclosing method: code in a `def` runs only when called;
    // class and module bodies, blocks and top-level code run when the file is loaded.
    const stack: [Node, string | undefined][] = [[root, undefined]]
    while (stack.length > 0) {
      const [node, fn] = stack.pop()!
      this.sink.fn = fn
      this.enter(node)
      let childFn = fn
      if ((node.type === 'method' || node.type === 'singleton_method') && fn === undefined) childFn = node.childForFieldName('name')?.text
      const children = node.namedChildren
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i]
        if (child && !((node.type === 'method' || node.type === 'singleton_method') && child.id === node.childForFieldName('name')?.id)) stack.push([child, childFn])
      }
    }
    this.sink.fn = undefined
  }

  private offset(node: Node): number {
    return this.sink.offsetOf(node.startPosition.row, node.startPosition.column)
  }

  private enter(node: Node): void {
    switch (node.type) {
      case 'call':
        this.call(node)
        break
      case 'identifier':
        // a bare identifier may be a call of a method defined in this file
        if (node.parent?.type !== 'call' || node.parent.childForFieldName('method')?.id === node.id) this.sink.reference(node.text)
        break
      case 'assignment': {
        const left = node.childForFieldName('left')
        const right = node.childForFieldName('right')
        if (left?.type === 'identifier' && right) {
          const taint = this.taint(right)
          if (taint.size > 0) this.taints.set(left.text, taint)
          else this.taints.delete(left.text)
        }
        break
      }
      case 'subshell': {
        // `cmd` and %x(cmd) run a shell
        this.sink.capability('process', '`…` (subshell)', this.offset(node))
        this.sink.text(this.stringText(node), this.offset(node), { executed: true })
        // what is interpolated into the command is handed to the shell
        this.sinkArgs(node.namedChildren.filter((c): c is Node => c?.type === 'interpolation'), 'process', 'subshell')
        break
      }
      case 'element_reference': {
        const object = node.namedChildren[0]
        if (object?.type === 'constant' && object.text === 'ENV') this.sink.capability('env-read', `ENV[${node.namedChildren[1]?.text ?? ''}]`, this.offset(node))
        break
      }
      case 'string':
      case 'heredoc_body':
        if (node.parent?.type !== 'subshell') this.sink.text(this.stringText(node), this.offset(node))
        break
    }
  }

  /** The literal text of a string, with interpolations shown as `#{}`. */
  private stringText(node: Node): string {
    let out = ''
    for (const child of node.namedChildren) {
      if (!child) continue
      if (child.type === 'string_content' || child.type === 'heredoc_content') out += child.text
      else if (child.type === 'interpolation') out += '#{}'
      else if (child.type === 'escape_sequence') out += child.text
    }
    return out || node.text.replace(/^%x\(|^`|`$|\)$/g, '')
  }

  /** Dotted name of a receiver chain: Net::HTTP, Base64, request.cookies, Rails.env. */
  private resolve(node: Node | null | undefined, depth = 0): string | undefined {
    if (!node || depth > 6) return undefined
    switch (node.type) {
      case 'constant':
      case 'identifier':
        return node.text
      case 'scope_resolution': {
        const scope = this.resolve(node.childForFieldName('scope'), depth + 1)
        const name = node.childForFieldName('name')?.text
        return scope && name ? `${scope}::${name}` : name
      }
      case 'call': {
        const method = node.childForFieldName('method')?.text
        const receiver = node.childForFieldName('receiver')
        if (!method) return undefined
        if (!receiver) return method
        const base = this.resolve(receiver, depth + 1)
        return base ? `${base}.${method}` : undefined
      }
      default:
        return undefined
    }
  }

  private args(node: Node): Node[] {
    return (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null)
  }

  private call(node: Node): void {
    const method = node.childForFieldName('method')?.text ?? ''
    const receiver = node.childForFieldName('receiver')
    const name = this.resolve(node) ?? method
    const args = this.args(node)
    const first = args[0]

    if (!receiver && (method === 'require' || method === 'require_relative' || method === 'load') && first?.type === 'string') {
      const spec = this.stringText(first)
      this.sink.localImports.add(method === 'require_relative' ? `./${spec}` : spec)
      return
    }
    // Rails.env.production?, Rails.env[0] == "p", ENV['RAILS_ENV']: code that runs only in one environment
    if (/^Rails\.env(\.|$)/.test(name)) this.sink.capability('env-read', 'Rails.env', this.offset(node))
    if (receiver?.type === 'constant' && receiver.text === 'ENV') {
      if (ENV_DUMP.has(method)) this.sink.capability('env-dump', `ENV.${method}`, this.offset(node))
      else this.sink.capability('env-read', `ENV.${method}(${first?.text ?? ''})`, this.offset(node))
      return
    }

    let cap = capabilityOf(RUBY_APIS, name)
    if (!cap && EVALUATORS.has(method)) cap = 'dynamic-code'
    // DSL blocks (instance_eval { … }) evaluate code the gem wrote; only strings are data turned into code
    if (cap === 'dynamic-code' && EVALUATORS.has(method) && !first && node.childForFieldName('block')) cap = undefined
    if (!cap && DISPATCH.has(method) && first && first.type !== 'simple_symbol' && first.type !== 'string') cap = 'dynamic-code'
    if (!cap && (method === 'unpack' || method === 'unpack1') && first && /["'](m|m0|H\*|u)["']/.test(first.text)) cap = 'decode'
    if (!cap && method === 'pack' && first && /["'](U\*|c\*|C\*)["']/.test(first.text)) cap = 'decode'
    if (!cap && !receiver && method === 'open' && first?.type === 'string' && /^\s*(https?|ftp):/.test(this.stringText(first))) cap = 'network'
    if (!cap && !receiver && method === 'open' && first?.type === 'string' && this.stringText(first).startsWith('|')) cap = 'process'
    if (!cap && (name === 'File.open' || name === 'File.new') && args[1]?.type === 'string' && /[wa]/.test(this.stringText(args[1]))) cap = 'fs-write'
    if (!cap && (name === 'File.open' || name === 'File.new')) cap = 'fs-read'
    if (!cap) return

    this.sink.capability(cap, name, this.offset(node))
    if (cap === 'fs-read' && first && /\.ssh|\.aws|\.gem\/credentials|\.npmrc|\.netrc|id_rsa|\.git-credentials/.test(first.text)) {
      this.sink.text(first.text, this.offset(first))
    }
    if (cap === 'process' || cap === 'dynamic-code') {
      for (const arg of args) if (arg.type === 'string') this.sink.text(this.stringText(arg), this.offset(arg), { executed: true })
    }
    if (cap === 'dynamic-code' || cap === 'process' || cap === 'network' || cap === 'dns') this.sinkArgs(args, cap, name)
    if (cap === 'fs-write') this.sinkArgs(args.slice(1), 'fs-write', name)
  }

  private sinkArgs(args: readonly Node[], sink: FlowSink, api: string): void {
    for (const arg of args) for (const source of this.taint(arg)) this.sink.flow(source, sink, api, this.offset(arg))
  }

  /** Where the value of an expression comes from: decoded data, a response, request data, the environment, the host. */
  private taint(node: Node | null | undefined, depth = 0): Set<FlowSource> {
    const out = new Set<FlowSource>()
    if (!node || depth > 12) return out
    if (node.type === 'identifier') {
      for (const t of this.taints.get(node.text) ?? []) out.add(t)
      return out
    }
    if (node.type === 'subshell') out.add('system-info')
    if (node.type === 'element_reference') {
      const object = node.namedChildren[0]
      const key = node.namedChildren[1]?.text ?? ''
      if (object?.type === 'constant' && object.text === 'ENV') {
        if (SECRET_NAME.test(key)) out.add('env-secret')
        if (IDENTITY_VARIABLE.test(key)) out.add('system-info')
        return out
      }
      if (REQUEST_DATA.test(this.resolve(object) ?? '')) out.add('network-response')
    }
    if (node.type === 'call') {
      const name = this.resolve(node) ?? ''
      const method = node.childForFieldName('method')?.text ?? ''
      const receiver = node.childForFieldName('receiver')
      const cap = capabilityOf(RUBY_APIS, name)
      if (cap === 'decode' || ((method === 'unpack' || method === 'unpack1') && /["'](m|m0|H\*|u)["']/.test(node.text))) out.add('decode')
      if (cap === 'network' || (!receiver && method === 'open' && /^\s*\(?\s*["'](https?|ftp):/.test(node.childForFieldName('arguments')?.text ?? ''))) out.add('network-response')
      if (cap === 'system-info') out.add('system-info')
      if (receiver?.type === 'constant' && receiver.text === 'ENV' && ENV_DUMP.has(method)) out.add('env')
      if (REQUEST_DATA.test(name)) out.add('network-response')
    }
    for (const child of node.namedChildren) for (const t of this.taint(child, depth + 1)) out.add(t)
    return out
  }
}

/** A `require` spec resolved to a file of the gem: require_relative from the file's folder, require from lib/. */
export function resolveRubyRequire(spec: string, from: string, files: ReadonlySet<string>): string | undefined {
  const candidates = spec.startsWith('./') ? [posix.normalize(posix.join(posix.dirname(from), spec.slice(2)))] : [`lib/${spec}`, spec]
  for (const base of candidates) for (const path of [base, `${base}.rb`]) if (files.has(path)) return path
  return undefined
}
