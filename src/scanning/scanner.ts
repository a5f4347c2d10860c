// Runs static scans on a pool of worker threads with a time limit, so a heavy package never stalls the server.
import { Piscina } from 'piscina'
import type { EcosystemId } from '../core/ecosystem.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import type { Thresholds } from '../core/verdict.ts'
import { RegistryError, type ErrorCode } from '../core/errors.ts'
import type { ScanReport } from './engine.ts'
import type { ScanTaskResult } from './scan-task.ts'
import { effectiveRulesetVersion } from './rules/extra-rules.ts'

export interface ScannerOptions {
  readonly threads: number
  readonly timeoutMs: number
  readonly limits: ArchiveLimits
  readonly thresholds: Thresholds
  /** The operators' own rules module (GATEHOUSE_EXTRA_RULES); tests use it to add a rule without editing the real ones. */
  readonly extraRulesPath?: string | undefined
}

export class ScanTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`scan did not finish within ${Math.round(timeoutMs / 1000)} s`)
    this.name = 'ScanTimeoutError'
  }
}

export class Scanner {
  private pool: Piscina | undefined

  /** What every scan from this scanner records; rescans compare stored scans against it. */
  readonly rulesetVersion: string

  constructor(private readonly options: ScannerOptions) {
    this.rulesetVersion = effectiveRulesetVersion(options.extraRulesPath)
  }

  get thresholds(): Thresholds {
    return this.options.thresholds
  }

  /** Scans one archive. Throws RegistryError for unreadable archives and ScanTimeoutError past the limit. */
  async scan(bytes: Uint8Array, ecosystem: EcosystemId, filename: string): Promise<ScanReport> {
    this.pool ??= new Piscina({
      filename: new URL('./scan-worker.js', import.meta.url).href,
      minThreads: 0,
      maxThreads: this.options.threads,
      idleTimeout: 60_000,
    })
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs)
    try {
      const result = (await this.pool.run(
        { bytes, ecosystem, filename, limits: this.options.limits, thresholds: this.options.thresholds, extraRulesPath: this.options.extraRulesPath, rulesetVersion: this.rulesetVersion },
        { signal: abort.signal },
      )) as ScanTaskResult
      if (!result.ok) throw new RegistryError(result.code as ErrorCode, result.message)
      return result.report
    } catch (err) {
      if (abort.signal.aborted) throw new ScanTimeoutError(this.options.timeoutMs)
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    await pool?.destroy()
  }
}
