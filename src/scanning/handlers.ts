// Job handlers of the scanning pipeline, bound to their dependencies.
import { handle, type JobHandler } from '../jobs/job-queue.ts'
import { scanVersionJob } from './jobs.ts'
import { scanVersion, type ScanDeps } from './pipeline.ts'

export function scanningHandlers(deps: ScanDeps): JobHandler<any>[] {
  return [handle(scanVersionJob, (payload) => scanVersion(deps, payload.versionId))]
}
