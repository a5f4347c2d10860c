// Mass-upload defense: live switches, IP blocks, the upload event stream, alerts, incidents and their public updates.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))

  await db.schema
    .createTable('switches')
    .addColumn('name', t.text, (c) => c.primaryKey())
    .addColumn('value', t.text)
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('set_by', t.text, (c) => c.notNull())
    .addColumn('set_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('ip_blocks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('cidr', t.text, (c) => c.notNull())
    .addColumn('scopes', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('upload_events')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .addColumn('user_id', t.integer, (c) => c.notNull())
    .addColumn('account_created_at', t.timestamp, (c) => c.notNull())
    .addColumn('ip', t.text)
    .addColumn('token_id', t.integer)
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('package_name', t.text, (c) => c.notNull())
    .addColumn('version_id', t.integer, (c) => c.notNull())
    .addColumn('new_package', t.integer, (c) => c.notNull())
    .addColumn('fingerprint', t.text, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('upload_events_at_idx').on('upload_events').column('at').execute()
  await db.schema.createIndex('upload_events_user_idx').on('upload_events').columns(['user_id', 'at']).execute()
  await db.schema.createIndex('upload_events_ip_idx').on('upload_events').columns(['ip', 'at']).execute()
  await db.schema.createIndex('upload_events_fingerprint_idx').on('upload_events').columns(['fingerprint', 'at']).execute()

  await db.schema
    .createTable('alerts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('rule', t.text, (c) => c.notNull())
    .addColumn('dedup_key', t.text, (c) => c.notNull())
    .addColumn('severity', t.text, (c) => c.notNull())
    .addColumn('summary', t.text, (c) => c.notNull())
    .addColumn('details', t.text, (c) => c.notNull())
    .addColumn('count', t.integer, (c) => c.notNull())
    .addColumn('first_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_at', t.timestamp, (c) => c.notNull())
    .addColumn('deliveries', t.text, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('alerts_dedup_idx').on('alerts').columns(['rule', 'dedup_key', 'last_at']).execute()

  await db.schema
    .createTable('incidents')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('severity', t.text, (c) => c.notNull())
    .addColumn('public', t.integer, (c) => c.notNull())
    .addColumn('window', t.text)
    .addColumn('postmortem', t.text)
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('resolved_at', t.timestamp)
    .execute()

  await db.schema
    .createTable('incident_updates')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('incident_id', t.integer, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('created_by', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('incident_updates_incident_idx').on('incident_updates').columns(['incident_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['incident_updates', 'incidents', 'alerts', 'upload_events', 'ip_blocks', 'switches']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
