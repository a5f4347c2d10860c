// Scan results: one row per scan of a version, with the ruleset that produced it (rescans find stale ones).
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema
    .createTable('scans')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('ruleset_version', t.text, (c) => c.notNull())
    .addColumn('verdict', t.text, (c) => c.notNull())
    .addColumn('score', t.integer, (c) => c.notNull())
    .addColumn('reasons', t.text, (c) => c.notNull())
    .addColumn('signals', t.text, (c) => c.notNull())
    .addColumn('stats', t.text, (c) => c.notNull())
    .addColumn('ms', t.integer, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('scans_version_idx').on('scans').columns(['version_id', 'id']).execute()
  await db.schema.createIndex('scans_ruleset_idx').on('scans').column('ruleset_version').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scans').ifExists().execute()
}
