// Shared helpers for language analyzers: line lookup, evidence, and the facts a file accumulates.
import { createHash } from 'node:crypto'
import type { Capability, CapabilityUse, EmbeddedProgram, FileFacts, Flow, FlowSink, FlowSource, Indicator, IndicatorKind, Language } from '../facts.ts'
import { excerptOf, reachFrom } from '../facts.ts'
import { MAX_PATTERN_CHARS, holdsPatternIndicator, indicatorsIn, mayBeEncoded } from '../indicators.ts'

const MAX_PER_KIND = 20
/** Programs kept per file, and the size of each: enough for droppers, bounded for hostile files. */
const MAX_PROGRAMS = 8
const MAX_PROGRAM_CHARS = 1_000_000
/** Text is looked at in windows (and blocks of lines) under the length at which values get only the encoded checks. */
const CHUNK = MAX_PATTERN_CHARS - 4_000
const OVERLAP = 400

/** Collects facts for one file, bounded so a hostile file cannot grow them without limit. */
export class FactSink {
  readonly capabilities: CapabilityUse[] = []
  readonly indicators: Indicator[] = []
  readonly flows: Flow[] = []
  readonly localImports = new Set<string>()
  readonly programs: EmbeddedProgram[] = []
  /** The lines and where each starts, built when a fact first needs a line number (most big files yield none). */
  private index: { readonly lines: string[]; readonly starts: number[] } | undefined
  private readonly counts = new Map<string, number>()
  private readonly seenValues = new Set<string>()
  /** The top-level function the walker is in, stamped on every fact it records. */
  fn: string | undefined
  /** Names referenced by module-level code, and by each top-level function. */
  readonly topRefs = new Set<string>()
  readonly refsByFn = new Map<string, Set<string>>()
  private readonly outsideCallsByFn = new Map<string, Set<string>>()

  constructor(
    readonly path: string,
    readonly language: Language,
    readonly source: string,
  ) {}

  private get lineIndex(): { readonly lines: string[]; readonly starts: number[] } {
    if (!this.index) {
      const starts = [0]
      for (let i = this.source.indexOf('\n'); i !== -1; i = this.source.indexOf('\n', i + 1)) starts.push(i + 1)
      this.index = { lines: this.source.split('\n'), starts }
    }
    return this.index
  }

  lineAt(offset: number): number {
    const { starts } = this.lineIndex
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }

  /** Offset of a (0-based row, column) position, for parsers that report positions. */
  offsetOf(row: number, column: number): number {
    return (this.lineIndex.starts[row] ?? this.source.length) + column
  }

  private evidence(offset: number): { line: number; excerpt: string } {
    const line = this.lineAt(offset)
    const { lines, starts } = this.lineIndex
    return { line, excerpt: excerptOf(lines, line, offset - (starts[line - 1] ?? 0)), ...(this.fn ? { fn: this.fn } : {}) }
  }

  /** Records a reference to `name` from the current context (module level or a top-level function). */
  reference(name: string): void {
    if (this.fn === undefined) this.topRefs.add(name)
    else this.referenceFrom(this.fn, name)
  }

  /** Records that `via` hands `fn` on when it runs: `fn` is reached wherever `via` is (a server's start reaches its handlers). */
  referenceFrom(via: string, fn: string): void {
    const set = this.refsByFn.get(via) ?? new Set<string>()
    set.add(fn)
    this.refsByFn.set(via, set)
  }

  private allow(key: string): boolean {
    key = `${key}:${this.fn ?? ''}`
    const n = this.counts.get(key) ?? 0
    if (n >= MAX_PER_KIND) return false
    this.counts.set(key, n + 1)
    return true
  }

  capability(cap: Capability, api: string, offset: number): void {
    if (this.allow(`c:${cap}:${api}`)) this.capabilities.push({ cap, api, ...this.evidence(offset) })
  }

  flow(source: FlowSource, sink: FlowSink, api: string, offset: number): void {
    if (this.allow(`f:${source}:${sink}`)) this.flows.push({ source, sink, api, ...this.evidence(offset) })
  }

  /**
   * Looks for indicators in a string value seen at `offset`. `executed` marks values handed to a
   * process or an evaluator; `only` restricts the kinds (regular expressions name stores, not commands).
   */
  text(value: string, offset: number, options: { executed?: boolean; only?: readonly IndicatorKind[] } = {}): void {
    if (value.length < 4) return
    const key = `${options.executed ? 'x' : '-'}${value.length > 300 ? createHash('sha1').update(value).digest('base64') : value}`
    if (this.seenValues.has(key)) return
    this.seenValues.add(key)
    // Base64 and hex literals hide commands, URLs and whole programs: look at what they decode to as well.
    const decoded = decodedText(value)
    const all = decoded ? [...indicatorsIn(value), ...indicatorsIn(decoded.text).map((f) => ({ ...f, value: `${f.value} (${decoded.encoding}-decoded)` }))] : indicatorsIn(value)
    // an address written only encoded, or a program carried as an encoded string
    if (decoded && WHOLE_URL.test(decoded.text.trim())) all.push({ kind: 'encoded-url', value: decoded.text.trim().slice(0, 200) })
    else if (decoded && decoded.text.length >= 200 && PROGRAM_TEXT.test(decoded.text)) all.push({ kind: 'encoded-program', value: `${decoded.text.length} characters of ${decoded.encoding}-encoded code: ${decoded.text.replace(/\s+/g, ' ').trim().slice(0, 120)}` })
    for (const found of all) {
      if (options.only && !options.only.includes(found.kind)) continue
      if (this.allow(`i:${found.kind}:${options.executed ? 'x' : '-'}`)) {
        this.indicators.push({ kind: found.kind, value: found.value, ...(options.executed ? { executed: true } : {}), ...this.evidence(offset) })
      }
    }
  }

  /** Source text the file runs (`exec('…')`, `python -c '…'`, a script it writes and starts), launched at `offset`. */
  program(language: EmbeddedProgram['language'], code: string, offset: number): void {
    if (code.trim().length < 8 || code.length > MAX_PROGRAM_CHARS || this.programs.length >= MAX_PROGRAMS) return
    if (this.programs.some((p) => p.code === code)) return
    this.programs.push({ language, code, ...this.evidence(offset) })
  }

  indicator(kind: Indicator['kind'], value: string, offset: number): void {
    if (this.allow(`i:${kind}`)) this.indicators.push({ kind, value, ...this.evidence(offset) })
  }

  /** Records a call to a name another module of the package may define (resolved at package level). */
  outsideCall(dotted: string): void {
    const key = this.fn ?? ''
    const set = this.outsideCallsByFn.get(key) ?? new Set<string>()
    set.add(dotted)
    this.outsideCallsByFn.set(key, set)
  }

  /** Functions reachable from module-level code through references (calls, callbacks, cmdclass…), and what widens it later. */
  private reach(): Pick<FileFacts, 'reachable' | 'references' | 'outsideCalls'> {
    const references: Record<string, string[]> = { '': [...this.topRefs] }
    for (const [fn, refs] of this.refsByFn) references[fn] = [...refs]
    const outsideCalls: Record<string, string[]> = {}
    for (const [fn, calls] of this.outsideCallsByFn) outsideCalls[fn] = [...calls]
    return { reachable: reachFrom(references, this.topRefs), references, ...(this.outsideCallsByFn.size > 0 ? { outsideCalls } : {}) }
  }

  facts(parseError?: string, options: { trackReach?: boolean } = {}): FileFacts {
    return {
      path: this.path,
      language: this.language,
      capabilities: this.capabilities,
      indicators: this.indicators,
      flows: this.flows,
      localImports: [...this.localImports],
      ...(this.programs.length > 0 ? { programs: this.programs } : {}),
      ...(options.trackReach ? this.reach() : {}),
      ...(parseError ? { parseError } : {}),
    }
  }

}

/** Inline code a command evaluates: `node -e "…"`, `python -c "…"` (a hook, or a process a file starts). */
export function inlineCode(command: string): { language: EmbeddedProgram['language']; code: string }[] {
  const out: { language: EmbeddedProgram['language']; code: string }[] = []
  const re = /\b(node|python3?)\s+(?:-\w+\s+)*-(e|c|p|-eval)\s+(["'])([\s\S]*?)\3/g
  for (const match of command.matchAll(re)) out.push({ language: match[1] === 'node' ? 'javascript' : 'python', code: match[4]! })
  return out
}

/**
 * Whether text names a store of credentials (SSH keys, cloud and registry credentials, browser and
 * Discord profiles, wallets, the password files): what opening such a path reads is a secret.
 */
export function namesCredentialStore(text: string): boolean {
  return CREDENTIAL_STORE_TEXT.test(text)
}
const CREDENTIAL_STORE_TEXT = /\.ssh|\.aws|\.azure\b|gcloud[\\/]+(?:application_default_credentials|credentials\.db|access_tokens\.db|legacy_credentials)|\.npmrc|\.pypirc|\.git-credentials|\.netrc|\.docker|\.kube|Login Data|Local State|Local Storage|leveldb|wallet|etc\/passwd|etc\/shadow|Cookies/i

/**
 * Whether a command prints what it downloads, so its output is what a server sent: curl unless told to write a file
 * (`-o`, `-O`, alone or ending a cluster such as `-sSLo`, `--output`, `--remote-name`), wget told to write to standard
 * output (`-O -`, `-qO-`). A program reading that output has fetched it (`subprocess.getoutput('curl …')`).
 */
export function printsDownload(command: string): boolean {
  const words = command.trimStart().replace(/^sudo\s+/, '')
  if (/^curl\b/.test(words)) return !/\s(-[A-Za-z]*[oO]|--output|--remote-name(-all)?)(?=[\s=]|$)/.test(words)
  return /^wget\b/.test(words) && /\s-(q?O\s*|-output-document[=\s]\s*)-(?=\s|$)/.test(words)
}

/** The text a base64 literal decodes to, when it is one and decodes to readable text. */
const WHOLE_URL = /^(?:https?|wss?|ftp):\/\/[\x21-\x7e]{4,}$/
// statements of a program (Python, JavaScript, shell, PowerShell) rather than data
const PROGRAM_TEXT = /^\s*(import|from)\s+[\w.]+|\b(exec|eval)\s*\(|\brequire\s*\(\s*['"]|\bsubprocess\.\w+\(|\bos\.system\s*\(|\bchild_process\b|\bInvoke-\w+|#!\/bin\/(ba)?sh/m

/** The text a base64 or hex literal decodes to, when it is text (≥ 95% printable). */
export function decodedText(value: string): { text: string; encoding: 'base64' | 'hex' } | undefined {
  if (value.length < 16 || value.length > 20_000) return undefined
  const hex = value.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(value)
  if (!hex && (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value))) return undefined
  const text = Buffer.from(value, hex ? 'hex' : 'base64').toString('latin1')
  let printable = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable += 1
  }
  return printable / text.length > 0.95 ? { text, encoding: hex ? 'hex' : 'base64' } : undefined
}

/** A piece of text the scan looks at: a block of short lines (with its lines), or a long line or a window of one. */
export interface TextPiece {
  readonly text: string
  readonly offset: number
  /** A block's lines, each to be looked at alone when the block holds something. */
  readonly lines?: readonly { readonly line: string; readonly offset: number }[]
}

/**
 * Cuts text into what the scan looks at: lines go in blocks of up to CHUNK characters; a line too
 * long for one (minified code puts megabytes on one line) goes in overlapping windows, as does a
 * line a value check judges whole (an encoded payload), which gets a look of its own.
 */
export function* textPieces(source: string): Generator<TextPiece> {
  let block: { line: string; offset: number }[] = []
  let blockChars = 0
  function* flush(): Generator<TextPiece> {
    if (block.length === 1) yield { text: block[0]!.line, offset: block[0]!.offset }
    else if (block.length > 1) yield { text: block.map((l) => l.line).join('\n'), offset: block[0]!.offset, lines: block }
    block = []
    blockChars = 0
  }
  let offset = 0
  for (const line of source.split('\n')) {
    if (line.length >= CHUNK || mayBeEncoded(line)) {
      yield* flush()
      for (let start = 0; start < line.length; start += CHUNK - OVERLAP) {
        yield { text: line.slice(start, start + CHUNK), offset: offset + start }
        if (start + CHUNK >= line.length) break
      }
    } else if (line.length >= 4) {
      if (blockChars + line.length >= CHUNK) yield* flush()
      block.push({ line, offset })
      blockChars += line.length + 1
    }
    offset += line.length + 1
  }
  yield* flush()
}

/**
 * Scans raw text (for files that are not parsed, or could not be). One pass of the patterns over a
 * block of lines finds whatever any of its lines holds, and only a block with a find is gone over
 * line by line, for the evidence's line and excerpt (textPieces).
 */
export function scanText(sink: FactSink, options: { executed?: boolean } = {}): void {
  for (const piece of textPieces(sink.source)) {
    if (!piece.lines) sink.text(piece.text, piece.offset, options)
    else if (holdsPatternIndicator(piece.text)) for (const { line, offset } of piece.lines) sink.text(line, offset, options)
  }
}

/**
 * Code pushed hundreds of columns to the right of code on the same line, out of an editor's view:
 * a trick for hiding a payload behind an innocent statement. Runs of spaces inside a string
 * literal (an odd number of quotes before them on the line) do not count.
 */
export function offscreenCode(source: string): { offset: number; columns: number } | undefined {
  const re = /[^\s'"`][ \t]{150,}[^\s'"`#/]/g
  for (const m of source.matchAll(re)) {
    const lineStart = source.lastIndexOf('\n', m.index) + 1
    const before = source.slice(lineStart, m.index + 1).replace(/\\./g, '')
    const open = ['"', "'", '`'].some((q) => before.split(q).length % 2 === 0)
    if (!open) return { offset: m.index + m[0].length - 1, columns: m[0].length - 2 }
  }
  return undefined
}

/** Runs this long of base64/hex characters are data, not code: embedded payloads, fonts, images. */
const ENCODED_RUN = /[A-Za-z0-9+/=_-]{4096,}/g
const MAGIC: readonly [string, Buffer][] = [
  ['a Windows executable', Buffer.from('MZ')],
  ['a Linux executable', Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
  ['a macOS executable', Buffer.from([0xcf, 0xfa, 0xed, 0xfe])],
  ['a zip archive', Buffer.from('PK\x03\x04', 'latin1')],
  ['gzip data', Buffer.from([0x1f, 0x8b])],
]

/** What an encoded run decodes to, when its first bytes say so. */
export function sniffEncoded(run: string): string | undefined {
  const head = /^[0-9a-f]+$/i.test(run.slice(0, 64)) ? Buffer.from(run.slice(0, 64), 'hex') : Buffer.from(run.slice(0, 64), 'base64')
  return MAGIC.find(([, magic]) => head.subarray(0, magic.length).equals(magic))?.[0]
}

/**
 * Shortens long encoded runs so the code around a multi-megabyte embedded payload can still be
 * parsed. Newlines are untouched, so line numbers stay true; the runs are returned with the
 * offsets of their shortened stand-ins.
 */
export function collapseEncodedRuns(source: string): { source: string; runs: { offset: number; length: number; decodesTo?: string }[] } {
  const runs: { offset: number; length: number; decodesTo?: string }[] = []
  let shift = 0
  const collapsed = source.replace(ENCODED_RUN, (run, offset: number) => {
    const decodesTo = sniffEncoded(run)
    const stand = `${run.slice(0, 64)}…`
    runs.push({ offset: offset - shift, length: run.length, ...(decodesTo ? { decodesTo } : {}) })
    shift += run.length - stand.length
    return stand
  })
  return { source: collapsed, runs }
}

/** Files above this are parsed only when collapsing their encoded runs brings them under it; otherwise scanned as text. */
export const MAX_PARSE_BYTES = 1_500_000

/**
 * For a source over the parse budget: the facts `analyze` finds in it with its encoded runs
 * collapsed (an embedded payload makes a file large; the code around it is small and worth
 * parsing) plus the runs' indicators, or text facts when collapsing does not bring it under the
 * budget. Undefined for a source within the budget.
 */
export function overBudget(sink: FactSink, source: string, analyze: (source: string) => FileFacts): FileFacts | undefined {
  if (source.length <= MAX_PARSE_BYTES) return undefined
  const collapsed = collapseEncodedRuns(source)
  if (collapsed.runs.length > 0 && collapsed.source.length <= MAX_PARSE_BYTES) {
    const facts = analyze(collapsed.source)
    return { ...facts, indicators: [...facts.indicators, ...encodedRunIndicators(collapsed)] }
  }
  scanText(sink)
  return sink.facts('file too large to parse; scanned as text')
}

/** The encoded-blob indicators for runs collapseEncodedRuns shortened, at their lines in the shortened source. */
export function encodedRunIndicators(collapsed: ReturnType<typeof collapseEncodedRuns>): Indicator[] {
  const lines = collapsed.source.split('\n')
  return collapsed.runs.map((run) => {
    const line = collapsed.source.slice(0, run.offset).split('\n').length
    return {
      kind: 'encoded-blob' as const,
      value: `${run.length} characters${run.decodesTo ? ` (decodes to ${run.decodesTo})` : ''}`,
      line,
      excerpt: excerptOf(lines, line),
    }
  })
}
