// The dynamic stage of the scan pipeline: decides whether a version runs in the sandbox, runs it, and turns the trace into signals.
import type { Config } from '../../config/config.ts'
import type { Artifact, Ecosystem } from '../../core/ecosystem.ts'
import type { Logger } from '../../deps.ts'
import type { Thresholds } from '../../core/verdict.ts'
import { withFindings, type ScanReport, type SignalRecord } from '../engine.ts'
import { DEFAULT_SANDBOX_OPTIONS, runSandbox, sandboxAvailability } from './runner.ts'
import { dynamicFindings } from './signals.ts'

export interface DynamicOutcome {
  readonly signals: SignalRecord[]
  /** Stored with the scan: the trace, or why the sandbox did not run although the policy asked for it. */
  readonly trace: Record<string, unknown>
}

/** Pure: whether the policy runs this version in the sandbox. */
export function sandboxWanted(policy: Config['sandbox'], report: Pick<ScanReport, 'score'>, installHooks: number, scoreFloor: number): boolean {
  if (policy === 'off') return false
  if (policy === 'always') return true
  return installHooks > 0 || report.score >= scoreFloor
}

let availability: ReturnType<typeof sandboxAvailability> | undefined
let warned = false

/** Runs the stage when the policy asks for it; undefined when it does not. Never throws for the package's sake: a failed run is recorded. */
export async function dynamicStage(deps: { config: Config; log: Logger }, eco: Ecosystem, read: () => Promise<Artifact>, report: ScanReport): Promise<DynamicOutcome | undefined> {
  if (deps.config.sandbox === 'off' || report.signals.some((s) => s.rule === 'scan-incomplete')) return undefined
  const artifact = await read()
  const hooks = eco.installHooks(artifact).length
  if (!sandboxWanted(deps.config.sandbox, report, hooks, deps.config.sandboxScoreFloor)) return undefined
  availability ??= sandboxAvailability()
  if (!availability.ok) {
    if (!warned) deps.log.warn({ reason: availability.reason }, 'sandbox unavailable: the dynamic stage is skipped (every scan records it)')
    warned = true
    return { signals: [], trace: { summary: { skipped: `the sandbox is unavailable on this worker: ${availability.reason}` } } }
  }
  const step = deps.config.sandboxStepSeconds * 1000
  const options = { ...DEFAULT_SANDBOX_OPTIONS, stepTimeoutMs: step, runTimeoutMs: step * 8 + 10_000 }
  try {
    const run = await runSandbox(eco, artifact, options)
    if (run.steps.length === 0) return undefined // nothing runs at install or load time
    const findings = dynamicFindings(run, { registryHosts: [new URL(deps.config.publicUrl).hostname] })
    return { signals: findings.signals, trace: findings.trace }
  } catch (err) {
    deps.log.error({ err }, 'sandbox run failed')
    return { signals: [], trace: { summary: { failed: (err as Error).message.slice(0, 500) } } }
  }
}

/** The report with the stage's findings added, as the gate judges a version (the report itself when the stage does not run). */
export async function withDynamicStage(deps: { config: Config; log: Logger }, eco: Ecosystem, read: () => Promise<Artifact>, report: ScanReport, thresholds: Thresholds): Promise<ScanReport> {
  const dynamic = await dynamicStage(deps, eco, read, report)
  return dynamic ? { ...withFindings(report, { add: dynamic.signals }, thresholds), trace: dynamic.trace } : report
}
