// Loads tree-sitter grammars shipped as WebAssembly in npm packages (no native build).
import { createRequire } from 'node:module'
import { Language, Parser } from 'web-tree-sitter'

const require = createRequire(import.meta.url)

/** A parser for the grammar at `wasm`, a path inside an installed package (e.g. 'tree-sitter-ruby/tree-sitter-ruby.wasm'). */
export async function loadParser(wasm: string): Promise<Parser> {
  await Parser.init()
  const language = await Language.load(require.resolve(wasm))
  const parser = new Parser()
  parser.setLanguage(language)
  return parser
}
