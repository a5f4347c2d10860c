// Read models of the review desk: the queue, a case with its evidence, a version's files and its diff to the previous one.
import { createTwoFilesPatch } from 'diff'
import type { Actor } from '../accounts/types.ts'
import type { CaseEventRow, CaseStatus, RemovalRow, VersionRow } from '../db/schema.ts'
import type { Artifact, EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import * as packages from '../packages/repository.ts'
import { archiveLimits } from '../packages/service.ts'
import { withNestedCode } from '../scanning/nested-code.ts'
import { listScans } from '../scanning/repository.ts'
import * as repo from './repository.ts'
import { advisoryId, requireReviewer } from './policy.ts'
import type { ReviewDeps } from './service.ts'

const STATUS_FILTERS: Record<string, readonly CaseStatus[]> = {
  open: ['open'],
  'awaiting-second': ['awaiting-second'],
  closed: ['closed'],
  active: ['open', 'awaiting-second'],
  all: ['open', 'awaiting-second', 'closed'],
}

export async function listCaseSummaries(deps: ReviewDeps, actor: Actor, query: { status?: string; assignee?: string }) {
  requireReviewer(actor)
  const statuses = STATUS_FILTERS[query.status ?? 'active']
  if (!statuses) throw new RegistryError('invalidRequest', `status must be one of ${Object.keys(STATUS_FILTERS).join(', ')}`)
  const rows = await repo.listCases(deps.db.kysely, { statuses, ...(query.assignee === 'me' ? { assigneeId: actor.userId } : {}) })
  const versions = await repo.caseVersions(deps.db.kysely, rows.map((r) => r.id))
  return rows.map((r) => ({
    id: r.id,
    ecosystem: r.ecosystem,
    package: r.package_name,
    status: r.status,
    risk: r.risk,
    source: r.source,
    assignee: r.assignee_name,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    resolution: r.resolution,
    versions: versions.filter((v) => v.case_id === r.id).map((v) => ({ id: v.id, version: v.version, state: v.state, score: v.score ?? null })),
  }))
}

export type CaseSummary = Awaited<ReturnType<typeof listCaseSummaries>>[number]

export async function caseSummary(deps: ReviewDeps, actor: Actor, id: number): Promise<CaseSummary> {
  requireReviewer(actor)
  const [row] = await repo.listCases(deps.db.kysely, { statuses: STATUS_FILTERS.all!, ids: [id] })
  if (!row) throw new RegistryError('notFound', `no case ${id}`)
  const versions = await repo.caseVersions(deps.db.kysely, [id])
  return {
    id: row.id,
    ecosystem: row.ecosystem,
    package: row.package_name,
    status: row.status,
    risk: row.risk,
    source: row.source,
    assignee: row.assignee_name,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    resolution: row.resolution,
    versions: versions.map((v) => ({ id: v.id, version: v.version, state: v.state, score: v.score ?? null })),
  }
}

/** Everything a reviewer needs on one page: each version's latest scan, the timeline, a pending removal. */
export async function caseDetail(deps: ReviewDeps, actor: Actor, id: number) {
  const summary = await caseSummary(deps, actor, id)
  const db = deps.db.kysely
  const rows = await Promise.all(summary.versions.map((v) => packages.findVersionById(db, v.id)))
  const publishers = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', [0, ...rows.map((r) => r?.publisher_id ?? 0)]).execute()
  const versions = await Promise.all(
    summary.versions.map(async (v, i) => {
      const row = rows[i]
      const [scan] = await listScans(db, v.id)
      return {
        ...v,
        createdAt: row?.created_at ?? null,
        stateReason: row?.state_reason ?? null,
        publisher: publishers.find((u) => u.id === row?.publisher_id)?.name ?? null,
        uploadIp: row?.upload_ip ?? null,
        scan: scan ? scanView(scan) : null,
      }
    }),
  )
  const events = await repo.listCaseEvents(db, id)
  const removals = (await repo.listRemovals(db, { caseId: id })).map((r) => removalView(r, rows))
  return {
    ...summary,
    versions,
    events: events.map(eventView),
    pendingRemoval: removals.find((r) => r.status === 'pending') ?? null,
    removals,
  }
}

function scanView(s: Awaited<ReturnType<typeof listScans>>[number]) {
  const extra = s as unknown as Record<string, unknown>
  return {
    id: s.id,
    verdict: s.verdict,
    score: s.score,
    reasons: JSON.parse(s.reasons) as unknown,
    signals: JSON.parse(s.signals) as unknown,
    rulesetVersion: s.ruleset_version,
    ms: s.ms,
    createdAt: s.created_at,
    // The sandbox stage stores its trace with the scan when it ran.
    ...(typeof extra.trace === 'string' ? { trace: JSON.parse(extra.trace) as unknown } : {}),
  }
}

const eventView = (e: CaseEventRow) => ({ id: e.id, kind: e.kind, actor: e.actor, body: e.body, createdAt: e.created_at })

export function removalView(r: repo.RemovalListRow, versionRows: readonly (VersionRow | undefined)[] = []) {
  const ids = JSON.parse(r.version_ids) as number[]
  const prior = JSON.parse(r.prior_states ?? '{}') as Record<string, string>
  const byId = new Map(versionRows.filter((v): v is VersionRow => v !== undefined).map((v) => [v.id, v.version]))
  return {
    id: r.id,
    advisoryId: advisoryId(r.id, r.created_at),
    caseId: r.case_id,
    ecosystem: r.ecosystem,
    package: r.package_name,
    versionIds: [...new Set([...ids, ...Object.keys(prior).map(Number)])],
    versions: [...new Set([...ids, ...Object.keys(prior).map(Number)])].map((id) => byId.get(id)).filter((v): v is string => v !== undefined),
    wholePackage: r.whole_package === 1,
    status: r.status,
    reason: r.reason,
    doubt: r.doubt === 1,
    proposedBy: r.proposer_name,
    confirmedBy: r.confirmer_name,
    suspendOwners: r.suspend_owners === 1,
    reserveName: r.reserve_name === 1,
    createdAt: r.created_at,
    doneAt: r.done_at,
    restoredAt: r.restored_at,
  }
}

export async function listRemovalViews(deps: ReviewDeps, actor: Actor) {
  requireReviewer(actor)
  const rows = await repo.listRemovals(deps.db.kysely)
  const ids = rows.flatMap((r) => [...(JSON.parse(r.version_ids) as number[]), ...Object.keys(JSON.parse(r.prior_states ?? '{}')).map(Number)])
  const versions = ids.length ? await deps.db.kysely.selectFrom('versions').selectAll().where('id', 'in', ids).execute() : []
  return rows.map((r) => removalView(r, versions))
}

export async function removalViewById(deps: ReviewDeps, removal: RemovalRow) {
  const [row] = await repo.listRemovals(deps.db.kysely, { id: removal.id })
  const ids = [...(JSON.parse(removal.version_ids) as number[]), ...Object.keys(JSON.parse(removal.prior_states ?? '{}')).map(Number)]
  const versions = ids.length ? await deps.db.kysely.selectFrom('versions').selectAll().where('id', 'in', ids).execute() : []
  return removalView(row!, versions)
}

// ---- files and diffs ---------------------------------------------------------------------------

const MAX_TEXT = 512 * 1024

/** Reads any version's archive, live or forensic, whatever its state: reviewers must see what they judge. */
async function readVersion(deps: ReviewDeps, versionId: number): Promise<{ version: VersionRow; artifact: Artifact }> {
  const version = await packages.findVersionById(deps.db.kysely, versionId)
  if (!version) throw new RegistryError('notFound', `no version ${versionId}`)
  const [row] = await packages.artifactsOf(deps.db.kysely, [versionId])
  if (!row) throw new RegistryError('notFound', `version ${versionId} has no archive`)
  const bytes = (await deps.blobs.get(row.blob_key)) ?? (await deps.forensics.get(row.blob_key))
  if (!bytes) throw new RegistryError('unavailable', `the archive of version ${versionId} is missing from storage`)
  const pkg = await deps.db.kysely.selectFrom('packages').select('ecosystem').where('id', '=', version.package_id).executeTakeFirstOrThrow()
  const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)!
  // what the gate read, nested code included, is what reviewers see
  const limits = archiveLimits(deps.config)
  return { version, artifact: await withNestedCode(await eco.readArtifact(bytes, limits, { filename: row.filename }), limits) }
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0)
}

export async function versionFiles(deps: ReviewDeps, actor: Actor, versionId: number) {
  requireReviewer(actor)
  const { artifact } = await readVersion(deps, versionId)
  return { files: artifact.files.map((f) => ({ path: f.path, size: f.size, mode: f.mode })) }
}

export async function versionFile(deps: ReviewDeps, actor: Actor, versionId: number, path: string) {
  requireReviewer(actor)
  const { artifact } = await readVersion(deps, versionId)
  const file = artifact.files.find((f) => f.path === path)
  if (!file) throw new RegistryError('notFound', `no file ${path} in version ${versionId}`)
  const binary = isBinary(file.content)
  return {
    path: file.path,
    size: file.size,
    binary,
    text: binary ? null : file.content.subarray(0, MAX_TEXT).toString('utf8'),
    truncated: !binary && file.content.length > MAX_TEXT,
  }
}

/** Unified diffs against the previous published version of the same package (by upload order). */
export async function versionDiff(deps: ReviewDeps, actor: Actor, versionId: number) {
  requireReviewer(actor)
  const { version, artifact } = await readVersion(deps, versionId)
  const previousRow = await deps.db.kysely
    .selectFrom('versions')
    .selectAll()
    .where('package_id', '=', version.package_id)
    .where('id', '<', version.id)
    .where('state', '=', 'published')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!previousRow) return { previous: null, files: artifact.files.map((f) => ({ path: f.path, status: 'added' as const, patch: patchOf(f.path, undefined, f.content) })) }
  const previous = (await readVersion(deps, previousRow.id)).artifact
  const before = new Map(previous.files.map((f) => [f.path, f.content]))
  const after = new Map(artifact.files.map((f) => [f.path, f.content]))
  const files: { path: string; status: 'added' | 'removed' | 'changed'; patch: string }[] = []
  for (const [path, content] of after) {
    const old = before.get(path)
    if (old === undefined) files.push({ path, status: 'added', patch: patchOf(path, undefined, content) })
    else if (!old.equals(content)) files.push({ path, status: 'changed', patch: patchOf(path, old, content) })
  }
  for (const [path, content] of before) if (!after.has(path)) files.push({ path, status: 'removed', patch: patchOf(path, content, undefined) })
  files.sort((a, b) => a.path.localeCompare(b.path))
  return { previous: { id: previousRow.id, version: previousRow.version }, files }
}

function patchOf(path: string, before: Buffer | undefined, after: Buffer | undefined): string {
  if ((before && isBinary(before)) || (after && isBinary(after))) return `Binary file ${path} differs\n`
  if ((before?.length ?? 0) > MAX_TEXT || (after?.length ?? 0) > MAX_TEXT) return `${path} is too large to diff here\n`
  return createTwoFilesPatch(before ? `a/${path}` : '/dev/null', after ? `b/${path}` : '/dev/null', before?.toString('utf8') ?? '', after?.toString('utf8') ?? '')
}

/** How often each rule fired on versions reviewers confirmed as malicious, and on ones they dismissed. */
export async function rulePrecision(deps: ReviewDeps, actor: Actor) {
  requireReviewer(actor)
  const counts = await repo.ruleOutcomeCounts(deps.db.kysely)
  const byRule = new Map<string, { confirmed: number; dismissed: number }>()
  for (const c of counts) {
    const entry = byRule.get(c.rule) ?? { confirmed: 0, dismissed: 0 }
    entry[c.outcome] += Number(c.n)
    byRule.set(c.rule, entry)
  }
  return [...byRule]
    .map(([rule, c]) => ({ rule, ...c, precision: c.confirmed + c.dismissed > 0 ? c.confirmed / (c.confirmed + c.dismissed) : null }))
    .sort((a, b) => a.rule.localeCompare(b.rule))
}
