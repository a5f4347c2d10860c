// Helpers for the Python analyzer: the source as the interpreter reads it, and tree-sitter-python assignment targets, string values, constant folding, command text, decoder and obfuscation shapes, open() modes.
import type { Node } from 'web-tree-sitter'

export function targets(node: Node | null | undefined): string[] {
  if (!node) return []
  if (node.type === 'identifier') return [node.text]
  // `with open(p) as f`: the alias is an as_pattern_target around the name
  if (node.type === 'pattern_list' || node.type === 'tuple_pattern' || node.type === 'list_pattern' || node.type === 'as_pattern_target') {
    return node.namedChildren.flatMap((c) => targets(c))
  }
  return []
}

/** `(f)` → `f`: callees written in parentheses, as obfuscators do. */
export function unparenthesized(node: Node | null | undefined): Node | null | undefined {
  let n = node
  while (n?.type === 'parenthesized_expression' && n.namedChildren.length === 1) n = n.namedChildren[0]
  return n
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' }

/** The value of a string literal, with the common escapes decoded (hex escapes hide URLs and commands). */
export function stringValue(node: Node): string {
  return interpolatedValue(node, NO_CONSTANTS)
}

const NO_CONSTANTS: ReadonlyMap<string, string> = new Map()

/** A string literal's value, with f-string fields that name a known constant replaced by its value (`f"http://{HOST}:{PORT}"`). */
export function interpolatedValue(node: Node, constants: ReadonlyMap<string, string>): string {
  let out = ''
  const raw = /^[a-zA-Z]*[rR]/.test(node.firstChild?.text ?? '')
  for (const child of node.namedChildren) {
    if (!child) continue
    if (child.type === 'string_content') out += raw ? child.text : contentValue(child)
    else if (child.type === 'escape_sequence') out += decodeEscape(child.text)
    else if (child.type === 'interpolation') {
      const expression = child.namedChildren[0]
      out += (expression?.type === 'identifier' ? constants.get(expression.text) : undefined) ?? '{}'
    }
  }
  return out
}

/** A string's content with its escape sequences (children of the content node) decoded, in order. */
function contentValue(content: Node): string {
  const text = content.text
  let out = ''
  let at = 0
  for (const child of content.namedChildren) {
    if (child?.type !== 'escape_sequence') continue
    const index = text.indexOf(child.text, at)
    if (index < 0) break
    out += text.slice(at, index) + decodeEscape(child.text)
    at = index + child.text.length
  }
  return out + text.slice(at)
}

function decodeEscape(seq: string): string {
  const hex = /^\\x([0-9a-fA-F]{2})$/.exec(seq) ?? /^\\u([0-9a-fA-F]{4})$/.exec(seq)
  if (hex) return String.fromCharCode(parseInt(hex[1]!, 16))
  const octal = /^\\([0-7]{1,3})$/.exec(seq)
  if (octal) return String.fromCharCode(parseInt(octal[1]!, 8))
  return ESCAPES[seq.slice(1)] ?? seq
}

export function foldString(node: Node, constants: ReadonlyMap<string, string>, depth = 0): string | undefined {
  if (depth > 50) return undefined
  if (node.type === 'string') return interpolatedValue(node, constants)
  if (node.type === 'identifier' && depth > 0) return constants.get(node.text)
  if (node.type === 'concatenated_string') return node.namedChildren.map((c) => (c ? stringValue(c) : '')).join('')
  if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return foldString(node.namedChildren[0], constants, depth + 1)
  // ('met' + 'sys.so')[::-1]: a string spelt backwards
  if (node.type === 'subscript' && node.childForFieldName('subscript')?.text.replace(/\s/g, '') === '::-1') {
    const value = node.childForFieldName('value')
    const folded = value ? foldString(value, constants, depth + 1) : undefined
    return folded === undefined ? undefined : [...folded].reverse().join('')
  }
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const left = node.childForFieldName('left')
    const right = node.childForFieldName('right')
    const l = left ? foldString(left, constants, depth + 1) : undefined
    const r = right ? foldString(right, constants, depth + 1) : undefined
    if (l !== undefined && r !== undefined) return l + r
    if (l !== undefined || r !== undefined) return `${l ?? ''} ${r ?? ''}`
  }
  return undefined
}

/** Mathematical alphanumerics (𝙞𝗺𝗽𝗼𝗿𝘁): Python folds identifiers to NFKC, so they spell ordinary names. */
const FOLDED_LETTERS = /[\u{1D400}-\u{1D7FF}]/u

/** A comment, or a string literal with its prefix (group 1) and its quoted body (group 2). */
const COMMENT_OR_STRING = /#[^\n]*|([rRbBuUfF]{0,2})('''[\s\S]*?'''|"""[\s\S]*?"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")/g

/** The source with string literals and comments blanked (same length), so a search finds code only. */
export function pythonCodeOnly(source: string): string {
  return source.replace(COMMENT_OR_STRING, (m) => m.replace(/[^\n]/g, ' '))
}

/**
 * The source with every string literal longer than `limit` emptied, its lines kept (`b"…"` → `b""`, a
 * triple-quoted body → its newlines): a file made large by the text it carries (modules bundled as
 * strings, data tables) keeps small code around it, worth parsing; line numbers do not move.
 */
export function emptyLongStrings(source: string, limit: number): string {
  return source.replace(COMMENT_OR_STRING, (m, prefix: string | undefined, body: string | undefined) => {
    if (body === undefined || m.length <= limit) return m
    const quote = body.startsWith("'''") || body.startsWith('"""') ? body.slice(0, 3) : body[0]!
    return `${prefix ?? ''}${quote}${'\n'.repeat(body.split('\n').length - 1)}${quote}`
  })
}

/**
 * The source as the interpreter reads it: identifiers spelled in look-alike letters are their ASCII
 * names (NFKC), with the offset of the first such identifier in the folded source. In strings and
 * comments those letters are only text (a docstring may show 𝟏), so they change nothing there.
 */
export function interpreterSource(raw: string): { source: string; foldedAt?: number } {
  if (!FOLDED_LETTERS.test(raw)) return { source: raw }
  const at = FOLDED_LETTERS.exec(pythonCodeOnly(raw))?.index
  if (at === undefined) return { source: raw }
  return { source: raw.normalize('NFKC'), foldedAt: raw.slice(0, at).normalize('NFKC').length }
}

/**
 * Whether `''.join(…)` given these arguments decodes: a substitution cipher or character codes turned
 * into text. `f(x for x in y)` has the generator itself as its arguments.
 */
export function joinDecodes(args: Node | null | undefined): boolean {
  const joined = args?.type === 'generator_expression' ? args : args?.namedChildren[0]
  return isSubstitutionDecoder(joined) || isCharCodeDecoder(joined)
}

/** A comprehension that maps each character of a long literal through a lookup (`x[alphabet.index(c)]`, `table.get(c)`). */
function isSubstitutionDecoder(node: Node | null | undefined): boolean {
  if (!node || (node.type !== 'list_comprehension' && node.type !== 'generator_expression')) return false
  const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause')
  const source = clause?.childForFieldName('right')
  if (source?.type !== 'string' || source.text.length < 40) return false
  return /\.index\(\s*\w+\s*\)|\.find\(\s*\w+\s*\)|\.get\(\s*\w+|\[\s*\w+\s*\]/.test(node.childForFieldName('body')?.text ?? '')
}

/** A comprehension turning numbers into characters (chr(…) per element), or map(chr, …): text spelt in character codes. */
function isCharCodeDecoder(node: Node | null | undefined): boolean {
  if (!node) return false
  if (node.type === 'call') return node.childForFieldName('function')?.text === 'map' && node.childForFieldName('arguments')?.namedChildren[0]?.text === 'chr'
  if (node.type !== 'list_comprehension' && node.type !== 'generator_expression') return false
  const body = node.childForFieldName('body')
  return body?.type === 'call' && body.childForFieldName('function')?.text === 'chr'
}

/**
 * `t[1]+t[8]+t[13]+t[0]+t[18]+t[2]`: six or more items of one table at literal indexes, added in an
 * order that is not ascending — how obfuscators spell names and keywords (numeric code adds a row in order).
 */
export function pickedFromTable(node: Node): boolean {
  const terms: Node[] = []
  const stack: Node[] = [node]
  while (stack.length > 0 && terms.length <= 64) {
    const n = stack.pop()!
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
      stack.push(n.childForFieldName('right')!, n.childForFieldName('left')!)
    } else terms.push(n)
  }
  if (terms.length < 6) return false
  const table = terms[0]!.childForFieldName('value')?.text
  const indexes: number[] = []
  for (const term of terms) {
    const index = term.childForFieldName('subscript')
    if (term.type !== 'subscript' || term.childForFieldName('value')?.text !== table || !/^-?\d+$/.test(index?.text ?? '')) return false
    indexes.push(Number(index!.text))
  }
  return indexes.some((v, i) => i > 0 && v < indexes[i - 1]!)
}

/** The mode an `open(…)` call is given, positionally or as `mode=`; '' when not literal. */
export function openMode(args: Node | null | undefined): string {
  const given = (args?.namedChildren ?? []).filter((a): a is Node => a !== null)
  const mode = given.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'mode')?.childForFieldName('value') ?? given.filter((a) => a.type !== 'keyword_argument')[1]
  return mode?.type === 'string' ? stringValue(mode) : ''
}

/** `os.path.join`, `path.join`, `posixpath.join`, `ntpath.join`. */
const PATH_JOIN = /^(?:os\.|posix|nt)?path\.join$/

/** Whether a node is a call joining a path from parts (`os.path.join(home, 'Library', 'LaunchAgents')`). */
export function joinsPath(node: Node): boolean {
  return node.type === 'call' && PATH_JOIN.test(node.childForFieldName('function')?.text ?? '')
}

/** Text of a command: a string, a concatenation, a list of words, or a name holding one of `constants`. */
export function commandText(node: Node | null | undefined, constants: ReadonlyMap<string, string>, depth = 0): string | undefined {
  if (!node || depth > 20) return undefined
  switch (node.type) {
    case 'string':
      return interpolatedValue(node, constants)
    case 'integer':
      return node.text
    case 'concatenated_string':
      return node.namedChildren.map((c) => (c ? stringValue(c) : '')).join('')
    case 'parenthesized_expression':
      return commandText(node.namedChildren[0], constants, depth + 1)
    case 'identifier':
      return constants.get(node.text)
    case 'list':
    case 'tuple': {
      const words = node.namedChildren.map((c) => commandText(c, constants, depth + 1))
      return words.some((w) => w !== undefined) ? words.map((w) => w ?? '…').join(' ') : undefined
    }
    case 'binary_operator': {
      const l = commandText(node.childForFieldName('left'), constants, depth + 1)
      const r = commandText(node.childForFieldName('right'), constants, depth + 1)
      return l !== undefined || r !== undefined ? `${l ?? ''}${r ?? ''}` : undefined
    }
    case 'call': {
      // '…'.format(…), '…' % x, ' '.join([...]) keep their literal parts
      const fn = node.childForFieldName('function')
      // os.path.join(home, 'Library', 'LaunchAgents'): the path's known parts, joined as the system would
      if (joinsPath(node)) {
        const parts = (node.childForFieldName('arguments')?.namedChildren ?? []).map((c) => (c?.type === 'keyword_argument' ? undefined : commandText(c, constants, depth + 1)))
        return parts.some((p) => p !== undefined) ? parts.map((p) => p ?? '…').join('/') : undefined
      }
      if (fn?.type === 'attribute') {
        const object = commandText(fn.childForFieldName('object'), constants, depth + 1)
        const method = fn.childForFieldName('attribute')?.text
        if (method === 'join') return commandText(node.childForFieldName('arguments')?.namedChildren[0], constants, depth + 1)
        if (object !== undefined && method === 'format') return object
      }
      return undefined
    }
    default:
      return undefined
  }
}
