// Job types of the intelligence loops: rescans, feed pulls, and the notifications removals and decisions cause.
import { z } from 'zod'
import { defineJob } from '../jobs/job-queue.ts'

const id = z.number().int().positive()

/** Rescans the next batch of a run's worklist; each batch enqueues the next, so a run occupies one worker slot at a time. */
export const rescanBatchJob = defineJob('rescan_batch', z.object({ runId: id }), { maxAttempts: 10 })

/** Pulls the configured OSV feed (GATEHOUSE_INTEL_FEED_URL) and imports it. */
export const pullIntelFeedJob = defineJob('pull_intel_feed', z.object({ url: z.string().min(1) }), { maxAttempts: 3 })

/** Files for review, and tells the maintainers of, every package that depends on a removed package; enqueued in the removal's transaction. */
export const notifyDependentsJob = defineJob('notify_dependents', z.object({ removalId: id }), { maxAttempts: 8 })

/**
 * Files for review, and tells the maintainers of, every package that depends on one an imported
 * malicious-package record names; enqueued in the import's transaction.
 */
export const reviewDependentsOfRecordJob = defineJob('review_dependents_of_record', z.object({ recordId: z.string().min(1), ecosystem: z.string().min(1), name: z.string().min(1) }), { maxAttempts: 8 })

/** Tells reporters how their reports on a case were decided; enqueued in the decision's transaction. */
export const notifyReportOutcomeJob = defineJob('notify_report_outcome', z.object({ caseId: id }), { maxAttempts: 8 })

export const INTEL_JOBS = [rescanBatchJob, pullIntelFeedJob, notifyDependentsJob, reviewDependentsOfRecordJob, notifyReportOutcomeJob] as const
