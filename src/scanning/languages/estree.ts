// ESTree helpers and tables for the JavaScript analyzer: patterns, names, literals, module aliases.

export type Node = { type: string; start: number; end: number; [key: string]: any }

/** Functions whose result carries their arguments' data. */
export const TRANSFORMERS =
  /^(String|JSON\.(stringify|parse)|Buffer\.(from|concat)|encodeURIComponent|encodeURI|escape|btoa|atob|querystring\.stringify|Object\.(keys|values|entries|assign|fromEntries)|Array\.from|util\.(format|inspect)|zlib\.\w+)$/
/** Methods whose result carries the data of their receiver or arguments. */
export const DATA_METHODS = new Set([
  'toString', 'slice', 'substring', 'substr', 'trim', 'split', 'join', 'replace', 'replaceAll', 'concat', 'toLowerCase', 'toUpperCase',
  'map', 'filter', 'reduce', 'padEnd', 'padStart', 'repeat', 'reverse', 'text', 'json', 'arrayBuffer', 'read', 'update', 'final',
  'push', 'stringify', 'from', 'encode', 'decode', 'entries', 'keys', 'values',
])

export function isDecodingEncoding(node: Node | undefined): boolean {
  return node?.type === 'Literal' && /^(base64|hex|base64url)$/.test(String(node.value))
}

/**
 * String.fromCharCode decodes text everywhere (UTF-8 readers, terminal libraries); only a list of
 * literal codes — `fromCharCode(104, 116, 116, 112)` or a spread array of them — hides a string.
 */
export function isCharCodeList(args: Node[]): boolean {
  const numbers = (list: Node[]) => list.length >= 4 && list.every((a) => a?.type === 'Literal' && typeof a.value === 'number')
  if (numbers(args)) return true
  const spread = args.length === 1 && args[0]?.type === 'SpreadElement' ? args[0].argument : undefined
  return spread?.type === 'ArrayExpression' && numbers(spread.elements ?? [])
}

/** Names a parameter or pattern binds. */
export function boundNames(pattern: Node | null | undefined): string[] {
  if (!pattern) return []
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name]
    case 'AssignmentPattern':
      return boundNames(pattern.left)
    case 'RestElement':
      return boundNames(pattern.argument)
    case 'ArrayPattern':
      return (pattern.elements ?? []).flatMap((e: Node | null) => boundNames(e))
    case 'ObjectPattern':
      return (pattern.properties ?? []).flatMap((p: Node) => boundNames(p.type === 'RestElement' ? p : p.value))
    case 'TSParameterProperty':
      return boundNames(pattern.parameter)
    default:
      return []
  }
}

/** [key, local name] pairs of a destructuring pattern's top level. */
export function destructured(pattern: Node | null | undefined): [string | undefined, string][] {
  if (pattern?.type !== 'ObjectPattern') return boundNames(pattern).map((name) => [undefined, name])
  return (pattern.properties ?? []).flatMap((prop: Node): [string | undefined, string][] => {
    if (prop.type === 'RestElement') return boundNames(prop).map((name) => [undefined, name])
    const key = prop.computed ? undefined : (prop.key?.name ?? prop.key?.value)
    const local = prop.value?.type === 'Identifier' ? prop.value.name : prop.value?.left?.type === 'Identifier' ? prop.value.left.name : undefined
    return local ? [[key, local]] : boundNames(prop.value).map((name) => [undefined, name])
  })
}

export function isRequire(node: Node): boolean {
  return node?.type === 'CallExpression' && node.callee?.type === 'Identifier' && node.callee.name === 'require'
}

export function isStringy(node: Node): boolean {
  return (node.type === 'Literal' && typeof node.value === 'string') || node.type === 'TemplateLiteral' || node.type === 'BinaryExpression'
}

export function propertyName(member: Node): string | undefined {
  const prop = member.property
  if (!member.computed && prop?.type === 'Identifier') return prop.name
  if (prop?.type === 'Literal' && typeof prop.value === 'string') return prop.value
  return undefined
}

/** Drop-in replacements resolve to the module they replace, so one catalog entry covers them. */
export const EQUIVALENT_MODULES: Record<string, string> = {
  'fs-extra': 'fs',
  'graceful-fs': 'fs',
  'promise-fs': 'fs',
  'mz/fs': 'fs',
  'fs/promises': 'fs',
  'request-promise': 'request',
  'request-promise-native': 'request',
  'child-process-promise': 'child_process',
}

export function normalizeModule(specifier: string): string {
  const bare = specifier.replace(/^node:/, '')
  return EQUIVALENT_MODULES[bare] ?? bare
}
