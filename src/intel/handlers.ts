// Job handlers of the intelligence loops, bound to their dependencies.
import type { Deps } from '../deps.ts'
import { SYSTEM } from '../accounts/types.ts'
import { handle, type JobHandler } from '../jobs/job-queue.ts'
import { notifyDependentsJob, notifyReportOutcomeJob, pullIntelFeedJob, rescanBatchJob, reviewDependentsOfRecordJob } from './jobs.ts'
import { rescanBatch } from './rescans.ts'
import { importOsv } from './osv-import.ts'
import { answerDependentsOfRecord, notifyDependents } from './dependents.ts'
import { notifyReportOutcome } from './outcomes.ts'

export function intelHandlers(deps: Deps): JobHandler<any>[] {
  return [
    handle(rescanBatchJob, (p) => rescanBatch(deps, p.runId)),
    handle(pullIntelFeedJob, async (p) => {
      const summary = await importOsv(deps, p.url, SYSTEM('intel-feed'))
      deps.log.info({ url: p.url, ...summary, errors: summary.errors.length }, 'intel feed imported')
    }),
    handle(notifyDependentsJob, (p) => notifyDependents(deps, p.removalId)),
    handle(reviewDependentsOfRecordJob, (p) => answerDependentsOfRecord(deps, p)),
    handle(notifyReportOutcomeJob, (p) => notifyReportOutcome(deps, p.caseId)),
  ]
}
