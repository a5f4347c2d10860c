// The audit log over JSON for the security console: GET /-/api/v1/audit with filters and paging (reviewers, admins).
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import { requireReviewer } from '../review/policy.ts'
import { listAuditEntries } from './service.ts'

const parseJson = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown))

export async function auditRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  app.get('/-/api/v1/audit', async (request) => {
    requireReviewer(requireActor(request))
    const q = request.query as Record<string, string | undefined>
    const limit = q.limit === undefined ? 50 : Number(q.limit)
    const before = q.before === undefined || q.before === '' ? undefined : Number(q.before)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RegistryError('invalidRequest', 'limit must be between 1 and 500')
    if (before !== undefined && !Number.isInteger(before)) throw new RegistryError('invalidRequest', 'before must be an entry id')
    const page = await listAuditEntries(deps.db.kysely, {
      limit,
      ...(before !== undefined ? { before } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.subjectType ? { subjectType: q.subjectType } : {}),
      ...(q.subjectId ? { subjectId: q.subjectId } : {}),
    })
    return {
      entries: page.entries.map((e) => ({
        id: e.id,
        at: e.created_at,
        actor: e.actor,
        ip: e.ip,
        action: e.action,
        subjectType: e.subject_type,
        subjectId: e.subject_id,
        reason: e.reason,
        before: parseJson(e.before),
        after: parseJson(e.after),
      })),
      next: page.next,
    }
  })
}
