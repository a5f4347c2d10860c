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
