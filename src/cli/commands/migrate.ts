// `gatehouse migrate`: brings the database schema up to date.
import type { Config } from '../../config/config.ts'
import { createDb } from '../../db/create-db.ts'
import { migrateToLatest } from '../../db/migrate.ts'

export async function migrate(config: Config): Promise<string[]> {
  const db = createDb(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : config.database)
  try {
    return await migrateToLatest(db)
  } finally {
    await db.close()
  }
}
