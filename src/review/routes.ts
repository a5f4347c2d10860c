// The review desk over JSON (see docs/review-api.md): cases, decisions, removals, files, name blocks, rules, advisories.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import * as cases from './service.ts'
import * as removal from './removal.ts'
import * as views from './views.ts'
import * as blocks from './name-blocks.ts'
import * as names from './name-exceptions.ts'
import { advisoryDocument } from './advisories.ts'

type Body = Record<string, unknown>

function idParam(request: FastifyRequest, name = 'id'): number {
  const raw = (request.params as Record<string, string>)[name]
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id <= 0) throw new RegistryError('invalidRequest', `${name} must be a positive integer`)
  return id
}

const body = (request: FastifyRequest): Body => (request.body !== null && typeof request.body === 'object' ? (request.body as Body) : {})

export async function reviewRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  const base = '/-/api/v1/review'

  app.get(`${base}/cases`, async (request) => {
    const query = request.query as Record<string, string | undefined>
    return { cases: await views.listCaseSummaries(deps, requireActor(request), { ...(query.status ? { status: query.status } : {}), ...(query.assignee ? { assignee: query.assignee } : {}) }) }
  })
  app.get(`${base}/cases/:id`, async (request) => views.caseDetail(deps, requireActor(request), idParam(request)))

  app.post(`${base}/cases/:id/claim`, async (request) => {
    await cases.claimCase(deps, requireActor(request), idParam(request), true)
    return views.caseSummary(deps, requireActor(request), idParam(request))
  })
  app.post(`${base}/cases/:id/unclaim`, async (request) => {
    await cases.claimCase(deps, requireActor(request), idParam(request), false)
    return views.caseSummary(deps, requireActor(request), idParam(request))
  })
  app.post(`${base}/cases/:id/comments`, async (request, reply) => {
    const event = await cases.commentOnCase(deps, requireActor(request), idParam(request), body(request).body)
    return reply.status(201).send({ id: event.id, kind: event.kind, actor: event.actor, body: event.body, createdAt: event.created_at })
  })
  app.post(`${base}/cases/:id/dismiss`, async (request) => {
    await cases.dismissCase(deps, requireActor(request), idParam(request), body(request).reason)
    return views.caseSummary(deps, requireActor(request), idParam(request))
  })
  app.post(`${base}/cases/:id/second-opinion`, async (request) => {
    await cases.requestSecondOpinion(deps, requireActor(request), idParam(request), body(request).reason)
    return views.caseSummary(deps, requireActor(request), idParam(request))
  })
  app.post(`${base}/cases/:id/remove`, async (request, reply) => {
    const actor = requireActor(request)
    const outcome = await removal.proposeRemoval(deps, actor, idParam(request), body(request))
    return reply.status(outcome.done ? 200 : 202).send({
      case: await views.caseSummary(deps, actor, idParam(request)),
      removal: await views.removalViewById(deps, outcome.removal),
    })
  })
  app.post(`${base}/cases/:id/confirm`, async (request) => {
    const actor = requireActor(request)
    const done = await removal.confirmRemoval(deps, actor, idParam(request), body(request).reason)
    return { case: await views.caseSummary(deps, actor, idParam(request)), removal: await views.removalViewById(deps, done) }
  })
  app.post(`${base}/cases/:id/decline`, async (request) => {
    await removal.declineRemoval(deps, requireActor(request), idParam(request), body(request).reason)
    return views.caseSummary(deps, requireActor(request), idParam(request))
  })

  app.get(`${base}/removals`, async (request) => ({ removals: await views.listRemovalViews(deps, requireActor(request)) }))
  app.post(`${base}/removals/:id/restore`, async (request) => {
    const restored = await removal.restoreRemoval(deps, requireActor(request), idParam(request), body(request).reason)
    return views.removalViewById(deps, restored)
  })
  app.get(`${base}/forensics/:id`, async (request, reply) => {
    const archive = await removal.forensicArchive(deps, requireActor(request), idParam(request))
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${archive.filename.replace(/["\\/]/g, '_')}"`)
      .header('x-gatehouse-sha256', archive.sha256)
      .header('x-gatehouse-sha512', archive.sha512)
      .send(archive.bytes)
  })

  app.get(`${base}/versions/:id/files`, async (request) => views.versionFiles(deps, requireActor(request), idParam(request)))
  app.get(`${base}/versions/:id/file`, async (request) => {
    const path = (request.query as Record<string, string | undefined>).path
    if (!path) throw new RegistryError('invalidRequest', 'path is required')
    return views.versionFile(deps, requireActor(request), idParam(request), path)
  })
  app.get(`${base}/versions/:id/diff`, async (request) => views.versionDiff(deps, requireActor(request), idParam(request)))

  app.get(`${base}/name-blocks`, async (request) => ({
    blocks: (await blocks.listNameBlocks(deps, requireActor(request))).map((b) => ({
      id: b.id,
      ecosystem: b.ecosystem,
      kind: b.kind,
      pattern: b.pattern,
      reason: b.reason,
      source: b.source,
      createdBy: b.created_by,
      createdAt: b.created_at,
    })),
  }))
  app.post(`${base}/name-blocks`, async (request, reply) => {
    const input = body(request)
    const block = await blocks.createNameBlock(deps, requireActor(request), {
      ecosystem: typeof input.ecosystem === 'string' ? input.ecosystem : null,
      kind: String(input.kind ?? ''),
      pattern: String(input.pattern ?? ''),
      reason: input.reason,
    })
    return reply.status(201).send({ id: block.id, ecosystem: block.ecosystem, kind: block.kind, pattern: block.pattern, reason: block.reason, source: block.source, createdBy: block.created_by, createdAt: block.created_at })
  })
  app.delete(`${base}/name-blocks/:id`, async (request) => {
    await blocks.deleteNameBlock(deps, requireActor(request), idParam(request), body(request).reason)
    return { ok: true }
  })

  // Look-alike names: exceptions (security team) and appeals (package owners).
  const exceptionView = (e: Awaited<ReturnType<typeof names.listExceptions>>[number]) => ({
    id: e.id,
    ecosystem: e.ecosystem,
    name: e.name,
    target: e.target,
    reason: e.reason,
    appealId: e.appeal_id,
    createdBy: e.created_by,
    createdAt: e.created_at,
  })
  const appealView = (a: Awaited<ReturnType<typeof names.listAppeals>>[number]) => ({
    id: a.id,
    ecosystem: a.ecosystem,
    name: a.name,
    findings: JSON.parse(a.targets) as string[],
    reason: a.reason,
    status: a.status,
    appellant: a.appellant,
    createdAt: a.created_at,
    decidedBy: a.decided_by,
    decidedAt: a.decided_at,
    decisionReason: a.decision_reason,
  })
  app.get('/-/api/v1/names/exceptions', async (request) => ({ exceptions: (await names.listExceptions(deps, requireActor(request))).map(exceptionView) }))
  app.post('/-/api/v1/names/exceptions', async (request, reply) => {
    const input = body(request)
    const row = await names.createException(deps, requireActor(request), { ecosystem: input.ecosystem, name: input.name, target: input.target, reason: input.reason })
    return reply.status(201).send(exceptionView(row))
  })
  app.delete('/-/api/v1/names/exceptions/:id', async (request) => {
    await names.deleteException(deps, requireActor(request), idParam(request), body(request).reason)
    return { ok: true }
  })
  app.get('/-/api/v1/names/appeals', async (request) => {
    const query = request.query as Record<string, string | undefined>
    return { appeals: (await names.listAppeals(deps, requireActor(request), { status: query.status, mine: query.mine === '1' || query.mine === 'true' })).map(appealView) }
  })
  app.get('/-/api/v1/names/findings', async (request) => ({
    packages: (await names.myFindings(deps, requireActor(request))).map((f) => ({ ecosystem: f.ecosystem, name: f.name, findings: f.findings, appeal: f.appeal ? appealView(f.appeal) : null })),
  }))
  app.post('/-/api/v1/names/appeals', async (request, reply) => {
    const input = body(request)
    return reply.status(201).send(appealView(await names.appeal(deps, requireActor(request), { ecosystem: input.ecosystem, name: input.name, reason: input.reason })))
  })
  app.post('/-/api/v1/names/appeals/:id/decision', async (request) => {
    const input = body(request)
    return appealView(await names.decideAppeal(deps, requireActor(request), idParam(request), { grant: input.grant, reason: input.reason }))
  })

  app.get(`${base}/rules`, async (request) => ({ rules: await views.rulePrecision(deps, requireActor(request)) }))

  // Public: the advisory a tombstone points installers to.
  app.get('/-/advisories/:id', async (request) => advisoryDocument(deps, (request.params as { id: string }).id))
}
