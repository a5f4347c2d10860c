// Kysely queries for scan results.
import type { Executor } from '../db/dialect.ts'
import type { ScanRow } from '../db/schema.ts'
import type { ScanReport } from './engine.ts'
import type { VersionProfile } from './history/profile.ts'

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
      profile: report.profile ? JSON.stringify(report.profile) : null,
      trace: report.trace ? JSON.stringify(report.trace) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const listScans = (db: Executor, versionId: number): Promise<ScanRow[]> =>
  db.selectFrom('scans').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').execute()

export const latestScan = (db: Executor, versionId: number): Promise<ScanRow | undefined> =>
  db.selectFrom('scans').selectAll().where('version_id', '=', versionId).orderBy('id', 'desc').limit(1).executeTakeFirst()

/** The profile of a version's latest scan that has one. */
export async function latestProfile(db: Executor, versionId: number): Promise<VersionProfile | undefined> {
  const row = await db
    .selectFrom('scans')
    .select('profile')
    .where('version_id', '=', versionId)
    .where('profile', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.profile ? (JSON.parse(row.profile) as VersionProfile) : undefined
}

/** The distinct rule ids that fired in a version's latest scan (`weighted`: only those that added to its score). */
export async function latestScanRules(db: Executor, versionId: number, options: { weighted?: boolean } = {}): Promise<string[]> {
  const scan = await latestScan(db, versionId)
  if (!scan) return []
  const signals = JSON.parse(scan.signals) as { rule: string; weight: number }[]
  return [...new Set(signals.filter((s) => !options.weighted || s.weight > 0).map((s) => s.rule))]
}

/** The versions of a package uploaded before `versionId` that got past the upload (any state but pending), oldest first. */
export const earlierVersions = (db: Executor, packageId: number, versionId: number) =>
  db
    .selectFrom('versions')
    .leftJoin('users', 'users.id', 'versions.publisher_id')
    .select([
      'versions.id',
      'versions.version',
      'versions.state',
      'versions.manifest',
      'versions.publisher_id',
      'versions.token_id',
      'versions.upload_ip',
      'versions.created_at',
      'versions.published_at',
      'versions.state_changed_at',
      'users.name as publisher_name',
    ])
    .where('versions.package_id', '=', packageId)
    .where('versions.id', '<', versionId)
    .where('versions.state', '!=', 'pending')
    .orderBy('versions.id', 'asc')
    .execute()

/** What the registry knows of the named packages: age, owners and versions the gate or the desk stopped. */
export async function packageStandings(db: Executor, ecosystem: string, names: readonly string[]) {
  if (names.length === 0) return []
  const packages = await db.selectFrom('packages').select(['id', 'name', 'created_at']).where('ecosystem', '=', ecosystem).where('name', 'in', names).execute()
  if (packages.length === 0) return []
  const ids = packages.map((p) => p.id)
  const owners = await db.selectFrom('package_owners').select(['package_id', 'user_id']).where('package_id', 'in', ids).execute()
  const stopped = await db
    .selectFrom('versions')
    .select(['package_id', 'version', 'state'])
    .where('package_id', 'in', ids)
    .where('state', 'in', ['held', 'rejected', 'removed'])
    .execute()
  return packages.map((p) => ({
    ...p,
    owners: owners.filter((o) => o.package_id === p.id).map((o) => o.user_id),
    stopped: stopped.filter((v) => v.package_id === p.id),
  }))
}

export const ownersOf = async (db: Executor, packageId: number): Promise<number[]> =>
  (await db.selectFrom('package_owners').select('user_id').where('package_id', '=', packageId).execute()).map((r) => r.user_id)
