// The database targets every integration test runs against: SQLite always, PostgreSQL when reachable.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { DatabaseTarget } from '../../src/db/create-db.ts'

export type DialectName = 'sqlite' | 'postgres'

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REQUIRE_POSTGRES = process.env.GATEHOUSE_TEST_REQUIRE_POSTGRES === '1'

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch (err) {
    if (REQUIRE_POSTGRES) throw new Error(`PostgreSQL is required (GATEHOUSE_TEST_REQUIRE_POSTGRES=1) but ${POSTGRES_URL} is unreachable: ${(err as Error).message}`)
    console.warn(`PostgreSQL at ${POSTGRES_URL} is unreachable; running SQLite only`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** Dialects to run each integration suite on. */
export const DIALECTS: DialectName[] = (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite']

export interface TestDatabase {
  readonly target: DatabaseTarget
  /** pg-boss schema for this database (PostgreSQL only). */
  readonly jobSchema?: string
  readonly dir: string
  drop(): Promise<void>
}

/** A fresh, empty database: a temp SQLite file, or a new PostgreSQL schema. */
export async function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))
  if (dialect === 'sqlite') {
    return {
      target: { kind: 'sqlite', path: join(dir, 'gatehouse.db') },
      dir,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const jobSchema = `${schema}_boss`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  return {
    target: { kind: 'postgres', url: POSTGRES_URL, schema, poolSize: 5 },
    jobSchema,
    dir,
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL })
      await c.connect()
      await c.query(`drop schema if exists ${schema} cascade`)
      await c.query(`drop schema if exists ${jobSchema} cascade`)
      await c.end()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
