// Opens the metadata database: SQLite (better-sqlite3) embedded by default, PostgreSQL for scale-out.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely'
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
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) })
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

/**
 * SQLite transactions begin IMMEDIATE: a transaction that reads and then writes takes the write lock
 * up front, so two processes on one database file (a server and a CLI command, or two instances)
 * wait for each other through busy_timeout instead of one failing with "database is locked" when
 * both try to upgrade a read lock. Within one process the single connection serialises them anyway.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name: ${name}`)
  return name
}
