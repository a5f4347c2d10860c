// The registry's own popular packages as look-alike targets: names downloaded here often enough, added to the bundled ranking.
import { sql } from 'kysely'
import type { EcosystemId } from '../../core/ecosystem.ts'
import type { Executor } from '../../db/dialect.ts'
import { bundledIndex, type PopularIndex } from './popular-index.ts'

/** Downloads over the last 30 days that make a local package worth imitating. */
export const MIN_TARGET_DOWNLOADS = 100
/** At most this many local names join the bundled ones. */
export const MAX_REGISTRY_TARGETS = 1000
/** How long a ranking is reused before it is read again; the index is rebuilt only when the names change. */
export const REGISTRY_TARGETS_TTL_MS = 60_000

interface Cached {
  readonly at: number
  readonly names: string
  readonly index: PopularIndex
}
const cache = new WeakMap<object, Map<EcosystemId, Cached>>()

/** The most downloaded local packages of an ecosystem over the last 30 days, most first. */
export async function mostDownloaded(db: Executor, ecosystem: EcosystemId, now: Date = new Date()): Promise<string[]> {
  const since = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10)
  const rows = await db
    .selectFrom('download_counts as d')
    .innerJoin('versions as v', 'v.id', 'd.version_id')
    .innerJoin('packages as p', 'p.id', 'v.package_id')
    .select((eb) => ['p.name', eb.fn.sum<number>('d.count').as('n')])
    .where('p.ecosystem', '=', ecosystem)
    .where('d.day', '>=', since)
    .groupBy('p.name')
    .having(sql`sum(d.count)`, '>=', MIN_TARGET_DOWNLOADS)
    .orderBy('n', 'desc')
    .orderBy('p.name')
    .limit(MAX_REGISTRY_TARGETS)
    .execute()
  return rows.map((r) => r.name)
}

/** The bundled index of the ecosystem plus this registry's most downloaded names, ranked after the bundled ones. */
export async function targetIndex(db: Executor, ecosystem: EcosystemId, now: Date = new Date()): Promise<PopularIndex> {
  const perDb = cache.get(db) ?? new Map<EcosystemId, Cached>()
  cache.set(db, perDb)
  const hit = perDb.get(ecosystem)
  if (hit && now.getTime() - hit.at < REGISTRY_TARGETS_TTL_MS) return hit.index
  const names = await mostDownloaded(db, ecosystem, now)
  const signature = names.join('\n')
  const bundled = bundledIndex(ecosystem)
  const index = hit && hit.names === signature ? hit.index : bundled.with(names.map((name, i) => ({ name, rank: bundled.size + i + 1 })))
  perDb.set(ecosystem, { at: now.getTime(), names: signature, index })
  return index
}

/** Drops the cached ranking, so the next look-up reads the downloads again (tests, and after bulk imports). */
export function forgetRegistryTargets(db: Executor): void {
  cache.delete(db)
}
