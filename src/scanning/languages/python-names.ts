// Name resolution for the Python analyzer: what a name in a file stands for, through its imports, aliases and star imports.
import type { Node } from 'web-tree-sitter'
import { PYTHON_APIS, capabilityOf } from './api-catalog.ts'
import { stringValue } from './python-syntax.ts'

/** Python's builtins: a star import does not replace them in practice (`from requests import *` then `eval(…)` is the builtin). */
const PY_BUILTINS = new Set(
  ('abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod enumerate eval exec ' +
    'exit filter float format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len list locals map max ' +
    'memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum ' +
    'super tuple type vars zip __import__').split(' '),
)
const BUILTIN_EXCEPTION = /^[A-Z]\w*(Error|Exception|Warning)$/

/**
 * The names of one file: `import os`, `from subprocess import Popen as P`, `x = os.system`, star
 * imports. `resolve` turns an expression into the dotted API name it stands for.
 */
export class PyNames {
  private readonly aliases = new Map<string, string>()
  /** Local names bound by import statements: calls through them may land in another module of the package. */
  private readonly imported = new Set<string>()
  private readonly starImports: string[] = []
  /** Names the file binds (assignments, loop variables, functions, classes): a star import does not reach them. */
  private readonly bound = new Set<string>()

  /** `isParameter(node, name)`: whether `name` is a parameter of the function `node` sits in. */
  constructor(private readonly isParameter: (node: Node, name: string) => boolean) {}

  /** Records an `import …` or `from … import …` statement; returns the module names it loads. */
  importStatement(node: Node): string[] {
    const loads: string[] = []
    if (node.type === 'import_statement') {
      for (const child of node.namedChildren) {
        if (child?.type === 'dotted_name') {
          const top = child.text.split('.')[0]!
          this.aliases.set(top, top)
          this.imported.add(top)
          loads.push(child.text)
        } else if (child?.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text
          const alias = child.childForFieldName('alias')?.text
          if (name && alias) this.aliases.set(alias, name)
          if (alias) this.imported.add(alias)
          if (name) loads.push(name)
        }
      }
      return loads
    }
    const module = node.childForFieldName('module_name')?.text ?? ''
    loads.push(module)
    // `from . import util` names the module `.util`, `from pkg import util` the module `pkg.util`
    const member = (name: string) => `${module}${module.endsWith('.') ? '' : '.'}${name}`
    for (const nameNode of node.childrenForFieldName('name')) {
      if (nameNode?.type === 'dotted_name') {
        this.aliases.set(nameNode.text, member(nameNode.text))
        this.imported.add(nameNode.text)
        // `from pkg import sub` may load the submodule pkg/sub.py as well as pkg/__init__.py
        loads.push(member(nameNode.text))
      } else if (nameNode?.type === 'aliased_import') {
        const name = nameNode.childForFieldName('name')?.text
        const alias = nameNode.childForFieldName('alias')?.text
        if (name && alias) {
          this.aliases.set(alias, member(name))
          this.imported.add(alias)
        }
      }
    }
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) this.starImports.push(module)
    return loads
  }

  /** `target = <expression>` where the expression names an API: `target` stands for it too. */
  alias(target: string, dotted: string): void {
    this.aliases.set(target, dotted)
  }

  isAlias(name: string): boolean {
    return this.aliases.has(name)
  }

  /** Whether a call through `name` may land in another module (the name was bound by an import). */
  isImported(name: string): boolean {
    return this.imported.has(name)
  }

  /** The file binds `name` itself (a star import cannot be where it comes from). */
  bind(name: string | undefined): void {
    if (name) this.bound.add(name)
  }

  /** Dotted name of an expression through imports and aliases. */
  resolve(node: Node | null | undefined, depth = 0): string | undefined {
    if (!node || depth > 8) return undefined
    if (node.type === 'identifier') {
      const alias = this.aliases.get(node.text)
      if (alias) return alias
      // `from requests import *` brings the module's names, not the builtins or the file's own variables
      if (this.starImports.length > 0 && !PY_BUILTINS.has(node.text) && !BUILTIN_EXCEPTION.test(node.text) && !this.bound.has(node.text) && !this.isParameter(node, node.text)) {
        for (const module of this.starImports) {
          const candidate = `${module}.${node.text}`
          if (capabilityOf(PYTHON_APIS, candidate)) return candidate
        }
      }
      return node.text
    }
    if (node.type === 'attribute') {
      const object = this.resolve(node.childForFieldName('object'), depth + 1)
      const attr = node.childForFieldName('attribute')?.text
      // builtins.exec and __builtins__.exec are exec: a detour that hides the call from name matching.
      if (attr && (object === 'builtins' || object === '__builtins__')) return attr
      return object && attr ? `${object}.${attr}` : undefined
    }
    if (node.type === 'parenthesized_expression') return this.resolve(node.namedChildren[0], depth + 1)
    if (node.type === 'call') {
      // __import__("os").system(…) and importlib.import_module("os").system(…)
      const fn = this.resolve(node.childForFieldName('function'), depth + 1)
      const first = node.childForFieldName('arguments')?.namedChildren[0]
      if ((fn === '__import__' || fn === 'importlib.import_module') && first?.type === 'string') return stringValue(first)
      // getattr(os, 'system'), getattr(__import__('base64'), 'b64decode'): an attribute named by a literal is that attribute
      const attr = node.childForFieldName('arguments')?.namedChildren[1]
      if (fn === 'getattr' && attr?.type === 'string') {
        const object = this.resolve(first, depth + 1)
        const name = stringValue(attr)
        if (object && /^[A-Za-z_]\w*$/.test(name)) return object === 'builtins' || object === '__builtins__' ? name : `${object}.${name}`
      }
    }
    return undefined
  }
}
