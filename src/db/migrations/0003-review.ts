// The review desk: cases and their timelines, removals with forensic copies, name blocks, rule outcomes.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))

  await db.schema
    .createTable('cases')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('resolution', t.text)
    .addColumn('risk', t.integer, (c) => c.notNull())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('assignee_id', t.integer, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('opened_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('closed_at', t.timestamp)
    .execute()
  await db.schema.createIndex('cases_queue_idx').on('cases').columns(['status', 'risk']).execute()
  await db.schema.createIndex('cases_package_idx').on('cases').columns(['package_id', 'status']).execute()

  await db.schema
    .createTable('case_versions')
    .addColumn('case_id', t.integer, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('added_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('case_versions_pk', ['case_id', 'version_id'])
    .execute()
  await db.schema.createIndex('case_versions_version_idx').on('case_versions').column('version_id').execute()

  await db.schema
    .createTable('case_events')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('case_id', t.integer, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('actor_id', t.integer)
    .addColumn('actor', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('body', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'id']).execute()

  await db.schema
    .createTable('removals')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('case_id', t.integer, (c) => c.references('cases.id').onDelete('set null'))
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('version_ids', t.text, (c) => c.notNull())
    .addColumn('whole_package', t.integer, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('doubt', t.integer, (c) => c.notNull())
    .addColumn('suspend_owners', t.integer, (c) => c.notNull())
    .addColumn('reserve_name', t.integer, (c) => c.notNull())
    .addColumn('proposed_by', t.integer, (c) => c.notNull().references('users.id'))
    .addColumn('confirmed_by', t.integer, (c) => c.references('users.id'))
    .addColumn('prior_states', t.text)
    .addColumn('suspended_user_ids', t.text)
    .addColumn('name_block_id', t.integer)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('done_at', t.timestamp)
    .addColumn('restored_at', t.timestamp)
    .execute()
  await db.schema.createIndex('removals_package_idx').on('removals').columns(['package_id', 'status']).execute()

  await db.schema
    .createTable('forensic_artifacts')
    .addColumn('artifact_id', t.integer, (c) => c.primaryKey().references('artifacts.id').onDelete('cascade'))
    .addColumn('removal_id', t.integer, (c) => c.notNull().references('removals.id'))
    .addColumn('blob_key', t.text, (c) => c.notNull())
    .addColumn('sha256', t.text, (c) => c.notNull())
    .addColumn('sha512', t.text, (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('scan_id', t.integer)
    .addColumn('stored_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('name_blocks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('ecosystem', t.text)
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('pattern', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('rule_outcomes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('rule', t.text, (c) => c.notNull())
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rule_outcomes_rule_idx').on('rule_outcomes').column('rule').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['rule_outcomes', 'name_blocks', 'forensic_artifacts', 'removals', 'case_events', 'case_versions', 'cases']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
