// Retroactive rescans: when detection improves, stored versions are judged again, newest first, one batch at a time.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Deps } from '../deps.ts'
import type { AuditActor } from '../audit/service.ts'
import type { Config } from '../config/config.ts'
import type { Ecosystem, EcosystemId } from '../core/ecosystem.ts'
import type { PackageRow, RescanRunRow, VersionState } from '../db/schema.ts'
import { SYSTEM } from '../accounts/types.ts'
import { appendAudit } from '../audit/service.ts'
import { lockForTransaction } from '../db/dialect.ts'
import { RegistryError } from '../core/errors.ts'
import { transitionVersion } from '../packages/service.ts'
import * as packages from '../packages/repository.ts'
import { fileVersionForReview } from '../review/service.ts'
import { dismissedRules } from '../review/repository.ts'
import { insertScan } from '../scanning/repository.ts'
import { withFindings, type ScanReport } from '../scanning/engine.ts'
import { contextFindings } from '../scanning/context.ts'
import { rescanBatchJob } from './jobs.ts'
import { recentDownloads } from '../packages/downloads.ts'

export type RescanDeps = Pick<Deps, 'db' | 'config' | 'scanner' | 'blobs' | 'queue' | 'ecosystems' | 'log'>

/** Versions a rescan looks at: what installers get, and what reviewers have yet to decide. */
const RESCANNED: readonly VersionState[] = ['published', 'held']

export type RescanAction = 'hold' | 'file' | 'none'

/**
 * Pure: what a new score means for a stored version. A published version is held at once past the
 * critical threshold (when enabled) and filed for review past the hold threshold; a held one only
 * has its case's risk raised. A rescan never releases anything: lower scores change nothing. When
 * every weighted finding is one a reviewer already dismissed on this version, nothing happens.
 */
export function rescanAction(
  state: VersionState,
  score: number,
  config: Pick<Config, 'holdThreshold' | 'rescanCriticalThreshold' | 'rescanHoldCritical'>,
  /** Whether a weighted finding fired that no reviewer has judged a false alarm on this version. */
  unjudged = true,
): RescanAction {
  if (score < config.holdThreshold || !unjudged) return 'none'
  if (state === 'published' && config.rescanHoldCritical && score >= config.rescanCriticalThreshold) return 'hold'
  return state === 'published' || state === 'held' ? 'file' : 'none'
}

export interface RescanStart {
  readonly run: RescanRunRow
  readonly created: boolean
}

/**
 * Pure: the order a rescan works in. The newest uploads (where a fresh attack sits) and the most
 * downloaded versions of the last 30 days (where a miss hurts most) take turns at the head of the
 * list, each version once; versions nobody downloaded follow newest first.
 */
export function rescanOrder(versions: readonly { id: number; createdAt: string; downloads: number }[]): number[] {
  const newest = [...versions].sort((a, b) => (a.createdAt === b.createdAt ? b.id - a.id : a.createdAt < b.createdAt ? 1 : -1))
  const popular = newest.filter((v) => v.downloads > 0).sort((a, b) => b.downloads - a.downloads)
  const order: number[] = []
  const taken = new Set<number>()
  /** The next version of a list not taken yet. */
  const cursor = (list: typeof newest) => {
    let i = 0
    return () => {
      while (i < list.length && taken.has(list[i]!.id)) i++
      return list[i++]
    }
  }
  const turns = [cursor(newest), cursor(popular)]
  while (order.length < versions.length) {
    for (const next of turns) {
      const v = next()
      if (!v) continue
      taken.add(v.id)
      order.push(v.id)
    }
  }
  return order
}

/**
 * Starts a rescan under the scanner's ruleset, or returns the one already running for it. The
 * worklist is fixed now, in `rescanOrder`. Runs under an older ruleset are superseded.
 */
export async function startRescan(deps: RescanDeps, input: { reason: string; actor: AuditActor }): Promise<RescanStart> {
  const ruleset = deps.scanner.rulesetVersion
  return deps.db.kysely.transaction().execute(async (trx) => {
    await lockForTransaction(trx, deps.db.dialect, 'rescan-start')
    const running = await trx.selectFrom('rescan_runs').selectAll().where('status', '=', 'running').execute()
    const current = running.find((r) => r.ruleset_version === ruleset)
    if (current) return { run: current, created: false }
    const at = new Date().toISOString()
    for (const old of running) {
      await trx.updateTable('rescan_runs').set({ status: 'cancelled', finished_at: at, updated_at: at }).where('id', '=', old.id).where('status', '=', 'running').execute()
      await appendAudit(trx, deps.db.dialect, { actor: input.actor, action: 'rescan.supersede', subjectType: 'rescan', subjectId: old.id, reason: `superseded by ruleset ${ruleset}`, before: { status: 'running' }, after: { status: 'cancelled' } })
    }
    const candidates = await trx
      .selectFrom('versions')
      .select(['versions.id', 'versions.created_at'])
      .where('versions.state', 'in', RESCANNED)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('scans').select('scans.id').whereRef('scans.version_id', '=', 'versions.id').where('scans.ruleset_version', '=', ruleset))))
      .execute()
    const downloads = await recentDownloads(trx, candidates.map((v) => v.id))
    const stale = rescanOrder(candidates.map((v) => ({ id: v.id, createdAt: v.created_at, downloads: downloads.get(v.id) ?? 0 }))).map((id) => ({ id }))
    const run = await trx
      .insertInto('rescan_runs')
      .values({
        ruleset_version: ruleset,
        status: stale.length ? 'running' : 'done',
        reason: input.reason,
        total: stale.length,
        done_count: 0,
        flagged: 0,
        held: 0,
        started_by: input.actor.label,
        created_at: at,
        updated_at: at,
        finished_at: stale.length ? null : at,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    for (let i = 0; i < stale.length; i += 500) {
      await trx
        .insertInto('rescan_items')
        .values(stale.slice(i, i + 500).map((v, j) => ({ run_id: run.id, version_id: v.id, position: i + j, status: 'queued' as const, score: null, done_at: null })))
        .execute()
    }
    await appendAudit(trx, deps.db.dialect, { actor: input.actor, action: 'rescan.start', subjectType: 'rescan', subjectId: run.id, reason: input.reason, after: { ruleset, versions: stale.length } })
    if (stale.length) await deps.queue.enqueue(trx, rescanBatchJob, { runId: run.id })
    return { run, created: true }
  })
}

/** Re-enqueues a running run's next batch (after a restart lost its job); duplicates are harmless. */
export async function resumeRescan(deps: RescanDeps, runId: number): Promise<void> {
  await deps.db.kysely.transaction().execute(async (trx) => deps.queue.enqueue(trx, rescanBatchJob, { runId }))
}

/**
 * One batch of a run. Each version's new scan, its case or hold, and its worklist entry commit in
 * one transaction that first moves the entry from queued to done by compare-and-set: a batch that
 * is retried after its worker died, or delivered twice, records each version exactly once.
 */
export async function rescanBatch(deps: RescanDeps, runId: number): Promise<void> {
  const db = deps.db.kysely
  const run = await db.selectFrom('rescan_runs').selectAll().where('id', '=', runId).executeTakeFirst()
  if (!run || run.status !== 'running') return
  if (run.ruleset_version !== deps.scanner.rulesetVersion) {
    // A worker on other rules (a rolling deploy): leave the run to the workers it was started for.
    deps.log.warn({ runId, run: run.ruleset_version, here: deps.scanner.rulesetVersion }, 'rescan: this worker runs another ruleset; batch left alone')
    return
  }
  const items = await db
    .selectFrom('rescan_items')
    .select('version_id')
    .where('run_id', '=', runId)
    .where('status', '=', 'queued')
    .orderBy('position')
    .limit(deps.config.rescanBatchSize)
    .execute()
  for (const item of items) {
    const current = await db.selectFrom('rescan_runs').select('status').where('id', '=', runId).executeTakeFirst()
    if (current?.status !== 'running') return
    await rescanOne(deps, run, item.version_id)
    if (deps.config.rescanPauseMs > 0) await sleep(deps.config.rescanPauseMs)
  }
  await db.transaction().execute(async (trx) => {
    const left = await trx.selectFrom('rescan_items').select('version_id').where('run_id', '=', runId).where('status', '=', 'queued').limit(1).executeTakeFirst()
    if (left) return deps.queue.enqueue(trx, rescanBatchJob, { runId })
    const at = new Date().toISOString()
    const finished = await trx.updateTable('rescan_runs').set({ status: 'done', finished_at: at, updated_at: at }).where('id', '=', runId).where('status', '=', 'running').executeTakeFirst()
    if (Number(finished.numUpdatedRows) !== 1) return
    const totals = await trx.selectFrom('rescan_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow()
    await appendAudit(trx, deps.db.dialect, {
      actor: SYSTEM('rescan'),
      action: 'rescan.finish',
      subjectType: 'rescan',
      subjectId: runId,
      reason: null,
      after: { total: totals.total, flagged: totals.flagged, held: totals.held },
    })
  })
}

async function rescanOne(deps: RescanDeps, run: RescanRunRow, versionId: number): Promise<void> {
  const db = deps.db.kysely
  const version = await packages.findVersionById(db, versionId)
  const already = await db.selectFrom('scans').select('id').where('version_id', '=', versionId).where('ruleset_version', '=', run.ruleset_version).executeTakeFirst()
  let rescanned: { report: ScanReport; pkg: PackageRow; eco: Ecosystem } | undefined
  if (version && RESCANNED.includes(version.state) && !already) {
    const [artifact] = await packages.artifactsOf(db, [versionId])
    const bytes = artifact ? await deps.blobs.get(artifact.blob_key) : undefined
    const pkg = await db.selectFrom('packages').selectAll().where('id', '=', version.package_id).executeTakeFirstOrThrow()
    const eco = deps.ecosystems.get(pkg.ecosystem as EcosystemId)
    if (artifact && bytes && eco) {
      try {
        const scanned = await deps.scanner.scan(bytes, eco.id, artifact.filename)
        // The same context stage as at upload (history, names, campaign clusters), as the registry stands now:
        // a name already accepted is not a look-alike finding any more.
        rescanned = { report: withFindings(scanned, await contextFindings(db, { eco, pkg, version, report: scanned }), deps.scanner.thresholds), pkg, eco }
      } catch (err) {
        deps.log.warn({ versionId, err: (err as Error).message }, 'rescan: could not scan; skipped')
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    const at = new Date().toISOString()
    const claimed = await trx
      .updateTable('rescan_items')
      .set({ status: rescanned ? 'done' : 'skipped', score: rescanned?.report.score ?? null, done_at: at })
      .where('run_id', '=', run.id)
      .where('version_id', '=', versionId)
      .where('status', '=', 'queued')
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return
    let flagged = 0
    let held = 0
    if (rescanned) {
      const { report, pkg, eco } = rescanned
      await insertScan(trx, versionId, report, at)
      // Read again inside the transaction: a reviewer may have acted while the scan ran.
      const now = (await packages.findVersionById(trx, versionId))!
      // A reviewer who dismissed these very rules on this version has answered: only a new finding files it again.
      const judged = await dismissedRules(trx, versionId)
      const action = rescanAction(now.state, report.score, deps.config, report.signals.some((s) => s.weight > 0 && !judged.has(s.rule)))
      if (action !== 'none') {
        const note = `${now.version} rescanned under ${run.ruleset_version}: score ${report.score} (${report.reasons.join('; ')})`
        if (action === 'hold') {
          await transitionVersion(deps, eco, trx, { versionId, from: 'published', to: 'held', reason: `rescan: ${note}`, actor: SYSTEM('rescan') })
          held = 1
        }
        await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId, score: report.score, source: 'rescan', actor: SYSTEM('rescan'), note })
        await appendAudit(trx, deps.db.dialect, {
          actor: SYSTEM('rescan'),
          action: 'version.rescan-flag',
          subjectType: 'version',
          subjectId: versionId,
          reason: note,
          after: { runId: run.id, score: report.score, action },
        })
        flagged = 1
      }
    }
    await trx
      .updateTable('rescan_runs')
      .set((eb) => ({ done_count: eb('done_count', '+', 1), flagged: eb('flagged', '+', flagged), held: eb('held', '+', held), updated_at: at }))
      .where('id', '=', run.id)
      .execute()
  })
}

/**
 * At worker start: resume the run for this worker's ruleset, or start one when stored versions were
 * judged by an older ruleset (and the deployment allows it). Cheap when there is nothing to do.
 */
export async function rescanOnWorkerStart(deps: RescanDeps): Promise<void> {
  const ruleset = deps.scanner.rulesetVersion
  const running = await deps.db.kysely.selectFrom('rescan_runs').select('id').where('status', '=', 'running').where('ruleset_version', '=', ruleset).executeTakeFirst()
  if (running) return resumeRescan(deps, running.id)
  if (!deps.config.rescanOnRulesetChange) return
  const anyRun = await deps.db.kysely.selectFrom('rescan_runs').select('id').where('ruleset_version', '=', ruleset).executeTakeFirst()
  if (anyRun) return
  const stale = await deps.db.kysely
    .selectFrom('versions')
    .select('versions.id')
    .where('versions.state', 'in', RESCANNED)
    .where((eb) => eb.exists(eb.selectFrom('scans').select('scans.id').whereRef('scans.version_id', '=', 'versions.id')))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('scans').select('scans.id').whereRef('scans.version_id', '=', 'versions.id').where('scans.ruleset_version', '=', ruleset))))
    .limit(1)
    .executeTakeFirst()
  if (!stale) return
  const { run, created } = await startRescan(deps, { reason: `the ruleset changed to ${ruleset}`, actor: SYSTEM('rescan') })
  if (created) deps.log.info({ runId: run.id, ruleset, versions: run.total }, 'rescan started: the ruleset changed')
}

export interface RescanProgress {
  readonly id: number
  readonly rulesetVersion: string
  readonly status: RescanRunRow['status']
  readonly reason: string
  readonly total: number
  readonly done: number
  readonly flagged: number
  readonly held: number
  readonly percent: number
  readonly startedBy: string
  readonly createdAt: string
  readonly finishedAt: string | null
}

export function progressOf(run: RescanRunRow): RescanProgress {
  return {
    id: run.id,
    rulesetVersion: run.ruleset_version,
    status: run.status,
    reason: run.reason,
    total: run.total,
    done: run.done_count,
    flagged: run.flagged,
    held: run.held,
    percent: run.total === 0 ? 100 : Math.floor((run.done_count / run.total) * 100),
    startedBy: run.started_by,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
  }
}

export async function listRescans(deps: Pick<Deps, 'db'>, limit = 20): Promise<RescanProgress[]> {
  const rows = await deps.db.kysely.selectFrom('rescan_runs').selectAll().orderBy('id', 'desc').limit(limit).execute()
  return rows.map(progressOf)
}

export async function rescanProgress(deps: Pick<Deps, 'db'>, runId: number): Promise<RescanProgress> {
  const row = await deps.db.kysely.selectFrom('rescan_runs').selectAll().where('id', '=', runId).executeTakeFirst()
  if (!row) throw new RegistryError('notFound', `no rescan ${runId}`)
  return progressOf(row)
}
