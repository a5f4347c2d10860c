// Reports from trusted reporters (observations) and from the community: each files a case, some hold at once, all learn the outcome.
import { createHash, randomBytes } from 'node:crypto'
import type { Deps } from '../deps.ts'
import type { Actor } from '../accounts/types.ts'
import type { AuditActor } from '../audit/service.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import type { ReportRow } from '../db/schema.ts'
import { RegistryError } from '../core/errors.ts'
import { auditActor } from '../accounts/types.ts'
import { appendAudit } from '../audit/service.ts'
import { lockForTransaction } from '../db/dialect.ts'
import { transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import { fileVersionForReview } from '../review/service.ts'
import { insertCaseEvent } from '../review/repository.ts'
import { isSecurityStaff } from '../review/policy.ts'
import { autoHoldDecision } from './auto-hold.ts'

export type ReportDeps = Pick<Deps, 'db' | 'config' | 'ecosystems' | 'defense' | 'log'>

export const REPORT_KINDS = ['malware', 'typosquat', 'dependency-confusion', 'account-takeover', 'spam', 'other'] as const

export interface ReportInput {
  readonly ecosystem?: unknown
  readonly package?: unknown
  readonly version?: unknown
  readonly kind?: unknown
  readonly evidence?: unknown
  readonly email?: unknown
}

export interface FiledReport {
  readonly report: ReportView
  /** Anonymous reporters check the outcome with this; it is shown once. */
  readonly receipt?: string
}

export interface ReportView {
  readonly id: number
  readonly source: string
  readonly ecosystem: string
  readonly package: string
  readonly version: string | null
  readonly kind: string
  readonly action: string
  readonly status: string
  readonly caseId: number | null
  readonly createdAt: string
  readonly resolvedAt: string | null
}

export const reportView = (r: ReportRow): ReportView => ({
  id: r.id,
  source: r.source,
  ecosystem: r.ecosystem,
  package: r.package_name,
  version: r.version,
  kind: r.kind,
  action: r.action,
  status: r.status,
  caseId: r.case_id,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
})

/** Accounts with the reporter role (and security staff) submit trusted observations. */
export async function submitObservation(deps: ReportDeps, actor: Actor, input: ReportInput): Promise<FiledReport> {
  if (actor.role !== 'reporter' && !isSecurityStaff(actor)) throw new RegistryError('forbidden', 'observations are open to trusted reporters only; use the public report form')
  if (actor.scope === 'read') throw new RegistryError('readOnlyToken', 'this token is read-only')
  return fileReport(deps, { source: 'reporter', trusted: true, actor, ip: actor.ip, input })
}

/** Anyone may report; signed-in users are counted per account, anonymous ones per address. */
export async function submitCommunityReport(deps: ReportDeps, actor: Actor | null, ip: string | null, input: ReportInput): Promise<FiledReport> {
  await deps.defense.guardWrite()
  if (actor) await deps.defense.rateLimits.consume('report-account', actor.userId)
  await deps.defense.rateLimits.consume('report-ip', ip ?? 'unknown')
  return fileReport(deps, { source: 'community', trusted: false, actor, ip, input })
}

function parseInput(deps: ReportDeps, input: ReportInput, anonymous: boolean) {
  const ecosystem = typeof input.ecosystem === 'string' && input.ecosystem ? input.ecosystem : 'npm'
  const eco = deps.ecosystems.get(ecosystem as EcosystemId)
  if (!eco) throw new RegistryError('invalidRequest', `ecosystem must be one of ${[...deps.ecosystems.keys()].join(', ')}`)
  if (typeof input.package !== 'string' || !input.package) throw new RegistryError('invalidRequest', 'package is required')
  const name = eco.parseName(input.package)
  const version = typeof input.version === 'string' && input.version ? eco.parseVersion(input.version) : null
  const kind = typeof input.kind === 'string' && input.kind ? input.kind : 'malware'
  if (!(REPORT_KINDS as readonly string[]).includes(kind)) throw new RegistryError('invalidRequest', `kind must be one of ${REPORT_KINDS.join(', ')}`)
  const evidence = typeof input.evidence === 'string' ? input.evidence.trim() : ''
  if (evidence.length < 10 || evidence.length > 10_000) throw new RegistryError('invalidRequest', 'evidence must be 10 to 10000 characters: what you saw, where, and how')
  let email: string | null = null
  if (anonymous && typeof input.email === 'string' && input.email.trim()) {
    email = input.email.trim()
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new RegistryError('invalidRequest', 'email is not a valid address')
  }
  return { eco, name, version, kind, evidence, email }
}

async function fileReport(
  deps: ReportDeps,
  r: { source: 'reporter' | 'community'; trusted: boolean; actor: Actor | null; ip: string | null; input: ReportInput },
): Promise<FiledReport> {
  const { eco, name, version, kind, evidence, email } = parseInput(deps, r.input, r.actor === null)
  const who: AuditActor = r.actor ? auditActor(r.actor) : { id: null, label: `anonymous:${r.ip ?? 'unknown'}`, ip: r.ip }
  const reporterKey = r.actor ? `user:${r.actor.userId}` : `ip:${r.ip ?? 'unknown'}`
  const receipt = r.actor ? undefined : randomBytes(18).toString('base64url')
  const row = await deps.db.kysely.transaction().execute(async (trx) => {
    const at = new Date().toISOString()
    const pkg = await packages.findPackage(trx, eco.id, name)
    if (pkg) await lockForTransaction(trx, deps.db.dialect, `reports:${pkg.id}`)
    const base = {
      source: r.source,
      reporter_id: r.actor?.userId ?? null,
      reporter_label: who.label,
      contact_email: r.actor?.email ?? email,
      trusted: r.trusted ? 1 : 0,
      ecosystem: eco.id,
      package_name: name,
      package_id: pkg?.id ?? null,
      version,
      kind,
      evidence,
      status: 'open' as const,
      receipt_hash: receipt ? sha256(receipt) : null,
      ip: r.ip,
      created_at: at,
      resolved_at: null,
    }
    let action = 'none'
    let caseId: number | null = null
    let why = 'no such package in this registry yet'
    if (pkg) {
      const all = await packages.listVersions(trx, pkg.id)
      const targets = version ? all.filter((v) => v.version === version) : all.filter((v) => v.state === 'published' || v.state === 'held')
      if (version && targets.length === 0) throw new RegistryError('notFound', `${name} has no version ${version}`)
      const open = await trx
        .selectFrom('reports')
        .select(['reporter_id', 'ip', 'trusted'])
        .where('package_id', '=', pkg.id)
        .where('status', '=', 'open')
        .execute()
      const decision = autoHoldDecision({
        trusted: r.trusted,
        reporterKey,
        packageAgeHours: (Date.now() - Date.parse(pkg.created_at)) / 3_600_000,
        youngPackageHours: deps.config.reportYoungPackageHours,
        openReports: open.map((o) => ({ reporterKey: o.reporter_id !== null ? `user:${o.reporter_id}` : `ip:${o.ip ?? 'unknown'}`, trusted: o.trusted === 1 })),
      })
      why = decision.reason
      const reviewable = targets.filter((v) => v.state === 'published' || v.state === 'held')
      action = reviewable.length ? 'filed' : 'none'
      for (const v of reviewable) {
        if (decision.hold && v.state === 'published') {
          await transitionVersion(deps, eco, trx, { versionId: v.id, from: 'published', to: 'held', reason: `held on report: ${decision.reason}`, actor: who })
          action = 'held'
        }
        const score = r.trusted ? deps.config.rescanCriticalThreshold : deps.config.holdThreshold
        const c = await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId: v.id, score, source: 'report', actor: who, note: `${v.version} reported (${kind}) by ${who.label}` })
        caseId = c.id
      }
    }
    const inserted = await trx.insertInto('reports').values({ ...base, case_id: caseId, action }).returningAll().executeTakeFirstOrThrow()
    if (caseId !== null) {
      await insertCaseEvent(trx, { caseId, actorId: who.id, actor: who.label, kind: 'report', body: `report #${inserted.id} (${r.trusted ? 'trusted' : 'community'}, ${kind}; ${why}): ${evidence}`, at })
    }
    await appendAudit(trx, deps.db.dialect, {
      actor: who,
      action: r.source === 'reporter' ? 'report.observation' : 'report.community',
      subjectType: 'report',
      subjectId: inserted.id,
      reason: why,
      after: { ecosystem: eco.id, package: name, version, kind, action, caseId },
    })
    return inserted
  })
  return { report: reportView(row), ...(receipt ? { receipt } : {}) }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/** An anonymous reporter's view of their report, by its receipt. */
export async function reportByReceipt(deps: Pick<Deps, 'db'>, id: number, receipt: unknown): Promise<ReportView> {
  const row = await deps.db.kysely.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row || typeof receipt !== 'string' || row.receipt_hash === null || row.receipt_hash !== sha256(receipt)) throw new RegistryError('notFound', `no report ${id} with that receipt`)
  return reportView(row)
}

export interface ReporterStats {
  readonly reporter: string
  readonly trusted: boolean
  readonly reports: number
  readonly confirmed: number
  readonly dismissed: number
  readonly open: number
  /** Confirmed among decided; null until one is decided. */
  readonly accuracy: number | null
}

/** Accuracy per reporter account (and all anonymous reports together). */
export async function reporterStats(deps: Pick<Deps, 'db'>, filter: { reporterId?: number } = {}): Promise<ReporterStats[]> {
  let q = deps.db.kysely.selectFrom('reports').select(['reporter_id', 'reporter_label', 'trusted', 'status', (eb) => eb.fn.countAll<number>().as('n')])
  if (filter.reporterId !== undefined) q = q.where('reporter_id', '=', filter.reporterId)
  const rows = await q.groupBy(['reporter_id', 'reporter_label', 'trusted', 'status']).execute()
  const by = new Map<string, { reporter: string; trusted: boolean; confirmed: number; dismissed: number; open: number }>()
  for (const row of rows) {
    const key = row.reporter_id !== null ? row.reporter_label : 'anonymous'
    const entry = by.get(key) ?? { reporter: key, trusted: false, confirmed: 0, dismissed: 0, open: 0 }
    entry.trusted ||= row.trusted === 1
    entry[row.status] += Number(row.n)
    by.set(key, entry)
  }
  return [...by.values()]
    .map((e) => ({ ...e, reports: e.confirmed + e.dismissed + e.open, accuracy: e.confirmed + e.dismissed > 0 ? e.confirmed / (e.confirmed + e.dismissed) : null }))
    .sort((a, b) => a.reporter.localeCompare(b.reporter))
}

/** A reporter's own reports with their outcomes, and their standing. */
export async function myReports(deps: Pick<Deps, 'db'>, actor: Actor) {
  const rows = await deps.db.kysely.selectFrom('reports').selectAll().where('reporter_id', '=', actor.userId).orderBy('id', 'desc').limit(500).execute()
  const [stats] = await reporterStats(deps, { reporterId: actor.userId })
  return { reports: rows.map(reportView), stats: stats ?? null }
}
