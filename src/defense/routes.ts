// The response team's controls over JSON (switches, IP blocks, alerts, incidents), the public status page, and /metrics.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { auditActor } from '../accounts/types.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import { requireReason, requireReviewer, requireReviewerWrite } from '../review/policy.ts'
import type { IncidentStatus } from '../db/schema.ts'
import { SWITCHES } from './switches.ts'
import { parseWindow } from './incidents.ts'
import { statusAtom, statusDocument, statusHtml } from './status-page.ts'

type Body = Record<string, unknown>
const body = (request: FastifyRequest): Body => (request.body !== null && typeof request.body === 'object' ? (request.body as Body) : {})

function idParam(request: FastifyRequest): number {
  const id = Number((request.params as { id: string }).id)
  if (!Number.isSafeInteger(id) || id <= 0) throw new RegistryError('invalidRequest', 'id must be a positive integer')
  return id
}

/** The operators' own controls stay usable in read-only mode, or nobody could turn it off. */
const EXEMPT = [/^\/-\/api\/v1\/defense\//, /^\/-\/api\/v1\/session$/]

export function registerReadOnlyGuard(app: FastifyInstance, deps: Pick<Deps, 'defense'>): void {
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return
    const path = (request.raw.url ?? '/').split('?')[0]!
    if (EXEMPT.some((re) => re.test(path))) return
    await deps.defense.guardWrite()
  })
}

export async function defenseRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  const base = '/-/api/v1/defense'
  const d = deps.defense

  app.get(`${base}/switches`, async (request) => {
    requireReviewer(requireActor(request))
    const state = await d.switches.current()
    return { switches: state.entries.map((e) => ({ ...e, kind: SWITCHES.find((s) => s.name === e.name)!.kind, description: SWITCHES.find((s) => s.name === e.name)!.description })) }
  })
  app.put(`${base}/switches/:name`, async (request) => {
    const actor = requireReviewerWrite(requireActor(request))
    const input = body(request)
    const reason = requireReason(deps.config, input.reason)
    const changed = await d.switches.set((request.params as { name: string }).name, input.value, reason, auditActor(actor))
    const state = await d.switches.current()
    return { changed, switch: state.entries.find((e) => e.name === (request.params as { name: string }).name) }
  })

  app.get(`${base}/ip-blocks`, async (request) => {
    requireReviewer(requireActor(request))
    return { blocks: (await d.ipBlocks.list()).map((b) => ({ id: b.id, cidr: b.cidr, scopes: JSON.parse(b.scopes) as unknown, reason: b.reason, expiresAt: b.expires_at, createdBy: b.created_by, createdAt: b.created_at })) }
  })
  app.post(`${base}/ip-blocks`, async (request, reply) => {
    const actor = requireReviewerWrite(requireActor(request))
    const input = body(request)
    const reason = requireReason(deps.config, input.reason)
    if (typeof input.cidr !== 'string') throw new RegistryError('invalidRequest', 'cidr is required')
    const row = await d.ipBlocks.add(
      { cidr: input.cidr, reason, ...(Array.isArray(input.scopes) ? { scopes: input.scopes.map(String) } : {}), expiresInHours: typeof input.expiresInHours === 'number' ? input.expiresInHours : null },
      auditActor(actor),
    )
    return reply.status(201).send({ id: row.id, cidr: row.cidr, scopes: JSON.parse(row.scopes) as unknown, reason: row.reason, expiresAt: row.expires_at })
  })
  app.delete(`${base}/ip-blocks/:id`, async (request) => {
    const actor = requireReviewerWrite(requireActor(request))
    await d.ipBlocks.remove(idParam(request), requireReason(deps.config, body(request).reason), auditActor(actor))
    return { ok: true }
  })

  app.get(`${base}/alerts`, async (request) => {
    requireReviewer(requireActor(request))
    return {
      alerts: (await d.alerts.list()).map((a) => ({
        id: a.id,
        rule: a.rule,
        key: a.dedup_key,
        severity: a.severity,
        summary: a.summary,
        details: JSON.parse(a.details) as unknown,
        count: a.count,
        firstAt: a.first_at,
        lastAt: a.last_at,
        deliveries: JSON.parse(a.deliveries) as unknown,
      })),
    }
  })

  app.get(`${base}/incidents`, async (request) => {
    requireReviewer(requireActor(request))
    return { incidents: await d.incidents.list({ publicOnly: false }) }
  })
  app.post(`${base}/incidents`, async (request, reply) => {
    const actor = requireReviewerWrite(requireActor(request))
    const input = body(request)
    const message = requireReason(deps.config, input.body)
    const row = await d.incidents.open(
      {
        title: String(input.title ?? ''),
        body: message,
        public: input.public !== false,
        ...(typeof input.severity === 'string' ? { severity: input.severity } : {}),
        ...(input.window !== undefined ? { window: parseWindow(input.window) } : {}),
      },
      auditActor(actor),
    )
    return reply.status(201).send(row)
  })
  app.post(`${base}/incidents/:id/updates`, async (request) => {
    const actor = requireReviewerWrite(requireActor(request))
    const input = body(request)
    return d.incidents.update(
      idParam(request),
      { status: String(input.status) as IncidentStatus, body: requireReason(deps.config, input.body), ...(typeof input.postmortem === 'string' ? { postmortem: input.postmortem } : {}) },
      auditActor(actor),
    )
  })
  app.put(`${base}/incidents/:id/window`, async (request) => {
    const actor = requireReviewerWrite(requireActor(request))
    return d.incidents.setWindow(idParam(request), parseWindow(body(request).window), auditActor(actor))
  })
  app.get(`${base}/incidents/:id/versions`, async (request) => {
    requireReviewer(requireActor(request))
    const incident = await d.incidents.get(idParam(request))
    if (!incident.window) return { versions: [] }
    return { versions: await d.incidents.windowVersions(JSON.parse(incident.window)) }
  })
  app.post(`${base}/incidents/:id/quarantine`, async (request) => {
    const actor = requireReviewerWrite(requireActor(request))
    const input = body(request)
    return d.incidents.quarantine(deps, idParam(request), { reason: requireReason(deps.config, input.reason), suspendAccounts: input.suspendAccounts === true }, auditActor(actor))
  })
  app.get(`${base}/incidents/:id/export`, async (request, reply) => {
    requireReviewer(requireActor(request))
    const bundle = await d.incidents.exportBundle(deps, idParam(request))
    return reply.header('content-type', 'application/gzip').header('content-disposition', `attachment; filename="incident-${idParam(request)}.tar.gz"`).send(bundle)
  })

  // Public: the status page, its JSON and its feed.
  app.get('/-/api/v1/status', async () => statusDocument(deps))
  app.get('/-/status', async (_request, reply) => reply.type('text/html; charset=utf-8').send(statusHtml(await statusDocument(deps))))
  app.get('/-/status/feed.atom', async (_request, reply) => reply.type('application/atom+xml; charset=utf-8').send(statusAtom(deps.config.publicUrl, await statusDocument(deps))))

  app.get('/metrics', async (_request, reply) => {
    const state = await d.switches.current()
    for (const e of state.entries) d.metrics.switches.set({ switch: e.name }, e.on ? 1 : 0)
    return reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics())
  })
}
