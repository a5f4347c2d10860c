// `gatehouse eval --malicious PATH --benign PATH`: recall, false positives, precision at a base rate, rule hits, speed.
import type { Config } from '../../config/config.ts'
import { SILENT_LOGGER } from '../../deps.ts'
import { ECOSYSTEMS } from '../../ecosystems.ts'
import { archiveLimits } from '../../packages/service.ts'
import { initEngine } from '../../scanning/engine.ts'
import { drawSamples, listSamples, readReviews } from '../../scanning/corpus.ts'
import { sandboxAvailability } from '../../scanning/sandbox/runner.ts'
import { withDynamicStage } from '../../scanning/sandbox/stage.ts'
import { evaluate, inUntouchedHalf, type CampaignSummary, type Evaluation, type SideSummary } from '../../scanning/evaluate.ts'

export interface EvalOptions {
  readonly malicious: readonly string[]
  /** Malicious corpora of campaigns nothing was tuned on, reported apart, per sample and per campaign. */
  readonly heldOut?: readonly string[]
  readonly benign: readonly string[]
  readonly baseRate: number
  readonly json: boolean
  readonly splitDate?: string
  readonly splitHalf: boolean
  /** Print every flagged benign and every missed malicious sample (an untouched half's misses unnamed). */
  readonly verbose: boolean
  /** Also run the gate's sandbox on what the static engine would publish, this many at a time. */
  readonly sandbox?: number
  /** Judge only a fixed random draw of this many benign samples (for runs too long to do whole, like the sandbox's). */
  readonly sample?: { readonly n: number; readonly seed: string }
  /** Reviewers' findings on malicious samples (`*-review.tsv`, `*-audit.tsv`): misses found harmless are counted apart. */
  readonly reviewed?: readonly string[]
  /**
   * Name the untouched halves' misses too, for an audit: their reading ends those halves' blindness for every later
   * ruleset, so it is done once, on a frozen ruleset (docs/decisions.md).
   */
  readonly nameUntouched?: boolean
}

function drawn<T extends { readonly id: string }>(samples: T[], sample: EvalOptions['sample']): T[] {
  return sample ? drawSamples(samples, sample.n, sample.seed) : samples
}

export async function evalCommand(config: Config, options: EvalOptions): Promise<number> {
  await initEngine()
  const samples = [
    ...options.malicious.flatMap((root) => listSamples(root).map((sample) => ({ sample, label: 'malicious' as const }))),
    ...(options.heldOut ?? []).flatMap((root) => listSamples(root).map((sample) => ({ sample, label: 'malicious' as const, heldOutCampaign: true }))),
    ...drawn(options.benign.flatMap((root) => listSamples(root)), options.sample).map((sample) => ({ sample, label: 'benign' as const })),
  ]
  const byId = options.reviewed ? readReviews(options.reviewed) : undefined
  const reviews = byId && new Map(samples.filter((s) => s.label === 'malicious' && byId.has(s.sample.id)).map((s) => [s.sample.path, byId.get(s.sample.id)!]))
  if (options.sandbox) {
    const available = sandboxAvailability()
    if (!available.ok) throw new Error(`--sandbox: ${available.reason}`)
  }
  const tty = process.stderr.isTTY
  const thresholds = { hold: config.holdThreshold, reject: config.rejectThreshold }
  const result = await evaluate(samples, {
    ecosystems: ECOSYSTEMS,
    // evaluation reads trusted local corpora: allow larger packages than uploads, keep every other check
    limits: { ...archiveLimits(config), maxUnpackedBytes: Math.max(archiveLimits(config).maxUnpackedBytes, 1024 ** 3), maxEntries: 200_000 },
    thresholds,
    ...(options.sandbox
      ? { dynamic: { concurrency: options.sandbox, run: (artifact, eco, report) => withDynamicStage({ config: { ...config, sandbox: 'always' }, log: SILENT_LOGGER }, eco, async () => artifact, report, thresholds) } }
      : {}),
    baseRate: options.baseRate,
    ...(options.splitDate ? { splitDate: options.splitDate } : {}),
    splitHalf: options.splitHalf,
    ...(reviews ? { reviews } : {}),
    onProgress: tty ? (done, total) => process.stderr.write(`\r${bar(done, total)} ${done}/${total}`) : undefined,
    onOutcome: options.verbose
      ? (o) => {
          const wrong = o.label === 'benign' ? o.flagged : !o.flagged
          if (!wrong) return
          const untouched = inUntouchedHalf(o, options)
          // an untouched half is never looked at: its misses are counted, not named
          if (untouched && !options.nameUntouched) return void process.stderr.write(`${tty ? '\n' : ''}MISSED (untouched half, not named) ${o.refused ? 'refused' : `${o.report!.verdict} ${o.report!.score}`}\n`)
          const what = o.refused ? `refused: ${o.refused}` : `${o.report!.verdict} ${o.report!.score} ${o.report!.signals.filter((s) => s.weight > 0).map((s) => `${s.rule}+${s.weight}@${s.file ?? ''}:${s.line ?? ''}`).join(' ')}`
          process.stderr.write(`${tty ? '\n' : ''}${o.label === 'benign' ? 'FALSE POSITIVE' : `MISSED${untouched ? ' (untouched half)' : ''}`} ${o.path} ${what}${o.review ? ` [reviewed: ${o.review}]` : ''}\n`)
        }
      : undefined,
  })
  if (tty) process.stderr.write('\n')
  if (options.json) console.log(JSON.stringify(result))
  else printHuman(result)
  return 0
}

function bar(done: number, total: number): string {
  const width = 30
  const filled = Math.round((done / Math.max(total, 1)) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

const pct = (n: number) => `${(n * 100).toFixed(2)}%`

function side(name: string, s: SideSummary, label: 'malicious' | 'benign' = 'malicious'): string {
  // of the malicious samples that passed, how many carry no code that can act (placeholders)
  const inert = label === 'malicious' ? `; missed with code that can do nothing by itself ${s.missedInert} (recall without them ${s.flagged}/${s.total - s.missedInert}, ${pct(s.actingRate)})` : ''
  // misses a reviewer read and found harmless (label noise): only where --reviewed names some
  const reviewed = label === 'malicious' && s.missedHarmless > 0 ? `; missed and reviewed as harmless ${s.missedHarmless} (recall without them ${s.flagged}/${s.total - s.missedHarmless}, ${pct(s.reviewedRate)})` : ''
  return `${name}: ${s.flagged}/${s.total} flagged (${pct(s.rate)}); held ${s.held}, rejected ${s.rejected}, refused as invalid archives ${s.refused}; by name evidence alone ${s.nameOnly}${inert}${reviewed}`
}

function campaignLine(name: string, s: CampaignSummary): string {
  return `${side(name, s)}; by campaign ${pct(s.campaignRate)} (mean over ${s.campaignCount} campaigns; ${s.campaignsCaught} with at least one sample flagged)`
}

function printHuman(r: Evaluation): void {
  console.log(`ruleset ${r.rulesetVersion}`)
  console.log(side('malicious (recall)', r.malicious))
  if (r.tuning) console.log(`  ${side(`tuning set, dated before ${r.tuning.before}`, r.tuning)}`)
  if (r.heldOut) console.log(`  ${side(`held-out set, dated ${r.heldOut.since} or later`, r.heldOut)}`)
  if (r.heldOutExamined) console.log(`    ${side('examined half', r.heldOutExamined)}`)
  if (r.heldOutUntouched) console.log(`    ${side('untouched half', r.heldOutUntouched)}`)
  if (r.campaigns) console.log(campaignLine('held-out campaigns (recall)', r.campaigns))
  if (r.campaignsExamined) console.log(`  ${campaignLine('examined half of the campaigns', r.campaignsExamined)}`)
  if (r.campaignsUntouched) console.log(`  ${campaignLine('untouched half of the campaigns', r.campaignsUntouched)}`)
  console.log(side('benign (false positives)', r.benign, 'benign'))
  console.log(`precision at base rate ${r.baseRate}: ${pct(r.precisionAtBaseRate)}`)
  console.log(`time per package: p50 ${r.timing.p50} ms, p95 ${r.timing.p95} ms, max ${r.timing.max} ms; ${r.timing.perSecond} packages/s over ${r.timing.count}`)
  if (r.sandboxTiming) console.log(`sandbox runs (what the static engine would publish): ${r.sandboxTiming.count}; p50 ${r.sandboxTiming.p50} ms, p95 ${r.sandboxTiming.p95} ms, max ${r.sandboxTiming.max} ms`)
  console.log(`slowest: ${r.slowest.map((s) => `${s.path} (${s.ms} ms)`).join(', ')}`)
  const c = r.clusters
  console.log(
    `campaign fingerprints: ${c.malicious.clustered}/${c.malicious.of} malicious packages in ${c.malicious.groups} clusters; ${c.benign.clustered}/${c.benign.of} benign packages share one with another benign package; ${c.benignWithMalicious} benign share one with malware`,
  )
  for (const example of c.examples) console.log(`  ${example}`)
  console.log('rule hits (malicious | benign):')
  const rules = new Set([...Object.keys(r.malicious.ruleHits), ...Object.keys(r.benign.ruleHits)])
  for (const rule of rules) console.log(`  ${rule.padEnd(32)} ${String(r.malicious.ruleHits[rule] ?? 0).padStart(6)} | ${r.benign.ruleHits[rule] ?? 0}`)
}
