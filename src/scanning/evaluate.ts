// Measures the engine over labelled corpora: recall, false-positive rate, precision at a base rate, per-rule hits, speed.
import { createHash } from 'node:crypto'
import type { Artifact, Ecosystem, EcosystemId } from '../core/ecosystem.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import { decideVerdict, type Thresholds } from '../core/verdict.ts'
import { RegistryError } from '../core/errors.ts'
import { eachAtOnce } from './at-once.ts'
import { analyzeArtifact, type ScanReport } from './engine.ts'
import { loadArtifact } from './load-path.ts'
import { withNestedCode } from './nested-code.ts'
import type { Sample } from './corpus.ts'

export type Label = 'malicious' | 'benign'

/**
 * What a reviewer found reading a malicious-labelled sample the engine missed: `harmful` code, or label noise —
 * a harmless `probe` (a marker file, a print, a request that carries nothing), `inert` code, a `clean-copy` of
 * ordinary code, or a payload that is `unreachable` (a folder Python cannot import, a syntax error, commented out).
 */
export const REVIEW_FINDINGS = ['harmful', 'probe', 'inert', 'clean-copy', 'unreachable'] as const
export type ReviewFinding = (typeof REVIEW_FINDINGS)[number]

export interface SampleOutcome {
  readonly label: Label
  readonly path: string
  readonly date?: string
  readonly campaign?: string
  /** A malicious sample of a set held out by campaign (reported on its own, not in `malicious`). */
  readonly heldOutCampaign?: boolean
  /** A reviewer's finding for this sample (`EvaluateOptions.reviews`). */
  readonly review?: ReviewFinding
  /** flagged = held or rejected by the scan, or refused as an invalid archive at upload. */
  readonly flagged: boolean
  readonly refused?: string
  readonly report?: ScanReport
  readonly ms: number
}

export interface SideSummary {
  readonly total: number
  readonly flagged: number
  readonly held: number
  readonly rejected: number
  /** Archives the upload path would refuse outright (malformed, hostile): never installable. */
  readonly refused: number
  /** Flagged only because of name evidence (a look-alike of a popular name): held once, when the name is new. */
  readonly nameOnly: number
  readonly rate: number
  /**
   * Samples not flagged whose code can do nothing by itself: no file uses the network, processes,
   * eval, file writes, DNS, the whole environment, input capture, credential decryption or native
   * code, none carries a threat indicator, and no executable ships (empty placeholders, say).
   */
  readonly missedInert: number
  /** Flagged among the samples that are not inert misses: recall on what carries code that can act. */
  readonly actingRate: number
  /** Misses a reviewer found harmless (any finding but `harmful`): label noise, where the label says malware. */
  readonly missedHarmless: number
  /** Flagged among the samples that are not misses reviewed as harmless. */
  readonly reviewedRate: number
  /** Rule id → samples where it contributed weight. */
  readonly ruleHits: Record<string, number>
}

export interface Evaluation {
  readonly rulesetVersion: string
  readonly malicious: SideSummary
  readonly benign: SideSummary
  /** Malicious samples dated on/after the split (not used for tuning), when a split date is given. */
  readonly heldOut?: SideSummary & { readonly since: string }
  /** With `splitHalf`: the held-out samples split by a hash of their path into a half that may be examined and one that is not. */
  readonly heldOutExamined?: SideSummary
  readonly heldOutUntouched?: SideSummary
  readonly tuning?: SideSummary & { readonly before: string }
  /** Malicious samples of campaigns nothing was tuned on (`--held-out`), with recall per campaign. */
  readonly campaigns?: CampaignSummary
  /** With `splitHalf`: the held-out campaigns split by a hash of their id into a half that may be examined and one that is not. */
  readonly campaignsExamined?: CampaignSummary
  readonly campaignsUntouched?: CampaignSummary
  readonly baseRate: number
  /** Share of alarms that are real at the base rate: r·b / (r·b + f·(1−b)). */
  readonly precisionAtBaseRate: number
  /** The static engine's time per package (with `dynamic`, the sandbox's runs are timed apart). */
  readonly timing: { readonly p50: number; readonly p95: number; readonly max: number; readonly perSecond: number; readonly count: number }
  /** With `dynamic`: wall-clock time of each sandbox run (every persona, reading the archive again). */
  readonly sandboxTiming?: { readonly p50: number; readonly p95: number; readonly max: number; readonly count: number }
  readonly slowest: readonly { path: string; ms: number }[]
  readonly clusters: ClusterFigures
}

/** A set's figures by sample, and by campaign: one large campaign weighs as much as one small one. */
export interface CampaignSummary extends SideSummary {
  readonly campaignCount: number
  /** Campaigns with at least one sample flagged. */
  readonly campaignsCaught: number
  /** The mean over campaigns of the share of their samples flagged. */
  readonly campaignRate: number
}

/** What campaign fingerprints would group, counted in distinct package names. */
export interface ClusterFigures {
  /** Malicious packages sharing a fingerprint with a malicious package of another name, and how many groups they form. */
  readonly malicious: { readonly clustered: number; readonly of: number; readonly groups: number }
  /** Benign packages sharing a fingerprint with a benign package of another name (harmless until one is removed). */
  readonly benign: { readonly clustered: number; readonly of: number }
  /** Benign packages sharing a fingerprint with a malicious one: what removing the malware would wrongly hold. */
  readonly benignWithMalicious: number
  readonly examples: readonly string[]
}

export interface EvaluateOptions {
  readonly ecosystems: ReadonlyMap<EcosystemId, Ecosystem>
  readonly limits: ArchiveLimits
  readonly thresholds: Thresholds
  readonly baseRate: number
  readonly splitDate?: string
  readonly splitHalf?: boolean
  /** Reviewers' findings by sample path (misses read in an examined half); reported as `missedHarmless`. */
  readonly reviews?: ReadonlyMap<string, ReviewFinding>
  readonly onProgress?: (done: number, total: number) => void
  readonly onOutcome?: (outcome: SampleOutcome) => void
  /**
   * The gate's dynamic stage, run on every sample the static engine would publish. Its signals only add weight,
   * so a sample the static engine flags stays flagged, and running it there would change no figure.
   */
  readonly dynamic?: { readonly run: (artifact: Artifact, eco: Ecosystem, report: ScanReport) => Promise<ScanReport>; readonly concurrency: number }
}

export async function evaluate(samples: readonly { sample: Sample; label: Label; heldOutCampaign?: boolean }[], options: EvaluateOptions): Promise<Evaluation> {
  const outcomes: SampleOutcome[] = []
  const started = performance.now()
  let rulesetVersion = ''
  const load = (sample: Sample) => loadArtifact(sample.path, options.ecosystems, options.limits, sample.ecosystem ? { ecosystem: sample.ecosystem } : {})
  /** Outcomes the dynamic stage still has to judge (static verdict: publish), by index. */
  const pending: number[] = []
  let done = 0
  for (const { sample, label, heldOutCampaign } of samples) {
    const t0 = performance.now()
    const review = options.reviews?.get(sample.path)
    const known = {
      label,
      path: sample.path,
      ...(sample.date ? { date: sample.date } : {}),
      ...(sample.campaign ? { campaign: sample.campaign } : {}),
      ...(heldOutCampaign ? { heldOutCampaign } : {}),
      ...(review ? { review } : {}),
    }
    let outcome: SampleOutcome
    try {
      const { artifact, eco } = await load(sample)
      const report = analyzeArtifact(await withNestedCode(artifact, options.limits), eco, { thresholds: options.thresholds })
      rulesetVersion = report.rulesetVersion
      outcome = { ...known, flagged: report.verdict !== 'publish', report, ms: performance.now() - t0 }
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err
      outcome = { ...known, flagged: true, refused: err.message, ms: performance.now() - t0 }
    }
    outcomes.push(outcome)
    if (options.dynamic && !outcome.flagged) {
      pending.push(outcomes.length - 1)
      continue
    }
    options.onOutcome?.(outcome)
    options.onProgress?.(++done, samples.length)
  }
  const sandboxMs: number[] = []
  if (options.dynamic) {
    const { run, concurrency } = options.dynamic
    // artifacts are read again rather than kept: a corpus does not fit in memory
    await eachAtOnce(pending, concurrency, async (i) => {
      const before = outcomes[i]!
      const t0 = performance.now()
      const { artifact, eco } = await load(samples[i]!.sample)
      const report = await run(artifact, eco, before.report!)
      sandboxMs.push(performance.now() - t0)
      const outcome = { ...before, flagged: report.verdict !== 'publish', report }
      outcomes[i] = outcome
      options.onOutcome?.(outcome)
      options.onProgress?.(++done, samples.length)
    })
  }
  const elapsed = (performance.now() - started) / 1000

  // the development corpora (the date split applies to them); held-out campaigns are a set of their own
  const development = outcomes.filter((o) => o.label === 'malicious' && !o.heldOutCampaign)
  const campaignSet = outcomes.filter((o) => o.heldOutCampaign)
  const malicious = summarize(development, options.thresholds)
  const benign = summarize(outcomes.filter((o) => o.label === 'benign'), options.thresholds)
  const b = options.baseRate
  const r = malicious.total > 0 ? malicious.rate : 0
  const f = benign.total > 0 ? benign.rate : 0
  const precision = r * b + f * (1 - b) > 0 ? (r * b) / (r * b + f * (1 - b)) : 0
  const split = options.splitDate
  return {
    rulesetVersion,
    malicious,
    benign,
    ...(campaignSet.length > 0
      ? {
          campaigns: summarizeCampaigns(campaignSet, options.thresholds),
          ...(options.splitHalf
            ? {
                campaignsExamined: summarizeCampaigns(campaignSet.filter((o) => examinedCampaign(campaignOf(o))), options.thresholds),
                campaignsUntouched: summarizeCampaigns(campaignSet.filter((o) => !examinedCampaign(campaignOf(o))), options.thresholds),
              }
            : {}),
        }
      : {}),
    ...(split
      ? {
          heldOut: { ...summarize(development.filter((o) => (o.date ?? '') >= split), options.thresholds), since: split },
          ...(options.splitHalf
            ? {
                heldOutExamined: summarize(development.filter((o) => (o.date ?? '') >= split && examinedHalf(o.path)), options.thresholds),
                heldOutUntouched: summarize(development.filter((o) => (o.date ?? '') >= split && !examinedHalf(o.path)), options.thresholds),
              }
            : {}),
          tuning: { ...summarize(development.filter((o) => (o.date ?? '') < split), options.thresholds), before: split },
        }
      : {}),
    baseRate: b,
    precisionAtBaseRate: round(precision, 4),
    timing: { ...timingOf(outcomes.filter((o) => o.report).map((o) => o.report!.ms)), perSecond: round(outcomes.length / Math.max(elapsed, 1e-9), 1) },
    ...(options.dynamic ? { sandboxTiming: timingOf(sandboxMs) } : {}),
    slowest: outcomes
      .filter((o) => o.report)
      .sort((x, y) => y.report!.ms - x.report!.ms)
      .slice(0, 5)
      .map((o) => ({ path: o.path, ms: round(o.report!.ms) })),
    clusters: clusterFigures(outcomes),
  }
}

function timingOf(ms: readonly number[]): { p50: number; p95: number; max: number; count: number } {
  const sorted = [...ms].sort((x, y) => x - y)
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
  return { p50: at(0.5), p95: at(0.95), max: at(1), count: sorted.length }
}

/** Groups samples by shared fingerprints (union-find over package names), as the registry's clusters would. */
export function clusterFigures(outcomes: readonly SampleOutcome[]): ClusterFigures {
  const labelOf = new Map<string, Label>()
  const byKey = new Map<string, Set<string>>()
  for (const o of outcomes) {
    const r = o.report
    if (!r?.fingerprints || !r.name) continue
    const id = `${o.label}\u0000${r.ecosystem}\u0000${r.name}`
    labelOf.set(id, o.label)
    for (const key of [...(r.fingerprints.content ? [`c:${r.fingerprints.content}`] : []), ...r.fingerprints.payloads.map((p) => `p:${p}`)]) {
      byKey.set(key, (byKey.get(key) ?? new Set()).add(id))
    }
  }
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let root = x
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!
    parent.set(x, root)
    return root
  }
  for (const ids of byKey.values()) {
    const [first, ...rest] = [...ids]
    for (const id of rest) parent.set(find(id), find(first!))
  }
  const groups = new Map<string, string[]>()
  for (const id of labelOf.keys()) groups.set(find(id), [...(groups.get(find(id)) ?? []), id])
  let malClustered = 0
  let malGroups = 0
  let benClustered = 0
  let crossed = 0
  const examples: string[] = []
  const bare = (id: string) => id.split('\u0000').slice(1).join(':')
  for (const members of groups.values()) {
    if (members.length < 2) continue
    const mal = members.filter((m) => labelOf.get(m) === 'malicious')
    const ben = members.filter((m) => labelOf.get(m) === 'benign')
    if (mal.length >= 2) {
      malClustered += mal.length
      malGroups++
    }
    if (mal.length > 0) crossed += ben.length
    else if (ben.length >= 2) benClustered += ben.length
    if (ben.length > 0 && examples.length < 10) examples.push(`${mal.length > 0 ? `malicious ${mal.slice(0, 2).map(bare).join(', ')} with ` : ''}${ben.slice(0, 3).map(bare).join(', ')}${ben.length > 3 ? ` (+${ben.length - 3})` : ''}`)
  }
  const count = (label: Label) => [...labelOf.values()].filter((l) => l === label).length
  return {
    malicious: { clustered: malClustered, of: count('malicious'), groups: malGroups },
    benign: { clustered: benClustered, of: count('benign') },
    benignWithMalicious: crossed,
    examples,
  }
}

/** A fixed half of the samples, by a hash of the file name: the same split on every machine and run. */
export function examinedHalf(path: string): boolean {
  const name = path.split('/').pop() ?? path
  return (createHash('sha256').update(name).digest()[0]! & 1) === 0
}

/** A fixed half of the campaigns, by the low bit of a SHA-1 of the campaign id (the split the held-out campaigns were read under). */
export function examinedCampaign(id: string): boolean {
  const digest = createHash('sha1').update(id).digest()
  return (digest[digest.length - 1]! & 1) === 0
}

/** Whether a malicious sample lies in an untouched half: a held-out campaign, or a sample dated on or after the split, outside the examined half. */
export function inUntouchedHalf(o: Pick<SampleOutcome, 'label' | 'path' | 'date' | 'campaign' | 'heldOutCampaign'>, options: Pick<EvaluateOptions, 'splitDate' | 'splitHalf'>): boolean {
  if (!options.splitHalf || o.label !== 'malicious') return false
  if (o.heldOutCampaign) return !examinedCampaign(campaignOf(o))
  return options.splitDate !== undefined && (o.date ?? '') >= options.splitDate && !examinedHalf(o.path)
}

/** A sample's campaign; one without a label is a campaign of its own. */
const campaignOf = (o: Pick<SampleOutcome, 'campaign' | 'path'>) => o.campaign ?? o.path

function summarizeCampaigns(outcomes: readonly SampleOutcome[], thresholds: Thresholds): CampaignSummary {
  const byCampaign = new Map<string, { total: number; flagged: number }>()
  for (const o of outcomes) {
    const c = byCampaign.get(campaignOf(o)) ?? { total: 0, flagged: 0 }
    c.total += 1
    if (o.flagged) c.flagged += 1
    byCampaign.set(campaignOf(o), c)
  }
  const campaigns = [...byCampaign.values()]
  return {
    ...summarize(outcomes, thresholds),
    campaignCount: campaigns.length,
    campaignsCaught: campaigns.filter((c) => c.flagged > 0).length,
    campaignRate: campaigns.length > 0 ? round(campaigns.reduce((sum, c) => sum + c.flagged / c.total, 0) / campaigns.length, 4) : 0,
  }
}

function summarize(outcomes: readonly SampleOutcome[], thresholds: Thresholds): SideSummary {
  const ruleHits: Record<string, number> = {}
  for (const o of outcomes) {
    for (const rule of new Set((o.report?.signals ?? []).filter((s) => s.weight > 0).map((s) => s.rule))) ruleHits[rule] = (ruleHits[rule] ?? 0) + 1
  }
  const flagged = outcomes.filter((o) => o.flagged).length
  const missedInert = outcomes.filter((o) => !o.flagged && o.report && o.report.stats.acting === 0 && (o.report.profile?.binaries.length ?? 0) === 0).length
  const missedHarmless = outcomes.filter((o) => !o.flagged && o.review !== undefined && o.review !== 'harmful').length
  return {
    total: outcomes.length,
    flagged,
    held: outcomes.filter((o) => o.report?.verdict === 'hold').length,
    rejected: outcomes.filter((o) => o.report?.verdict === 'reject').length,
    refused: outcomes.filter((o) => o.refused).length,
    nameOnly: outcomes.filter((o) => o.report && o.report.verdict !== 'publish' && decideVerdict(o.report.signals.filter((x) => !x.context && x.weight > 0), thresholds).verdict === 'publish').length,
    rate: outcomes.length > 0 ? round(flagged / outcomes.length, 4) : 0,
    missedInert,
    actingRate: outcomes.length > missedInert ? round(flagged / (outcomes.length - missedInert), 4) : 0,
    missedHarmless,
    reviewedRate: outcomes.length > missedHarmless ? round(flagged / (outcomes.length - missedHarmless), 4) : 0,
    ruleHits: Object.fromEntries(Object.entries(ruleHits).sort((a, b) => b[1] - a[1])),
  }
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}
