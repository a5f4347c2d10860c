// Read models for installers and clients: what a package looks like from outside (installable versions only).
import type { Deps } from '../deps.ts'
import type { ArtifactRow, PackageRow, VersionRow } from '../db/schema.ts'
import type { Ecosystem } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { INSTALLABLE } from './lifecycle.ts'
import * as repo from './repository.ts'
import { removalsOfPackage } from '../review/repository.ts'
import { advisoryId } from '../review/policy.ts'

export interface PackageView {
  readonly pkg: PackageRow
  /** Installable versions, oldest first, each with its artifacts and publisher. */
  readonly versions: readonly VersionView[]
  readonly tags: Readonly<Record<string, string>>
  readonly owners: readonly { name: string; email: string }[]
  /** Versions the security team removed: never served, but named so installers learn why. */
  readonly tombstones: readonly Tombstone[]
}

export interface Tombstone {
  readonly version: string
  readonly advisoryId: string
  readonly removedAt: string
}

export interface VersionView {
  readonly row: VersionRow
  readonly manifest: Record<string, unknown>
  readonly artifacts: readonly ArtifactRow[]
  readonly publisher: { name: string; email: string } | undefined
}

/** The package as installers see it; notFound when it has no installable version. */
export async function loadPackageView(deps: Pick<Deps, 'db'>, eco: Ecosystem, rawName: string): Promise<PackageView> {
  const name = eco.parseName(rawName)
  const db = deps.db.kysely
  const pkg = await repo.findPackage(db, eco.id, name)
  if (!pkg) throw new RegistryError('notFound', `package ${name} not found`)
  const rows = await repo.listVersions(db, pkg.id, INSTALLABLE)
  const tombstones = await tombstonesOf(deps, pkg.id)
  if (rows.length === 0 && tombstones.length === 0) throw new RegistryError('notFound', `package ${name} has no installable versions`)
  const [artifacts, tags, owners, publishers] = await Promise.all([
    repo.artifactsOf(db, rows.map((r) => r.id)),
    repo.listDistTags(db, pkg.id),
    repo.listOwners(db, pkg.id),
    // `in ()` is an error on PostgreSQL: a package with only tombstones has no publishers to look up.
    rows.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('users')
          .select(['id', 'name', 'email'])
          .where('id', 'in', [...new Set(rows.map((r) => r.publisher_id))])
          .execute(),
  ])
  const publisherById = new Map(publishers.map((u) => [u.id, { name: u.name, email: u.email }]))
  const versions = rows.map((row) => ({
    row,
    manifest: JSON.parse(row.manifest) as Record<string, unknown>,
    artifacts: artifacts.filter((a) => a.version_id === row.id),
    publisher: publisherById.get(row.publisher_id),
  }))
  return {
    pkg,
    versions,
    tags: Object.fromEntries(tags.map((t) => [t.tag, t.version])),
    owners: owners.map((o) => ({ name: o.name, email: o.email })),
    tombstones,
  }
}

/** Removed versions with the removal that took each out (the latest, if removed more than once). */
export async function tombstonesOf(deps: Pick<Deps, 'db'>, packageId: number): Promise<Tombstone[]> {
  const removed = await repo.listVersions(deps.db.kysely, packageId, ['removed'])
  if (removed.length === 0) return []
  const removals = await removalsOfPackage(deps.db.kysely, packageId)
  return removed.map((v) => {
    const removal = removals.findLast((r) => (JSON.parse(r.prior_states ?? '{}') as Record<string, string>)[v.id] !== undefined)
    return {
      version: v.version,
      advisoryId: removal ? advisoryId(removal.id, removal.created_at) : 'unknown',
      removedAt: removal?.done_at ?? v.state_changed_at,
    }
  })
}

/** A removed version's tombstone, found by its archive's file name. */
export async function tombstoneForFile(deps: Pick<Deps, 'db'>, eco: Ecosystem, rawName: string, filename: string): Promise<Tombstone | undefined> {
  const name = eco.parseName(rawName)
  const row = await deps.db.kysely
    .selectFrom('artifacts')
    .innerJoin('versions', 'versions.id', 'artifacts.version_id')
    .innerJoin('packages', 'packages.id', 'versions.package_id')
    .select(['versions.version', 'versions.package_id'])
    .where('packages.ecosystem', '=', eco.id)
    .where('packages.name', '=', name)
    .where('artifacts.filename', '=', filename)
    .where('versions.state', '=', 'removed')
    .executeTakeFirst()
  if (!row) return undefined
  return (await tombstonesOf(deps, row.package_id)).find((t) => t.version === row.version)
}

/** An installable artifact's bytes, found by its file name. */
export async function loadArtifact(
  deps: Pick<Deps, 'db' | 'blobs'>,
  eco: Ecosystem,
  rawName: string,
  filename: string,
): Promise<{ artifact: ArtifactRow; bytes: Buffer }> {
  const name = eco.parseName(rawName)
  const row = await deps.db.kysely
    .selectFrom('artifacts')
    .innerJoin('versions', 'versions.id', 'artifacts.version_id')
    .innerJoin('packages', 'packages.id', 'versions.package_id')
    .selectAll('artifacts')
    .where('packages.ecosystem', '=', eco.id)
    .where('packages.name', '=', name)
    .where('artifacts.filename', '=', filename)
    .where('versions.state', 'in', [...INSTALLABLE])
    .executeTakeFirst()
  if (!row) throw new RegistryError('notFound', `${filename} not found`)
  const bytes = await deps.blobs.get(row.blob_key)
  if (!bytes) throw new RegistryError('unavailable', `${filename} is temporarily unavailable`)
  return { artifact: row, bytes }
}

export async function searchPackages(
  deps: Pick<Deps, 'db'>,
  eco: Ecosystem,
  text: string,
  size: number,
  from: number,
): Promise<PackageView[]> {
  const rows = await repo.searchPackages(deps.db.kysely, eco.id, text.trim(), size, from)
  const views: PackageView[] = []
  for (const row of rows) {
    try {
      const view = await loadPackageView(deps, eco, row.name)
      if (view.versions.length > 0) views.push(view)
    } catch (err) {
      if (!(err instanceof RegistryError && err.code === 'notFound')) throw err
    }
  }
  return views
}
