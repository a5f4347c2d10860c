// Applies imported intelligence: OSV malicious-package records hold matching versions for review or reserve absent names.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Deps } from '../deps.ts'
import type { Ecosystem } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import { fileVersionForReview } from '../review/service.ts'
import { reserveName } from '../review/name-blocks.ts'
import { affectedVersions, parseOsv, type OsvRecord } from './osv.ts'

type IntelDeps = Pick<Deps, 'db' | 'ecosystems' | 'config'>

export interface ImportSummary {
  readonly records: number
  readonly applied: number
  readonly unchanged: number
  readonly skipped: number
  readonly held: readonly string[]
  readonly blockedNames: readonly string[]
}

/** Reads OSV JSON files, or folders of them (the malicious-packages layout: osv/malicious/<ecosystem>/<name>/MAL-….json). */
export function readOsvFiles(paths: readonly string[]): OsvRecord[] {
  const records: OsvRecord[] = []
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry))
      return
    }
    if (!path.endsWith('.json')) return
    const record = parseOsv(JSON.parse(readFileSync(path, 'utf8')) as unknown)
    if (!record) throw new RegistryError('invalidRequest', `${path} is not an OSV record`)
    records.push(record)
  }
  for (const p of paths) visit(p)
  return records
}

/**
 * Idempotent: a record already applied at the same `modified` changes nothing. Matching local
 * versions that are installable or pending are held and filed for review (source `osv`); a name
 * no local package has is reserved, so the package cannot be uploaded here later.
 */
export async function importOsv(deps: IntelDeps, records: readonly OsvRecord[], actor: AuditActor): Promise<ImportSummary> {
  const byOsvName = new Map<string, Ecosystem>([...deps.ecosystems.values()].map((e) => [e.osvName.toLowerCase(), e]))
  let applied = 0
  let unchanged = 0
  let skipped = 0
  const held: string[] = []
  const blockedNames: string[] = []
  for (const record of records) {
    const seen = await deps.db.kysely.selectFrom('intel_records').select('modified').where('id', '=', record.id).executeTakeFirst()
    if (seen && seen.modified === record.modified) {
      unchanged++
      continue
    }
    if (record.withdrawn) {
      skipped++
      continue
    }
    await deps.db.kysely.transaction().execute(async (trx) => {
      const outcome = { held: [] as string[], blocked: [] as string[] }
      for (const entry of record.affected) {
        const eco = byOsvName.get(entry.package.ecosystem.toLowerCase())
        if (!eco) continue
        let name: string
        try {
          name = eco.parseName(entry.package.name)
        } catch {
          continue
        }
        const note = `${record.id}: ${record.summary ?? 'malicious package'}`
        const pkg = await packages.findPackage(trx, eco.id, name)
        if (!pkg) {
          if (await reserveName(trx, eco.id, name, `OSV ${note}`, actor.label, 'osv')) outcome.blocked.push(`${eco.id}:${name}`)
          continue
        }
        const rows = await packages.listVersions(trx, pkg.id)
        for (const version of affectedVersions(eco, entry, rows.map((r) => r.version))) {
          const row = rows.find((r) => r.version === version)!
          if (row.state === 'published' || row.state === 'pending') {
            await transitionVersion(deps, eco, trx, { versionId: row.id, from: row.state, to: 'held', reason: `OSV ${note}`, actor })
          }
          if (row.state === 'published' || row.state === 'pending' || row.state === 'held') {
            await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId: row.id, score: deps.config.rejectThreshold, source: 'osv', actor, note })
            outcome.held.push(`${eco.id}:${name}@${version}`)
          }
        }
      }
      const at = new Date().toISOString()
      const values = { modified: record.modified, summary: record.summary ?? null, outcome: JSON.stringify(outcome), imported_at: at }
      await trx.insertInto('intel_records').values({ id: record.id, ...values }).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute()
      await appendAudit(trx, deps.db.dialect, { actor, action: 'intel.osv.apply', subjectType: 'osv', subjectId: record.id, reason: record.summary ?? null, after: outcome })
      held.push(...outcome.held)
      blockedNames.push(...outcome.blocked)
    })
    applied++
  }
  return { records: records.length, applied, unchanged, skipped, held, blockedNames }
}
