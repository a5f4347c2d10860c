// Append-only, hash-chained audit log, written in the caller's transaction.
import { createHash } from 'node:crypto'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { AuditRow, Database } from '../db/schema.ts'
import { lockForTransaction, type DialectName } from '../db/dialect.ts'

export interface AuditActor {
  readonly id: number | null
  /** 'user:alice', 'system:scanner', 'cli:root'… */
  readonly label: string
  readonly ip?: string | null
}

export interface AuditEntry {
  readonly actor: AuditActor
  readonly action: string
  readonly subjectType: string
  readonly subjectId: string | number
  readonly reason?: string | null
  readonly before?: unknown
  readonly after?: unknown
}

const GENESIS = '0'.repeat(64)

export async function appendAudit(trx: Transaction<Database>, dialect: DialectName, entry: AuditEntry): Promise<void> {
  // One writer at a time extends the chain, so two transactions never link to the same predecessor.
  await lockForTransaction(trx, dialect, 'audit_log')
  const last = await trx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const row = {
    created_at: new Date().toISOString(),
    actor_id: entry.actor.id,
    actor: entry.actor.label,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: String(entry.subjectId),
    reason: entry.reason ?? null,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    ip: entry.actor.ip ?? null,
    prev_hash: last?.hash ?? GENESIS,
  }
  await trx.insertInto('audit_log').values({ ...row, hash: hashOf(row) }).execute()
}

type HashedFields = Omit<AuditRow, 'id' | 'hash'>

function hashOf(row: HashedFields): string {
  const canonical = JSON.stringify([
    row.prev_hash,
    row.created_at,
    row.actor_id,
    row.actor,
    row.action,
    row.subject_type,
    row.subject_id,
    row.reason,
    row.before,
    row.after,
    row.ip,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

export type AuditVerification = { ok: true; rows: number } | { ok: false; rows: number; rowId: number; problem: string }

/** Walks the chain in order; reports the first row whose content or link does not match. */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  let prev = GENESIS
  let rows = 0
  let lastId = 0
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(1000).execute()
    if (page.length === 0) return { ok: true, rows }
    for (const row of page) {
      if (row.prev_hash !== prev) {
        return { ok: false, rows, rowId: row.id, problem: 'links to a different predecessor: a row before it was deleted or altered' }
      }
      if (hashOf(row) !== row.hash) return { ok: false, rows, rowId: row.id, problem: 'content does not match its hash: the row was altered' }
      prev = row.hash
      rows += 1
      lastId = row.id
    }
  }
}

export interface AuditFilter {
  readonly actor?: string
  readonly action?: string
  readonly subjectType?: string
  readonly subjectId?: string
  /** Entries older than this id (paging backwards from the newest). */
  readonly before?: number
  readonly limit: number
}

/** Newest first; `actor` and `action` match as prefixes ('user:alice', 'removal.'). */
export async function listAuditEntries(db: Kysely<Database>, filter: AuditFilter): Promise<{ entries: AuditRow[]; next: number | null }> {
  let q = db.selectFrom('audit_log').selectAll()
  // Prefix matches written with substr, which both dialects treat alike (LIKE differs in case and escapes).
  if (filter.actor) q = q.where(sql<boolean>`substr(actor, 1, ${filter.actor.length}) = ${filter.actor}`)
  if (filter.action) q = q.where(sql<boolean>`substr(action, 1, ${filter.action.length}) = ${filter.action}`)
  if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType)
  if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId)
  if (filter.before !== undefined) q = q.where('id', '<', filter.before)
  const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1).execute()
  const entries = rows.slice(0, filter.limit)
  return { entries, next: rows.length > filter.limit ? entries.at(-1)!.id : null }
}
