// Kysely queries for campaign clusters: version fingerprints, the clusters they form, and their members.
import { sql } from 'kysely'
import type { Executor } from '../../db/dialect.ts'
import type { ClusterRow, VersionState } from '../../db/schema.ts'

export interface FingerprintKey {
  readonly kind: 'content' | 'payload'
  readonly hash: string
}

export async function insertFingerprints(db: Executor, versionId: number, packageId: number, keys: readonly FingerprintKey[], at: string): Promise<void> {
  if (keys.length === 0) return
  await db
    .insertInto('version_fingerprints')
    .values(keys.map((k) => ({ version_id: versionId, package_id: packageId, kind: k.kind, hash: k.hash, created_at: at })))
    .onConflict((oc) => oc.columns(['version_id', 'kind', 'hash']).doNothing())
    .execute()
}

/** How many distinct packages carry the fingerprint. */
export async function packagesSharing(db: Executor, key: FingerprintKey): Promise<number> {
  const row = await db
    .selectFrom('version_fingerprints')
    .select((eb) => eb.fn.count<number>(sql`distinct package_id`).as('n'))
    .where('kind', '=', key.kind)
    .where('hash', '=', key.hash)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Clusters that already hold any of the fingerprints. */
export async function clustersHolding(db: Executor, keys: readonly FingerprintKey[]): Promise<number[]> {
  if (keys.length === 0) return []
  const rows = await db
    .selectFrom('cluster_fingerprints')
    .select('cluster_id')
    .distinct()
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('kind', '=', k.kind), eb('hash', '=', k.hash)]))))
    .execute()
  return rows.map((r) => r.cluster_id).sort((a, b) => a - b)
}

export async function insertCluster(db: Executor, at: string): Promise<number> {
  const row = await db.insertInto('clusters').values({ created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/** Folds clusters into `into` (a version bridged them): their fingerprints move, the emptied clusters go. */
export async function mergeClusters(db: Executor, into: number, others: readonly number[]): Promise<void> {
  if (others.length === 0) return
  await db.updateTable('cluster_fingerprints').set({ cluster_id: into }).where('cluster_id', 'in', [...others]).execute()
  await db.deleteFrom('clusters').where('id', 'in', [...others]).execute()
}

export async function attachFingerprints(db: Executor, clusterId: number, keys: readonly FingerprintKey[], at: string): Promise<void> {
  if (keys.length > 0) {
    await db
      .insertInto('cluster_fingerprints')
      .values(keys.map((k) => ({ cluster_id: clusterId, kind: k.kind, hash: k.hash })))
      .onConflict((oc) => oc.columns(['kind', 'hash']).doNothing())
      .execute()
  }
  await db.updateTable('clusters').set({ updated_at: at }).where('id', '=', clusterId).execute()
}

export const clusterFingerprints = (db: Executor, clusterId: number): Promise<FingerprintKey[]> =>
  db.selectFrom('cluster_fingerprints').select(['kind', 'hash']).where('cluster_id', '=', clusterId).execute() as Promise<FingerprintKey[]>

export interface MemberRow {
  readonly version_id: number
  readonly package_id: number
  readonly ecosystem: string
  readonly name: string
  readonly version: string
  readonly state: VersionState
  readonly publisher: string | null
  readonly created_at: string
  readonly kind: 'content' | 'payload'
  readonly hash: string
}

/** Versions carrying any of the fingerprints (other than `exceptVersionId`), in the given states. */
export function versionsSharing(db: Executor, keys: readonly FingerprintKey[], filter: { exceptVersionId?: number; states?: readonly VersionState[] } = {}): Promise<MemberRow[]> {
  if (keys.length === 0) return Promise.resolve([])
  let q = db
    .selectFrom('version_fingerprints as f')
    .innerJoin('versions as v', 'v.id', 'f.version_id')
    .innerJoin('packages as p', 'p.id', 'f.package_id')
    .leftJoin('users as u', 'u.id', 'v.publisher_id')
    .select(['f.version_id', 'f.package_id', 'p.ecosystem', 'p.name', 'v.version', 'v.state', 'u.name as publisher', 'v.created_at', 'f.kind', 'f.hash'])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('f.kind', '=', k.kind), eb('f.hash', '=', k.hash)]))))
  if (filter.exceptVersionId !== undefined) q = q.where('f.version_id', '!=', filter.exceptVersionId)
  if (filter.states) q = q.where('v.state', 'in', [...filter.states])
  return q.orderBy('v.created_at').limit(5000).execute() as Promise<MemberRow[]>
}

export const fingerprintsOfVersions = (db: Executor, versionIds: readonly number[]): Promise<FingerprintKey[]> =>
  versionIds.length === 0
    ? Promise.resolve([])
    : (db.selectFrom('version_fingerprints').select(['kind', 'hash']).distinct().where('version_id', 'in', [...versionIds]).execute() as Promise<FingerprintKey[]>)

export const findCluster = (db: Executor, id: number): Promise<ClusterRow | undefined> => db.selectFrom('clusters').selectAll().where('id', '=', id).executeTakeFirst()

export interface ClusterSummaryRow extends ClusterRow {
  readonly packages: number
  readonly versions: number
  readonly published: number
  readonly held: number
  readonly removed: number
}

/** Clusters with their member counts, biggest and newest first. */
export async function listClusters(db: Executor, limit: number): Promise<ClusterSummaryRow[]> {
  const members = db
    .selectFrom('cluster_fingerprints as cf')
    .innerJoin('version_fingerprints as f', (join) => join.onRef('f.kind', '=', 'cf.kind').onRef('f.hash', '=', 'cf.hash'))
    .innerJoin('versions as v', 'v.id', 'f.version_id')
    .select(['cf.cluster_id', 'f.version_id', 'f.package_id', 'v.state'])
    .distinct()
    .as('m')
  const rows = await db
    .selectFrom('clusters as c')
    .innerJoin(members, 'm.cluster_id', 'c.id')
    .select((eb) => [
      'c.id',
      'c.created_at',
      'c.updated_at',
      eb.fn.count<number>(sql`distinct m.package_id`).as('packages'),
      eb.fn.count<number>('m.version_id').as('versions'),
      eb.fn.sum<number>(eb.case().when('m.state', '=', 'published').then(1).else(0).end()).as('published'),
      eb.fn.sum<number>(eb.case().when('m.state', 'in', ['held', 'pending']).then(1).else(0).end()).as('held'),
      eb.fn.sum<number>(eb.case().when('m.state', '=', 'removed').then(1).else(0).end()).as('removed'),
    ])
    .groupBy(['c.id', 'c.created_at', 'c.updated_at'])
    .orderBy('packages', 'desc')
    .orderBy('c.updated_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, packages: Number(r.packages), versions: Number(r.versions), published: Number(r.published), held: Number(r.held), removed: Number(r.removed) }))
}

/** The newest case each version was filed on, if any. */
export async function casesOfVersions(db: Executor, versionIds: readonly number[]): Promise<Map<number, number>> {
  if (versionIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('case_versions')
    .select((eb) => ['version_id', eb.fn.max('case_id').as('case_id')])
    .where('version_id', 'in', [...versionIds])
    .groupBy('version_id')
    .execute()
  return new Map(rows.map((r) => [r.version_id, Number(r.case_id)]))
}
