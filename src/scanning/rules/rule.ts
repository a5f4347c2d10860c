// The rule contract: facts in, hits out. A hit's weight depends on when the file it is in runs.
import type { Capability, FileFacts, FlowSink, FlowSource, IndicatorKind, PackageFacts, Role } from '../facts.ts'
import { isReachable, roleOf, type Evidence } from '../facts.ts'

export interface RuleHit {
  readonly file?: string
  readonly line?: number
  readonly excerpt?: string
  /** What was found, specifically. */
  readonly message: string
  /** The weight of this hit, usually the rule's weight for the file's role. */
  readonly weight: number
}

export interface Rule {
  /** Stable id: signals, reviewer feedback and rescans refer to it. */
  readonly id: string
  readonly title: string
  /** For reviewers: why this matters and what to check. */
  readonly explanation: string
  evaluate(facts: PackageFacts): RuleHit[]
}

export type RoleWeights = Readonly<Record<Role, number>>

/** Helpers rules share to read the facts of one file. */
export class FileView {
  constructor(
    readonly facts: FileFacts,
    readonly role: Role,
  ) {}

  get path(): string {
    return this.facts.path
  }

  has(cap: Capability): boolean {
    return this.facts.capabilities.some((c) => c.cap === cap)
  }

  first(cap: Capability) {
    return this.best(this.facts.capabilities.filter((c) => c.cap === cap))
  }

  indicator(...kinds: IndicatorKind[]) {
    return this.best(this.facts.indicators.filter((i) => kinds.includes(i.kind)))
  }

  /** An indicator whose value is actually run (passed to a shell, a process or an evaluator). */
  executed(...kinds: IndicatorKind[]) {
    return this.best(this.facts.indicators.filter((i) => i.executed && kinds.includes(i.kind)))
  }

  flow(sources: readonly FlowSource[], sinks: readonly FlowSink[]) {
    return this.best(this.facts.flows.filter((f) => sources.includes(f.source) && sinks.includes(f.sink)))
  }

  /** Evidence in code that runs when the file runs comes first. */
  private best<T extends Evidence>(list: T[]): T | undefined {
    return list.find((e) => isReachable(this.facts, e)) ?? list[0]
  }

  /**
   * The hit's weight is the rule's weight for the file's role — or for run time, when the evidence
   * sits in a function that nothing at module level calls (it runs only if a user calls it).
   */
  hit(weights: RoleWeights, message: string, at?: Evidence): RuleHit {
    // In install-time files, methods (Class.method) count as run: setuptools and plugins call
    // command classes however they are wired, and that wiring is easy to hide.
    const method = at?.fn?.includes('.') && this.role === 'install'
    const role = at && !method && !isReachable(this.facts, at) ? 'runtime' : this.role
    return { file: this.path, ...(at ? { line: at.line, excerpt: at.excerpt } : {}), message, weight: weights[role] }
  }
}

export function filesOf(facts: PackageFacts): FileView[] {
  return facts.files.map((f) => new FileView(f, roleOf(facts, f.path)))
}

/** The hit with the greatest weight (the first of equals), for rules with several forms of evidence. */
export function heaviest(hits: readonly RuleHit[]): RuleHit | undefined {
  return hits.reduce<RuleHit | undefined>((best, hit) => (best === undefined || hit.weight > best.weight ? hit : best), undefined)
}

/** A rule that looks at each file on its own. */
export function perFile(
  id: string,
  title: string,
  explanation: string,
  check: (file: FileView) => RuleHit | undefined,
): Rule {
  return {
    id,
    title,
    explanation,
    evaluate: (facts) => filesOf(facts).flatMap((file) => {
      const hit = check(file)
      return hit && hit.weight > 0 ? [hit] : []
    }),
  }
}
