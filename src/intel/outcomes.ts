// Decisions reach reporters and dependents: hooks the review desk calls inside its own transactions.
import type { Transaction } from 'kysely'
import type { Deps } from '../deps.ts'
import type { Database } from '../db/schema.ts'
import { notifyDependentsJob, notifyReportOutcomeJob } from './jobs.ts'
import { notifyByEmail } from './notify.ts'

/**
 * A case was decided: its open reports take the outcome (removed as malicious → confirmed,
 * dismissed as legitimate → dismissed), which is what reporters' accuracy counts, and the
 * reporters are told by a job enqueued in the same transaction.
 */
export async function settleReports(deps: Pick<Deps, 'queue'>, trx: Transaction<Database>, caseId: number, resolution: 'malicious' | 'legitimate'): Promise<void> {
  const at = new Date().toISOString()
  const settled = await trx
    .updateTable('reports')
    .set({ status: resolution === 'malicious' ? 'confirmed' : 'dismissed', resolved_at: at })
    .where('case_id', '=', caseId)
    .where('status', '=', 'open')
    .executeTakeFirst()
  if (Number(settled.numUpdatedRows) > 0) await deps.queue.enqueue(trx, notifyReportOutcomeJob, { caseId })
}

/** A removal was carried out: its dependents are found and told by a job, after the removal commits. */
export async function removalCarriedOut(deps: Pick<Deps, 'queue'>, trx: Transaction<Database>, removalId: number): Promise<void> {
  await deps.queue.enqueue(trx, notifyDependentsJob, { removalId })
}

/** The job: one email per report with a contact address, once. */
export async function notifyReportOutcome(deps: Pick<Deps, 'db' | 'config' | 'defense' | 'log'>, caseId: number): Promise<void> {
  const reports = await deps.db.kysely.selectFrom('reports').selectAll().where('case_id', '=', caseId).where('status', '!=', 'open').execute()
  for (const r of reports) {
    if (!r.contact_email) continue
    const what = `${r.package_name}${r.version ? `@${r.version}` : ''} (${r.ecosystem})`
    const outcome =
      r.status === 'confirmed'
        ? `Our security team confirmed it: the package was removed as malicious. Thank you, your report protected its users.`
        : `Our security team reviewed it and found the package legitimate, so it stays available. Thank you for looking out; please report again if you find more.`
    await notifyByEmail(deps, {
      kind: 'report-outcome',
      subjectKey: `report:${r.id}`,
      to: r.contact_email,
      subject: `Your report #${r.id} on ${what}: ${r.status}`,
      text: `You reported ${what} on ${r.created_at} (${r.kind}).\n\n${outcome}\n\n${deps.config.publicUrl}`,
    })
  }
}
