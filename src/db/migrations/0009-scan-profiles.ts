// Scan profiles: each scan keeps the summary of facts the package's next version is compared against.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  // Nullable: scans recorded before profiles existed have none (a rescan fills them in).
  await db.schema.alterTable('scans').addColumn('profile', t.text).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scans').dropColumn('profile').execute()
}
