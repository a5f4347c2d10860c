// Runs the schema migrations (at `gatehouse migrate` and at the start of `serve` and `worker`).
import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { Db } from './create-db.ts'
import * as initial from './migrations/0001-initial.ts'
import * as scans from './migrations/0002-scans.ts'
import * as review from './migrations/0003-review.ts'
import * as intel from './migrations/0005-intel.ts'
import * as defense from './migrations/0007-defense.ts'
import * as dynamic from './migrations/0008-dynamic.ts'
import * as scanProfiles from './migrations/0009-scan-profiles.ts'
import * as clusters from './migrations/0010-clusters.ts'
import * as downloads from './migrations/0011-downloads.ts'
import * as nameExceptions from './migrations/0012-name-exceptions.ts'

// Migrations are listed in code rather than read from a folder, so they work the same from sources and bundles.
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-scans': scans,
  '0003-review': review,
  '0005-intel': intel,
  '0007-defense': defense,
  '0008-dynamic': dynamic,
  '0009-scan-profiles': scanProfiles,
  '0010-clusters': clusters,
  '0011-downloads': downloads,
  '0012-name-exceptions': nameExceptions,
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS }

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
  // Unordered: migrations are numbered when planned and may land out of order (0007 before 0005).
  const migrator = new Migrator({ db: db.kysely, provider, allowUnorderedMigrations: true, ...(db.schema ? { migrationTableSchema: db.schema } : {}) })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
