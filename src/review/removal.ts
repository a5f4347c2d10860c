// Standardized removal: one action takes versions (or a package) out, keeps forensic copies, and can be restored.
import type { Transaction } from 'kysely'
import type { Actor } from '../accounts/types.ts'
import { auditActor } from '../accounts/types.ts'
import type { CaseRow, Database, RemovalRow, VersionRow, VersionState } from '../db/schema.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit } from '../audit/service.ts'
import { transitionVersion } from '../packages/service.ts'
import { holdClusterMates, lockFingerprintsOfVersions } from './clusters/service.ts'
import * as packages from '../packages/repository.ts'
import { latestScan } from '../scanning/repository.ts'
import * as repo from './repository.ts'
import { advisoryId, requireReason, requireReviewer, requireReviewerWrite } from './policy.ts'
import { reserveName } from './name-blocks.ts'
import { caseFor, packageOf, recordEvent, type ReviewDeps } from './service.ts'
import { removalCarriedOut, settleReports } from '../intel/outcomes.ts'

/** States a removal can take a version out of. */
const REMOVABLE: readonly VersionState[] = ['pending', 'published', 'held']

export interface RemovalRequest {
  readonly reason?: unknown
  readonly versions?: unknown
  readonly wholePackage?: unknown
  readonly doubt?: unknown
  readonly suspendOwners?: unknown
  readonly reserveName?: unknown
}

export interface RemovalOutcome {
  readonly removal: RemovalRow
  /** false when it waits for a second reviewer. */
  readonly done: boolean
}

/**
 * A reviewer removes versions of a case's package. It is carried out at once, unless the reviewer
 * marked doubt or the deployment requires two people for every removal: then it waits for a
 * second reviewer's `confirm`.
 */
export async function proposeRemoval(deps: ReviewDeps, actor: Actor, caseId: number, input: RemovalRequest): Promise<RemovalOutcome> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, input.reason)
  const wholePackage = input.wholePackage === true
  const doubt = input.doubt === true
  const waits = doubt || deps.config.reviewTwoPerson
  const removal = await deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, caseId, ['open', 'awaiting-second'])
    if (await repo.pendingRemovalOf(trx, caseId)) throw new RegistryError('conflict', `case ${caseId} already has a removal awaiting confirmation`)
    const versions = await chooseVersions(trx, c, wholePackage, input.versions)
    const at = new Date().toISOString()
    const row = await repo.insertRemoval(trx, {
      case_id: c.id,
      package_id: c.package_id,
      version_ids: JSON.stringify(versions.map((v) => v.id)),
      whole_package: wholePackage ? 1 : 0,
      status: 'pending',
      reason,
      doubt: doubt ? 1 : 0,
      suspend_owners: input.suspendOwners === true ? 1 : 0,
      reserve_name: input.reserveName === true ? 1 : 0,
      proposed_by: actor.userId,
      confirmed_by: null,
      prior_states: null,
      suspended_user_ids: null,
      name_block_id: null,
      created_at: at,
      done_at: null,
      restored_at: null,
    })
    if (waits) {
      await repo.setCaseStatus(trx, c.id, ['open', 'awaiting-second'], { status: 'awaiting-second', updated_at: at })
      await recordEvent(deps, trx, c, actor, {
        kind: 'removal-proposed',
        body: reason,
        audit: { action: 'removal.propose', reason, after: { removalId: row.id, versions: versions.map((v) => v.version), wholePackage, doubt } },
      })
    }
    return row
  })
  if (!waits) return { removal: await executeRemoval(deps, actor, removal, reason), done: true }
  return { removal, done: false }
}

async function chooseVersions(trx: Transaction<Database>, c: CaseRow, wholePackage: boolean, requested: unknown): Promise<VersionRow[]> {
  const all = await packages.listVersions(trx, c.package_id)
  let chosen: VersionRow[]
  if (wholePackage) {
    chosen = all.filter((v) => REMOVABLE.includes(v.state))
  } else if (requested !== undefined) {
    if (!Array.isArray(requested) || requested.length === 0 || !requested.every((v) => typeof v === 'string')) {
      throw new RegistryError('invalidRequest', 'versions must be a non-empty list of version strings')
    }
    chosen = requested.map((version) => {
      const row = all.find((v) => v.version === version)
      if (!row) throw new RegistryError('notFound', `no version ${version} in this package`)
      if (!REMOVABLE.includes(row.state)) throw new RegistryError('conflict', `version ${version} is ${row.state} and cannot be removed`)
      return row
    })
  } else {
    const inCase = new Set(await repo.caseVersionIds(trx, c.id))
    chosen = all.filter((v) => inCase.has(v.id) && REMOVABLE.includes(v.state))
  }
  if (chosen.length === 0 && !wholePackage) throw new RegistryError('invalidRequest', 'there is no version left to remove in this case')
  return chosen
}

/** The second reviewer carries out a removal that waits for confirmation. */
export async function confirmRemoval(deps: ReviewDeps, actor: Actor, caseId: number, rawReason: unknown): Promise<RemovalRow> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  const pending = await repo.pendingRemovalOf(deps.db.kysely, caseId)
  if (!pending) throw new RegistryError('notFound', `case ${caseId} has no removal awaiting confirmation`)
  if (pending.proposed_by === actor.userId) throw new RegistryError('forbidden', 'a removal must be confirmed by a different reviewer than the one who proposed it')
  return executeRemoval(deps, actor, pending, reason)
}

export async function declineRemoval(deps: ReviewDeps, actor: Actor, caseId: number, rawReason: unknown): Promise<void> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, caseId, ['awaiting-second'])
    const pending = await repo.pendingRemovalOf(trx, caseId)
    if (!pending) throw new RegistryError('notFound', `case ${caseId} has no removal awaiting confirmation`)
    if (!(await repo.setRemovalStatus(trx, pending.id, 'pending', { status: 'declined' }))) throw new RegistryError('conflict', 'the removal was decided meanwhile')
    const at = new Date().toISOString()
    await repo.setCaseStatus(trx, caseId, ['awaiting-second'], { status: 'open', updated_at: at })
    await recordEvent(deps, trx, c, actor, {
      kind: 'removal-declined',
      body: reason,
      audit: { action: 'removal.decline', reason, before: { removalId: pending.id, status: 'pending' }, after: { status: 'declined' } },
    })
  })
}

/**
 * Carries out a pending removal. Archives are copied to the forensic store first (idempotent and
 * atomic), then one transaction moves the versions to `removed` and records everything; the live
 * copies are deleted only after that commits, so a crash at any point loses nothing.
 */
async function executeRemoval(deps: ReviewDeps, actor: Actor, removal: RemovalRow, reason: string): Promise<RemovalRow> {
  const versionIds = JSON.parse(removal.version_ids) as number[]
  const artifacts = await packages.artifactsOf(deps.db.kysely, versionIds)
  for (const artifact of artifacts) {
    if (await deps.forensics.has(artifact.blob_key)) continue
    const bytes = await deps.blobs.get(artifact.blob_key)
    if (!bytes) {
      deps.log.warn({ artifactId: artifact.id, key: artifact.blob_key }, 'removal: archive missing from the blob store; no forensic copy')
      continue
    }
    const stored = await deps.forensics.put(bytes)
    if (stored.key !== artifact.blob_key) throw new Error(`forensic copy of ${artifact.blob_key} landed under ${stored.key}`)
  }

  const done = await deps.db.kysely.transaction().execute(async (trx) => {
    const at = new Date().toISOString()
    const pkg = await packageOf(trx, removal.package_id)
    const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)!
    const prior: Record<number, VersionState> = {}
    const removed: string[] = []
    const outcomes: { rule: string; versionId: number; outcome: 'confirmed' }[] = []
    // A whole-package removal also takes versions uploaded after it was proposed.
    const ids = removal.whole_package ? (await packages.listVersions(trx, pkg.id)).filter((v) => REMOVABLE.includes(v.state)).map((v) => v.id) : versionIds
    const fingerprints = await lockFingerprintsOfVersions(trx, deps.db.dialect, ids)
    for (const versionId of ids) {
      const version = await packages.findVersionById(trx, versionId)
      if (!version || !REMOVABLE.includes(version.state)) continue
      prior[versionId] = version.state
      await transitionVersion(deps, eco, trx, { versionId, from: version.state, to: 'removed', reason: `removed as malicious: ${reason}`, actor: auditActor(actor) })
      removed.push(version.version)
      const scan = await latestScan(trx, versionId)
      for (const artifact of await packages.artifactsOf(trx, [versionId])) {
        if (!(await deps.forensics.has(artifact.blob_key))) continue
        await repo.insertForensic(trx, {
          artifactId: artifact.id,
          removalId: removal.id,
          blobKey: artifact.blob_key,
          sha256: artifact.sha256,
          sha512: artifact.sha512,
          size: artifact.size,
          scanId: scan?.id ?? null,
          at,
        })
      }
      for (const rule of scan ? [...new Set((JSON.parse(scan.signals) as { rule: string }[]).map((s) => s.rule))] : []) {
        outcomes.push({ rule, versionId, outcome: 'confirmed' })
      }
    }
    await repo.insertRuleOutcomes(trx, outcomes, at)

    const suspended = removal.suspend_owners ? await suspendOwners(trx, pkg.id, at) : []
    const block = removal.reserve_name ? await reserveName(trx, eco.id, pkg.name, `removed as malicious (${advisoryId(removal.id, removal.created_at)})`, actor.name) : undefined
    const confirmedBy = removal.proposed_by === actor.userId ? null : actor.userId
    const moved = await repo.setRemovalStatus(trx, removal.id, 'pending', {
      status: 'done',
      confirmed_by: confirmedBy,
      prior_states: JSON.stringify(prior),
      suspended_user_ids: JSON.stringify(suspended),
      name_block_id: block?.id ?? null,
      done_at: at,
    })
    if (!moved) throw new RegistryError('conflict', 'the removal was decided meanwhile')
    const after = { versions: removed, wholePackage: removal.whole_package === 1, suspendedUsers: suspended, nameBlockId: block?.id ?? null, advisory: advisoryId(removal.id, removal.created_at) }
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: 'removal.execute', subjectType: 'removal', subjectId: removal.id, reason, after })
    // Dependents of the removed package are told by a job that exists exactly when the removal commits.
    await removalCarriedOut(deps, trx, removal.id)
    // The rest of its campaign stops being installable in the same transaction.
    await holdClusterMates(deps, trx, { versionIds: ids, keys: fingerprints }, `${pkg.name}, ${advisoryId(removal.id, removal.created_at)}`)
    if (removal.case_id !== null) {
      const c = await repo.findCase(trx, removal.case_id)
      if (c && c.status !== 'closed') {
        await repo.setCaseStatus(trx, c.id, ['open', 'awaiting-second'], { status: 'closed', resolution: 'malicious', closed_at: at, updated_at: at })
        await settleReports(deps, trx, c.id, 'malicious')
        await recordEvent(deps, trx, c, actor, {
          kind: confirmedBy ? 'removal-confirmed' : 'removed',
          body: reason,
          audit: { action: 'case.close', reason, before: { status: c.status }, after: { status: 'closed', resolution: 'malicious', removalId: removal.id } },
        })
      }
    }
    return (await repo.findRemoval(trx, removal.id))!
  })

  await dropLiveCopies(deps, artifacts.map((a) => a.blob_key))
  return done
}

/** Suspends every owner of the package and revokes their tokens; returns the ids it suspended. */
async function suspendOwners(trx: Transaction<Database>, packageId: number, at: string): Promise<number[]> {
  const owners = await packages.listOwners(trx, packageId)
  const ids: number[] = []
  for (const owner of owners) {
    const user = await trx.selectFrom('users').select(['id', 'suspended_at']).where('id', '=', owner.id).executeTakeFirstOrThrow()
    if (user.suspended_at) continue
    await trx.updateTable('users').set({ suspended_at: at, updated_at: at }).where('id', '=', owner.id).execute()
    await trx.updateTable('tokens').set({ revoked_at: at }).where('user_id', '=', owner.id).where('revoked_at', 'is', null).execute()
    ids.push(owner.id)
  }
  return ids
}

/** Deletes live archive copies no installable, pending or held version still needs. */
async function dropLiveCopies(deps: ReviewDeps, keys: readonly string[]): Promise<void> {
  for (const key of new Set(keys)) {
    try {
      const needed = await deps.db.kysely
        .selectFrom('artifacts')
        .innerJoin('versions', 'versions.id', 'artifacts.version_id')
        .select('artifacts.id')
        .where('artifacts.blob_key', '=', key)
        .where('versions.state', 'in', ['pending', 'published', 'held', 'unpublished'])
        .executeTakeFirst()
      if (!needed && (await deps.forensics.has(key))) await deps.blobs.delete(key)
    } catch (err) {
      deps.log.warn({ err, key }, 'removal: could not delete the live copy; it stays unserved')
    }
  }
}

/** Undoes a removal: versions return to the state it found them in, and what it suspended or reserved is lifted. */
export async function restoreRemoval(deps: ReviewDeps, actor: Actor, removalId: number, rawReason: unknown): Promise<RemovalRow> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  const removal = await repo.findRemoval(deps.db.kysely, removalId)
  if (!removal) throw new RegistryError('notFound', `no removal ${removalId}`)
  if (removal.status !== 'done') throw new RegistryError('conflict', `removal ${removalId} is ${removal.status}`)
  const prior = JSON.parse(removal.prior_states ?? '{}') as Record<string, VersionState>
  const versionIds = Object.keys(prior).map(Number)
  // Bring the archives back before any version becomes installable again.
  for (const artifact of await packages.artifactsOf(deps.db.kysely, versionIds)) {
    if (await deps.blobs.has(artifact.blob_key)) continue
    const bytes = await deps.forensics.get(artifact.blob_key)
    if (!bytes) throw new RegistryError('unavailable', `the forensic copy of ${artifact.filename} is missing; cannot restore`)
    await deps.blobs.put(bytes)
  }
  return deps.db.kysely.transaction().execute(async (trx) => {
    const at = new Date().toISOString()
    if (!(await repo.setRemovalStatus(trx, removalId, 'done', { status: 'restored', restored_at: at }))) throw new RegistryError('conflict', 'the removal changed meanwhile')
    const pkg = await packageOf(trx, removal.package_id)
    const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)!
    const restored: string[] = []
    for (const versionId of versionIds) {
      const version = await packages.findVersionById(trx, versionId)
      if (!version || version.state !== 'removed') continue
      // A version removed while pending never got its verdict: a reviewer decides it now.
      const to: VersionState = prior[versionId] === 'published' ? 'published' : 'held'
      await transitionVersion(deps, eco, trx, { versionId, from: 'removed', to, reason: `restored: ${reason}`, actor: auditActor(actor) })
      restored.push(version.version)
    }
    const suspended = JSON.parse(removal.suspended_user_ids ?? '[]') as number[]
    if (suspended.length > 0) await trx.updateTable('users').set({ suspended_at: null, updated_at: at }).where('id', 'in', suspended).execute()
    if (removal.name_block_id !== null) await repo.deleteNameBlock(trx, removal.name_block_id)
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'removal.restore',
      subjectType: 'removal',
      subjectId: removalId,
      reason,
      before: { status: 'done' },
      after: { status: 'restored', versions: restored, unsuspendedUsers: suspended, nameBlockLifted: removal.name_block_id },
    })
    if (removal.case_id !== null) {
      const c = await repo.findCase(trx, removal.case_id)
      if (c) {
        // The case opens again so a reviewer decides the restored versions properly.
        await repo.updateCase(trx, c.id, { status: 'open', resolution: null, closed_at: null, updated_at: at })
        await recordEvent(deps, trx, c, actor, { kind: 'restored', body: reason })
      }
    }
    return (await repo.findRemoval(trx, removalId))!
  })
}

/** The evidence copy of a removed version's archive. */
export async function forensicArchive(deps: ReviewDeps, actor: Actor, versionId: number) {
  requireReviewer(actor)
  const record = await repo.forensicOfVersion(deps.db.kysely, versionId)
  if (!record) throw new RegistryError('notFound', `version ${versionId} has no forensic copy`)
  const bytes = await deps.forensics.get(record.blob_key)
  if (!bytes) throw new RegistryError('unavailable', `the forensic copy of ${record.filename} is missing from the store`)
  return { ...record, bytes }
}
