// One static scan, as run inside a scanner worker thread: bytes in, report out.
import type { EcosystemId } from '../core/ecosystem.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import type { Thresholds } from '../core/verdict.ts'
import { RegistryError } from '../core/errors.ts'
import { ECOSYSTEMS } from '../ecosystems.ts'
import { analyzeArtifact, initEngine, type ScanReport } from './engine.ts'
import { loadExtraRules } from './rules/extra-rules.ts'
import { withNestedCode } from './nested-code.ts'

export interface ScanTask {
  readonly bytes: Uint8Array
  readonly ecosystem: EcosystemId
  readonly filename: string
  readonly limits: ArchiveLimits
  readonly thresholds: Thresholds
  readonly extraRulesPath?: string | undefined
  readonly rulesetVersion: string
}

export type ScanTaskResult = { ok: true; report: ScanReport } | { ok: false; code: string; message: string }

await initEngine()

export default async function runScanTask(task: ScanTask): Promise<ScanTaskResult> {
  const eco = ECOSYSTEMS.get(task.ecosystem)
  if (!eco) return { ok: false, code: 'internal', message: `unknown ecosystem ${task.ecosystem}` }
  try {
    const artifact = await eco.readArtifact(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength), task.limits, { filename: task.filename })
    const extraRules = task.extraRulesPath ? await loadExtraRules(task.extraRulesPath) : []
    return { ok: true, report: analyzeArtifact(await withNestedCode(artifact, task.limits), eco, { thresholds: task.thresholds, extraRules, rulesetVersion: task.rulesetVersion }) }
  } catch (err) {
    if (err instanceof RegistryError) return { ok: false, code: err.code, message: err.message }
    throw err
  }
}
