// Names the team accepts: exceptions to the name checks (look-alike names, popular modules installed under another
// name), and owners' appeals against their findings.
import type { Deps } from '../deps.ts'
import type { Actor } from '../accounts/types.ts'
import { auditActor } from '../accounts/types.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import type { Executor } from '../db/dialect.ts'
import type { NameAppealRow, NameAppealStatus, NameExceptionRow } from '../db/schema.ts'
import { appendAudit } from '../audit/service.ts'
import { findPackage, isOwner } from '../packages/repository.ts'
import { recordEvent } from './service.ts'
import * as repo from './repository.ts'
import { requireReason, requireReviewer, requireReviewerWrite } from './policy.ts'
import { TYPOSQUAT_RULE } from '../scanning/names/typosquat.ts'
import { SHADOWED_MODULE_RULE } from '../scanning/names/module-owners.ts'

type NameDeps = Pick<Deps, 'db' | 'config' | 'ecosystems'>

/** The rules whose findings are about the name itself: what an exception or appeal answers. */
const NAME_RULES: ReadonlySet<string> = new Set([TYPOSQUAT_RULE.id, SHADOWED_MODULE_RULE.id])
/** An exception for every target: the name is accepted as a name of its own. */
export const ANY_TARGET = '*'

/** Targets this name may resemble without a finding ('*' for all), for the gate's context stage. */
export async function exceptedTargets(db: Executor, ecosystem: string, name: string): Promise<Set<string>> {
  return new Set((await repo.listNameExceptions(db, { ecosystem, name })).map((e) => e.target))
}

function ecosystemOf(deps: NameDeps, raw: unknown) {
  const eco = typeof raw === 'string' ? deps.ecosystems.get(raw as EcosystemId) : undefined
  if (!eco) throw new RegistryError('invalidRequest', `unknown ecosystem ${String(raw)}`)
  return eco
}

export async function listExceptions(deps: NameDeps, actor: Actor): Promise<NameExceptionRow[]> {
  requireReviewer(actor)
  return repo.listNameExceptions(deps.db.kysely)
}

export async function createException(deps: NameDeps, actor: Actor, input: { ecosystem: unknown; name: unknown; target: unknown; reason: unknown }): Promise<NameExceptionRow> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, input.reason)
  const eco = ecosystemOf(deps, input.ecosystem)
  const name = eco.parseName(String(input.name ?? ''))
  const target = input.target === undefined || input.target === ANY_TARGET || input.target === '' ? ANY_TARGET : eco.parseName(String(input.target))
  if (target === name) throw new RegistryError('invalidRequest', 'a name cannot be an exception to itself')
  return deps.db.kysely.transaction().execute(async (trx) => {
    const row = await repo.insertNameException(trx, { ecosystem: eco.id, name, target, reason, appeal_id: null, created_by: actor.name, created_at: new Date().toISOString() })
    if (!row) throw new RegistryError('conflict', `${name} already has an exception for ${target === ANY_TARGET ? 'every name' : target}`)
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: 'name-exception.create', subjectType: 'name-exception', subjectId: row.id, reason, after: { ecosystem: eco.id, name, target } })
    return row
  })
}

export async function deleteException(deps: NameDeps, actor: Actor, id: number, rawReason: unknown): Promise<void> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const row = await repo.findNameException(trx, id)
    if (!row) throw new RegistryError('notFound', `no name exception ${id}`)
    await repo.deleteNameException(trx, id)
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: 'name-exception.delete', subjectType: 'name-exception', subjectId: id, reason, before: { ecosystem: row.ecosystem, name: row.name, target: row.target } })
  })
}

/** The name findings in the latest scans of a package's versions: what an appeal answers. */
async function nameFindings(db: Executor, packageId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('scans')
    .innerJoin('versions', 'versions.id', 'scans.version_id')
    .select(['scans.version_id', 'scans.id', 'scans.signals'])
    .where('versions.package_id', '=', packageId)
    .orderBy('scans.id', 'desc')
    .limit(200)
    .execute()
  const latest = new Map<number, string>()
  for (const row of rows) if (!latest.has(row.version_id)) latest.set(row.version_id, row.signals)
  const messages = new Set<string>()
  for (const signals of latest.values()) {
    for (const s of JSON.parse(signals) as { rule: string; message: string }[]) if (NAME_RULES.has(s.rule)) messages.add(s.message)
  }
  return [...messages]
}

export interface OwnedFinding {
  readonly ecosystem: string
  readonly name: string
  readonly findings: string[]
  readonly appeal: NameAppealRow | undefined
}

/** The signed-in user's packages that carry a look-alike finding, with their latest appeal: what an owner can contest. */
export async function myFindings(deps: NameDeps, actor: Actor): Promise<OwnedFinding[]> {
  const owned = await deps.db.kysely
    .selectFrom('package_owners')
    .innerJoin('packages', 'packages.id', 'package_owners.package_id')
    .select(['packages.id', 'packages.ecosystem', 'packages.name'])
    .where('package_owners.user_id', '=', actor.userId)
    .orderBy('packages.name')
    .limit(1000)
    .execute()
  const appeals = await repo.listNameAppeals(deps.db.kysely, { appellantId: actor.userId })
  const result: OwnedFinding[] = []
  for (const pkg of owned) {
    const findings = await nameFindings(deps.db.kysely, pkg.id)
    if (findings.length > 0) result.push({ ecosystem: pkg.ecosystem, name: pkg.name, findings, appeal: appeals.find((a) => a.package_id === pkg.id) })
  }
  return result
}

/** An owner contests a look-alike finding on their package; the reviewers see it on the package's case. */
export async function appeal(deps: NameDeps, actor: Actor, input: { ecosystem: unknown; name: unknown; reason: unknown }): Promise<NameAppealRow> {
  if (actor.scope === 'read') throw new RegistryError('readOnlyToken', 'this token is read-only; an appeal needs a full token')
  const reason = requireReason(deps.config, input.reason)
  const eco = ecosystemOf(deps, input.ecosystem)
  const name = eco.parseName(String(input.name ?? ''))
  const pkg = await findPackage(deps.db.kysely, eco.id, name)
  if (!pkg) throw new RegistryError('notFound', `${name} not found`)
  if (!(await isOwner(deps.db.kysely, pkg.id, actor.userId))) throw new RegistryError('forbidden', `only an owner of ${name} can appeal its findings`)
  const findings = await nameFindings(deps.db.kysely, pkg.id)
  if (findings.length === 0) throw new RegistryError('invalidRequest', `${name} has no look-alike finding to appeal`)
  return deps.db.kysely.transaction().execute(async (trx) => {
    if (await repo.openAppealFor(trx, pkg.id)) throw new RegistryError('conflict', `${name} already has an open appeal`)
    const row = await repo.insertNameAppeal(trx, {
      ecosystem: eco.id,
      package_id: pkg.id,
      name,
      targets: JSON.stringify(findings),
      reason,
      status: 'open',
      appellant_id: actor.userId,
      appellant: actor.name,
      created_at: new Date().toISOString(),
      decided_by: null,
      decided_at: null,
      decision_reason: null,
    })
    const active = await repo.findActiveCase(trx, pkg.id)
    if (active) await recordEvent(deps, trx, active, actor, { kind: 'appeal', body: `Name appeal #${row.id}: ${reason}` })
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: 'name-appeal.create', subjectType: 'package', subjectId: pkg.id, reason, after: { appeal: row.id, findings } })
    return row
  })
}

export async function listAppeals(deps: NameDeps, actor: Actor, filter: { status?: unknown; mine?: boolean }): Promise<NameAppealRow[]> {
  const status = filter.status === undefined || filter.status === '' ? undefined : (String(filter.status) as NameAppealStatus)
  if (status && !['open', 'granted', 'denied'].includes(status)) throw new RegistryError('invalidRequest', 'status must be open, granted or denied')
  // Owners see their own appeals and how they were decided; reviewers see everyone's.
  if (filter.mine) return repo.listNameAppeals(deps.db.kysely, { ...(status ? { status } : {}), appellantId: actor.userId })
  requireReviewer(actor)
  return repo.listNameAppeals(deps.db.kysely, status ? { status } : {})
}

/**
 * Grants or denies an appeal. Granting accepts the name as one of its own (an exception for every
 * target, so later versions pass the check); the held versions stay with the case, where a
 * reviewer dismisses them with the usual decision.
 */
export async function decideAppeal(deps: NameDeps, actor: Actor, id: number, input: { grant: unknown; reason: unknown }): Promise<NameAppealRow> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, input.reason)
  if (typeof input.grant !== 'boolean') throw new RegistryError('invalidRequest', 'grant must be true or false')
  const status: NameAppealStatus = input.grant ? 'granted' : 'denied'
  return deps.db.kysely.transaction().execute(async (trx) => {
    const row = await repo.findNameAppeal(trx, id)
    if (!row) throw new RegistryError('notFound', `no name appeal ${id}`)
    const at = new Date().toISOString()
    if (!(await repo.decideNameAppeal(trx, id, { status, by: actor.name, at, reason }))) throw new RegistryError('conflict', `appeal ${id} is already ${row.status}`)
    if (input.grant) {
      await repo.insertNameException(trx, { ecosystem: row.ecosystem, name: row.name, target: ANY_TARGET, reason, appeal_id: id, created_by: actor.name, created_at: at })
    }
    const active = await repo.findActiveCase(trx, row.package_id)
    if (active) await recordEvent(deps, trx, active, actor, { kind: 'appeal-decision', body: `Name appeal #${id} ${status}: ${reason}` })
    await appendAudit(trx, deps.db.dialect, { actor: auditActor(actor), action: `name-appeal.${input.grant ? 'grant' : 'deny'}`, subjectType: 'package', subjectId: row.package_id, reason, before: { status: row.status }, after: { status } })
    return { ...row, status, decided_by: actor.name, decided_at: at, decision_reason: reason }
  })
}
