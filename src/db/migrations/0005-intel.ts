// External intelligence and retroactive rescans: rescan runs, OSV records, reports from reporters and the community, notifications, schedules.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))

  await db.schema
    .createTable('rescan_runs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('ruleset_version', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('total', t.integer, (c) => c.notNull())
    .addColumn('done_count', t.integer, (c) => c.notNull())
    .addColumn('flagged', t.integer, (c) => c.notNull())
    .addColumn('held', t.integer, (c) => c.notNull())
    .addColumn('started_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute()

  // The run's worklist, fixed when it starts: the order is the priority, the status the cursor.
  await db.schema
    .createTable('rescan_items')
    .addColumn('run_id', t.integer, (c) => c.notNull().references('rescan_runs.id').onDelete('cascade'))
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('position', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('score', t.integer)
    .addColumn('done_at', t.timestamp)
    .addPrimaryKeyConstraint('rescan_items_pk', ['run_id', 'version_id'])
    .execute()
  await db.schema.createIndex('rescan_items_next_idx').on('rescan_items').columns(['run_id', 'status', 'position']).execute()

  await db.schema
    .createTable('osv_records')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('package_name', t.text, (c) => c.notNull())
    .addColumn('modified', t.text, (c) => c.notNull())
    .addColumn('withdrawn', t.text)
    .addColumn('summary', t.text)
    .addColumn('document', t.text, (c) => c.notNull())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('imported_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('osv_records_package_idx').on('osv_records').columns(['ecosystem', 'package_name']).execute()

  // Which local versions a record has acted on, so a re-import never acts twice.
  await db.schema
    .createTable('osv_matches')
    .addColumn('record_id', t.text, (c) => c.notNull().references('osv_records.id').onDelete('cascade'))
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('osv_matches_pk', ['record_id', 'version_id'])
    .execute()

  await db.schema
    .createTable('reports')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('reporter_id', t.integer, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('reporter_label', t.text, (c) => c.notNull())
    .addColumn('contact_email', t.text)
    .addColumn('trusted', t.integer, (c) => c.notNull())
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('package_name', t.text, (c) => c.notNull())
    .addColumn('package_id', t.integer, (c) => c.references('packages.id').onDelete('set null'))
    .addColumn('version', t.text)
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('evidence', t.text, (c) => c.notNull())
    .addColumn('case_id', t.integer, (c) => c.references('cases.id').onDelete('set null'))
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('receipt_hash', t.text)
    .addColumn('ip', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('resolved_at', t.timestamp)
    .execute()
  await db.schema.createIndex('reports_case_idx').on('reports').columns(['case_id', 'status']).execute()
  await db.schema.createIndex('reports_reporter_idx').on('reports').columns(['reporter_id', 'id']).execute()

  await db.schema
    .createTable('notifications')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('channel', t.text, (c) => c.notNull())
    .addColumn('recipient', t.text, (c) => c.notNull())
    .addColumn('subject_key', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('error', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('notifications_once_idx').on('notifications').columns(['kind', 'channel', 'recipient', 'subject_key']).unique().execute()

  await db.schema
    .createTable('schedules')
    .addColumn('name', t.text, (c) => c.primaryKey())
    .addColumn('next_run_at', t.timestamp, (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['schedules', 'notifications', 'reports', 'osv_matches', 'osv_records', 'rescan_items', 'rescan_runs']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
