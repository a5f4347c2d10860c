// Intel over HTTP: npm audit's bulk advisories, the OSV feed and archive, reporters' observations, community reports, rescans.
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { auditActor } from '../accounts/types.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import { requireReviewer, requireReviewerWrite } from '../review/policy.ts'
import { bulkAdvisories } from './npm-audit.ts'
import { exportArchive, exportedRecords } from './osv-export.ts'
import { myReports, reportByReceipt, reporterStats, submitCommunityReport, submitObservation } from './reports.ts'
import { listRescans, progressOf, rescanProgress, startRescan } from './rescans.ts'
import { REPORT_FORM } from './report-form.ts'

type Body = Record<string, unknown>
const body = (request: FastifyRequest): Body => (request.body !== null && typeof request.body === 'object' ? (request.body as Body) : {})

function idParam(request: FastifyRequest): number {
  const id = Number((request.params as Record<string, string>).id)
  if (!Number.isSafeInteger(id) || id <= 0) throw new RegistryError('invalidRequest', 'id must be a positive integer')
  return id
}

/** npm sends audits gzip'd; the decompressed body is bounded so a small bomb cannot take the process down. */
const MAX_AUDIT_JSON = 32 * 1024 * 1024

export async function intelRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))

  // Its own context: the body arrives as bytes (gzip or not) and is parsed here, not by the shared JSON parser.
  await app.register(async (audit) => {
    audit.removeAllContentTypeParsers()
    audit.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, payload, done) => done(null, payload))
    audit.post('/-/npm/v1/security/advisories/bulk', async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      let text: string
      try {
        text = (request.headers['content-encoding'] === 'gzip' || (raw[0] === 0x1f && raw[1] === 0x8b) ? gunzipSync(raw, { maxOutputLength: MAX_AUDIT_JSON }) : raw).toString('utf8')
      } catch {
        throw new RegistryError('invalidRequest', 'the audit body is not valid gzip, or larger than the registry accepts')
      }
      let parsed: unknown
      try {
        parsed = text === '' ? {} : JSON.parse(text)
      } catch {
        throw new RegistryError('invalidRequest', 'the audit body is not valid JSON')
      }
      return bulkAdvisories(deps, parsed)
    })
  })

  app.get('/-/osv/feed.json', async (request) => {
    const since = (request.query as { since?: string }).since
    if (since !== undefined && Number.isNaN(Date.parse(since))) throw new RegistryError('invalidRequest', 'since must be an ISO-8601 time')
    return { records: await exportedRecords(deps, since ? { since } : {}) }
  })
  app.get('/-/osv/all.tar.gz', async (_request, reply) => {
    const bytes = await exportArchive(deps)
    return reply.type('application/gzip').header('content-disposition', 'attachment; filename="gatehouse-osv.tar.gz"').send(bytes)
  })
  app.get('/-/osv/records/:id', async (request) => {
    const row = await deps.db.kysely.selectFrom('osv_records').select('document').where('id', '=', (request.params as { id: string }).id).executeTakeFirst()
    if (!row) throw new RegistryError('notFound', 'no such OSV record on file')
    return JSON.parse(row.document) as unknown
  })

  const base = '/-/api/v1/intel'
  app.post(`${base}/observations`, async (request, reply) => reply.status(201).send(await submitObservation(deps, requireActor(request), body(request))))
  app.get(`${base}/observations`, async (request) => myReports(deps, requireActor(request)))
  app.post(`${base}/reports`, async (request, reply) => {
    const filed = await submitCommunityReport(deps, request.actor, request.ip ?? null, body(request))
    return reply.status(202).send({
      ...filed,
      message: `Thank you: report #${filed.report.id} is with the registry's security team.${filed.receipt ? ' Keep the receipt to check its outcome.' : ' You will be told the outcome by email.'}`,
    })
  })
  app.get(`${base}/reports/:id`, async (request) => reportByReceipt(deps, idParam(request), (request.query as { receipt?: string }).receipt))
  app.get(`${base}/reporters`, async (request) => {
    requireReviewer(requireActor(request))
    return { reporters: await reporterStats(deps) }
  })
  app.get(`${base}/rescans`, async (request) => {
    requireReviewer(requireActor(request))
    return { rescans: await listRescans(deps) }
  })
  app.get(`${base}/rescans/:id`, async (request) => {
    requireReviewer(requireActor(request))
    return rescanProgress(deps, idParam(request))
  })
  app.post(`${base}/rescans`, async (request, reply) => {
    const actor = requireReviewerWrite(requireActor(request))
    const reason = typeof body(request).reason === 'string' && (body(request).reason as string).trim() ? (body(request).reason as string).trim() : 'requested from the console'
    const { run, created } = await startRescan(deps, { reason, actor: auditActor(actor) })
    return reply.status(created ? 201 : 200).send(progressOf(run))
  })
  app.get('/-/report', async (_request, reply) => reply.type('text/html; charset=utf-8').send(REPORT_FORM))
}
