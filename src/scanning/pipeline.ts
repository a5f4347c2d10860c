// The scan pipeline run by the scan_version job: scan the stored artifact, record the result, move the version.
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { SYSTEM } from '../accounts/types.ts'
import { archiveLimits, transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import { withFindings, type ScanReport } from './engine.ts'
import { ScanTimeoutError } from './scanner.ts'
import { insertScan } from './repository.ts'
import { fileVersionForReview } from '../review/service.ts'
import { drillCanary } from './rules/package-shape.ts'
import { contextFindings } from './context.ts'
import { withDynamicStage } from './sandbox/stage.ts'
import { recordFingerprints, removedLookalikes } from '../review/clusters/service.ts'

export type ScanDeps = Pick<Deps, 'db' | 'blobs' | 'config' | 'log' | 'ecosystems' | 'scanner' | 'defense'>

const STATE_FOR = { publish: 'published', hold: 'held', reject: 'rejected' } as const

/** A look-alike was removed while this version's context was being read. */
class ContextChanged extends Error {}

/**
 * Idempotent: a version that is no longer pending (already judged, or removed meanwhile) is left
 * alone, so retries and duplicate deliveries are harmless. The scan row and the state change
 * commit together.
 */
export async function scanVersion(deps: ScanDeps, versionId: number): Promise<void> {
  const version = await packages.findVersionById(deps.db.kysely, versionId)
  if (!version || version.state !== 'pending') return
  const pkg = await deps.db.kysely.selectFrom('packages').selectAll().where('id', '=', version.package_id).executeTakeFirstOrThrow()
  const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)
  if (!eco) throw new Error(`no ecosystem ${pkg.ecosystem} configured for version ${versionId}`)
  const [artifact] = await packages.artifactsOf(deps.db.kysely, [version.id])
  if (!artifact) throw new Error(`version ${versionId} has no artifact`)
  const bytes = await deps.blobs.get(artifact.blob_key)
  if (!bytes) throw new Error(`blob ${artifact.blob_key} of version ${versionId} is missing`)

  const scanned = await scanOrHold(deps, bytes, eco.id, artifact.filename)
  // Dynamic evidence is the artifact's own: it counts toward rejection like the static rules.
  const staticReport = await withDynamicStage(deps, eco, () => eco.readArtifact(bytes, archiveLimits(deps.config), { filename: artifact.filename }), scanned, deps.scanner.thresholds)
  let report: ScanReport | undefined
  // Context (history, names, clusters) is read before the transaction; a removal of a look-alike that
  // commits in between is seen inside it (the fingerprint locks order the two), and the context is read again.
  for (let attempt = 1; !report; attempt++) {
    const candidate = withFindings(staticReport, await contextFindings(deps.db.kysely, { eco, pkg, version, report: staticReport }), deps.scanner.thresholds)
    const reason = `gate: ${candidate.verdict} (score ${candidate.score}; ${candidate.reasons.join('; ')})`
    try {
      await deps.db.kysely.transaction().execute(async (trx) => {
        await recordFingerprints(trx, deps.db.dialect, { versionId: version.id, packageId: pkg.id, fingerprints: candidate.fingerprints })
        if (candidate.verdict === 'publish' && attempt < 3 && (await removedLookalikes(trx, version.id, candidate.fingerprints)).length > 0) throw new ContextChanged()
        await insertScan(trx, version.id, candidate, new Date().toISOString())
        await transitionVersion(deps, eco, trx, { versionId, from: 'pending', to: STATE_FOR[candidate.verdict], reason, actor: SYSTEM('scanner') })
        if (candidate.verdict === 'hold') {
          await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId, score: candidate.score, source: 'gate', actor: SYSTEM('scanner'), note: `${version.version} held: ${candidate.reasons.join('; ')}` })
        }
      })
      report = candidate
    } catch (err) {
      if (err instanceof ContextChanged) continue
      // Someone else moved it first (a concurrent delivery of this job): nothing left to do.
      if (err instanceof RegistryError && err.code === 'conflict') return
      throw err
    }
  }
  deps.log.info({ versionId, name: pkg.name, version: version.version, verdict: report.verdict, score: report.score, ms: report.ms }, 'scanned')
  deps.defense.metrics.scans.inc({ ecosystem: eco.id, verdict: report.verdict })
  if (report.signals.some((s) => s.rule === drillCanary.id)) {
    // The drill checks that this alert reached every configured channel.
    await deps.defense.alerts.raise({
      rule: 'drill',
      key: `version:${versionId}`,
      severity: 'info',
      summary: `drill: canary ${pkg.name}@${version.version} was ${STATE_FOR[report.verdict]} by the gate`,
      details: { versionId, name: pkg.name, version: version.version, verdict: report.verdict, score: report.score },
    })
  }
}

/** A scan that cannot finish fails closed: the version is held for a human, with the reason. */
async function scanOrHold(deps: ScanDeps, bytes: Buffer, ecosystem: EcosystemId, filename: string): Promise<ScanReport> {
  try {
    return await deps.scanner.scan(bytes, ecosystem, filename)
  } catch (err) {
    if (!(err instanceof ScanTimeoutError) && !(err instanceof RegistryError)) throw err
    deps.log.warn({ err: (err as Error).message, filename }, 'scan incomplete; holding for review')
    const message = err instanceof ScanTimeoutError ? err.message : `archive could not be analysed: ${err.message}`
    const score = deps.scanner.thresholds.hold
    return {
      ecosystem,
      name: '',
      version: '',
      format: '',
      verdict: 'hold',
      score,
      reasons: [`scan incomplete: ${message}`],
      signals: [
        {
          rule: 'scan-incomplete',
          severity: 'medium',
          weight: score,
          message,
          title: 'The scan did not complete',
          explanation: 'The static analysis could not finish, so the gate cannot vouch for this version. Review it by hand.',
        },
      ],
      rulesetVersion: deps.scanner.rulesetVersion,
      ms: 0,
      stats: { files: 0, analyzed: 0, parseErrors: 0, textOnly: 0, acting: 0 },
    }
  }
}
