// The gate's verdict: a pure function from signals to publish | hold | reject, with its reasons.

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'

export interface Signal {
  /** Stable rule id, e.g. 'install-hook-downloads-and-executes'. */
  readonly rule: string
  readonly severity: Severity
  readonly weight: number
  readonly message: string
  readonly file?: string
  readonly line?: number
  /**
   * Evidence from the registry's records (the package's history, its name) rather than from the
   * artifact itself: it can bring a version to review, never to rejection on its own.
   */
  readonly context?: boolean
}

export interface Thresholds {
  /** Score at or above which a version is held for human review. */
  readonly hold: number
  /** Score at or above which a version is rejected outright. */
  readonly reject: number
}

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({ hold: 50, reject: 150 })

export type VerdictKind = 'publish' | 'hold' | 'reject'

export interface Verdict {
  readonly verdict: VerdictKind
  readonly score: number
  readonly reasons: readonly string[]
}

export function decideVerdict(signals: readonly Signal[], thresholds: Thresholds = DEFAULT_THRESHOLDS): Verdict {
  const score = signals.reduce((sum, s) => sum + s.weight, 0)
  const own = signals.reduce((sum, s) => sum + (s.context ? 0 : s.weight), 0)
  const strongest = [...signals].sort((a, b) => b.weight - a.weight).map((s) => `${s.rule}: ${s.message}`)
  if (own >= thresholds.reject) {
    return { verdict: 'reject', score, reasons: [`score ${score} ≥ reject threshold ${thresholds.reject}`, ...strongest] }
  }
  if (score >= thresholds.hold) {
    const why = score >= thresholds.reject ? `score ${score} ≥ review threshold ${thresholds.hold} (the artifact's own evidence, ${own}, is below the reject threshold ${thresholds.reject}; history and name evidence alone hold, they never reject)` : `score ${score} ≥ review threshold ${thresholds.hold}`
    return { verdict: 'hold', score, reasons: [why, ...strongest] }
  }
  return {
    verdict: 'publish',
    score,
    reasons: signals.length === 0 ? ['no signals raised'] : [`score ${score} below review threshold ${thresholds.hold}`, ...strongest],
  }
}
