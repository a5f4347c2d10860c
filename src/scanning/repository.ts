// Kysely queries for scan results.
import type { Executor } from '../db/dialect.ts'
import type { ScanRow } from '../db/schema.ts'
import type { ScanReport } from './engine.ts'

export async function insertScan(db: Executor, versionId: number, report: ScanReport, at: string): Promise<ScanRow> {
  return db
    .insertInto('scans')
    .values({
      version_id: versionId,
      ruleset_version: report.rulesetVersion,
      verdict: report.verdict,
      score: report.score,
      reasons: JSON.stringify(report.reasons),
      signals: JSON.stringify(report.signals),
      stats: JSON.stringify(report.stats),
      ms: Math.round(report.ms),
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const listScans = (db: Executor, versionId: number): Promise<ScanRow[]> =>
  db.selectFrom('scans').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').execute()

export const latestScan = (db: Executor, versionId: number): Promise<ScanRow | undefined> =>
  db.selectFrom('scans').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').limit(1).executeTakeFirst()

/** The distinct rule ids that fired in a version's latest scan. */
export async function latestScanRules(db: Executor, versionId: number): Promise<string[]> {
  const scan = await latestScan(db, versionId)
  if (!scan) return []
  const signals = JSON.parse(scan.signals) as { rule: string }[]
  return [...new Set(signals.map((s) => s.rule))]
}
