// The registry's own OSV records for removed malicious packages: a JSON feed and a .tar.gz archive other registries import.
import { createGzip } from 'node:zlib'
import { pack } from 'tar-stream'
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { advisoryDocument } from '../review/advisories.ts'
import { advisoryId } from '../review/policy.ts'

type ExportDeps = Pick<Deps, 'db' | 'ecosystems' | 'config'>

/**
 * Every carried-out removal as the OSV record its advisory page serves (review/advisories.ts is the
 * one builder); restored removals stay in the feed as withdrawn, so consumers retract them too.
 */
export async function exportedRecords(deps: ExportDeps, options: { since?: string } = {}): Promise<Record<string, unknown>[]> {
  let q = deps.db.kysely.selectFrom('removals').select(['id', 'created_at', 'done_at', 'restored_at']).where('status', 'in', ['done', 'restored'])
  if (options.since) {
    const since = options.since
    q = q.where((eb) => eb.or([eb('done_at', '>=', since), eb('restored_at', '>=', since)]))
  }
  const rows = await q.orderBy('id').execute()
  const out: Record<string, unknown>[] = []
  for (const r of rows) out.push(await advisoryDocument(deps, advisoryId(r.id, r.created_at)))
  return out
}

/** The archive lays records out as <ecosystem>/<package>/<id>.json, the way ossf/malicious-packages does. */
export async function exportArchive(deps: ExportDeps): Promise<Buffer> {
  const records = await exportedRecords(deps)
  const tar = pack()
  for (const record of records) {
    const affected = (record.affected as { package: { ecosystem: string; name: string } }[])[0]!
    const name = `${affected.package.ecosystem}/${affected.package.name.replace(/^@/, '').replace(/\//g, '__')}/${String(record.id)}.json`
    tar.entry({ name, mode: 0o644, mtime: new Date(String(record.modified)) }, JSON.stringify(record, null, 2))
  }
  tar.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of tar.pipe(createGzip())) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The ecosystems the feed can contain, for its index. */
export function feedEcosystems(deps: Pick<Deps, 'ecosystems'>): string[] {
  return [...deps.ecosystems.values()].map((e) => e.osvName)
}

export type { EcosystemId }
