// The context stage: signals that need the registry's own records (the package's history), added to the static report.
import type { Ecosystem } from '../core/ecosystem.ts'
import type { Executor } from '../db/dialect.ts'
import type { PackageRow, VersionRow } from '../db/schema.ts'
import type { Findings, ScanReport, SignalRecord } from './engine.ts'
import { diffHistory, firstVersionDependencies, type DependencyStanding, type HistoryVersion } from './history/diff.ts'
import { earlierVersions, latestProfile, ownersOf, packageStandings } from './repository.ts'
import { strongestSquat } from './names/name-signals.ts'
import { findSquats, TYPOSQUAT_RULE } from './names/typosquat.ts'
import { targetIndex } from './names/registry-targets.ts'
import { findShadows, SHADOWED_MODULE_RULE, strongestShadow } from './names/module-owners.ts'
import { exceptedTargets } from '../review/name-exceptions.ts'
import { removedLookalikes } from '../review/clusters/service.ts'
import { severityOf } from './engine.ts'

export interface ContextInput {
  readonly eco: Ecosystem
  readonly pkg: PackageRow
  readonly version: VersionRow
  readonly report: ScanReport
  readonly now?: Date
}

/** The package's history, and the name check with the registry's exceptions and owners; more context sources join here. */
export async function contextFindings(db: Executor, input: ContextInput): Promise<Findings> {
  const [history, names, cluster] = await Promise.all([historySignals(db, input), registryNameSignals(db, input), clusterSignals(db, input)])
  return { add: [...history, ...names, ...cluster], replaces: [TYPOSQUAT_RULE.id, SHADOWED_MODULE_RULE.id] }
}

const HOUR = 3600_000

/**
 * How this registry stands with each named dependency: its age, whether it shares an owner with `pkg`, its worst
 * stopped version, and whether its name is blocked (an exact block: a malicious-package record imported from OSV,
 * a removal); a blocked name counts whether or not the package is served here.
 */
async function dependencyStandings(db: Executor, eco: Ecosystem, pkg: PackageRow, names: readonly string[], now: Date): Promise<Map<string, DependencyStanding>> {
  const standings = new Map<string, DependencyStanding>()
  if (names.length === 0) return standings
  const blocks = await db
    .selectFrom('name_blocks')
    .select(['pattern', 'reason'])
    .where('kind', '=', 'exact')
    .where('pattern', 'in', [...names])
    .where((eb) => eb.or([eb('ecosystem', 'is', null), eb('ecosystem', '=', eco.id)]))
    .execute()
  for (const block of blocks) standings.set(block.pattern, { name: block.pattern, known: false, blocked: block.reason })
  const owners = new Set(await ownersOf(db, pkg.id))
  const order = { removed: 0, rejected: 1, held: 2 } as const
  for (const dep of await packageStandings(db, eco.id, names)) {
    const worst = [...dep.stopped].sort((a, b) => order[a.state as keyof typeof order] - order[b.state as keyof typeof order])[0]
    standings.set(dep.name, {
      ...standings.get(dep.name),
      name: dep.name,
      known: true,
      ageDays: (now.getTime() - Date.parse(dep.created_at)) / (24 * HOUR),
      sharesOwner: dep.owners.some((o) => owners.has(o)),
      ...(worst ? { worstState: worst.state as 'held' | 'rejected' | 'removed', worstVersion: worst.version } : {}),
    })
  }
  return standings
}

export async function historySignals(db: Executor, { eco, pkg, version, report, now = new Date() }: ContextInput): Promise<SignalRecord[]> {
  const dependenciesOf = (manifest: string) => eco.dependencyNames(JSON.parse(manifest) as Record<string, unknown>)
  const standingsOf = (names: readonly string[]) => dependencyStandings(db, eco, pkg, names, now)
  const earlier = await earlierVersions(db, pkg.id, version.id)
  const published = earlier.filter((v) => v.state === 'published' && v.published_at)
  const trusted = earlier.filter((v) => v.state === 'published' || v.state === 'unpublished')
  // The version the new one follows: the most recently published, as users last installed it.
  const previousRow = [...published].sort((a, b) => String(a.published_at).localeCompare(String(b.published_at)) || a.id - b.id).pop()
  if (!previousRow) {
    const dependencies = dependenciesOf(version.manifest)
    return firstVersionDependencies(dependencies, await standingsOf(dependencies))
  }
  const publisherName = await db.selectFrom('users').select('name').where('id', '=', version.publisher_id).executeTakeFirst()
  const next: HistoryVersion = {
    version: version.version,
    profile: report.profile,
    dependencies: dependenciesOf(version.manifest),
    publisher: { id: version.publisher_id, name: publisherName?.name ?? `#${version.publisher_id}` },
    tokenId: version.token_id,
    uploadIp: version.upload_ip,
  }
  const previous: HistoryVersion = {
    version: previousRow.version,
    profile: await latestProfile(db, previousRow.id),
    dependencies: dependenciesOf(previousRow.manifest),
    publisher: { id: previousRow.publisher_id, name: previousRow.publisher_name ?? `#${previousRow.publisher_id}` },
    tokenId: previousRow.token_id,
    uploadIp: previousRow.upload_ip,
  }

  const newest = [...published].sort((a, b) => eco.compareVersions(a.version, b.version))[0]
  const newerPublished = newest && eco.compareVersions(newest.version, version.version) < 0 ? newest.version : undefined
  const withdrawn = earlier
    .filter((v) => v.state === 'unpublished' || v.state === 'removed')
    .map((v) => ({ version: v.version, state: v.state, hoursAgo: (now.getTime() - Date.parse(v.state_changed_at)) / HOUR }))
    .sort((a, b) => a.hoursAgo - b.hoursAgo)[0]

  const added = next.dependencies.filter((d) => !previous.dependencies.includes(d))
  const standings = await standingsOf(added)

  return diffHistory({
    next,
    previous,
    // Versions the gate or the desk stopped do not vouch for their publisher.
    seen: {
      publishers: new Set(trusted.map((v) => v.publisher_id)),
      ips: new Set(trusted.flatMap((v) => (v.upload_ip ? [v.upload_ip] : []))),
      versions: trusted.length,
    },
    newerPublished,
    recentlyWithdrawn: withdrawn,
    dependencies: standings,
  })
}

/**
 * The name checks inside the registry (a look-alike of a popular name; a popular package's module
 * installed under this name): only while the name is new (no version of the package has been
 * published yet, this one included when a rescan judges it; once one is, the name was accepted),
 * minus the exceptions the security team granted and packages the same owners publish here.
 */
export async function registryNameSignals(db: Executor, { eco, pkg, report }: ContextInput): Promise<SignalRecord[]> {
  // at upload the version itself is pending; at a rescan a published one has accepted its own name
  const accepted = await db
    .selectFrom('versions')
    .select('id')
    .where('package_id', '=', pkg.id)
    .where('state', 'in', ['published', 'unpublished'])
    .limit(1)
    .executeTakeFirst()
  if (accepted) return []
  const index = await targetIndex(db, eco.id)
  const excepted = await exceptedTargets(db, eco.id, pkg.name)
  const matches = findSquats(eco.id, pkg.name, index, { excepted })
  const shadows = findShadows(eco.id, pkg.name, report.profile?.modules ?? [], { index, excepted })
  // Owners may publish look-alikes of their own packages (plugins, forks, renamed successors) and forks that share their modules.
  const owned = await ownedHere(db, eco, pkg, [...matches.map((m) => m.target), ...shadows.map((s) => s.project)])
  return [...strongestSquat(matches.filter((m) => !owned.has(m.target))), ...strongestShadow(shadows.filter((s) => !owned.has(s.project)))]
}

/** Which of some names are packages here that share an owner with `pkg`. */
async function ownedHere(db: Executor, eco: Ecosystem, pkg: PackageRow, names: readonly string[]): Promise<Set<string>> {
  const local = new Map<string, string>()
  for (const name of names) {
    try {
      local.set(eco.parseName(name), name)
    } catch {
      // a bundled spelling this registry would not accept as a name: it cannot be a local package
    }
  }
  const owners = new Set(await ownersOf(db, pkg.id))
  const owned = new Set<string>()
  for (const standing of await packageStandings(db, eco.id, [...local.keys()])) {
    if (standing.owners.some((o) => owners.has(o))) owned.add(local.get(standing.name)!)
  }
  return owned
}

export const CLUSTER_RULE = {
  id: 'cluster-with-removed',
  title: 'Copy of a package removed as malicious',
  explanation:
    'This version shares its content or an install/load-time file with a version the security team removed as malicious (names and versions masked): campaigns publish the same payload under many names and accounts. Compare it with the removed one; if it is the same payload, remove it too.',
} as const

/** A version that shares a fingerprint with removed malware is held at once, whatever its own score. */
export async function clusterSignals(db: Executor, { version, report }: ContextInput): Promise<SignalRecord[]> {
  const removed = await removedLookalikes(db, version.id, report.fingerprints)
  const first = removed[0]
  if (!first) return []
  // Context weight: enough to hold for review at any sane threshold, never a rejection on its own.
  const weight = 100
  return [
    {
      rule: CLUSTER_RULE.id,
      severity: severityOf(weight),
      weight,
      context: true,
      message: `shares its ${first.kind} fingerprint with ${first.name}@${first.version} (${first.ecosystem}), removed as malicious${removed.length > 1 ? `, and ${removed.length - 1} more removed version(s)` : ''}`,
      title: CLUSTER_RULE.title,
      explanation: CLUSTER_RULE.explanation,
    },
  ]
}
