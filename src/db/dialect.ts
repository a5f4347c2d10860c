// The seams where SQLite and PostgreSQL differ; no other module writes dialect-specific SQL.
import { sql, type Kysely, type Transaction, type ColumnDataType } from 'kysely'
import type { Database } from './schema.ts'

export type DialectName = 'sqlite' | 'postgres'
export type Executor = Kysely<Database> | Transaction<Database>

export interface ColumnTypes {
  /** Auto-incrementing integer primary key. */
  id: ColumnDataType
  timestamp: ColumnDataType
  text: ColumnDataType
  integer: ColumnDataType
  bigint: ColumnDataType
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  return dialect === 'postgres'
    ? { id: 'serial', timestamp: 'timestamptz', text: 'text', integer: 'integer', bigint: 'bigint' }
    : { id: 'integer', timestamp: 'text', text: 'text', integer: 'integer', bigint: 'integer' }
}

/** Detects the dialect of a Kysely instance (migrations receive a bare Kysely). */
export function dialectOf(db: Kysely<unknown>): DialectName {
  const adapter = db.getExecutor().adapter
  return adapter.constructor.name.toLowerCase().includes('postgres') ? 'postgres' : 'sqlite'
}

/**
 * Serialises writers of one logical resource for the rest of the transaction. PostgreSQL takes a
 * transaction-scoped advisory lock; SQLite already runs one write transaction at a time.
 */
export async function lockForTransaction(trx: Transaction<Database>, dialect: DialectName, key: string): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx)
  }
}

/** True when the error is a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

export function now(): string {
  return new Date().toISOString()
}
