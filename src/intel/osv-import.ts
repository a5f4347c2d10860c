// `gatehouse intel import PATH|URL`: reads OSV records (files, folders, .zip, .tar.gz, feeds) and acts on the local registry.
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Transaction } from 'kysely'
import type { Deps } from '../deps.ts'
import type { AuditActor } from '../audit/service.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import type { Ecosystem, EcosystemId } from '../core/ecosystem.ts'
import type { Database } from '../db/schema.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit } from '../audit/service.ts'
import { transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import { fileVersionForReview } from '../review/service.ts'
import { readZip } from '../scanning/unpack/zip.ts'
import { readTarGz } from '../scanning/unpack/tar.ts'
import { affects, isMalicious, parseOsvRecord, type OsvRecord } from './osv-records.ts'
import { reviewDependentsOfRecordJob } from './jobs.ts'

export type ImportDeps = Pick<Deps, 'db' | 'ecosystems' | 'log' | 'config' | 'queue'>

/** Feeds are large (the malicious-packages archive holds hundreds of thousands of small files) but each record is small. */
const FEED_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 512 * 1024 * 1024,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxEntries: 2_000_000,
  maxEntryBytes: 16 * 1024 * 1024,
  maxPathDepth: 32,
  maxRatio: 1000,
}

export interface ImportSummary {
  records: number
  created: number
  updated: number
  unchanged: number
  /** Records for ecosystems this registry does not serve. */
  ignored: number
  held: number
  filed: number
  blocked: number
  errors: string[]
}

/** Reads every record a path or URL offers: one .json record, a JSON list or {records: […]}, a folder, a .zip or a .tar.gz. */
export async function readOsvSource(source: string): Promise<{ where: string; raw: unknown }[]> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { redirect: 'follow', signal: AbortSignal.timeout(5 * 60_000) })
    if (!res.ok) throw new RegistryError('unavailable', `${source} answered ${res.status}`)
    const bytes = Buffer.from(await res.arrayBuffer())
    return readOsvBytes(source, bytes)
  }
  const info = await stat(source).catch(() => undefined)
  if (!info) throw new RegistryError('notFound', `${source} does not exist`)
  if (info.isDirectory()) {
    const out: { where: string; raw: unknown }[] = []
    for (const entry of (await readdir(source, { recursive: true })).sort()) {
      const path = join(source, entry)
      if (entry.endsWith('.json') && (await stat(path)).isFile()) out.push(...(await readOsvBytes(path, await readFile(path))))
    }
    return out
  }
  return readOsvBytes(source, await readFile(source))
}

async function readOsvBytes(where: string, bytes: Buffer): Promise<{ where: string; raw: unknown }[]> {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const zip = await readZip(bytes, FEED_LIMITS)
    return zip.entries.filter((e) => e.path.endsWith('.json')).map((e) => ({ where: `${where}!${e.path}`, raw: parseJson(`${where}!${e.path}`, e.content) }))
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const tar = await readTarGz(bytes, FEED_LIMITS)
    return tar.entries.filter((e) => e.path.endsWith('.json') && e.content).map((e) => ({ where: `${where}!${e.path}`, raw: parseJson(`${where}!${e.path}`, e.content!) }))
  }
  const doc = parseJson(where, bytes)
  if (Array.isArray(doc)) return doc.map((raw, i) => ({ where: `${where}[${i}]`, raw }))
  const list = (doc as { records?: unknown } | null)?.records
  if (Array.isArray(list)) return list.map((raw, i) => ({ where: `${where}[${i}]`, raw }))
  return [{ where, raw: doc }]
}

function parseJson(where: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch (err) {
    return { __unreadable: `${where}: not JSON (${(err as Error).message})` }
  }
}

export async function importOsv(deps: ImportDeps, source: string, actor: AuditActor): Promise<ImportSummary> {
  const items = await readOsvSource(source)
  const summary: ImportSummary = { records: 0, created: 0, updated: 0, unchanged: 0, ignored: 0, held: 0, filed: 0, blocked: 0, errors: [] }
  const byOsvName = new Map([...deps.ecosystems.values()].map((e) => [e.osvName.toLowerCase(), e]))
  for (const item of items) {
    let record: OsvRecord
    try {
      const unreadable = (item.raw as { __unreadable?: string } | null)?.__unreadable
      if (unreadable) throw new RegistryError('invalidRequest', unreadable)
      record = parseOsvRecord(item.raw, item.where)
    } catch (err) {
      summary.errors.push((err as Error).message)
      continue
    }
    summary.records += 1
    try {
      await applyRecord(deps, record, source, actor, byOsvName, summary)
    } catch (err) {
      summary.errors.push(`${item.where}: ${(err as Error).message}`)
    }
  }
  return summary
}

/**
 * One record, one transaction. The record is stored by id (a newer `modified` replaces it); each
 * local version it affects is acted on once, remembered in osv_matches, so importing the same feed
 * again changes nothing and a later import only touches versions uploaded since.
 */
async function applyRecord(deps: ImportDeps, record: OsvRecord, source: string, actor: AuditActor, byOsvName: Map<string, Ecosystem>, summary: ImportSummary): Promise<void> {
  const targets = (record.affected ?? []).flatMap((a) => {
    const eco = byOsvName.get(a.package.ecosystem.toLowerCase())
    if (!eco) return []
    try {
      return [{ entry: a, eco, name: eco.parseName(a.package.name) as string }]
    } catch {
      return []
    }
  })
  if (targets.length === 0) {
    summary.ignored += 1
    return
  }
  await deps.db.kysely.transaction().execute(async (trx) => {
    const at = new Date().toISOString()
    const first = targets[0]!
    const existing = await trx.selectFrom('osv_records').selectAll().where('id', '=', record.id).executeTakeFirst()
    const values = {
      ecosystem: first.eco.id,
      package_name: first.name,
      modified: record.modified,
      withdrawn: record.withdrawn ?? null,
      summary: record.summary?.slice(0, 1000) ?? null,
      document: JSON.stringify(record),
      source,
      imported_at: at,
    }
    if (!existing) {
      await trx.insertInto('osv_records').values({ id: record.id, ...values }).execute()
      summary.created += 1
    } else if (Date.parse(record.modified) > Date.parse(existing.modified)) {
      await trx.updateTable('osv_records').set(values).where('id', '=', record.id).execute()
      summary.updated += 1
    } else {
      summary.unchanged += 1
    }
    if (record.withdrawn) {
      await liftBlocks(deps, trx, record, actor)
      return
    }
    if (!isMalicious(record)) return
    for (const t of targets) await actOnPackage(deps, trx, record, t, actor, summary)
  })
}

async function actOnPackage(
  deps: ImportDeps,
  trx: Transaction<Database>,
  record: OsvRecord,
  target: { entry: NonNullable<OsvRecord['affected']>[number]; eco: Ecosystem; name: string },
  actor: AuditActor,
  summary: ImportSummary,
): Promise<void> {
  const { eco, name, entry } = target
  const at = new Date().toISOString()
  const reason = `${record.id}: ${record.summary ?? 'reported as malicious'}`.slice(0, 1000)
  const pkg = await packages.findPackage(trx, eco.id, name)
  if (!pkg) {
    const blocks = await trx.selectFrom('name_blocks').select('id').where('ecosystem', '=', eco.id).where('kind', '=', 'exact').where('pattern', '=', name).execute()
    if (blocks.length > 0) return
    const block = await trx
      .insertInto('name_blocks')
      .values({ ecosystem: eco.id, kind: 'exact', pattern: name, reason: `OSV ${reason}`, source: 'osv', created_by: actor.label, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow()
    await appendAudit(trx, deps.db.dialect, { actor, action: 'name-block.create', subjectType: 'name-block', subjectId: block.id, reason: `OSV ${reason}`, after: { ecosystem: eco.id, kind: 'exact', pattern: name, source: 'osv', record: record.id } })
    summary.blocked += 1
    // Packages here may already depend on the name: they are filed for review and their maintainers told.
    await deps.queue.enqueue(trx, reviewDependentsOfRecordJob, { recordId: record.id, ecosystem: eco.id, name })
    return
  }
  let actedOn = false
  const done = new Set((await trx.selectFrom('osv_matches').select('version_id').where('record_id', '=', record.id).execute()).map((m) => m.version_id))
  for (const version of await packages.listVersions(trx, pkg.id)) {
    if (done.has(version.id) || !affects(entry, version.version, eco)) continue
    // A pending version is judged by the gate first; the next import or feed pull acts on it.
    if (version.state === 'pending') continue
    let action = 'none'
    if (version.state === 'published' || version.state === 'held') {
      if (version.state === 'published') {
        await transitionVersion(deps, eco, trx, { versionId: version.id, from: 'published', to: 'held', reason: `OSV ${reason}`, actor })
        summary.held += 1
        action = 'held'
      } else {
        summary.filed += 1
        action = 'filed'
      }
      await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId: version.id, score: deps.config.rescanCriticalThreshold, source: 'osv', actor, note: `${version.version} is named in ${reason}` })
      await appendAudit(trx, deps.db.dialect, { actor, action: 'version.osv-match', subjectType: 'version', subjectId: version.id, reason: `OSV ${reason}`, before: { state: version.state }, after: { record: record.id, action } })
      actedOn = true
    }
    await trx.insertInto('osv_matches').values({ record_id: record.id, version_id: version.id, action, created_at: at }).execute()
  }
  if (actedOn) await deps.queue.enqueue(trx, reviewDependentsOfRecordJob, { recordId: record.id, ecosystem: eco.id, name: pkg.name })
}

/** A withdrawn record gives back the names it alone had blocked. */
async function liftBlocks(deps: ImportDeps, trx: Transaction<Database>, record: OsvRecord, actor: AuditActor): Promise<void> {
  const blocks = await trx.selectFrom('name_blocks').selectAll().where('source', '=', 'osv').where('reason', 'like', `OSV ${record.id}:%`).execute()
  for (const block of blocks) {
    await trx.deleteFrom('name_blocks').where('id', '=', block.id).execute()
    await appendAudit(trx, deps.db.dialect, { actor, action: 'name-block.delete', subjectType: 'name-block', subjectId: block.id, reason: `OSV ${record.id} was withdrawn`, before: { ecosystem: block.ecosystem, pattern: block.pattern } })
  }
}

/** The records on file for one package, for audits and advisory pages. */
export async function recordsFor(deps: Pick<Deps, 'db'>, ecosystem: EcosystemId, names: readonly string[]): Promise<OsvRecord[]> {
  if (names.length === 0) return []
  const rows = await deps.db.kysely.selectFrom('osv_records').select('document').where('ecosystem', '=', ecosystem).where('package_name', 'in', names).where('withdrawn', 'is', null).execute()
  return rows.map((r) => JSON.parse(r.document) as OsvRecord)
}
