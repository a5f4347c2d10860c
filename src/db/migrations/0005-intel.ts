// Intelligence imported from outside: the OSV records already applied, so a re-import changes nothing.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema
    .createTable('intel_records')
    .addColumn('id', t.text, (c) => c.primaryKey())
    .addColumn('modified', t.text, (c) => c.notNull())
    .addColumn('summary', t.text)
    .addColumn('outcome', t.text, (c) => c.notNull())
    .addColumn('imported_at', t.timestamp, (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('intel_records').ifExists().execute()
}
