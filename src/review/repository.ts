// Kysely queries for the review desk: cases, their versions and events, removals, forensic copies, name blocks and exceptions, appeals, rule outcomes.
import type { Executor } from '../db/dialect.ts'
import type {
  CaseEventRow,
  CaseRow,
  CaseStatus,
  NameAppealRow,
  NameAppealStatus,
  NameAppealsTable,
  NameBlockRow,
  NameExceptionRow,
  NameExceptionsTable,
  RemovalRow,
  RemovalsTable,
  NameBlockKind,
} from '../db/schema.ts'
import type { Insertable } from 'kysely'

export const findCase = (db: Executor, id: number): Promise<CaseRow | undefined> =>
  db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()

/** The package's case that is still being worked, if any: new findings join it. */
export const findActiveCase = (db: Executor, packageId: number): Promise<CaseRow | undefined> =>
  db.selectFrom('cases').selectAll().where('package_id', '=', packageId).where('status', '!=', 'closed').orderBy('id', 'desc').executeTakeFirst()

export async function insertCase(db: Executor, c: { packageId: number; risk: number; source: string; at: string }): Promise<CaseRow> {
  return db
    .insertInto('cases')
    .values({ package_id: c.packageId, status: 'open', resolution: null, risk: c.risk, source: c.source, assignee_id: null, opened_at: c.at, updated_at: c.at, closed_at: null })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateCase(
  db: Executor,
  id: number,
  set: Partial<Pick<CaseRow, 'status' | 'resolution' | 'risk' | 'assignee_id' | 'closed_at'>> & { updated_at: string },
): Promise<void> {
  await db.updateTable('cases').set(set).where('id', '=', id).execute()
}

/** Compare-and-set on the case status, so two reviewers cannot both decide the same case. */
export async function setCaseStatus(
  db: Executor,
  id: number,
  from: readonly CaseStatus[],
  set: Partial<Pick<CaseRow, 'status' | 'resolution' | 'closed_at'>> & { updated_at: string },
): Promise<boolean> {
  const result = await db.updateTable('cases').set(set).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function addCaseVersion(db: Executor, caseId: number, versionId: number, at: string): Promise<boolean> {
  const row = await db
    .insertInto('case_versions')
    .values({ case_id: caseId, version_id: versionId, added_at: at })
    .onConflict((oc) => oc.columns(['case_id', 'version_id']).doNothing())
    .returning('version_id')
    .executeTakeFirst()
  return row !== undefined
}

export const caseVersionIds = async (db: Executor, caseId: number): Promise<number[]> =>
  (await db.selectFrom('case_versions').select('version_id').where('case_id', '=', caseId).orderBy('version_id').execute()).map((r) => r.version_id)

export async function insertCaseEvent(
  db: Executor,
  e: { caseId: number; actorId: number | null; actor: string; kind: string; body: string | null; at: string },
): Promise<CaseEventRow> {
  return db
    .insertInto('case_events')
    .values({ case_id: e.caseId, actor_id: e.actorId, actor: e.actor, kind: e.kind, body: e.body, created_at: e.at })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const listCaseEvents = (db: Executor, caseId: number): Promise<CaseEventRow[]> =>
  db.selectFrom('case_events').selectAll().where('case_id', '=', caseId).orderBy('id').execute()

export interface CaseListRow extends CaseRow {
  readonly ecosystem: string
  readonly package_name: string
  readonly assignee_name: string | null
}

export function listCases(db: Executor, filter: { statuses: readonly CaseStatus[]; assigneeId?: number; ids?: readonly number[] }): Promise<CaseListRow[]> {
  let q = db
    .selectFrom('cases')
    .innerJoin('packages', 'packages.id', 'cases.package_id')
    .leftJoin('users', 'users.id', 'cases.assignee_id')
    .selectAll('cases')
    .select(['packages.ecosystem as ecosystem', 'packages.name as package_name', 'users.name as assignee_name'])
    .where('cases.status', 'in', [...filter.statuses])
  if (filter.assigneeId !== undefined) q = q.where('cases.assignee_id', '=', filter.assigneeId)
  if (filter.ids) q = q.where('cases.id', 'in', [...filter.ids])
  return q.orderBy('cases.risk', 'desc').orderBy('cases.opened_at', 'asc').orderBy('cases.id', 'asc').limit(500).execute()
}

/** Versions of the given cases with their latest scan score. */
export function caseVersions(db: Executor, caseIds: readonly number[]) {
  if (caseIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('case_versions')
    .innerJoin('versions', 'versions.id', 'case_versions.version_id')
    .select(['case_versions.case_id', 'versions.id', 'versions.version', 'versions.state', 'versions.created_at', 'versions.publisher_id', 'versions.package_id'])
    .select((eb) =>
      eb
        .selectFrom('scans')
        .select('scans.score')
        .whereRef('scans.version_id', '=', 'versions.id')
        .orderBy('scans.id', 'desc')
        .limit(1)
        .as('score'),
    )
    .where('case_versions.case_id', 'in', [...caseIds])
    .orderBy('versions.id')
    .execute()
}

// ---- removals -----------------------------------------------------------------------------------

export async function insertRemoval(db: Executor, r: Insertable<RemovalsTable>): Promise<RemovalRow> {
  return db.insertInto('removals').values(r).returningAll().executeTakeFirstOrThrow()
}

export const findRemoval = (db: Executor, id: number): Promise<RemovalRow | undefined> =>
  db.selectFrom('removals').selectAll().where('id', '=', id).executeTakeFirst()

export const pendingRemovalOf = (db: Executor, caseId: number): Promise<RemovalRow | undefined> =>
  db.selectFrom('removals').selectAll().where('case_id', '=', caseId).where('status', '=', 'pending').executeTakeFirst()

/** Compare-and-set on the removal status. */
export async function setRemovalStatus(
  db: Executor,
  id: number,
  from: RemovalRow['status'],
  set: Partial<Pick<RemovalRow, 'status' | 'confirmed_by' | 'prior_states' | 'suspended_user_ids' | 'name_block_id' | 'done_at' | 'restored_at'>>,
): Promise<boolean> {
  const result = await db.updateTable('removals').set(set).where('id', '=', id).where('status', '=', from).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export const listRemovals = (db: Executor, filter: { id?: number; caseId?: number; packageId?: number; statuses?: readonly RemovalRow['status'][] } = {}) => {
  let q = db
    .selectFrom('removals')
    .innerJoin('packages', 'packages.id', 'removals.package_id')
    .leftJoin('users as proposer', 'proposer.id', 'removals.proposed_by')
    .leftJoin('users as confirmer', 'confirmer.id', 'removals.confirmed_by')
    .selectAll('removals')
    .select(['packages.ecosystem as ecosystem', 'packages.name as package_name', 'proposer.name as proposer_name', 'confirmer.name as confirmer_name'])
  if (filter.id !== undefined) q = q.where('removals.id', '=', filter.id)
  if (filter.caseId !== undefined) q = q.where('removals.case_id', '=', filter.caseId)
  if (filter.packageId !== undefined) q = q.where('removals.package_id', '=', filter.packageId)
  if (filter.statuses) q = q.where('removals.status', 'in', [...filter.statuses])
  return q.orderBy('removals.id', 'desc').limit(500).execute()
}

export type RemovalListRow = Awaited<ReturnType<typeof listRemovals>>[number]

export async function hasWholePackageRemoval(db: Executor, packageId: number): Promise<boolean> {
  const row = await db.selectFrom('removals').select('id').where('package_id', '=', packageId).where('status', '=', 'done').where('whole_package', '=', 1).executeTakeFirst()
  return row !== undefined
}

/** Carried-out removals of a package, oldest first (tombstones name the one that took each version out). */
export function removalsOfPackage(db: Executor, packageId: number) {
  return db
    .selectFrom('removals')
    .select(['id', 'prior_states', 'created_at', 'done_at'])
    .where('package_id', '=', packageId)
    .where('status', '=', 'done')
    .orderBy('id')
    .execute()
}

export async function insertForensic(
  db: Executor,
  f: { artifactId: number; removalId: number; blobKey: string; sha256: string; sha512: string; size: number; scanId: number | null; at: string },
): Promise<void> {
  await db
    .insertInto('forensic_artifacts')
    .values({ artifact_id: f.artifactId, removal_id: f.removalId, blob_key: f.blobKey, sha256: f.sha256, sha512: f.sha512, size: f.size, scan_id: f.scanId, stored_at: f.at })
    // A version removed, restored and removed again keeps its first evidence record.
    .onConflict((oc) => oc.column('artifact_id').doNothing())
    .execute()
}

export const forensicOfVersion = (db: Executor, versionId: number) =>
  db
    .selectFrom('forensic_artifacts')
    .innerJoin('artifacts', 'artifacts.id', 'forensic_artifacts.artifact_id')
    .select(['forensic_artifacts.blob_key', 'forensic_artifacts.sha256', 'forensic_artifacts.sha512', 'forensic_artifacts.size', 'artifacts.filename', 'forensic_artifacts.removal_id'])
    .where('artifacts.version_id', '=', versionId)
    .executeTakeFirst()

// ---- name blocks ----------------------------------------------------------------------------------

export const listNameBlocks = (db: Executor, ecosystem?: string): Promise<NameBlockRow[]> => {
  let q = db.selectFrom('name_blocks').selectAll()
  if (ecosystem !== undefined) q = q.where((eb) => eb.or([eb('ecosystem', 'is', null), eb('ecosystem', '=', ecosystem)]))
  return q.orderBy('id').execute()
}

export async function insertNameBlock(
  db: Executor,
  b: { ecosystem: string | null; kind: NameBlockKind; pattern: string; reason: string; source: string; createdBy: string; at: string },
): Promise<NameBlockRow> {
  return db
    .insertInto('name_blocks')
    .values({ ecosystem: b.ecosystem, kind: b.kind, pattern: b.pattern, reason: b.reason, source: b.source, created_by: b.createdBy, created_at: b.at })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const findNameBlock = (db: Executor, id: number): Promise<NameBlockRow | undefined> =>
  db.selectFrom('name_blocks').selectAll().where('id', '=', id).executeTakeFirst()

export async function deleteNameBlock(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('name_blocks').where('id', '=', id).execute()
}

// ---- rule outcomes --------------------------------------------------------------------------------

export async function insertRuleOutcomes(db: Executor, rows: readonly { rule: string; versionId: number; outcome: 'confirmed' | 'dismissed' }[], at: string): Promise<void> {
  if (rows.length === 0) return
  await db
    .insertInto('rule_outcomes')
    .values(rows.map((r) => ({ rule: r.rule, version_id: r.versionId, outcome: r.outcome, created_at: at })))
    .execute()
}

/** The rules a reviewer has judged a false alarm on this version (its case dismissed as legitimate). */
export async function dismissedRules(db: Executor, versionId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('rule_outcomes').select('rule').where('version_id', '=', versionId).where('outcome', '=', 'dismissed').execute()
  return new Set(rows.map((r) => r.rule))
}

export const ruleOutcomeCounts = (db: Executor) =>
  db
    .selectFrom('rule_outcomes')
    .select(['rule', 'outcome'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .groupBy(['rule', 'outcome'])
    .execute()

export const listNameExceptions = (db: Executor, filter: { ecosystem?: string; name?: string } = {}): Promise<NameExceptionRow[]> => {
  let q = db.selectFrom('name_exceptions').selectAll()
  if (filter.ecosystem) q = q.where('ecosystem', '=', filter.ecosystem)
  if (filter.name) q = q.where('name', '=', filter.name)
  return q.orderBy('id', 'desc').execute()
}

export const findNameException = (db: Executor, id: number): Promise<NameExceptionRow | undefined> =>
  db.selectFrom('name_exceptions').selectAll().where('id', '=', id).executeTakeFirst()

export async function insertNameException(db: Executor, e: Insertable<NameExceptionsTable>): Promise<NameExceptionRow | undefined> {
  // An existing identical exception stands; the caller reports the duplicate.
  return db
    .insertInto('name_exceptions')
    .values(e)
    .onConflict((oc) => oc.columns(['ecosystem', 'name', 'target']).doNothing())
    .returningAll()
    .executeTakeFirst()
}

export const deleteNameException = (db: Executor, id: number) => db.deleteFrom('name_exceptions').where('id', '=', id).execute()

export const insertNameAppeal = (db: Executor, a: Insertable<NameAppealsTable>): Promise<NameAppealRow> =>
  db.insertInto('name_appeals').values(a).returningAll().executeTakeFirstOrThrow()

export const findNameAppeal = (db: Executor, id: number): Promise<NameAppealRow | undefined> =>
  db.selectFrom('name_appeals').selectAll().where('id', '=', id).executeTakeFirst()

export const openAppealFor = (db: Executor, packageId: number): Promise<NameAppealRow | undefined> =>
  db.selectFrom('name_appeals').selectAll().where('package_id', '=', packageId).where('status', '=', 'open').executeTakeFirst()

export function listNameAppeals(db: Executor, filter: { status?: NameAppealStatus; appellantId?: number }): Promise<NameAppealRow[]> {
  let q = db.selectFrom('name_appeals').selectAll()
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.appellantId !== undefined) q = q.where('appellant_id', '=', filter.appellantId)
  return q.orderBy('id', 'desc').limit(500).execute()
}

/** Compare-and-set: only an open appeal is decided, once. */
export async function decideNameAppeal(db: Executor, id: number, d: { status: NameAppealStatus; by: string; at: string; reason: string }): Promise<boolean> {
  const result = await db
    .updateTable('name_appeals')
    .set({ status: d.status, decided_by: d.by, decided_at: d.at, decision_reason: d.reason })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
