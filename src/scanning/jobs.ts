// Job types of the scanning pipeline.
import { z } from 'zod'
import { defineJob } from '../jobs/job-queue.ts'

/** Judge one uploaded version; enqueued in the publish transaction. */
export const scanVersionJob = defineJob('scan_version', z.object({ versionId: z.number().int().positive() }), { maxAttempts: 5 })
