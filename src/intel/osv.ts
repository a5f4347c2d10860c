// OSV records as published by malicious-package feeds: parsing, and which versions of a package they cover (pure).
import type { Ecosystem } from '../core/ecosystem.ts'

export interface OsvRecord {
  readonly id: string
  readonly modified: string
  readonly summary?: string
  readonly withdrawn?: string
  readonly affected: readonly OsvAffected[]
}

export interface OsvAffected {
  readonly package: { readonly ecosystem: string; readonly name: string }
  readonly versions?: readonly string[]
  readonly ranges?: readonly { readonly type: string; readonly events: readonly Record<string, string>[] }[]
}

/** Accepts what an OSV record must have and ignores the rest; undefined for anything else. */
export function parseOsv(value: unknown): OsvRecord | undefined {
  const r = value as Partial<OsvRecord> | null
  if (!r || typeof r !== 'object' || typeof r.id !== 'string' || typeof r.modified !== 'string' || !Array.isArray(r.affected)) return undefined
  const affected = r.affected.filter(
    (a): a is OsvAffected => !!a && typeof a === 'object' && typeof a.package?.ecosystem === 'string' && typeof a.package?.name === 'string',
  )
  return { id: r.id, modified: r.modified, ...(typeof r.summary === 'string' ? { summary: r.summary } : {}), ...(typeof r.withdrawn === 'string' ? { withdrawn: r.withdrawn } : {}), affected }
}

/**
 * The versions among `known` that the entry covers: listed explicitly, or inside an ECOSYSTEM or
 * SEMVER range (introduced ≤ v < fixed, or ≤ last_affected). A range introduced at 0 with no end
 * covers every version, which is how feeds mark a package malicious as a whole.
 */
export function affectedVersions(eco: Ecosystem, entry: OsvAffected, known: readonly string[]): string[] {
  const listed = new Set(entry.versions ?? [])
  // compareVersions orders newest first: a positive result means a is older than b.
  const older = (a: string, b: string) => {
    try {
      return eco.compareVersions(a, b) > 0
    } catch {
      return false // a bound this ecosystem cannot parse matches nothing
    }
  }
  const inRange = (v: string) =>
    (entry.ranges ?? []).some((range) => {
      if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return false
      let introduced: string | undefined
      for (const event of range.events) {
        if (event.introduced !== undefined) introduced = event.introduced
        const end = event.fixed ?? event.last_affected
        if (introduced === undefined || end === undefined) continue
        const after = introduced === '0' || !older(v, introduced)
        const before = event.fixed !== undefined ? older(v, end) : !older(end, v)
        if (after && before) return true
        introduced = undefined
      }
      return introduced !== undefined && (introduced === '0' || !older(v, introduced))
    })
  return known.filter((v) => listed.has(v) || inRange(v))
}
