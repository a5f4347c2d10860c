// Public advisories for removals, as OSV records: what a tombstone points installers to (the feed comes with intel).
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import * as repo from './repository.ts'
import { advisoryId, parseAdvisoryId } from './policy.ts'

export async function advisoryDocument(deps: Pick<Deps, 'db' | 'ecosystems' | 'config'>, id: string): Promise<Record<string, unknown>> {
  const removalId = parseAdvisoryId(id)
  const [removal] = removalId === undefined ? [] : await repo.listRemovals(deps.db.kysely, { id: removalId })
  if (!removal || advisoryId(removal.id, removal.created_at) !== id || (removal.status !== 'done' && removal.status !== 'restored')) {
    throw new RegistryError('notFound', `no advisory ${id}`)
  }
  const versionIds = Object.keys(JSON.parse(removal.prior_states ?? '{}') as Record<string, string>).map(Number)
  const versions = versionIds.length
    ? (await deps.db.kysely.selectFrom('versions').select('version').where('id', 'in', versionIds).orderBy('id').execute()).map((v) => v.version)
    : []
  const eco = deps.ecosystems.get(removal.ecosystem as EcosystemId)
  const modified = removal.restored_at ?? removal.done_at ?? removal.created_at
  return {
    schema_version: '1.6.0',
    id,
    modified,
    published: removal.done_at ?? removal.created_at,
    ...(removal.restored_at ? { withdrawn: removal.restored_at } : {}),
    summary: `Malicious code in ${removal.package_name} (${eco?.osvName ?? removal.ecosystem})`,
    details: removal.whole_package
      ? `Every version of ${removal.package_name} was removed from this registry by its security team because the package contains malicious code.`
      : `These versions of ${removal.package_name} were removed from this registry by its security team because they contain malicious code: ${versions.join(', ')}.`,
    affected: [
      {
        package: { ecosystem: eco?.osvName ?? removal.ecosystem, name: removal.package_name },
        versions,
        database_specific: { whole_package: removal.whole_package === 1 },
      },
    ],
    references: [{ type: 'WEB', url: `${deps.config.publicUrl}-/advisories/${id}` }],
    database_specific: { source: 'gatehouse', removal: removal.id },
  }
}

export interface RemovalAdvisory {
  readonly advisoryId: string
  readonly removalId: number
  readonly versions: readonly string[]
  readonly publishedAt: string
}

/** The carried-out removals of a package, each with the versions it took out: what audit tools report. */
export async function removalAdvisoriesOf(deps: Pick<Deps, 'db'>, ecosystem: EcosystemId, name: string): Promise<RemovalAdvisory[]> {
  const pkg = await deps.db.kysely.selectFrom('packages').select('id').where('ecosystem', '=', ecosystem).where('name', '=', name).executeTakeFirst()
  if (!pkg) return []
  const removals = await repo.removalsOfPackage(deps.db.kysely, pkg.id)
  const ids = removals.flatMap((r) => Object.keys(JSON.parse(r.prior_states ?? '{}') as Record<string, string>).map(Number))
  if (ids.length === 0) return []
  const versions = await deps.db.kysely.selectFrom('versions').select(['id', 'version', 'state']).where('id', 'in', ids).execute()
  return removals
    .map((r) => {
      const mine = new Set(Object.keys(JSON.parse(r.prior_states ?? '{}') as Record<string, string>).map(Number))
      return {
        advisoryId: advisoryId(r.id, r.created_at),
        removalId: r.id,
        // A version restored and removed again belongs to the later removal too; only removed ones count.
        versions: versions.filter((v) => mine.has(v.id) && v.state === 'removed').map((v) => v.version),
        publishedAt: r.done_at ?? r.created_at,
      }
    })
    .filter((a) => a.versions.length > 0)
}
