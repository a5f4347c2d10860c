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
  const strongest = [...signals].sort((a, b) => b.weight - a.weight).map((s) => `${s.rule}: ${s.message}`)
  if (score >= thresholds.reject) {
    return { verdict: 'reject', score, reasons: [`score ${score} ≥ reject threshold ${thresholds.reject}`, ...strongest] }
  }
  if (score >= thresholds.hold) {
    return { verdict: 'hold', score, reasons: [`score ${score} ≥ review threshold ${thresholds.hold}`, ...strongest] }
  }
  return {
    verdict: 'publish',
    score,
    reasons: signals.length === 0 ? ['no signals raised'] : [`score ${score} below review threshold ${thresholds.hold}`, ...strongest],
  }
}
