// Package use cases: publish through the gate, lifecycle transitions, and owner metadata edits.
import type { Transaction } from 'kysely'
import type { Deps } from '../deps.ts'
import type { Database, PackageRow, VersionRow, VersionState } from '../db/schema.ts'
import type { Ecosystem, PackageName } from '../core/ecosystem.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { auditActor, type Actor } from '../accounts/types.ts'
import { findUser } from '../accounts/service.ts'
import { digestsOf, type BlobDigests } from '../storage/blob-store.ts'
import { scanVersionJob } from '../scanning/jobs.ts'
import { assertPublishAllowed } from '../review/name-blocks.ts'
import { maskedFingerprint } from '../defense/fingerprint.ts'
import { canTransition } from './lifecycle.ts'
import { pinBlob, pinCount } from './blob-pins.ts'
import * as repo from './repository.ts'

type PackageDeps = Pick<Deps, 'db' | 'blobs' | 'queue' | 'config' | 'log' | 'defense'>

export function archiveLimits(config: Deps['config']): ArchiveLimits {
  return {
    maxArchiveBytes: config.maxArchiveBytes,
    maxUnpackedBytes: config.maxUnpackedBytes,
    maxEntries: config.maxArchiveEntries,
    maxEntryBytes: config.maxEntryBytes,
    maxPathDepth: config.maxPathDepth,
    maxRatio: 200,
  }
}

export interface PublishInput {
  readonly name: string
  readonly version: string
  readonly bytes: Uint8Array
  readonly filename: string
  /** The manifest as the client declared it; the archive's own manifest must agree on name and version. */
  readonly manifest: Record<string, unknown>
  /** Digests the client computed; each one given must match the bytes. */
  readonly declared: Partial<Pick<BlobDigests, 'sha1' | 'sha256' | 'sha512'>>
  readonly tags: readonly string[]
}

export interface PublishResult {
  readonly pkg: PackageRow
  readonly version: VersionRow
  readonly createdPackage: boolean
}

/**
 * Stores a new version as `pending` and enqueues its scan in the same transaction. Everything is
 * checked before the blob is written, so refused uploads leave nothing behind.
 */
export async function publish(deps: PackageDeps, eco: Ecosystem, actor: Actor, input: PublishInput): Promise<PublishResult> {
  requirePublishScope(actor)
  const name = eco.parseName(input.name)
  const version = eco.parseVersion(input.version)
  // Switches, IP blocks and rate limits answer before any work is done.
  const known = await repo.findPackage(deps.db.kysely, eco.id, name)
  await deps.defense.guardUpload({ ip: actor.ip, userId: actor.userId, newPackage: !known })

  const digests = digestsOf(input.bytes)
  for (const [algo, expected] of Object.entries(input.declared) as [keyof BlobDigests, string | undefined][]) {
    if (expected !== undefined && expected !== digests[algo]) {
      throw new RegistryError('integrityMismatch', `${algo} of the uploaded archive does not match the one declared (${expected})`)
    }
  }
  const artifact = await eco.readArtifact(input.bytes, archiveLimits(deps.config))
  if (artifact.name !== name || artifact.version !== version) {
    throw new RegistryError(
      'manifestMismatch',
      `the archive's own manifest says ${artifact.name}@${artifact.version}, but the upload is for ${name}@${version}`,
    )
  }

  const manifest = eco.manifestFor(input.manifest, artifact)

  // Early answers for the common refusals, before any write.
  const existing = await repo.findPackage(deps.db.kysely, eco.id, name)
  if (existing) {
    await requireOwner(deps, existing, actor)
    if (await repo.findVersion(deps.db.kysely, existing.id, version)) throw versionExists(name, version)
  }
  await assertPublishAllowed(deps.db.kysely, eco.id, name, existing?.id)

  const unpin = pinBlob(digests.sha256)
  let result: PublishResult
  try {
    const blob = await deps.blobs.put(input.bytes)
    try {
      result = await deps.db.kysely.transaction().execute(async (trx) => {
        const at = new Date().toISOString()
        const { pkg, created } = await repo.ensurePackage(trx, { ecosystem: eco.id, name, displayName: input.name, createdBy: actor.userId, at })
        // Checked again inside the transaction: a block or removal may have landed meanwhile.
        await assertPublishAllowed(trx, eco.id, name, created ? undefined : pkg.id)
        if (created) await repo.addOwner(trx, pkg.id, actor.userId, at)
        else await requireOwner(deps, pkg, actor, trx)
        const row = await repo.insertVersion(trx, {
          packageId: pkg.id,
          version,
          manifest,
          description: typeof manifest.description === 'string' ? manifest.description : null,
          requestedTags: input.tags,
          publisherId: actor.userId,
          tokenId: actor.tokenId,
          ip: actor.ip,
          at,
        })
        if (!row) throw versionExists(name, version)
        await repo.insertArtifact(trx, {
          version_id: row.id,
          filename: input.filename,
          size: blob.size,
          sha1: blob.sha1,
          sha256: blob.sha256,
          sha512: blob.sha512,
          blob_key: blob.key,
          file_count: artifact.files.length,
          unpacked_size: artifact.unpackedSize,
          created_at: at,
        })
        await appendAudit(trx, deps.db.dialect, {
          actor: auditActor(actor),
          action: created ? 'package.create' : 'version.upload',
          subjectType: 'version',
          subjectId: row.id,
          after: { ecosystem: eco.id, name, version, state: 'pending', sha256: blob.sha256, tags: input.tags },
        })
        await deps.queue.enqueue(trx, scanVersionJob, { versionId: row.id })
        return { pkg, version: row, createdPackage: created }
      })
    } catch (err) {
      await discardBlobIfOrphan(deps, blob.key, digests.sha256)
      throw err
    }
  } finally {
    unpin()
  }
  const user = await deps.db.kysely.selectFrom('users').select('created_at').where('id', '=', actor.userId).executeTakeFirst()
  await deps.defense.afterUpload({
    userId: actor.userId,
    accountCreatedAt: user?.created_at ?? new Date().toISOString(),
    ip: actor.ip,
    tokenId: actor.tokenId,
    ecosystem: eco.id,
    packageName: name,
    versionId: result.version.id,
    newPackage: result.createdPackage,
    fingerprint: maskedFingerprint(artifact),
  })
  return result
}

async function discardBlobIfOrphan(deps: PackageDeps, key: string, sha256: string): Promise<void> {
  try {
    // Another upload of the same bytes in this process may still be about to reference it.
    if (pinnedElsewhere(sha256)) return
    if (!(await repo.blobReferenced(deps.db.kysely, key))) await deps.blobs.delete(key)
  } catch (err) {
    deps.log.warn({ err, key }, 'could not discard an unreferenced blob')
  }
}

function pinnedElsewhere(sha256: string): boolean {
  return pinCount(sha256) > 1
}

export interface TransitionInput {
  readonly versionId: number
  readonly from: VersionState
  readonly to: VersionState
  readonly reason: string
  readonly actor: AuditActor
}

/**
 * Moves a version between lifecycle states by compare-and-set, in the caller's transaction, and
 * keeps the package document consistent: publishing applies the requested dist-tags; leaving
 * `published` retargets the tags that pointed at it.
 */
export async function transitionVersion(
  deps: Pick<Deps, 'db'>,
  eco: Ecosystem,
  trx: Transaction<Database>,
  input: TransitionInput,
): Promise<VersionRow> {
  if (!canTransition(input.from, input.to)) {
    throw new RegistryError('conflict', `a version cannot go from ${input.from} to ${input.to}`)
  }
  const at = new Date().toISOString()
  const moved = await repo.setVersionState(trx, input.versionId, input.from, input.to, {
    at,
    reason: input.reason,
    ...(input.to === 'published' ? { publishedAt: at } : {}),
  })
  if (!moved) {
    const current = await repo.findVersionById(trx, input.versionId)
    throw new RegistryError('conflict', `version ${input.versionId} is ${current?.state ?? 'missing'}, not ${input.from}`)
  }
  const version = (await repo.findVersionById(trx, input.versionId))!
  // Bumping the revision first locks the package row, so concurrent transitions of the same
  // package (parallel scan workers on PostgreSQL) read and move its tags one at a time.
  await repo.bumpRevision(trx, version.package_id, at)
  if (input.to === 'published') {
    // Tags follow upload order: scans may finish out of order, and an earlier upload must not
    // take a tag back from a later one.
    const requested = JSON.parse(version.requested_tags) as string[]
    const current = new Map((await repo.listDistTags(trx, version.package_id)).map((t) => [t.tag, t.version_id]))
    for (const tag of requested) {
      const holder = current.get(tag)
      if (holder === undefined || holder < version.id) await repo.upsertDistTag(trx, version.package_id, tag, version.id)
    }
    await ensureLatest(trx, eco, version.package_id)
  } else if (input.from === 'published') {
    await repo.deleteDistTagsOf(trx, version.id)
    await ensureLatest(trx, eco, version.package_id)
  }
  await appendAudit(trx, deps.db.dialect, {
    actor: input.actor,
    action: `version.${input.to}`,
    subjectType: 'version',
    subjectId: version.id,
    reason: input.reason,
    before: { state: input.from },
    after: { state: input.to },
  })
  return version
}

/** `latest` always names an installable version while one exists: the highest stable one, else the highest. */
async function ensureLatest(trx: Transaction<Database>, eco: Ecosystem, packageId: number): Promise<void> {
  const tags = await repo.listDistTags(trx, packageId)
  if (tags.some((t) => t.tag === 'latest')) return
  const published = await repo.listVersions(trx, packageId, ['published'])
  if (published.length === 0) return
  const sorted = [...published].sort((a, b) => eco.compareVersions(a.version, b.version))
  const stable = sorted.find((v) => !v.version.includes('-')) ?? sorted[0]!
  await repo.upsertDistTag(trx, packageId, 'latest', stable.id)
}

// ---- owner metadata edits ---------------------------------------------------------------------

export async function loadOwnedPackage(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string): Promise<PackageRow> {
  requirePublishScope(actor)
  const pkg = await loadPackage(deps, eco, rawName)
  await requireOwner(deps, pkg, actor)
  return pkg
}

export async function loadPackage(deps: Pick<Deps, 'db'>, eco: Ecosystem, rawName: string): Promise<PackageRow> {
  const name = eco.parseName(rawName)
  const pkg = await repo.findPackage(deps.db.kysely, eco.id, name)
  if (!pkg) throw new RegistryError('notFound', `package ${name} not found`)
  return pkg
}

export async function setDistTag(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string, tag: string, rawVersion: string): Promise<void> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  const cleanTag = parseTag(tag)
  const version = eco.parseVersion(rawVersion)
  await deps.db.kysely.transaction().execute(async (trx) => {
    await repo.bumpRevision(trx, pkg.id, new Date().toISOString()) // locks the package row first
    const row = await repo.findVersion(trx, pkg.id, version)
    if (!row || row.state !== 'published') throw new RegistryError('notFound', `version ${version} of ${pkg.name} is not published`)
    await repo.upsertDistTag(trx, pkg.id, cleanTag, row.id)
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'package.dist-tag.set',
      subjectType: 'package',
      subjectId: pkg.id,
      after: { tag: cleanTag, version },
    })
  })
}

export async function removeDistTag(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string, tag: string): Promise<void> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  if (tag === 'latest') throw new RegistryError('invalidRequest', 'the latest tag cannot be removed')
  await deps.db.kysely.transaction().execute(async (trx) => {
    await repo.bumpRevision(trx, pkg.id, new Date().toISOString()) // locks the package row first
    const tags = await repo.listDistTags(trx, pkg.id)
    const current = tags.find((t) => t.tag === tag)
    if (!current) throw new RegistryError('notFound', `${pkg.name} has no dist-tag ${tag}`)
    await repo.deleteDistTag(trx, pkg.id, tag)
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'package.dist-tag.remove',
      subjectType: 'package',
      subjectId: pkg.id,
      before: { tag, version: current.version },
    })
  })
}

/** Sets or clears (`null` or '') the deprecation message of the given versions. */
export async function deprecate(
  deps: PackageDeps,
  eco: Ecosystem,
  actor: Actor,
  rawName: string,
  messages: ReadonlyMap<string, string | null>,
): Promise<number> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  return deps.db.kysely.transaction().execute(async (trx) => {
    let changed = 0
    for (const [version, message] of messages) {
      const row = await repo.findVersion(trx, pkg.id, version)
      if (!row || row.state !== 'published') continue
      const next = message ? message : null
      if (row.deprecated === next) continue
      await repo.setDeprecated(trx, row.id, next)
      await appendAudit(trx, deps.db.dialect, {
        actor: auditActor(actor),
        action: next ? 'version.deprecate' : 'version.undeprecate',
        subjectType: 'version',
        subjectId: row.id,
        before: { deprecated: row.deprecated },
        after: { deprecated: next },
      })
      changed += 1
    }
    if (changed > 0) await repo.bumpRevision(trx, pkg.id, new Date().toISOString())
    return changed
  })
}

/** Owner unpublish of one version, within the configured window. The number is never reusable. */
export async function unpublishVersion(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string, rawVersion: string): Promise<void> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  const version = eco.parseVersion(rawVersion)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const row = await repo.findVersion(trx, pkg.id, version)
    if (!row || row.state === 'unpublished') return
    await unpublishRow(deps, eco, trx, row, actor)
  })
}

/** Owner unpublish of every version; refused as a whole when any version is outside the window. */
export async function unpublishPackage(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string): Promise<void> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const rows = await repo.listVersions(trx, pkg.id)
    for (const row of rows) assertUnpublishable(deps, row)
    for (const row of rows) if (row.state === 'published') await unpublishRow(deps, eco, trx, row, actor)
  })
}

function assertUnpublishable(deps: PackageDeps, row: VersionRow): void {
  if (row.state === 'unpublished' || row.state === 'rejected') return
  if (row.state !== 'published') {
    throw new RegistryError('unpublishNotAllowed', `version ${row.version} is under security review (${row.state}) and cannot be unpublished`)
  }
  const hours = deps.config.unpublishWindowHours
  const since = Date.parse(row.published_at ?? row.created_at)
  if (Date.now() - since > hours * 3_600_000) {
    throw new RegistryError(
      'unpublishNotAllowed',
      `version ${row.version} was published more than ${hours} hours ago; deprecate it instead, or ask the registry's operators`,
    )
  }
}

async function unpublishRow(deps: PackageDeps, eco: Ecosystem, trx: Transaction<Database>, row: VersionRow, actor: Actor): Promise<void> {
  assertUnpublishable(deps, row)
  await transitionVersion(deps, eco, trx, {
    versionId: row.id,
    from: 'published',
    to: 'unpublished',
    reason: 'unpublished by an owner',
    actor: auditActor(actor),
  })
}

export async function addOwner(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string, username: string): Promise<boolean> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  const user = await findUser(deps, username)
  if (!user) throw new RegistryError('notFound', `no user named ${username}`)
  return deps.db.kysely.transaction().execute(async (trx) => {
    const added = await repo.addOwner(trx, pkg.id, user.id, new Date().toISOString())
    if (!added) return false
    await repo.bumpRevision(trx, pkg.id, new Date().toISOString())
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'package.owner.add',
      subjectType: 'package',
      subjectId: pkg.id,
      after: { owner: user.name },
    })
    return true
  })
}

export async function removeOwner(deps: PackageDeps, eco: Ecosystem, actor: Actor, rawName: string, username: string): Promise<void> {
  const pkg = await loadOwnedPackage(deps, eco, actor, rawName)
  const user = await findUser(deps, username)
  if (!user) throw new RegistryError('notFound', `no user named ${username}`)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const owners = await repo.listOwners(trx, pkg.id)
    if (!owners.some((o) => o.id === user.id)) throw new RegistryError('notFound', `${user.name} does not own ${pkg.name}`)
    if (owners.length === 1) throw new RegistryError('invalidRequest', `${user.name} is the only owner of ${pkg.name}; add another owner first`)
    await repo.removeOwner(trx, pkg.id, user.id)
    await repo.bumpRevision(trx, pkg.id, new Date().toISOString())
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'package.owner.remove',
      subjectType: 'package',
      subjectId: pkg.id,
      before: { owner: user.name },
    })
  })
}

// ---- guards -----------------------------------------------------------------------------------

function requirePublishScope(actor: Actor): void {
  if (actor.scope !== 'publish') throw new RegistryError('readOnlyToken', 'this token is read-only and cannot change packages')
}

async function requireOwner(deps: Pick<Deps, 'db'>, pkg: PackageRow, actor: Actor, trx?: Transaction<Database>): Promise<void> {
  if (!(await repo.isOwner(trx ?? deps.db.kysely, pkg.id, actor.userId))) {
    throw new RegistryError('notOwner', `you do not have permission to change ${pkg.name}; ask one of its owners to add you`)
  }
}

function versionExists(name: PackageName | string, version: string): RegistryError {
  return new RegistryError('versionExists', `cannot publish over the previously published version ${name}@${version}; version numbers are never reused`)
}

const TAG = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/

export function parseTag(raw: string): string {
  if (!TAG.test(raw)) throw new RegistryError('invalidRequest', `invalid dist-tag: ${JSON.stringify(raw)}`)
  return raw
}
