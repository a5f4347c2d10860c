// `gatehouse rescan`: starts (or joins) the rescan for the current ruleset and shows its progress as a bar.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Deps } from '../../deps.ts'
import { CLI } from '../../accounts/types.ts'
import { startWorker } from '../../boot.ts'
import { progressOf, rescanProgress, startRescan, type RescanProgress } from '../../intel/rescans.ts'

export interface RescanOptions {
  /** Return once the run is started; a worker (serve or worker) carries it out. */
  readonly detach: boolean
  /** Carry the run out in this process too (no serve or worker running). */
  readonly work: boolean
  readonly out?: NodeJS.WriteStream
}

export async function rescanCommand(deps: Deps, options: RescanOptions): Promise<RescanProgress> {
  const out = options.out ?? process.stderr
  const { run, created } = await startRescan(deps, { reason: 'requested with gatehouse rescan', actor: CLI() })
  out.write(`${created ? 'started' : 'joined'} rescan ${run.id} under ruleset ${run.ruleset_version}: ${run.total} versions\n`)
  if (options.detach) return progressOf(run)
  if (options.work) await startWorker(deps)
  let last = ''
  for (;;) {
    const p = await rescanProgress(deps, run.id)
    const line = bar(p)
    if (out.isTTY) out.write(`\r${line}`)
    else if (line !== last && (p.percent % 10 === 0 || p.status !== 'running')) out.write(`${line}\n`)
    last = line
    if (p.status !== 'running') {
      if (out.isTTY) out.write('\n')
      return p
    }
    await sleep(500)
  }
}

export function bar(p: RescanProgress, width = 30): string {
  const filled = Math.round((p.percent / 100) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(p.percent).padStart(3)}%  ${p.done}/${p.total}  flagged ${p.flagged}  held ${p.held}  ${p.status}`
}
