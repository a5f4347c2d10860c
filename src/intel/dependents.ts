// Finds every package that depends on a removed one (any ecosystem's dependency metadata) and tells its maintainers.
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import * as packages from '../packages/repository.ts'
import { advisoryId, advisoryUrl } from '../review/policy.ts'
import { notifyByEmail, notifyByWebhook } from './notify.ts'

type DependentsDeps = Pick<Deps, 'db' | 'config' | 'ecosystems' | 'defense' | 'log'>

export interface Dependent {
  readonly packageId: number
  readonly name: string
  /** Its versions (published, held or pending) that declare the dependency. */
  readonly versions: string[]
}

/**
 * Packages of the same ecosystem whose stored manifests name `name` as an install-time
 * dependency. A text match narrows the candidates in SQL; the ecosystem's own reader decides.
 */
export async function findDependents(deps: Pick<Deps, 'db' | 'ecosystems'>, ecosystem: EcosystemId, name: string, exceptPackageId: number): Promise<Dependent[]> {
  const eco = deps.ecosystems.get(ecosystem)
  if (!eco) return []
  // PyPI names match loosely (Foo_Bar is foo-bar), so its manifests are checked without the text filter.
  const needle = ecosystem === 'pypi' ? undefined : `%${JSON.stringify(name).slice(1, -1)}%`
  let q = deps.db.kysely
    .selectFrom('versions')
    .innerJoin('packages', 'packages.id', 'versions.package_id')
    .select(['packages.id as package_id', 'packages.name', 'versions.version', 'versions.manifest'])
    .where('packages.ecosystem', '=', ecosystem)
    .where('packages.id', '!=', exceptPackageId)
    .where('versions.state', 'in', ['published', 'held', 'pending'])
  if (needle) q = q.where('versions.manifest', 'like', needle)
  const byPackage = new Map<number, Dependent>()
  for (const row of await q.orderBy('versions.id').execute()) {
    const manifest = JSON.parse(row.manifest) as Record<string, unknown>
    if (!eco.dependencyNames(manifest).includes(name)) continue
    const entry = byPackage.get(row.package_id) ?? { packageId: row.package_id, name: row.name, versions: [] }
    entry.versions.push(row.version)
    byPackage.set(row.package_id, entry)
  }
  return [...byPackage.values()]
}

/** The notify_dependents job: every owner of every dependent by email, and each dependent by webhook; each once. */
export async function notifyDependents(deps: DependentsDeps, removalId: number): Promise<void> {
  const removal = await deps.db.kysely
    .selectFrom('removals')
    .innerJoin('packages', 'packages.id', 'removals.package_id')
    .select(['removals.id', 'removals.status', 'removals.created_at', 'removals.prior_states', 'removals.whole_package', 'packages.id as package_id', 'packages.name', 'packages.ecosystem'])
    .where('removals.id', '=', removalId)
    .executeTakeFirst()
  if (!removal || removal.status !== 'done') return
  const versionIds = Object.keys(JSON.parse(removal.prior_states ?? '{}') as Record<string, string>).map(Number)
  const removed = versionIds.length ? (await deps.db.kysely.selectFrom('versions').select('version').where('id', 'in', versionIds).orderBy('id').execute()).map((v) => v.version) : []
  const advisory = advisoryId(removal.id, removal.created_at)
  const url = advisoryUrl(deps.config.publicUrl, advisory)
  const dependents = await findDependents(deps, removal.ecosystem as EcosystemId, removal.name, removal.package_id)
  for (const d of dependents) {
    const subjectKey = `removal:${removal.id}:package:${d.packageId}`
    const what = removal.whole_package ? `every version of ${removal.name}` : `${removal.name} ${removed.join(', ')}`
    const text = [
      `${d.name} depends on ${removal.name} (in ${d.versions.join(', ')}).`,
      ``,
      `The registry's security team removed ${what} because it contains malicious code.`,
      `Installs of the removed versions now fail. Please release a version of ${d.name} that no longer depends on them,`,
      `and tell your users to check their machines if they installed them. Advisory: ${url}`,
    ].join('\n')
    for (const owner of await packages.listOwners(deps.db.kysely, d.packageId)) {
      await notifyByEmail(deps, { kind: 'dependent-removed', subjectKey, to: owner.email, subject: `[security] ${d.name} depends on ${removal.name}, removed as malicious`, text })
    }
    await notifyByWebhook(deps, {
      kind: 'dependent-removed',
      subjectKey,
      payload: { event: 'dependent-removed', advisory, url, ecosystem: removal.ecosystem, removed: { name: removal.name, versions: removed, wholePackage: removal.whole_package === 1 }, dependent: { name: d.name, versions: d.versions } },
    })
  }
  deps.log.info({ removalId, dependents: dependents.length }, 'dependents notified')
}
