// `gatehouse intel import PATH|URL` and `gatehouse intel export FILE`: OSV records in and out of the registry.
import { writeFile } from 'node:fs/promises'
import type { Deps } from '../../deps.ts'
import { CLI } from '../../accounts/types.ts'
import { importOsv, type ImportSummary } from '../../intel/osv-import.ts'
import { exportArchive } from '../../intel/osv-export.ts'

export async function intelImportCommand(deps: Deps, source: string): Promise<ImportSummary> {
  return importOsv(deps, source, CLI())
}

export async function intelExportCommand(deps: Deps, file: string): Promise<number> {
  const bytes = await exportArchive(deps)
  await writeFile(file, bytes)
  return bytes.length
}
