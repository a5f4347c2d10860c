// Kysely queries for packages, owners, versions, artifacts and dist-tags.
import type { Executor } from '../db/dialect.ts'
import type { ArtifactRow, PackageRow, VersionRow, VersionState } from '../db/schema.ts'

export const findPackage = (db: Executor, ecosystem: string, name: string): Promise<PackageRow | undefined> =>
  db.selectFrom('packages').selectAll().where('ecosystem', '=', ecosystem).where('name', '=', name).executeTakeFirst()

/** Inserts the package unless it exists; returns the row either way and whether it was created. */
export async function ensurePackage(
  db: Executor,
  p: { ecosystem: string; name: string; displayName: string; createdBy: number; at: string },
): Promise<{ pkg: PackageRow; created: boolean }> {
  const inserted = await db
    .insertInto('packages')
    .values({ ecosystem: p.ecosystem, name: p.name, display_name: p.displayName, created_at: p.at, updated_at: p.at, created_by: p.createdBy })
    .onConflict((oc) => oc.columns(['ecosystem', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { pkg: inserted, created: true }
  const existing = await findPackage(db, p.ecosystem, p.name)
  if (!existing) throw new Error(`package ${p.name} vanished during insert`)
  return { pkg: existing, created: false }
}

export async function bumpRevision(db: Executor, packageId: number, at: string): Promise<void> {
  await db
    .updateTable('packages')
    .set((eb) => ({ revision: eb('revision', '+', 1), updated_at: at }))
    .where('id', '=', packageId)
    .execute()
}

export const listOwners = (db: Executor, packageId: number) =>
  db
    .selectFrom('package_owners')
    .innerJoin('users', 'users.id', 'package_owners.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('package_owners.package_id', '=', packageId)
    .orderBy('package_owners.created_at')
    .orderBy('users.name')
    .execute()

export async function isOwner(db: Executor, packageId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('package_owners')
    .select('user_id')
    .where('package_id', '=', packageId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

export async function addOwner(db: Executor, packageId: number, userId: number, at: string): Promise<boolean> {
  const inserted = await db
    .insertInto('package_owners')
    .values({ package_id: packageId, user_id: userId, created_at: at })
    .onConflict((oc) => oc.columns(['package_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst()
  return inserted !== undefined
}

export async function removeOwner(db: Executor, packageId: number, userId: number): Promise<void> {
  await db.deleteFrom('package_owners').where('package_id', '=', packageId).where('user_id', '=', userId).execute()
}

export const findVersion = (db: Executor, packageId: number, version: string): Promise<VersionRow | undefined> =>
  db.selectFrom('versions').selectAll().where('package_id', '=', packageId).where('version', '=', version).executeTakeFirst()

export const findVersionById = (db: Executor, id: number): Promise<VersionRow | undefined> =>
  db.selectFrom('versions').selectAll().where('id', '=', id).executeTakeFirst()

export function listVersions(db: Executor, packageId: number, states?: readonly VersionState[]): Promise<VersionRow[]> {
  let q = db.selectFrom('versions').selectAll().where('package_id', '=', packageId)
  if (states) q = q.where('state', 'in', [...states])
  return q.orderBy('id').execute()
}

/** Inserts a version unless that number exists in any state; undefined means it exists. */
export function insertVersion(
  db: Executor,
  v: {
    packageId: number
    version: string
    manifest: unknown
    description: string | null
    requestedTags: readonly string[]
    publisherId: number
    tokenId: number | null
    ip: string | null
    at: string
  },
): Promise<VersionRow | undefined> {
  return db
    .insertInto('versions')
    .values({
      package_id: v.packageId,
      version: v.version,
      state: 'pending',
      manifest: JSON.stringify(v.manifest),
      description: v.description,
      requested_tags: JSON.stringify(v.requestedTags),
      publisher_id: v.publisherId,
      token_id: v.tokenId,
      upload_ip: v.ip,
      created_at: v.at,
      state_changed_at: v.at,
    })
    .onConflict((oc) => oc.columns(['package_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst()
}

/** Compare-and-set: moves the version only if it is still in `from`. Returns whether it moved. */
export async function setVersionState(
  db: Executor,
  id: number,
  from: VersionState,
  to: VersionState,
  fields: { at: string; reason: string | null; publishedAt?: string },
): Promise<boolean> {
  const result = await db
    .updateTable('versions')
    .set({
      state: to,
      state_changed_at: fields.at,
      state_reason: fields.reason,
      ...(fields.publishedAt ? { published_at: fields.publishedAt } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function setDeprecated(db: Executor, id: number, message: string | null): Promise<void> {
  await db.updateTable('versions').set({ deprecated: message }).where('id', '=', id).execute()
}

export async function insertArtifact(
  db: Executor,
  a: Omit<ArtifactRow, 'id'>,
): Promise<ArtifactRow> {
  return db.insertInto('artifacts').values(a).returningAll().executeTakeFirstOrThrow()
}

export const artifactsOf = (db: Executor, versionIds: readonly number[]): Promise<ArtifactRow[]> =>
  versionIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('artifacts').selectAll().where('version_id', 'in', [...versionIds]).execute()

export async function blobReferenced(db: Executor, blobKey: string): Promise<boolean> {
  const row = await db.selectFrom('artifacts').select('id').where('blob_key', '=', blobKey).limit(1).executeTakeFirst()
  return row !== undefined
}

export const listDistTags = (db: Executor, packageId: number) =>
  db
    .selectFrom('dist_tags')
    .innerJoin('versions', 'versions.id', 'dist_tags.version_id')
    .select(['dist_tags.tag', 'versions.version', 'versions.id as version_id'])
    .where('dist_tags.package_id', '=', packageId)
    .orderBy('dist_tags.tag')
    .execute()

export async function upsertDistTag(db: Executor, packageId: number, tag: string, versionId: number): Promise<void> {
  await db
    .insertInto('dist_tags')
    .values({ package_id: packageId, tag, version_id: versionId })
    .onConflict((oc) => oc.columns(['package_id', 'tag']).doUpdateSet({ version_id: versionId }))
    .execute()
}

export async function deleteDistTag(db: Executor, packageId: number, tag: string): Promise<void> {
  await db.deleteFrom('dist_tags').where('package_id', '=', packageId).where('tag', '=', tag).execute()
}

export async function deleteDistTagsOf(db: Executor, versionId: number): Promise<void> {
  await db.deleteFrom('dist_tags').where('version_id', '=', versionId).execute()
}

/** Packages with at least one installable version whose name or description matches. */
export function searchPackages(db: Executor, ecosystem: string, text: string, limit: number, offset: number) {
  // LIKE wildcards are dropped rather than escaped: the two dialects escape differently.
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, '')}%`
  return db
    .selectFrom('packages')
    .select(['packages.id', 'packages.name', 'packages.updated_at'])
    .where('packages.ecosystem', '=', ecosystem)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('versions')
          .select('versions.id')
          .whereRef('versions.package_id', '=', 'packages.id')
          .where('versions.state', '=', 'published')
          .where((w) =>
            w.or([
              w(w.fn('lower', ['packages.name']), 'like', pattern),
              w(w.fn('lower', ['versions.description']), 'like', pattern),
            ]),
          ),
      ),
    )
    .orderBy('packages.name')
    .limit(limit)
    .offset(offset)
    .execute()
}
