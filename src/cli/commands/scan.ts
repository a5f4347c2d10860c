// `gatehouse scan PATH...`: judges archives or unpacked packages with the static engine, without a registry.
import { writeFileSync } from 'node:fs'
import type { Config } from '../../config/config.ts'
import { SILENT_LOGGER } from '../../deps.ts'
import { ECOSYSTEMS } from '../../ecosystems.ts'
import { archiveLimits } from '../../packages/service.ts'
import { analyzeArtifact, initEngine, type ScanReport } from '../../scanning/engine.ts'
import { loadArtifact } from '../../scanning/load-path.ts'
import { withNestedCode } from '../../scanning/nested-code.ts'
import { toSarif } from '../../scanning/sarif.ts'
import { withDynamicStage } from '../../scanning/sandbox/stage.ts'

export interface ScanOptions {
  readonly json: boolean
  readonly sarif?: string
  /** Also run install-time and load-time code in the sandbox and print its trace summary. */
  readonly dynamic?: boolean
}

/** Exit code: 0 when everything would publish, 1 when anything would be held or rejected, 2 on errors. */
export async function scanCommand(config: Config, paths: readonly string[], options: ScanOptions): Promise<number> {
  await initEngine()
  const thresholds = { hold: config.holdThreshold, reject: config.rejectThreshold }
  const done: { path: string; report: ScanReport }[] = []
  let errors = 0
  for (const path of paths) {
    try {
      const { artifact, eco } = await loadArtifact(path, ECOSYSTEMS, archiveLimits(config))
      let report = analyzeArtifact(await withNestedCode(artifact, archiveLimits(config)), eco, { thresholds })
      if (options.dynamic) report = await withDynamicStage({ config: { ...config, sandbox: 'always' }, log: SILENT_LOGGER }, eco, async () => artifact, report, thresholds)
      done.push({ path, report })
      if (options.json) console.log(JSON.stringify({ path, ...report }))
      else printHuman(path, report)
    } catch (err) {
      errors += 1
      if (options.json) console.log(JSON.stringify({ path, error: (err as Error).message }))
      else console.error(`${path}: error: ${(err as Error).message}`)
    }
  }
  if (options.sarif) writeFileSync(options.sarif, JSON.stringify(toSarif(done), null, 2))
  if (errors > 0) return 2
  return done.some((d) => d.report.verdict !== 'publish') ? 1 : 0
}

function printHuman(path: string, report: ScanReport): void {
  const head = `${report.verdict.toUpperCase()}  ${report.ecosystem}:${report.name}@${report.version}  score ${report.score}  (${report.ms} ms, ${report.stats.analyzed}/${report.stats.files} files analysed)`
  console.log(`${path}\n  ${head}`)
  for (const s of report.signals.filter((x) => x.weight > 0)) {
    const where = s.file ? `${s.file}${s.line ? `:${s.line}` : ''}` : ''
    console.log(`  - [${s.severity}] ${s.rule} (+${s.weight}) ${where}\n      ${s.message}${s.excerpt ? `\n      > ${s.excerpt}` : ''}`)
  }
  if (report.trace) printTrace(report.trace)
}

function printTrace(trace: Record<string, unknown>): void {
  console.log('  sandbox:')
  for (const [k, v] of Object.entries((trace.summary ?? {}) as Record<string, unknown>)) console.log(`    ${k}: ${String(v)}`)
  const events = (trace.events ?? []) as Record<string, unknown>[]
  for (const e of events.slice(0, 20)) console.log(`    · ${Object.entries(e).map(([k, v]) => `${k}=${typeof v === 'string' ? v.slice(0, 120) : JSON.stringify(v)}`).join(' ')}`)
  if (events.length > 20) console.log(`    … ${events.length - 20} more events`)
}
