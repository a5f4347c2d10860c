// `gatehouse worker`: a process that only runs jobs (scale-out: many of them share one PostgreSQL).
import type { Config } from '../../config/config.ts'
import { closeDeps, openDeps, startWorker } from '../../boot.ts'
import { onShutdown } from './serve.ts'

export async function worker(config: Config): Promise<void> {
  const deps = await openDeps(config)
  await startWorker(deps)
  deps.log.info({ queue: deps.queue.kind, concurrency: config.workerConcurrency }, 'worker started')
  onShutdown(() => closeDeps(deps))
}
