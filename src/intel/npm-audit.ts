// npm's bulk advisory endpoint: what `npm audit` is told about removed-malicious and OSV-flagged versions.
import semver from 'semver'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { advisoryId, advisoryUrl } from '../review/policy.ts'
import { npmRangeOf, isMalicious, type OsvRecord } from './osv-records.ts'

type AuditDeps = Pick<Deps, 'db' | 'ecosystems' | 'config'>

/** The advisory shape npm's audit report reads (@npmcli/metavuln-calculator's Advisory). */
export interface NpmAdvisory {
  readonly id: number | string
  readonly url: string
  readonly title: string
  readonly severity: 'low' | 'moderate' | 'high' | 'critical'
  readonly vulnerable_versions: string
  readonly cwe: readonly string[]
  readonly cvss: { readonly score: number; readonly vectorString: string | null }
}

const MAX_NAMES = 10_000
const SEMVER_OPTIONS = { includePrerelease: true, loose: true }

/**
 * Answers `{name: [versions]}` with `{name: [advisory]}` for the names that have one covering a
 * version asked about. Removals are critical malware advisories (CWE-506) linking to the
 * registry's advisory page; imported OSV records keep their id and link to their stored copy.
 */
export async function bulkAdvisories(deps: AuditDeps, body: unknown): Promise<Record<string, NpmAdvisory[]>> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new RegistryError('invalidRequest', 'expected {"package-name": ["version", …]}')
  const entries = Object.entries(body as Record<string, unknown>).filter(([, v]) => Array.isArray(v))
  if (entries.length > MAX_NAMES) throw new RegistryError('invalidRequest', `at most ${MAX_NAMES} package names per request`)
  const npm = deps.ecosystems.get('npm')
  if (!npm) return {}
  const asked = new Map<string, string[]>()
  for (const [raw, versions] of entries) {
    try {
      asked.set(npm.parseName(raw), (versions as unknown[]).filter((v): v is string => typeof v === 'string'))
    } catch {
      // Names this registry cannot hold cannot have advisories here.
    }
  }
  const names = [...asked.keys()]
  const out: Record<string, NpmAdvisory[]> = {}
  const add = (name: string, advisory: NpmAdvisory) => {
    const versions = asked.get(name) ?? []
    const hit = versions.length === 0 || versions.some((v) => semver.valid(v, SEMVER_OPTIONS) && semver.satisfies(v, advisory.vulnerable_versions, SEMVER_OPTIONS))
    if (hit) (out[name] ??= []).push(advisory)
  }
  for (let i = 0; i < names.length; i += 500) {
    const chunk = names.slice(i, i + 500)
    const removals = await deps.db.kysely
      .selectFrom('removals')
      .innerJoin('packages', 'packages.id', 'removals.package_id')
      .select(['removals.id', 'removals.created_at', 'removals.prior_states', 'removals.whole_package', 'packages.name'])
      .where('packages.ecosystem', '=', 'npm')
      .where('packages.name', 'in', chunk)
      .where('removals.status', '=', 'done')
      .orderBy('removals.id')
      .execute()
    const versionIds = removals.flatMap((r) => Object.keys(JSON.parse(r.prior_states ?? '{}') as Record<string, string>).map(Number))
    const versionRows = versionIds.length ? await deps.db.kysely.selectFrom('versions').select(['id', 'version']).where('id', 'in', versionIds).execute() : []
    const versionOf = new Map(versionRows.map((v) => [v.id, v.version]))
    for (const r of removals) {
      const id = advisoryId(r.id, r.created_at)
      const versions = Object.keys(JSON.parse(r.prior_states ?? '{}') as Record<string, string>).map((v) => versionOf.get(Number(v))).filter((v): v is string => !!v)
      add(r.name, {
        id,
        url: advisoryUrl(deps.config.publicUrl, id),
        title: `Malicious code in ${r.name}: removed by the registry's security team`,
        severity: 'critical',
        vulnerable_versions: r.whole_package === 1 || versions.length === 0 ? '*' : versions.join(' || '),
        cwe: ['CWE-506'],
        cvss: { score: 10, vectorString: null },
      })
    }
    const records = await deps.db.kysely.selectFrom('osv_records').select(['id', 'document']).where('ecosystem', '=', 'npm').where('package_name', 'in', chunk).where('withdrawn', 'is', null).execute()
    for (const row of records) {
      const record = JSON.parse(row.document) as OsvRecord
      for (const entry of record.affected ?? []) {
        if (entry.package.ecosystem !== 'npm') continue
        let name: string
        try {
          name = npm.parseName(entry.package.name)
        } catch {
          continue
        }
        if (!asked.has(name)) continue
        const malicious = isMalicious(record)
        add(name, {
          id: record.id,
          url: `${deps.config.publicUrl}-/osv/records/${encodeURIComponent(record.id)}`,
          title: record.summary ?? (malicious ? `Malicious code in ${name}` : `Vulnerability in ${name}`),
          severity: malicious ? 'critical' : 'high',
          vulnerable_versions: npmRangeOf(entry),
          cwe: malicious ? ['CWE-506'] : [],
          cvss: { score: malicious ? 10 : 0, vectorString: null },
        })
      }
    }
  }
  return out
}
