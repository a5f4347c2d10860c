// Loads tree-sitter grammars shipped as WebAssembly in npm packages (no native build).
import { createRequire } from 'node:module'
import { Language, Node, Parser } from 'web-tree-sitter'

const require = createRequire(import.meta.url)

/** A parser for the grammar at `wasm`, a path inside an installed package (e.g. 'tree-sitter-ruby/tree-sitter-ruby.wasm'). */
export async function loadParser(wasm: string): Promise<Parser> {
  await Parser.init()
  rememberNodeReads()
  const language = await Language.load(require.resolve(wasm))
  const parser = new Parser()
  parser.setLanguage(language)
  return parser
}

const READS = Symbol('gatehouse.nodeReads')
/** What a node was told, in one object of one shape for every node (so that reading it stays fast). */
interface Reads {
  typeId: number | undefined
  endIndex: number | undefined
  parent: Node | null | undefined
  text: string | undefined
  fields: (Node | null)[] | undefined
}
type Remembered = Node & { [READS]?: Reads }
let remembering = false

const readsOf = (node: Remembered): Reads =>
  (node[READS] ??= { typeId: undefined, endIndex: undefined, parent: undefined, text: undefined, fields: undefined })

/**
 * web-tree-sitter answers every question about a node (its type, its end, its parent, a field's child) by copying the
 * node into WebAssembly memory and back, each time it is asked; the analyzers ask a node the same questions many times
 * (the type above all), and that copying was a large part of a big package's scan. A parsed tree never changes, so each node
 * object keeps the answers it was given: the same answers, computed once (docs/decisions.md, "Tree-sitter nodes keep
 * what they were told").
 */
export function rememberNodeReads(): void {
  if (remembering) return
  remembering = true
  const proto = Node.prototype
  const remember = <K extends 'typeId' | 'endIndex' | 'parent' | 'text'>(name: K): void => {
    const get = Object.getOwnPropertyDescriptor(proto, name)?.get as ((this: Node) => Reads[K]) | undefined
    if (!get) throw new Error(`web-tree-sitter's Node has no ${name} getter to remember`)
    Object.defineProperty(proto, name, {
      configurable: true,
      get(this: Remembered) {
        const reads = readsOf(this)
        const known = reads[name]
        return known !== undefined ? known : (reads[name] = get.call(this))
      },
    })
  }
  remember('typeId')
  remember('endIndex')
  remember('parent')
  remember('text')
  const childForFieldId = proto.childForFieldId
  proto.childForFieldId = function (this: Remembered, fieldId: number) {
    const fields = (readsOf(this).fields ??= [])
    const known = fields[fieldId]
    return known !== undefined ? known : (fields[fieldId] = childForFieldId.call(this, fieldId))
  }
}
