// Opens the metadata database: SQLite (better-sqlite3) embedded by default, PostgreSQL for scale-out.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type { Database } from './schema.ts'
import type { DialectName } from './dialect.ts'

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; /** Schema to use instead of `public` (tests isolate themselves this way). */ schema?: string; poolSize?: number }

export interface Db {
  readonly kysely: Kysely<Database>
  readonly dialect: DialectName
  /** The pg pool on PostgreSQL, shared with pg-boss so jobs commit with the rows that cause them. */
  readonly pgPool?: pg.Pool
  readonly schema?: string
  close(): Promise<void>
}

// pg hands timestamptz back as Date and int8 as string; the domain works with ISO strings and numbers.
const TIMESTAMPTZ_OID = 1184
const TIMESTAMP_OID = 1114
const INT8_OID = 20
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return (v: string) => new Date(v).toISOString()
    if (oid === INT8_OID) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
}

export function createDb(target: DatabaseTarget): Db {
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true })
    const sqlite = new BetterSqlite3(target.path)
    sqlite.pragma('journal_mode = WAL')
    // FULL: an acknowledged publish survives power loss, not only a process crash.
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 10000')
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
    return { kysely, dialect: 'sqlite', close: () => kysely.destroy() }
  }
  const options = target.schema ? `-c search_path=${quoteIdent(target.schema)}` : undefined
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, options, types: pgTypes })
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    kysely,
    dialect: 'postgres',
    pgPool: pool,
    ...(target.schema ? { schema: target.schema } : {}),
    close: () => kysely.destroy(),
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`)
  return name
}
