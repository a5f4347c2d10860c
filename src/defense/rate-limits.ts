// Rate limits per account and per IP for logins, signups, failed tokens, publishes and new packages: in memory, or Redis when configured.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { Redis } from 'ioredis'
import { RegistryError } from '../core/errors.ts'

export type LimitName = 'login-ip' | 'login-account' | 'signup-ip' | 'token-failure-ip' | 'publish-ip' | 'publish-account' | 'new-package-account' | 'new-package-ip' | 'report-ip' | 'report-account'

export interface LimitSpec {
  readonly points: number
  readonly seconds: number
}

/**
 * Defaults from the registries that publish theirs: Warehouse allows 10 logins per 5 minutes and
 * 20 new projects per hour per user; RubyGems 400 pushes per hour per IP. The rest follow suit.
 */
export const DEFAULT_LIMITS: Readonly<Record<LimitName, LimitSpec>> = {
  'login-ip': { points: 10, seconds: 300 },
  'login-account': { points: 10, seconds: 300 },
  'signup-ip': { points: 5, seconds: 3600 },
  'token-failure-ip': { points: 30, seconds: 300 },
  'publish-ip': { points: 400, seconds: 3600 },
  'publish-account': { points: 400, seconds: 3600 },
  'new-package-account': { points: 20, seconds: 3600 },
  'new-package-ip': { points: 40, seconds: 3600 },
  // Community reports: enough for a real finding, too few to flood the review queue.
  'report-ip': { points: 10, seconds: 3600 },
  'report-account': { points: 30, seconds: 3600 },
}

const MESSAGES: Record<LimitName, string> = {
  'login-ip': 'too many login attempts from this address',
  'login-account': 'too many login attempts for this account',
  'signup-ip': 'too many new accounts from this address',
  'token-failure-ip': 'too many requests with invalid credentials from this address',
  'publish-ip': 'too many uploads from this address',
  'publish-account': 'too many uploads from this account',
  'new-package-account': 'too many new packages from this account',
  'new-package-ip': 'too many new packages from this address',
  'report-ip': 'too many reports from this address',
  'report-account': 'too many reports from this account',
}

export interface RateLimitOptions {
  /** 'off' disables every limit (benchmarks); otherwise overrides of the defaults. */
  readonly limits: 'off' | Partial<Record<LimitName, LimitSpec>>
  readonly redisUrl?: string | undefined
  /** Separates deployments sharing one Redis. */
  readonly prefix?: string
}

export class RateLimits {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>()
  private readonly redis: Redis | undefined

  constructor(options: RateLimitOptions) {
    if (options.limits === 'off') return
    this.redis = options.redisUrl ? new Redis(options.redisUrl, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined
    for (const name of Object.keys(DEFAULT_LIMITS) as LimitName[]) {
      const spec = options.limits[name] ?? DEFAULT_LIMITS[name]
      const base = { points: spec.points, duration: spec.seconds, keyPrefix: `${options.prefix ?? 'gatehouse'}:rl:${name}` }
      this.limiters.set(
        name,
        this.redis
          ? // Redis down must not open the gates or close the registry: fall back to per-process counting.
            new RateLimiterRedis({ ...base, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(base) })
          : new RateLimiterMemory(base),
      )
    }
  }

  /** Counts one attempt; throws rateLimited (429, with the seconds to wait) past the limit. */
  async consume(name: LimitName, key: string | number | null | undefined): Promise<void> {
    const limiter = this.limiters.get(name)
    if (!limiter || key === null || key === undefined || key === '') return
    try {
      await limiter.consume(String(key))
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000))
        throw new RegistryError('rateLimited', `${MESSAGES[name]}; try again in ${retryAfter} s`, { retryAfter })
      }
      throw err
    }
  }

  /** Refuses without counting when the key is already past its limit (check before a login, count its failure after). */
  async check(name: LimitName, key: string | number | null | undefined): Promise<void> {
    const limiter = this.limiters.get(name)
    if (!limiter || key === null || key === undefined || key === '') return
    const res = await limiter.get(String(key))
    const spec = (limiter as unknown as { points: number }).points
    if (res && res.consumedPoints >= spec) {
      const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000))
      throw new RegistryError('rateLimited', `${MESSAGES[name]}; try again in ${retryAfter} s`, { retryAfter })
    }
  }

  /** Forgets the attempts of a key (a successful login clears its failures). */
  async reset(name: LimitName, key: string | number | null | undefined): Promise<void> {
    const limiter = this.limiters.get(name)
    if (limiter && key !== null && key !== undefined) await limiter.delete(String(key))
  }

  async close(): Promise<void> {
    this.redis?.disconnect()
  }
}
