// The history diff: what a new version does that its package's own history never did (the account-takeover signals).
import { RISKY_CAPABILITIES, type FlowSink, type FlowSource, type IndicatorKind, type Role } from '../facts.ts'
import type { SignalRecord } from '../engine.ts'
import { severityOf } from '../engine.ts'
import type { ProfileEvidence, VersionProfile } from './profile.ts'

/** One version as the diff sees it: its profile, its declared dependencies and who uploaded it. */
export interface HistoryVersion {
  readonly version: string
  /** Absent when the version was scanned before profiles were recorded: capability diffs are skipped. */
  readonly profile?: VersionProfile | undefined
  readonly dependencies: readonly string[]
  readonly publisher: { readonly id: number; readonly name: string }
  readonly tokenId: number | null
  readonly uploadIp: string | null
}

/** What the registry knows of a dependency the new version adds. */
export interface DependencyStanding {
  readonly name: string
  /** The package exists in this registry. Unknown names (served elsewhere) are not judged here. */
  readonly known: boolean
  readonly ageDays?: number
  /** One of its owners also owns the depending package. */
  readonly sharesOwner?: boolean
  /** The riskiest state among its versions the gate or the desk has not cleared. */
  readonly worstState?: 'held' | 'rejected' | 'removed'
  readonly worstVersion?: string
  /** Why the name is blocked here (a malicious-package record from OSV, a removal), whether or not the package exists here. */
  readonly blocked?: string
}

export interface HistoryInput {
  readonly next: HistoryVersion
  /** The most recently published earlier version; absent for a package's first version. */
  readonly previous?: HistoryVersion | undefined
  /** Everyone and everything that published the package's earlier versions (any state but pending). */
  readonly seen: { readonly publishers: ReadonlySet<number>; readonly ips: ReadonlySet<string>; readonly versions: number }
  /** The highest published version, when it orders above the new one (a release from an old branch). */
  readonly newerPublished?: string | undefined
  /** A version withdrawn (unpublished or removed) shortly before this upload. */
  readonly recentlyWithdrawn?: { readonly version: string; readonly state: string; readonly hoursAgo: number } | undefined
  readonly dependencies: ReadonlyMap<string, DependencyStanding>
}

interface HistoryRule {
  readonly id: string
  readonly title: string
  readonly explanation: string
}

const rule = (id: string, title: string, explanation: string): HistoryRule => ({ id, title, explanation })

export const HISTORY_RULES = {
  firstInstallHook: rule(
    'history-first-install-hook',
    'First install script in the package’s history',
    'Earlier versions ran nothing at install; this one does (ua-parser-js 0.7.29 added a preinstall script that fetched a miner). Read the script and what it runs; ask whether the changelog explains it.',
  ),
  changedInstallHook: rule(
    'history-changed-install-hook',
    'Install script changed',
    'The command run at install differs from the previous version. Usually a build tweak; check that it still runs only the package’s own build.',
  ),
  newCapability: rule(
    'history-new-capability',
    'New capability in code that runs at install or load',
    'Code that runs when the package is installed or required can now do something no earlier version did (network, processes, eval, the whole environment). Compromised releases add exactly this to otherwise unchanged packages (rest-client 1.6.13, strong_password 0.0.7).',
  ),
  newFlow: rule(
    'history-new-flow',
    'New data flow toward a dangerous sink',
    'Data now flows from a source (a decoded blob, a network response, the environment, a cookie) to a sink (eval, a process, the network) where it did not before (bootstrap-sass 3.2.0.3 evaluated a decoded cookie).',
  ),
  newIndicator: rule(
    'history-new-indicator',
    'New threat indicator',
    'A paste site, raw-IP URL, webhook, tunnel, secret path or download-and-run command appears that no earlier version contained.',
  ),
  changedMinified: rule(
    'history-changed-minified',
    'Minified file gained capabilities',
    'A minified or bundled file, which reviewers rarely read, now does things its previous build did not (event-stream’s payload hid in flatmap-stream’s minified file). Compare the file with the previous version’s.',
  ),
  newBinary: rule('history-new-binary', 'New bundled executable', 'An executable appears that earlier versions did not ship. Check where it comes from and whether it is run.'),
  newDependency: rule(
    'history-new-dependency',
    'New dependency from outside the package’s circle',
    'A dependency was added that is very new, belongs to other owners, or has versions the gate held or the desk removed (event-stream 3.3.6 added flatmap-stream, published days earlier by the new maintainer).',
  ),
  newPublisher: rule(
    'history-new-publisher',
    'Published by an account or from an address never seen for this package',
    'A first release by this account, or from a new network address. Alone this is routine; with new capabilities it is how account takeovers look.',
  ),
  takeover: rule(
    'history-takeover-pattern',
    'New publisher and new behaviour together',
    'An account or address never seen for this package published a version that also adds install-time or load-time behaviour. This combination is the signature of a hijacked maintainer account; confirm with the maintainers through a known channel.',
  ),
  staleBranch: rule(
    'history-stale-branch',
    'Release from an older line that adds behaviour',
    'The version orders below the newest published one yet adds capabilities; attackers publish patch releases of old lines so that existing ranges pick them up.',
  ),
  republish: rule(
    'history-republish-after-withdrawal',
    'New release right after a withdrawal',
    'A version was unpublished or removed shortly before this one. A yank followed by a fresh release can slip a changed artifact past people who pinned the old one.',
  ),
} as const

const THREAT_KINDS: ReadonlySet<IndicatorKind> = new Set<IndicatorKind>([
  'raw-ip-url',
  'webhook',
  'paste-site',
  'tunnel-host',
  'oast-host',
  'ip-lookup',
  'executable-url',
  'sensitive-path',
  'browser-store',
  'discord-store',
  'wallet-path',
  'shell-download',
  'remote-install',
  'reverse-shell',
  'shell-exfil',
  'powershell',
  'persistence',
  'obfuscation',
])
const DANGEROUS_FLOWS: ReadonlySet<`${FlowSource}>${FlowSink}`> = new Set([
  'decode>dynamic-code',
  'network-response>dynamic-code',
  'network-response>process',
  'env>network',
  'env-secret>network',
  'sensitive-file>network',
  'system-info>network',
  'system-info>dns',
  'env>dns',
  'decode>process',
  'env>dynamic-code',
] as const)

export const WEIGHTS = {
  firstInstallHook: 30,
  changedInstallHook: 0,
  /** Per new capability at install or load time, up to the cap. */
  newCapability: 10,
  newCapabilityCap: 30,
  newFlow: 25,
  newIndicatorEarly: 20,
  newIndicatorRuntime: 5,
  changedMinified: 25,
  newBinary: 15,
  dependencyFlagged: 60,
  dependencyNewStranger: 20,
  newPublisher: 10,
  newIp: 5,
  takeover: 25,
  staleBranch: 20,
  republish: 10,
} as const

const NEW_PACKAGE_DAYS = 30
const REPUBLISH_HOURS = 7 * 24

const early = (role: Role) => role !== 'runtime'
const roleWords: Record<Role, string> = { install: 'at install', import: 'when loaded', runtime: 'in code called at run time' }

interface Hit {
  readonly rule: HistoryRule
  readonly weight: number
  readonly message: string
  readonly evidence?: ProfileEvidence | undefined
}

/** A dependency the gate or the desk stopped here, or whose name is blocked as malicious; undefined for any other. */
function stoppedDependency(name: string, standing: DependencyStanding | undefined, how: string): Hit | undefined {
  if (standing?.worstState) {
    return { rule: HISTORY_RULES.newDependency, weight: WEIGHTS.dependencyFlagged, message: `${name} ${how}; its version ${standing.worstVersion ?? ''} was ${standing.worstState} by ${standing.worstState === 'removed' ? 'the review desk' : 'the gate'}` }
  }
  if (standing?.blocked) return { rule: HISTORY_RULES.newDependency, weight: WEIGHTS.dependencyFlagged, message: `${name} ${how}; the name is blocked here (${standing.blocked})` }
  return undefined
}

/**
 * A package's first version has no history to diff, but its dependencies are all new: each one whose
 * versions the gate or the desk stopped, or whose name is blocked as malicious, is the same evidence
 * (a clean copy of a library that pulls in the payload as a dependency).
 */
export function firstVersionDependencies(dependencies: readonly string[], standings: ReadonlyMap<string, DependencyStanding>): SignalRecord[] {
  return toSignals(dependencies.flatMap((name) => stoppedDependency(name, standings.get(name), 'is a dependency of this first version') ?? []))
}

/** Compares a new version with its package's history; a first version has none to compare (its dependencies go through firstVersionDependencies). */
export function diffHistory(input: HistoryInput): SignalRecord[] {
  const { next, previous } = input
  if (!previous || input.seen.versions === 0) return []
  const hits: Hit[] = []
  const behaviour: Hit[] = []
  const before = previous.profile
  const after = next.profile

  if (before && after && before.v === after.v) {
    // Install hooks
    if (before.hooks.length === 0 && after.hooks.length > 0) {
      const hook = after.hooks[0]!
      behaviour.push({ rule: HISTORY_RULES.firstInstallHook, weight: WEIGHTS.firstInstallHook, message: `${hook.phase}: ${clip(hook.command)} (no earlier version ran anything at install)` })
    } else {
      const old = new Map(before.hooks.map((h) => [h.phase, h.command]))
      for (const hook of after.hooks) {
        if (old.get(hook.phase) !== hook.command) {
          hits.push({ rule: HISTORY_RULES.changedInstallHook, weight: WEIGHTS.changedInstallHook, message: `${hook.phase} now runs ${clip(hook.command)}${old.has(hook.phase) ? ` (was ${clip(old.get(hook.phase)!)})` : ''}` })
        }
      }
    }

    // Capabilities that install- or load-time code gained. A capability the package already had
    // anywhere earlier counts only if it moved into code that runs at install.
    const had = new Set(before.capabilities.map((c) => `${c.role}:${c.cap}`))
    const hadAnywhere = new Set(before.capabilities.map((c) => c.cap))
    const gained = after.capabilities.filter((c) => early(c.role) && RISKY_CAPABILITIES.has(c.cap) && !had.has(`${c.role}:${c.cap}`) && !had.has(`install:${c.cap}`))
    gained.forEach((c, i) => {
      const weight = Math.max(0, Math.min(WEIGHTS.newCapability, WEIGHTS.newCapabilityCap - i * WEIGHTS.newCapability))
      const moved = hadAnywhere.has(c.cap) ? ' (earlier versions used it only in code called at run time)' : ''
      behaviour.push({ rule: HISTORY_RULES.newCapability, weight, message: `${c.cap} ${roleWords[c.role]} via ${c.api}${moved}`, evidence: c })
    })

    // Flows
    const hadFlows = new Set(before.flows.map((f) => `${f.source}>${f.sink}`))
    for (const flow of after.flows) {
      const key = `${flow.source}>${flow.sink}` as const
      if (!DANGEROUS_FLOWS.has(key) || hadFlows.has(key)) continue
      behaviour.push({ rule: HISTORY_RULES.newFlow, weight: early(flow.role) ? WEIGHTS.newFlow : WEIGHTS.newFlow / 5, message: `${flow.source} → ${flow.sink} ${roleWords[flow.role]}`, evidence: flow })
    }

    // Indicators: a kind and value never seen before.
    const hadIndicators = new Set(before.indicators.map((i) => `${i.kind}:${i.value}`))
    const hadKinds = new Set(before.indicators.map((i) => i.kind))
    for (const ind of after.indicators) {
      if (!THREAT_KINDS.has(ind.kind) || hadIndicators.has(`${ind.kind}:${ind.value}`)) continue
      const weight = early(ind.role) && !hadKinds.has(ind.kind) ? WEIGHTS.newIndicatorEarly : WEIGHTS.newIndicatorRuntime
      const target = early(ind.role) ? behaviour : hits
      target.push({ rule: HISTORY_RULES.newIndicator, weight, message: `${ind.kind} ${clip(ind.value, 80)} ${roleWords[ind.role]}`, evidence: ind })
    }

    // Minified files that gained capabilities.
    const oldMinified = new Map(before.minified.map((m) => [m.path, m]))
    for (const file of after.minified) {
      const old = oldMinified.get(file.path)
      if (old?.sha256 === file.sha256) continue
      const added = file.capabilities.filter((c) => RISKY_CAPABILITIES.has(c) || c === 'decode').filter((c) => !old?.capabilities.includes(c))
      const risky = added.filter((c) => c === 'dynamic-code' || c === 'network' || c === 'process' || c === 'env-dump')
      if (risky.length === 0) continue
      behaviour.push({
        rule: HISTORY_RULES.changedMinified,
        weight: early(file.role) ? WEIGHTS.changedMinified : WEIGHTS.changedMinified / 5,
        message: `${file.path} ${old ? 'changed and' : 'is new and'} gained ${added.join(', ')} (${roleWords[file.role]})`,
        evidence: { file: file.path, line: 1, excerpt: `sha256 ${file.sha256.slice(0, 16)}…${old ? ` (was ${old.sha256.slice(0, 16)}…)` : ''}` },
      })
    }

    // Binaries
    const oldBinaries = new Set(before.binaries.map((b) => b.path))
    const newBinaries = after.binaries.filter((b) => !oldBinaries.has(b.path))
    if (newBinaries.length > 0 && before.binaries.length === 0) {
      behaviour.push({ rule: HISTORY_RULES.newBinary, weight: WEIGHTS.newBinary, message: `${newBinaries.map((b) => b.path).slice(0, 5).join(', ')} (no earlier version shipped executables)` })
    }
  }

  // Dependencies added since the previous version.
  const oldDeps = new Set(previous.dependencies)
  for (const name of next.dependencies) {
    if (oldDeps.has(name)) continue
    const standing = input.dependencies.get(name)
    const stopped = stoppedDependency(name, standing, 'added')
    if (stopped) {
      behaviour.push(stopped)
    } else if (standing?.known && !standing.sharesOwner && standing.ageDays !== undefined && standing.ageDays < NEW_PACKAGE_DAYS) {
      behaviour.push({ rule: HISTORY_RULES.newDependency, weight: WEIGHTS.dependencyNewStranger, message: `${name} added: created ${Math.floor(standing.ageDays)} day(s) ago by accounts that own nothing of this package` })
    }
  }

  // Who published it.
  const identity: Hit[] = []
  if (!input.seen.publishers.has(next.publisher.id)) {
    identity.push({ rule: HISTORY_RULES.newPublisher, weight: WEIGHTS.newPublisher, message: `first release by ${next.publisher.name} (${input.seen.versions} earlier version(s) by others)` })
  } else if (next.uploadIp && input.seen.ips.size > 0 && !input.seen.ips.has(next.uploadIp)) {
    identity.push({ rule: HISTORY_RULES.newPublisher, weight: WEIGHTS.newIp, message: `uploaded from ${next.uploadIp}, an address never seen for this package` })
  }

  const weighty = behaviour.filter((h) => h.weight > 0)
  if (identity.length > 0 && weighty.length > 0) {
    hits.push({ rule: HISTORY_RULES.takeover, weight: WEIGHTS.takeover, message: `${identity[0]!.message}, and it ${weighty.map((h) => h.rule.title.toLowerCase()).filter(unique).slice(0, 3).join('; ')}` })
  }
  if (input.newerPublished && weighty.length > 0) {
    hits.push({ rule: HISTORY_RULES.staleBranch, weight: WEIGHTS.staleBranch, message: `${next.version} orders below ${input.newerPublished}, yet adds behaviour` })
  }
  if (input.recentlyWithdrawn && input.recentlyWithdrawn.hoursAgo <= REPUBLISH_HOURS) {
    const w = input.recentlyWithdrawn
    hits.push({ rule: HISTORY_RULES.republish, weight: WEIGHTS.republish, message: `${w.version} was ${w.state} ${Math.round(w.hoursAgo)} h before this upload` })
  }
  return toSignals([...behaviour, ...identity, ...hits])
}

/** Like the static rules, each history rule adds its strongest hit to the score; further hits are evidence. */
function toSignals(hits: readonly Hit[]): SignalRecord[] {
  const byRule = new Map<string, Hit[]>()
  for (const hit of hits) byRule.set(hit.rule.id, [...(byRule.get(hit.rule.id) ?? []), hit])
  const signals: SignalRecord[] = []
  for (const group of byRule.values()) {
    // newCapability sums over capabilities (capped above); every other rule counts its strongest hit.
    const sums = group[0]!.rule === HISTORY_RULES.newCapability
    group.sort((a, b) => b.weight - a.weight)
    group.forEach((hit, i) => {
      const weight = sums || i === 0 ? Math.round(hit.weight) : 0
      signals.push({
        rule: hit.rule.id,
        severity: severityOf(weight),
        weight,
        message: hit.message,
        title: hit.rule.title,
        explanation: hit.rule.explanation,
        context: true,
        ...(hit.evidence ? { file: hit.evidence.file, line: hit.evidence.line, excerpt: hit.evidence.excerpt } : {}),
      })
    })
  }
  return signals
}

function clip(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index
}
