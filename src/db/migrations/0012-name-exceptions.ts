// Look-alike names: exceptions the security team granted, and owners' appeals against a typosquat finding.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema
    .createTable('name_exceptions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    // '*' when the name may resemble any popular package
    .addColumn('target', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('appeal_id', t.integer)
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('name_exceptions_pair').unique().on('name_exceptions').columns(['ecosystem', 'name', 'target']).execute()

  await db.schema
    .createTable('name_appeals')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('targets', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('appellant_id', t.integer, (c) => c.notNull())
    .addColumn('appellant', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('decided_by', t.text)
    .addColumn('decided_at', t.timestamp)
    .addColumn('decision_reason', t.text)
    .execute()
  await db.schema.createIndex('name_appeals_status').on('name_appeals').columns(['status', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('name_appeals').ifExists().execute()
  await db.schema.dropTable('name_exceptions').ifExists().execute()
}
