// Campaign clusters: content and payload fingerprints per version, and the clusters that form when packages share one.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema
    .createTable('version_fingerprints')
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('package_id', t.integer, (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('hash', t.text, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('version_fingerprints_pk').unique().on('version_fingerprints').columns(['version_id', 'kind', 'hash']).execute()
  await db.schema.createIndex('version_fingerprints_hash').on('version_fingerprints').columns(['kind', 'hash']).execute()

  await db.schema
    .createTable('clusters')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  // The fingerprints that tie a cluster together; a fingerprint belongs to one cluster (clusters merge when a version bridges two).
  await db.schema
    .createTable('cluster_fingerprints')
    .addColumn('cluster_id', t.integer, (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('hash', t.text, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('cluster_fingerprints_key').unique().on('cluster_fingerprints').columns(['kind', 'hash']).execute()
  await db.schema.createIndex('cluster_fingerprints_cluster').on('cluster_fingerprints').column('cluster_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cluster_fingerprints').ifExists().execute()
  await db.schema.dropTable('clusters').ifExists().execute()
  await db.schema.dropTable('version_fingerprints').ifExists().execute()
}
