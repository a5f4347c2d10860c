// The static engine: artifact → facts (analyzers) → signals (rules) → verdict (core/verdict.ts), with timings.
import type { Artifact, ArtifactFile, Ecosystem } from '../core/ecosystem.ts'
import type { Severity, Signal, Thresholds, Verdict } from '../core/verdict.ts'
import { DEFAULT_THRESHOLDS, decideVerdict } from '../core/verdict.ts'
import { RISKY_CAPABILITIES, isReachable, type Capability, type EmbeddedProgram, type FileFacts, type FunctionFlows, type HookFacts, type PackageFacts, type Role } from './facts.ts'
import { analyzeJavaScript } from './languages/javascript.ts'
import { analyzePython, initPython } from './languages/python.ts'
import { analyzeRuby, initRuby } from './languages/ruby.ts'
import { analyzeShell } from './languages/shell.ts'
import { RULES, RULESET_VERSION } from './rules/ruleset.ts'
import type { Rule } from './rules/rule.ts'
import { assignRoles, filesRunBy, flowsAcrossFiles, reachAcrossFiles } from './roles.ts'
import { FactSink, inlineCode, scanText } from './languages/source-file.ts'
import { profileOf, type VersionProfile } from './history/profile.ts'
import { nameSignals } from './names/name-signals.ts'
import { shadowSignals } from './names/module-owners.ts'
import { fingerprintsOf, type Fingerprints } from './fingerprint.ts'

export interface SignalRecord extends Signal {
  readonly title: string
  readonly explanation: string
  readonly excerpt?: string
}

export interface ScanReport {
  readonly ecosystem: string
  readonly name: string
  readonly version: string
  readonly format: string
  readonly verdict: Verdict['verdict']
  readonly score: number
  readonly reasons: readonly string[]
  readonly signals: readonly SignalRecord[]
  readonly rulesetVersion: string
  readonly ms: number
  readonly stats: {
    readonly files: number
    readonly analyzed: number
    readonly parseErrors: number
    readonly textOnly: number
    /** Files whose code can act (network, processes, eval, writes, DNS, the environment, input, credentials, native code) or carries a threat indicator, whether or not it runs on load. */
    readonly acting: number
  }
  /** What the next version of the package is compared against (history diff). */
  readonly profile?: VersionProfile
  /** What copies of this package under other names share with it (campaign clusters). */
  readonly fingerprints?: Fingerprints
  /** The sandbox's trace when the dynamic stage ran, or why it did not. */
  readonly trace?: Record<string, unknown>
}

export interface EngineOptions {
  readonly thresholds?: Thresholds
  /** Local rules run after the built-in ones, and the ruleset version that covers them. */
  readonly extraRules?: readonly Rule[]
  readonly rulesetVersion?: string
}

/** Loads parsers that need asynchronous set-up (tree-sitter grammars). Call once before analyzing. */
export async function initEngine(): Promise<void> {
  await initPython()
  await initRuby()
}

/** `imported`: what other modules' functions do with data, for analyzers that follow flows across modules. */
type Analyzer = (path: string, source: string, imported?: ReadonlyMap<string, FunctionFlows>) => FileFacts

function analyzerFor(file: ArtifactFile): Analyzer | undefined {
  const path = file.path
  if (/\.d\.[cm]?ts$/.test(path) || /\.map$/.test(path)) return undefined
  if (/\.(m|c)?jsx?$|\.(m|c)?tsx?$/.test(path)) return analyzeJavaScript
  if (/\.pyw?$/.test(path)) return analyzePython
  if (/\.pth$/.test(path)) return analyzePth
  if (/\.(rb|rake|gemspec)$/.test(path) || /(^|\/)(Rakefile|Gemfile)$/.test(path)) return analyzeRuby
  if (/\.(sh|bash|zsh|ps1|psm1|bat|cmd|vbs)$/i.test(path)) return analyzeShell
  if (!/\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '') && file.content.subarray(0, 2).toString() === '#!') {
    const shebang = file.content.subarray(0, 120).toString('utf8').split('\n')[0] ?? ''
    if (/node/.test(shebang)) return analyzeJavaScript
    if (/python/.test(shebang)) return analyzePython
    if (/ruby/.test(shebang)) return analyzeRuby
    if (/sh\b/.test(shebang)) return analyzeShell
  }
  return undefined
}

/** The analyzer for code a file or a hook carries as text (inline `node -e`/`python -c` code, programs held in strings). */
const PROGRAM_ANALYZERS: Readonly<Record<EmbeddedProgram['language'], Analyzer>> = { javascript: analyzeJavaScript, python: analyzePython }

/** site.py executes the lines of a .pth file that start with `import`; the other lines are paths. */
function analyzePth(path: string, source: string): FileFacts {
  return analyzePython(path, source.split('\n').map((line) => (/^import[ \t]/.test(line) ? line : '')).join('\n'))
}

const EXECUTABLE_MAGIC: readonly Buffer[] = [
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]), // ELF
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), // Mach-O 64
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]), // Mach-O 32
]

function isExecutable(file: ArtifactFile): boolean {
  const head = file.content.subarray(0, 4)
  if (EXECUTABLE_MAGIC.some((m) => head.equals(m))) return true
  // PE: "MZ" and a "PE\0\0" header where e_lfanew points
  if (file.content.length > 0x40 && head[0] === 0x4d && head[1] === 0x5a) {
    const peOffset = file.content.readUInt32LE(0x3c)
    return peOffset + 4 <= file.content.length && file.content.subarray(peOffset, peOffset + 4).equals(Buffer.from('PE\0\0', 'latin1'))
  }
  return false
}

/**
 * Source bytes parsed into syntax trees per package. Install- and import-time files come first;
 * what is left of the budget goes to the rest, smallest first. Files beyond it are scanned as
 * text, which is cheap and still finds the indicators; the scan records how many.
 */
const PARSE_BUDGET_BYTES = 6 * 1024 * 1024

/** Everything the analyzers observe in one artifact. */
export function collectFacts(artifact: Artifact, eco: Ecosystem): PackageFacts {
  const byPath = new Map(artifact.files.map((f) => [f.path, f]))
  const facts = new Map<string, FileFacts>()
  const binaries = artifact.files.filter(isExecutable).map((f) => f.path)
  let budget = PARSE_BUDGET_BYTES

  const factsOf = (path: string): FileFacts | undefined => {
    const cached = facts.get(path)
    if (cached) return cached
    const file = byPath.get(path)
    const analyze = file ? analyzerFor(file) : undefined
    if (!file || !analyze) return undefined
    const source = file.content.toString('utf8')
    let result: FileFacts
    if (analyze === analyzeShell || source.length <= budget) {
      if (analyze !== analyzeShell) budget -= source.length
      result = safely(analyze, path, source)
    } else {
      result = textFacts(path, source, analyze === analyzePython || analyze === analyzePth ? 'python' : analyze === analyzeRuby ? 'ruby' : 'javascript')
    }
    facts.set(path, result)
    return result
  }

  const exists = (p: string) => byPath.has(p)
  const hooks: HookFacts[] = []
  const installStarts: string[] = []
  const importEntries = eco.importEntries(artifact)
  const entryFunctions = eco.entryFunctions?.(artifact) ?? []
  for (const hook of eco.installHooks(artifact)) {
    const files = [...(hook.file && exists(hook.file) ? [hook.file] : []), ...filesRunBy(hook.command, exists, importEntries)]
    hooks.push({ phase: hook.phase, command: hook.command, files })
    installStarts.push(...files)
    // The hook command itself is shell text; inline `node -e` code is a file of its own.
    if (!hook.file || hook.command !== `python ${hook.file}`) {
      const virtual = `[${hook.phase} hook]`
      facts.set(virtual, safely(analyzeShell, virtual, hook.command))
      installStarts.push(virtual)
    }
    inlineCode(hook.command).forEach(({ language, code }, i) => {
      const virtual = `[${hook.phase} hook inline ${i + 1}]`
      facts.set(virtual, safely(PROGRAM_ANALYZERS[language], virtual, code))
      installStarts.push(virtual)
    })
  }
  const roles = assignRoles([...byPath.keys(), ...facts.keys()], factsOf, [
    { role: 'install', paths: installStarts },
    { role: 'import', paths: [...importEntries, ...entryFunctions.map((e) => e.path)] },
  ])
  const rest = artifact.files.filter((f) => !facts.has(f.path) && analyzerFor(f)).sort((a, b) => a.size - b.size)
  for (const file of rest) factsOf(file.path)
  flowsAcrossFiles(facts, (path, imported) => {
    const file = byPath.get(path)
    const analyze = file ? analyzerFor(file) : undefined
    if (!file || (analyze !== analyzePython && analyze !== analyzeJavaScript)) return undefined
    return safely((p, source) => analyze(p, source, imported), path, file.content.toString('utf8'))
  })
  reachAcrossFiles(facts, roles, entryFunctions)
  analyzePrograms(facts, roles)
  return {
    ecosystem: eco.id,
    name: artifact.name,
    version: artifact.version,
    files: [...facts.values()],
    roles,
    hooks,
    binaries,
    fileCount: artifact.files.length,
    ...declaredFacts(artifact, eco, importEntries),
  }
}

/** Programs analysed per package at most (nested ones included), and the source they may total; the rest is scanned as text. */
const MAX_PROGRAMS = 32
const PROGRAM_BUDGET_CHARS = 2 * 1024 * 1024

/**
 * Source a file holds as text and runs (`exec('…')`, `eval('…')`, `python -c '…'`, `node -e '…'`, a script it writes and starts)
 * becomes a file of its own, `<file> [program run at line N]`. It runs when its launch runs: with the
 * file's role if the launch is reachable, at run time otherwise. Programs inside programs follow.
 */
function analyzePrograms(facts: Map<string, FileFacts>, roles: Map<string, Role>): void {
  const queue = [...facts.keys()]
  let left = MAX_PROGRAMS
  let budget = PROGRAM_BUDGET_CHARS
  while (queue.length > 0 && left > 0) {
    const path = queue.shift()!
    const host = facts.get(path)!
    for (const program of host.programs ?? []) {
      const virtual = `${path} [program run at line ${program.line}]`
      if (facts.has(virtual) || left-- <= 0) continue
      const parsed = program.code.length <= budget
      if (parsed) budget -= program.code.length
      facts.set(virtual, parsed ? safely(PROGRAM_ANALYZERS[program.language], virtual, program.code) : textFacts(virtual, program.code, program.language))
      roles.set(virtual, isReachable(host, program) ? (roles.get(path) ?? 'runtime') : 'runtime')
      queue.push(virtual)
    }
  }
}

/** The installer's message, and how the archive's contents compare with the files its metadata declares. */
function declaredFacts(artifact: Artifact, eco: Ecosystem, importEntries: readonly string[]): Pick<PackageFacts, 'installMessage' | 'undeclaredFiles' | 'missingDeclaredFiles' | 'commands' | 'modules'> {
  const message = eco.installMessage?.(artifact)
  const commands = eco.installedCommands?.(artifact) ?? []
  const modules = eco.installedModules?.(artifact, importEntries) ?? []
  const declared = eco.declaredFiles?.(artifact)
  const base = { ...(message ? { installMessage: message } : {}), ...(commands.length > 0 ? { commands } : {}), ...(modules.length > 0 ? { modules } : {}) }
  if (!declared) return base
  const inArchive = new Set(artifact.files.map((f) => f.path))
  const listed = new Set(declared.map((p) => p.replace(/^\.\//, '')))
  return {
    ...base,
    undeclaredFiles: [...inArchive].filter((p) => !listed.has(p)),
    missingDeclaredFiles: [...listed].filter((p) => !inArchive.has(p)),
  }
}

/** Cheap facts for a file over the parse budget: indicators from its text, local imports by pattern. */
function textFacts(path: string, source: string, language: 'javascript' | 'python' | 'ruby'): FileFacts {
  const sink = new FactSink(path, language, source)
  scanText(sink)
  const facts = sink.facts()
  const imports = new Set<string>()
  const re =
    language === 'javascript'
      ? /require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|from\s*["'](\.{1,2}\/[^"']+)["']/g
      : language === 'ruby'
        ? /^\s*require(?:_relative)?\s*\(?\s*["']([^"']+)["']()/gm
        : /^\s*(?:from\s+([.\w]+)\s+import|import\s+([.\w]+))/gm
  for (const m of source.matchAll(re)) imports.add((m[1] ?? m[2])!)
  return { ...facts, localImports: [...imports], parseError: 'over the parse budget; scanned as text' }
}

function safely(analyze: Analyzer, path: string, source: string): FileFacts {
  try {
    return analyze(path, source)
  } catch (err) {
    // A file that breaks a parser (deep nesting, odd encodings) is scanned as text instead of failing the scan.
    const facts = analyzeShell(path, source.length > 2_000_000 ? source.slice(0, 2_000_000) : source)
    return { ...facts, language: 'text', parseError: `analyzer failed: ${(err as Error).message}` }
  }
}

/** Runs every rule; each rule contributes its strongest hit to the score (further hits are evidence). */
export function evaluateRules(facts: PackageFacts, extraRules: readonly Rule[] = []): SignalRecord[] {
  const signals: SignalRecord[] = []
  for (const rule of extraRules.length ? [...RULES, ...extraRules] : RULES) {
    const hits = rule.evaluate(facts).sort((a, b) => b.weight - a.weight)
    if (rule.id === 'install-hook') {
      for (const hit of hits) signals.push({ rule: rule.id, severity: 'info', weight: 0, message: hit.message, title: rule.title, explanation: rule.explanation })
      continue
    }
    hits.forEach((hit, i) => {
      const weight = i === 0 ? hit.weight : 0
      signals.push({
        rule: rule.id,
        severity: severityOf(hit.weight),
        weight,
        message: hit.message,
        title: rule.title,
        explanation: rule.explanation,
        ...(hit.file ? { file: hit.file } : {}),
        ...(hit.line ? { line: hit.line } : {}),
        ...(hit.excerpt ? { excerpt: hit.excerpt } : {}),
      })
    })
  }
  return signals.slice(0, 200)
}

export function severityOf(weight: number): Severity {
  if (weight >= 100) return 'critical'
  if (weight >= 60) return 'high'
  if (weight >= 30) return 'medium'
  if (weight >= 10) return 'low'
  return 'info'
}

/** What code can do to the world: the risky capabilities, and writing files. */
const ACTING: ReadonlySet<Capability> = new Set<Capability>([...RISKY_CAPABILITIES, 'fs-write'])

export function analyzeArtifact(artifact: Artifact, eco: Ecosystem, options: EngineOptions = {}): ScanReport {
  const started = performance.now()
  const facts = collectFacts(artifact, eco)
  const signals = [...evaluateRules(facts, options.extraRules), ...nameSignals(eco.id, artifact.name), ...shadowSignals(eco.id, artifact.name, facts.modules ?? [])]
  const verdict = decideVerdict(
    signals.filter((s) => s.weight > 0),
    options.thresholds ?? DEFAULT_THRESHOLDS,
  )
  return {
    ecosystem: eco.id,
    name: artifact.name,
    version: artifact.version,
    format: artifact.format,
    verdict: verdict.verdict,
    score: verdict.score,
    reasons: verdict.reasons,
    signals,
    rulesetVersion: options.rulesetVersion ?? RULESET_VERSION,
    ms: Math.round((performance.now() - started) * 10) / 10,
    stats: {
      files: artifact.files.length,
      analyzed: facts.files.length,
      parseErrors: facts.files.filter((f) => f.parseError && !f.parseError.includes('scanned as text')).length,
      textOnly: facts.files.filter((f) => f.parseError?.includes('scanned as text')).length,
      acting: facts.files.filter((f) => f.indicators.length > 0 || f.capabilities.some((c) => ACTING.has(c.cap))).length,
    },
    profile: profileOf(facts, artifact),
    fingerprints: fingerprintsOf(artifact, facts, new Set(signals.flatMap((s) => (s.weight > 0 && s.file ? [s.file] : [])))),
  }
}

export type { Role }

/** Signals a later stage adds to a report (the sandbox, the registry's records), and rule ids whose earlier signals they replace. */
export interface Findings {
  readonly add: readonly SignalRecord[]
  readonly replaces?: readonly string[]
}

/** The report with more findings folded in and the verdict decided again over all signals. */
export function withFindings(report: ScanReport, findings: Findings, thresholds: Thresholds): ScanReport {
  const replaces = findings.replaces ?? []
  const replaced = report.signals.filter((s) => replaces.includes(s.rule))
  if (findings.add.length === 0 && replaced.length === 0) return report
  const signals = [...report.signals.filter((s) => !replaces.includes(s.rule)), ...findings.add]
  const verdict = decideVerdict(
    signals.filter((s) => s.weight > 0),
    thresholds,
  )
  return { ...report, signals, verdict: verdict.verdict, score: verdict.score, reasons: verdict.reasons }
}
