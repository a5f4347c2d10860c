// Packages that depend on a malicious one (removed here, or named by an imported malicious-package record): each is filed for review and its maintainers are told.
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { SYSTEM } from '../accounts/types.ts'
import * as packages from '../packages/repository.ts'
import { advisoryId, advisoryUrl } from '../review/policy.ts'
import { fileVersionForReview } from '../review/service.ts'
import type { OsvRecord } from './osv-records.ts'
import { notifyByEmail, notifyByWebhook } from './notify.ts'

type DependentsDeps = Pick<Deps, 'db' | 'config' | 'ecosystems' | 'defense' | 'log'>

export interface Dependent {
  readonly packageId: number
  readonly name: string
  /** Its versions (published, held or pending) that declare the dependency, oldest first, with their states. */
  readonly versions: { readonly id: number; readonly version: string; readonly state: string }[]
}

/**
 * Packages of the same ecosystem whose stored manifests name `name` as an install-time
 * dependency. A text match narrows the candidates in SQL; the ecosystem's own reader decides.
 */
export async function findDependents(deps: Pick<Deps, 'db' | 'ecosystems'>, ecosystem: EcosystemId, name: string, exceptPackageId?: number): Promise<Dependent[]> {
  const eco = deps.ecosystems.get(ecosystem)
  if (!eco) return []
  // PyPI names match loosely (Foo_Bar is foo-bar), so its manifests are checked without the text filter.
  const needle = ecosystem === 'pypi' ? undefined : `%${JSON.stringify(name).slice(1, -1)}%`
  let q = deps.db.kysely
    .selectFrom('versions')
    .innerJoin('packages', 'packages.id', 'versions.package_id')
    .select(['packages.id as package_id', 'packages.name', 'versions.id', 'versions.version', 'versions.state', 'versions.manifest'])
    .where('packages.ecosystem', '=', ecosystem)
    .where('versions.state', 'in', ['published', 'held', 'pending'])
  if (exceptPackageId !== undefined) q = q.where('packages.id', '!=', exceptPackageId)
  if (needle) q = q.where('versions.manifest', 'like', needle)
  const byPackage = new Map<number, Dependent>()
  for (const row of await q.orderBy('versions.id').execute()) {
    const manifest = JSON.parse(row.manifest) as Record<string, unknown>
    if (!eco.dependencyNames(manifest).includes(name)) continue
    const entry = byPackage.get(row.package_id) ?? { packageId: row.package_id, name: row.name, versions: [] }
    entry.versions.push({ id: row.id, version: row.version, state: row.state })
    byPackage.set(row.package_id, entry)
  }
  return [...byPackage.values()]
}

/** A package found malicious, as its dependents are told about it. */
export interface MaliciousDependency {
  readonly ecosystem: EcosystemId
  readonly name: string
  /** The package itself, when it is served here (its own versions are not its dependents). */
  readonly packageId?: number
  /** Stable key of the finding: one review filing and one notification per dependent per finding. */
  readonly key: string
  /** Webhook event: `dependent-removed` (removed here) or `dependent-blocked` (named by a malicious-package record). */
  readonly event: 'dependent-removed' | 'dependent-blocked'
  /** Who found it and what was done, in a sentence for maintainers and reviewers. */
  readonly finding: string
  /** What the maintainer should do about installs. */
  readonly consequence: string
  readonly advisory: { readonly id: string; readonly url: string }
  /** The affected versions named one by one (a record may give ranges instead). */
  readonly versions: readonly string[]
  readonly wholePackage: boolean
}

/**
 * Every dependent's published and held versions that declare the dependency are filed for review
 * (a case per package, never a hold: a legitimate package whose dependency was hijacked must not
 * vanish for its users; the reviewer holds carriers); pending ones are judged by the gate, which
 * sees the block. Then every owner is told by email and each dependent by webhook; each once per
 * finding, so a retried job repeats nothing that was done.
 */
export async function answerDependents(deps: DependentsDeps, found: MaliciousDependency): Promise<number> {
  const dependents = await findDependents(deps, found.ecosystem, found.name, found.packageId)
  for (const d of dependents) {
    const subjectKey = `${found.key}:package:${d.packageId}`
    const listed = d.versions.map((v) => v.version).join(', ')
    await deps.db.kysely.transaction().execute(async (trx) => {
      const marker = await trx.selectFrom('notifications').select('id').where('kind', '=', 'dependent-filed').where('channel', '=', 'review').where('subject_key', '=', subjectKey).executeTakeFirst()
      if (marker) return
      for (const v of d.versions) {
        if (v.state !== 'published' && v.state !== 'held') continue
        const note = `${d.name}@${v.version} depends on ${found.name}: ${found.finding}`
        await fileVersionForReview(trx, deps.db.dialect, { packageId: d.packageId, versionId: v.id, score: deps.config.holdThreshold, source: 'dependency', actor: SYSTEM('intel'), note })
      }
      // Remembered with the notifications (the desk was told), so a retry after a mail failure does not reopen what a reviewer has since closed.
      await trx
        .insertInto('notifications')
        .values({ kind: 'dependent-filed', channel: 'review', recipient: 'review-desk', subject_key: subjectKey, body: JSON.stringify({ versions: listed }), status: 'sent', error: null, created_at: new Date().toISOString() })
        .execute()
    })
    const text = [
      `${d.name} depends on ${found.name} (in ${listed}).`,
      ``,
      `${found.finding}`,
      `${found.consequence} Please release a version of ${d.name} that no longer depends on it,`,
      `and tell your users to check their machines if they installed it. Advisory: ${found.advisory.url}`,
    ].join('\n')
    for (const owner of await packages.listOwners(deps.db.kysely, d.packageId)) {
      await notifyByEmail(deps, { kind: found.event, subjectKey, to: owner.email, subject: `[security] ${d.name} depends on ${found.name}, ${found.event === 'dependent-removed' ? 'removed as malicious' : 'reported as malicious'}`, text })
    }
    await notifyByWebhook(deps, {
      kind: found.event,
      subjectKey,
      payload: {
        event: found.event,
        advisory: found.advisory.id,
        url: found.advisory.url,
        ecosystem: found.ecosystem,
        // `removed` for a removal here, `blocked` for a record's name: what happened to the dependency.
        [found.event === 'dependent-removed' ? 'removed' : 'blocked']: { name: found.name, versions: [...found.versions], wholePackage: found.wholePackage },
        dependent: { name: d.name, versions: d.versions.map((v) => v.version) },
      },
    })
  }
  deps.log.info({ key: found.key, name: found.name, dependents: dependents.length }, 'dependents filed and notified')
  return dependents.length
}

/** The notify_dependents job: the dependents of a removal carried out here. */
export async function notifyDependents(deps: DependentsDeps, removalId: number): Promise<void> {
  const removal = await deps.db.kysely
    .selectFrom('removals')
    .innerJoin('packages', 'packages.id', 'removals.package_id')
    .select(['removals.id', 'removals.status', 'removals.created_at', 'removals.prior_states', 'removals.whole_package', 'packages.id as package_id', 'packages.name', 'packages.ecosystem'])
    .where('removals.id', '=', removalId)
    .executeTakeFirst()
  if (!removal || removal.status !== 'done') return
  const versionIds = Object.keys(JSON.parse(removal.prior_states ?? '{}') as Record<string, string>).map(Number)
  const removed = versionIds.length ? (await deps.db.kysely.selectFrom('versions').select('version').where('id', 'in', versionIds).orderBy('id').execute()).map((v) => v.version) : []
  const advisory = advisoryId(removal.id, removal.created_at)
  const what = removal.whole_package ? `every version of ${removal.name}` : `${removal.name} ${removed.join(', ')}`
  await answerDependents(deps, {
    ecosystem: removal.ecosystem as EcosystemId,
    name: removal.name,
    packageId: removal.package_id,
    key: `removal:${removal.id}`,
    event: 'dependent-removed',
    finding: `The registry's security team removed ${what} because it contains malicious code.`,
    consequence: `Installs of the removed versions now fail.`,
    advisory: { id: advisory, url: advisoryUrl(deps.config.publicUrl, advisory) },
    versions: removal.whole_package ? [] : removed,
    wholePackage: removal.whole_package === 1,
  })
}

/** The review_dependents_of_record job: the dependents of a package an imported malicious-package record names. */
export async function answerDependentsOfRecord(deps: DependentsDeps, input: { recordId: string; ecosystem: string; name: string }): Promise<void> {
  const row = await deps.db.kysely.selectFrom('osv_records').select(['document', 'withdrawn']).where('id', '=', input.recordId).executeTakeFirst()
  if (!row || row.withdrawn) return
  const record = JSON.parse(row.document) as OsvRecord
  const pkg = await packages.findPackage(deps.db.kysely, input.ecosystem as EcosystemId, input.name)
  const eco = deps.ecosystems.get(input.ecosystem as EcosystemId)
  const canonical = (name: string) => {
    try {
      return eco?.parseName(name)
    } catch {
      return undefined
    }
  }
  const affected = (record.affected ?? []).find((a) => a.package.name === input.name || canonical(a.package.name) === input.name)
  const url = record.references?.find((r) => typeof r.url === 'string')?.url ?? `https://osv.dev/vulnerability/${record.id}`
  await answerDependents(deps, {
    ecosystem: input.ecosystem as EcosystemId,
    name: input.name,
    ...(pkg ? { packageId: pkg.id } : {}),
    // Per package, not per record: several records naming one package file and tell each dependent once.
    key: `osv:${input.ecosystem}:${input.name}`,
    event: 'dependent-blocked',
    finding: `The malicious-package record ${record.id} reports it: ${record.summary ?? 'malicious code'}.`,
    consequence: pkg ? `Its affected versions are held here for the security team.` : `This registry refuses the name, so installs of it from here fail.`,
    advisory: { id: record.id, url },
    versions: affected?.versions ?? [],
    wholePackage: !affected?.versions?.length && !affected?.ranges?.length,
  })
}
