// OSV records, read and matched (pure): which versions of a package a record affects, and whether it reports malware.
import type { Ecosystem } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'

export interface OsvEvent {
  readonly introduced?: string
  readonly fixed?: string
  readonly last_affected?: string
  readonly limit?: string
}

export interface OsvAffected {
  readonly package: { readonly ecosystem: string; readonly name: string }
  readonly versions?: readonly string[]
  readonly ranges?: readonly { readonly type: string; readonly events: readonly OsvEvent[] }[]
}

export interface OsvRecord {
  readonly id: string
  readonly modified: string
  readonly published?: string
  readonly withdrawn?: string
  readonly summary?: string
  readonly details?: string
  readonly affected?: readonly OsvAffected[]
  readonly references?: readonly { readonly type: string; readonly url: string }[]
  readonly database_specific?: Record<string, unknown>
}

/** Checks the shape a record must have to be acted on; the rest of the document is kept as it came. */
export function parseOsvRecord(raw: unknown, where: string): OsvRecord {
  const r = raw as Partial<OsvRecord> | null
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new RegistryError('invalidRequest', `${where}: not an OSV record (expected a JSON object)`)
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(r.id)) throw new RegistryError('invalidRequest', `${where}: the record has no valid id`)
  if (typeof r.modified !== 'string' || Number.isNaN(Date.parse(r.modified))) throw new RegistryError('invalidRequest', `${where}: ${r.id} has no valid modified timestamp`)
  if (r.affected !== undefined && !Array.isArray(r.affected)) throw new RegistryError('invalidRequest', `${where}: ${r.id}: affected must be a list`)
  for (const a of r.affected ?? []) {
    if (typeof a?.package?.ecosystem !== 'string' || typeof a.package.name !== 'string') throw new RegistryError('invalidRequest', `${where}: ${r.id}: every affected entry needs package.ecosystem and package.name`)
    if (a.versions !== undefined && (!Array.isArray(a.versions) || !a.versions.every((v: unknown) => typeof v === 'string'))) throw new RegistryError('invalidRequest', `${where}: ${r.id}: versions must be strings`)
    if (a.ranges !== undefined && (!Array.isArray(a.ranges) || !a.ranges.every((x: { events?: unknown }) => Array.isArray(x?.events)))) throw new RegistryError('invalidRequest', `${where}: ${r.id}: ranges need events`)
  }
  return r as OsvRecord
}

/** Malicious-package records (the ossf/malicious-packages MAL- ids, or ones that say so) hold and block; others only inform audits. */
export function isMalicious(record: OsvRecord): boolean {
  if (/^(MAL|GATEHOUSE-MAL)-/.test(record.id)) return true
  if (record.database_specific && 'malicious-packages-origins' in record.database_specific) return true
  return /^malicious code in /i.test(record.summary ?? '')
}

/** Does the affected entry cover this version? No versions and no ranges means every version. */
export function affects(entry: OsvAffected, version: string, eco: Pick<Ecosystem, 'compareVersions'>): boolean {
  if (entry.versions?.includes(version)) return true
  const ranges = (entry.ranges ?? []).filter((r) => r.type === 'SEMVER' || r.type === 'ECOSYSTEM')
  if (!entry.versions?.length && ranges.length === 0) return true
  return ranges.some((range) => inRange(range.events, version, eco))
}

/** compareVersions orders newest first, so a is older than b when it sorts after b. */
function older(a: string, b: string, eco: Pick<Ecosystem, 'compareVersions'>): boolean {
  if (a === '0') return b !== '0'
  if (b === '0') return false
  try {
    return eco.compareVersions(a, b) > 0
  } catch {
    return false
  }
}

/** The OSV evaluation: walk the events in version order; introduced opens, fixed (at) and last_affected (after) close. */
function inRange(events: readonly OsvEvent[], version: string, eco: Pick<Ecosystem, 'compareVersions'>): boolean {
  const points = events
    .map((e) => ({ kind: Object.keys(e)[0] as keyof OsvEvent, at: Object.values(e)[0] as string }))
    .filter((p) => typeof p.at === 'string')
    .sort((a, b) => (older(a.at, b.at, eco) ? -1 : older(b.at, a.at, eco) ? 1 : 0))
  let affected = false
  for (const p of points) {
    const atOrBefore = p.at === version || older(p.at, version, eco)
    if (p.kind === 'introduced' && atOrBefore) affected = true
    else if (p.kind === 'fixed' && atOrBefore) affected = false
    else if (p.kind === 'last_affected' && older(p.at, version, eco)) affected = false
    else if (p.kind === 'limit' && atOrBefore) affected = false
  }
  return affected
}

/** An npm semver range for the entry, for `npm audit` (which tests installed versions against it). */
export function npmRangeOf(entry: OsvAffected): string {
  const parts: string[] = [...(entry.versions ?? [])]
  for (const range of entry.ranges ?? []) {
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue
    let open: string | undefined
    for (const e of range.events) {
      if (e.introduced !== undefined) open = e.introduced === '0' ? '>=0.0.0-0' : `>=${e.introduced}`
      else if (e.fixed !== undefined && open) (parts.push(`${open} <${e.fixed}`), (open = undefined))
      else if (e.last_affected !== undefined && open) (parts.push(`${open} <=${e.last_affected}`), (open = undefined))
    }
    if (open) parts.push(open)
  }
  if (parts.length === 0) return '*'
  return parts.join(' || ')
}
