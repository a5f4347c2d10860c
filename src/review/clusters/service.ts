// Campaign clusters: versions of different packages that share a fingerprint; removing one holds the rest, and a newcomer joining a removed one is held.
import type { Transaction } from 'kysely'
import type { Deps } from '../../deps.ts'
import type { Actor } from '../../accounts/types.ts'
import { SYSTEM } from '../../accounts/types.ts'
import type { EcosystemId } from '../../core/ecosystem.ts'
import { RegistryError } from '../../core/errors.ts'
import type { Database } from '../../db/schema.ts'
import { lockForTransaction, type DialectName, type Executor } from '../../db/dialect.ts'
import { transitionVersion } from '../../packages/service.ts'
import type { Fingerprints } from '../../scanning/fingerprint.ts'
import { fileVersionForReview } from '../service.ts'
import { requireReviewer } from '../policy.ts'
import * as repo from './repository.ts'

export type { FingerprintKey } from './repository.ts'

export function keysOf(fingerprints: Fingerprints | undefined): repo.FingerprintKey[] {
  if (!fingerprints) return []
  return [...(fingerprints.content ? [{ kind: 'content' as const, hash: fingerprints.content }] : []), ...fingerprints.payloads.map((hash) => ({ kind: 'payload' as const, hash }))]
}

/**
 * Serialises the transactions that touch these fingerprints (scans recording them, removals holding
 * their mates), so two copies scanned at once still see each other and a copy cannot be published
 * past a removal committing beside it. Sorted, so transactions always take them in one order; taken
 * before anything else the transaction locks (package rows, the audit chain).
 */
export async function lockFingerprints(trx: Transaction<Database>, dialect: DialectName, keys: readonly repo.FingerprintKey[]): Promise<void> {
  for (const key of [...new Set(keys.map((k) => `fingerprint:${k.kind}:${k.hash}`))].sort()) await lockForTransaction(trx, dialect, key)
}

/** In the scan's transaction: stores the version's fingerprints and forms a cluster where another package shares one. */
export async function recordFingerprints(trx: Transaction<Database>, dialect: DialectName, input: { versionId: number; packageId: number; fingerprints: Fingerprints | undefined }): Promise<void> {
  const keys = keysOf(input.fingerprints)
  const at = new Date().toISOString()
  await lockFingerprints(trx, dialect, keys)
  await repo.insertFingerprints(trx, input.versionId, input.packageId, keys, at)
  const shared: repo.FingerprintKey[] = []
  for (const key of keys) if ((await repo.packagesSharing(trx, key)) >= 2) shared.push(key)
  if (shared.length === 0) return
  // Join the cluster a shared fingerprint already belongs to; a version that bridges two merges them.
  const [into, ...others] = await repo.clustersHolding(trx, shared)
  const clusterId = into ?? (await repo.insertCluster(trx, at))
  await repo.mergeClusters(trx, clusterId, others)
  await repo.attachFingerprints(trx, clusterId, shared, at)
}

/** Removed versions a new version shares a fingerprint with: a copy of malware the desk already took down. */
export async function removedLookalikes(db: Executor, versionId: number, fingerprints: Fingerprints | undefined): Promise<repo.MemberRow[]> {
  return repo.versionsSharing(db, keysOf(fingerprints), { exceptVersionId: versionId, states: ['removed'] })
}

/**
 * Takes the fingerprint locks of versions about to be removed and returns their fingerprints; call
 * before anything else in the removal's transaction, then hand them to holdClusterMates.
 */
export async function lockFingerprintsOfVersions(trx: Transaction<Database>, dialect: DialectName, versionIds: readonly number[]): Promise<repo.FingerprintKey[]> {
  const keys = await repo.fingerprintsOfVersions(trx, versionIds)
  await lockFingerprints(trx, dialect, keys)
  return keys
}

/**
 * In a removal's transaction: every published version sharing a fingerprint with the removed ones
 * is held at once, with a case, so the rest of a campaign stops being installable with the first.
 * Pending versions are caught by their own scan, which sees the removed member.
 */
export async function holdClusterMates(
  deps: Pick<Deps, 'db' | 'ecosystems' | 'config'>,
  trx: Transaction<Database>,
  removed: { versionIds: readonly number[]; keys: readonly repo.FingerprintKey[] },
  why: string,
): Promise<number> {
  const { versionIds: removedVersionIds, keys } = removed
  const mates = await repo.versionsSharing(trx, keys, { states: ['published'] })
  const held = new Set<number>()
  for (const mate of mates) {
    if (held.has(mate.version_id) || removedVersionIds.includes(mate.version_id)) continue
    held.add(mate.version_id)
    const eco = deps.ecosystems.get(mate.ecosystem as EcosystemId)!
    const note = `${mate.name}@${mate.version} shares its ${mate.kind} fingerprint with a version removed as malicious (${why})`
    await transitionVersion(deps, eco, trx, { versionId: mate.version_id, from: 'published', to: 'held', reason: `campaign cluster: ${note}`, actor: SYSTEM('cluster') })
    await fileVersionForReview(trx, deps.db.dialect, { packageId: mate.package_id, versionId: mate.version_id, score: deps.config.holdThreshold, source: 'cluster', actor: SYSTEM('cluster'), note })
  }
  return held.size
}

export interface ClusterView {
  readonly id: number
  readonly createdAt: string
  readonly updatedAt: string
  readonly packages: number
  readonly versions: number
  readonly published: number
  readonly held: number
  readonly removed: number
}

export async function listClusters(deps: Pick<Deps, 'db'>, actor: Actor): Promise<ClusterView[]> {
  requireReviewer(actor)
  return (await repo.listClusters(deps.db.kysely, 200)).map((c) => ({
    id: c.id,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    packages: c.packages,
    versions: c.versions,
    published: c.published,
    held: c.held,
    removed: c.removed,
  }))
}

export async function clusterDetail(deps: Pick<Deps, 'db'>, actor: Actor, id: number) {
  requireReviewer(actor)
  const cluster = await repo.findCluster(deps.db.kysely, id)
  if (!cluster) throw new RegistryError('notFound', `no cluster ${id}`)
  const fingerprints = await repo.clusterFingerprints(deps.db.kysely, id)
  const members = [...new Map((await repo.versionsSharing(deps.db.kysely, fingerprints)).map((m) => [m.version_id, m])).values()]
  const cases = await repo.casesOfVersions(deps.db.kysely, members.map((m) => m.version_id))
  return {
    id: cluster.id,
    fingerprints: fingerprints.map((f) => `${f.kind}:${f.hash.slice(0, 16)}`),
    createdAt: cluster.created_at,
    members: members.map((m) => ({ versionId: m.version_id, ecosystem: m.ecosystem, name: m.name, version: m.version, state: m.state, publisher: m.publisher, createdAt: m.created_at, caseId: cases.get(m.version_id) ?? null })),
  }
}

/** The clusters a version belongs to, for its case. */
export async function clustersOfVersion(db: Executor, versionId: number): Promise<number[]> {
  return repo.clustersHolding(db, await repo.fingerprintsOfVersions(db, [versionId]))
}
