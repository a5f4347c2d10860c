// Review cases: opened by the gate (and later by intel), claimed, commented, dismissed as legitimate or sent for a second opinion.
import type { Transaction } from 'kysely'
import type { Deps } from '../deps.ts'
import type { Actor } from '../accounts/types.ts'
import { auditActor } from '../accounts/types.ts'
import type { CaseRow, CaseStatus, Database } from '../db/schema.ts'
import type { DialectName } from '../db/dialect.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import * as repo from './repository.ts'
import { requireReason, requireReviewerWrite } from './policy.ts'
import { latestScanRules } from '../scanning/repository.ts'
import { settleReports } from '../intel/outcomes.ts'

export type ReviewDeps = Pick<Deps, 'db' | 'config' | 'ecosystems' | 'blobs' | 'forensics' | 'log' | 'queue'>

/**
 * Puts a version in front of reviewers, in the caller's transaction: it joins the package's case
 * that is still being worked, or opens a new one. The case's risk is its riskiest version.
 */
export async function fileVersionForReview(
  trx: Transaction<Database>,
  dialect: DialectName,
  input: { packageId: number; versionId: number; score: number; source: string; actor: AuditActor; note: string },
): Promise<CaseRow> {
  const at = new Date().toISOString()
  let c = await repo.findActiveCase(trx, input.packageId)
  const opened = !c
  if (!c) {
    c = await repo.insertCase(trx, { packageId: input.packageId, risk: input.score, source: input.source, at })
    await repo.insertCaseEvent(trx, { caseId: c.id, actorId: input.actor.id, actor: input.actor.label, kind: 'opened', body: input.note, at })
    await appendAudit(trx, dialect, { actor: input.actor, action: 'case.open', subjectType: 'case', subjectId: c.id, reason: input.note, after: { versionId: input.versionId, source: input.source } })
  } else {
    await repo.updateCase(trx, c.id, { risk: Math.max(c.risk, input.score), updated_at: at })
  }
  // The `opened` event already names the first version.
  if ((await repo.addCaseVersion(trx, c.id, input.versionId, at)) && !opened) {
    await repo.insertCaseEvent(trx, { caseId: c.id, actorId: input.actor.id, actor: input.actor.label, kind: 'version-added', body: input.note, at })
  }
  return c
}

/** Loads a case for a decision, and checks it is in one of the expected states. */
export async function caseFor(trx: Transaction<Database>, id: number, statuses: readonly CaseStatus[]): Promise<CaseRow> {
  const c = await repo.findCase(trx, id)
  if (!c) throw new RegistryError('notFound', `no case ${id}`)
  if (!statuses.includes(c.status)) throw new RegistryError('conflict', `case ${id} is ${c.status}`)
  return c
}

export async function recordEvent(
  deps: Pick<Deps, 'db'>,
  trx: Transaction<Database>,
  c: CaseRow,
  actor: Actor,
  e: { kind: string; body: string | null; audit?: { action: string; reason?: string; before?: unknown; after?: unknown } },
) {
  const at = new Date().toISOString()
  const event = await repo.insertCaseEvent(trx, { caseId: c.id, actorId: actor.userId, actor: actor.name, kind: e.kind, body: e.body, at })
  if (e.audit) {
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: e.audit.action,
      subjectType: 'case',
      subjectId: c.id,
      reason: e.audit.reason ?? null,
      before: e.audit.before,
      after: e.audit.after,
    })
  }
  return event
}

export async function claimCase(deps: ReviewDeps, actor: Actor, id: number, claim: boolean): Promise<void> {
  requireReviewerWrite(actor)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, id, ['open', 'awaiting-second'])
    const assignee = claim ? actor.userId : null
    if (c.assignee_id === assignee) return
    await repo.updateCase(trx, id, { assignee_id: assignee, updated_at: new Date().toISOString() })
    await recordEvent(deps, trx, c, actor, {
      kind: claim ? 'claim' : 'unclaim',
      body: null,
      audit: { action: claim ? 'case.claim' : 'case.unclaim', before: { assignee: c.assignee_id }, after: { assignee } },
    })
  })
}

export async function commentOnCase(deps: ReviewDeps, actor: Actor, id: number, body: unknown) {
  requireReviewerWrite(actor)
  const text = typeof body === 'string' ? body.trim() : ''
  if (text.length === 0 || text.length > 10_000) throw new RegistryError('invalidRequest', 'a comment needs 1 to 10000 characters')
  return deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, id, ['open', 'awaiting-second', 'closed'])
    await repo.updateCase(trx, id, { updated_at: new Date().toISOString() })
    return recordEvent(deps, trx, c, actor, { kind: 'comment', body: text })
  })
}

/**
 * Dismiss as legitimate: the case's held versions become installable, and every rule that fired
 * on its held and published versions is counted as a false positive, so the engine's precision can
 * be measured and a later rescan does not file them again for the same rules.
 */
export async function dismissCase(deps: ReviewDeps, actor: Actor, id: number, rawReason: unknown): Promise<void> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, id, ['open', 'awaiting-second'])
    if (await repo.pendingRemovalOf(trx, id)) throw new RegistryError('conflict', `case ${id} has a removal awaiting confirmation; decline it first`)
    const at = new Date().toISOString()
    if (!(await repo.setCaseStatus(trx, id, ['open', 'awaiting-second'], { status: 'closed', resolution: 'legitimate', closed_at: at, updated_at: at }))) {
      throw new RegistryError('conflict', `case ${id} was decided meanwhile`)
    }
    await settleReports(deps, trx, id, 'legitimate')
    const pkg = await packageOf(trx, c.package_id)
    const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)!
    const released: string[] = []
    const outcomes: { rule: string; versionId: number; outcome: 'dismissed' }[] = []
    for (const versionId of await repo.caseVersionIds(trx, id)) {
      const version = await packages.findVersionById(trx, versionId)
      if (!version || (version.state !== 'held' && version.state !== 'published')) continue
      const held = version.state === 'held'
      if (held) {
        await transitionVersion(deps, eco, trx, { versionId, from: 'held', to: 'published', reason: `dismissed as legitimate: ${reason}`, actor: auditActor(actor) })
        released.push(version.version)
      }
      // a published version counts only for what weighed on it: it may sit in the case for another reason (a report, a dependency)
      for (const rule of await latestScanRules(trx, versionId, { weighted: !held })) outcomes.push({ rule, versionId, outcome: 'dismissed' })
    }
    await repo.insertRuleOutcomes(trx, outcomes, at)
    await recordEvent(deps, trx, c, actor, {
      kind: 'dismiss',
      body: reason,
      audit: { action: 'case.dismiss', reason, before: { status: c.status }, after: { status: 'closed', resolution: 'legitimate', published: released } },
    })
  })
}

/** Asks a teammate to look before anyone decides. */
export async function requestSecondOpinion(deps: ReviewDeps, actor: Actor, id: number, rawReason: unknown): Promise<void> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const c = await caseFor(trx, id, ['open'])
    const at = new Date().toISOString()
    if (!(await repo.setCaseStatus(trx, id, ['open'], { status: 'awaiting-second', updated_at: at }))) throw new RegistryError('conflict', `case ${id} changed meanwhile`)
    await recordEvent(deps, trx, c, actor, {
      kind: 'second-opinion',
      body: reason,
      audit: { action: 'case.second-opinion', reason, before: { status: 'open' }, after: { status: 'awaiting-second' } },
    })
  })
}

export async function packageOf(trx: Transaction<Database>, packageId: number) {
  return trx.selectFrom('packages').selectAll().where('id', '=', packageId).executeTakeFirstOrThrow()
}
