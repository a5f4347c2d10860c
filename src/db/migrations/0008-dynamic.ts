// Dynamic analysis: a scan keeps the sandbox's trace (summary, per-persona steps, events) when the sandbox ran, or why it did not.
import type { Kysely } from 'kysely'
import { columnTypes, dialectOf } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(dialectOf(db))
  await db.schema.alterTable('scans').addColumn('trace', t.text).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scans').dropColumn('trace').execute()
}
