// Download counts per version and day: what rescans rank by (most-downloaded first) and what operators read.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema
    .createTable('download_counts')
    .addColumn('version_id', t.integer, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    /** UTC day, YYYY-MM-DD. */
    .addColumn('day', t.text, (c) => c.notNull())
    .addColumn('count', t.integer, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('download_counts_pk').unique().on('download_counts').columns(['version_id', 'day']).execute()
  await db.schema.createIndex('download_counts_day').on('download_counts').column('day').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('download_counts').ifExists().execute()
}
