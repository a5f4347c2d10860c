// Initial schema: accounts, packages and their versions, artifacts, dist-tags, embedded jobs, audit log.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))

  await db.schema
    .createTable('users')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', t.text, (c) => c.notNull().unique())
    .addColumn('email', t.text, (c) => c.notNull())
    .addColumn('password_hash', t.text, (c) => c.notNull())
    .addColumn('role', t.text, (c) => c.notNull().defaultTo('user'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('suspended_at', t.timestamp)
    .execute()

  await db.schema
    .createTable('tokens')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('user_id', t.integer, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_hash', t.text, (c) => c.notNull().unique())
    .addColumn('prefix', t.text, (c) => c.notNull())
    .addColumn('name', t.text)
    .addColumn('scope', t.text, (c) => c.notNull())
    .addColumn('cidr_whitelist', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('last_used_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp)
    .execute()
  await db.schema.createIndex('tokens_user_idx').on('tokens').column('user_id').execute()

  await db.schema
    .createTable('packages')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('ecosystem', t.text, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('display_name', t.text, (c) => c.notNull())
    .addColumn('revision', t.integer, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_by', t.integer, (c) => c.references('users.id').onDelete('set null'))
    .addUniqueConstraint('packages_ecosystem_name_key', ['ecosystem', 'name'])
    .execute()

  await db.schema
    .createTable('package_owners')
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('user_id', t.integer, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('package_owners_pkey', ['package_id', 'user_id'])
    .execute()
  await db.schema.createIndex('package_owners_user_idx').on('package_owners').column('user_id').execute()

  await db.schema
    .createTable('versions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('manifest', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('deprecated', t.text)
    .addColumn('requested_tags', t.text, (c) => c.notNull())
    .addColumn('publisher_id', t.integer, (c) => c.notNull().references('users.id'))
    .addColumn('token_id', t.integer, (c) => c.references('tokens.id').onDelete('set null'))
    .addColumn('upload_ip', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('published_at', t.timestamp)
    .addColumn('state_changed_at', t.timestamp, (c) => c.notNull())
    .addColumn('state_reason', t.text)
    .addUniqueConstraint('versions_package_version_key', ['package_id', 'version'])
    .execute()
  await db.schema.createIndex('versions_state_idx').on('versions').columns(['state', 'created_at']).execute()

  await db.schema
    .createTable('artifacts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('filename', t.text, (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('sha1', t.text, (c) => c.notNull())
    .addColumn('sha256', t.text, (c) => c.notNull())
    .addColumn('sha512', t.text, (c) => c.notNull())
    .addColumn('blob_key', t.text, (c) => c.notNull())
    .addColumn('file_count', t.integer, (c) => c.notNull())
    .addColumn('unpacked_size', t.bigint, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('artifacts_version_filename_key', ['version_id', 'filename'])
    .execute()
  await db.schema.createIndex('artifacts_blob_key_idx').on('artifacts').column('blob_key').execute()

  await db.schema
    .createTable('dist_tags')
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('tag', t.text, (c) => c.notNull())
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('dist_tags_pkey', ['package_id', 'tag'])
    .execute()

  await db.schema
    .createTable('jobs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('payload', t.text, (c) => c.notNull())
    .addColumn('state', t.text, (c) => c.notNull())
    .addColumn('attempts', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', t.integer, (c) => c.notNull())
    .addColumn('run_at', t.timestamp, (c) => c.notNull())
    .addColumn('locked_until', t.timestamp)
    .addColumn('last_error', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute()
  await db.schema.createIndex('jobs_claim_idx').on('jobs').columns(['state', 'run_at']).execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('actor_id', t.integer)
    .addColumn('actor', t.text, (c) => c.notNull())
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('subject_type', t.text, (c) => c.notNull())
    .addColumn('subject_id', t.text, (c) => c.notNull())
    .addColumn('reason', t.text)
    .addColumn('before', t.text)
    .addColumn('after', t.text)
    .addColumn('ip', t.text)
    .addColumn('prev_hash', t.text, (c) => c.notNull())
    .addColumn('hash', t.text, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject_type', 'subject_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_log', 'jobs', 'dist_tags', 'artifacts', 'versions', 'package_owners', 'packages', 'tokens', 'users']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
