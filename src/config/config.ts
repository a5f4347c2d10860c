// Typed, frozen configuration loaded once at boot; the only module that reads process.env.
import { readFileSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) =>
  typeof v === 'boolean' ? v : ['true', '1', 'yes'].includes(v),
)
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const bytes = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const parsed = parseBytes(v)
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a size: ${String(v)} (use e.g. 52428800, 50mb, 1gb)` })
      return z.NEVER
    }
    return parsed
  })

const schema = z.object({
  port: int(0, 65535).default(4873),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('./data'),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  databaseUrl: z
    .string()
    .refine((v) => /^(postgres|postgresql|sqlite):/.test(v) || !v.includes(':'), {
      message: 'must be postgres://…, sqlite:PATH, or a file path',
    })
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run the job worker inside `serve` (embedded default). Scale-out turns this off and runs `gatehouse worker`. */
  worker: bool.default(true),
  workerConcurrency: int(1, 64).default(2),
  /** Largest request body accepted (npm publish bodies carry the tarball in base64). */
  maxBodyBytes: bytes.default(160 * 1024 * 1024),
  /** Limits applied to every uploaded archive before anything is stored. */
  // platform-binary packages (compilers, native modules) reach 40–100 MB
  maxArchiveBytes: bytes.default(112 * 1024 * 1024),
  maxUnpackedBytes: bytes.default(512 * 1024 * 1024),
  maxArchiveEntries: int(1, 1_000_000).default(20_000),
  maxEntryBytes: bytes.default(256 * 1024 * 1024),
  maxPathDepth: int(1, 1000).default(64),
  /** Owners may unpublish a version within this many hours of its publication. */
  unpublishWindowHours: int(0, 24 * 365 * 100).default(72),
  /** Anyone may create an account through the client's adduser flow. */
  allowSignup: bool.default(true),
  /** Password hashing cost (scrypt N = 2^cost). Tests lower it; production keeps the default. */
  passwordCost: int(10, 20).default(15),
  /** Risk score at which the gate holds a version for review, and at which it rejects it outright. */
  holdThreshold: int(1, 100_000).default(50),
  rejectThreshold: int(1, 100_000).default(150),
  /** A scan that runs longer is stopped and the version held for review. */
  scanTimeoutSeconds: int(1, 3600).default(60),
  /** Worker threads for static scans in each process. */
  scanThreads: int(1, 64).default(2),
  /** HTTP header carrying the client address when behind a trusted reverse proxy. */
  trustProxy: bool.default(false),
  /** Every removal waits for a second reviewer's confirmation (otherwise only when the first marks doubt). */
  reviewTwoPerson: bool.default(false),
  /** Shortest reason a human may give for a state-changing action. */
  reviewReasonMinLength: int(1, 1000).default(10),
  /** Redis for rate limits shared by every process; without it each process counts on its own. */
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must be redis://… or rediss://…').optional(),
  /** Key prefix in Redis, so deployments can share one server. */
  redisPrefix: z.string().min(1).default('gatehouse'),
  /** 'default', 'off', or a JSON object overriding limits: {"login-ip": {"points": 10, "seconds": 300}, …}. */
  rateLimits: z
    .union([z.literal('default'), z.literal('off'), z.string(), z.record(z.string(), z.object({ points: z.number().int().min(1), seconds: z.number().int().min(1) }))])
    .default('default')
    .transform((v, ctx) => {
      if (v === 'default' || v === 'off') return v
      try {
        const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v
        return z.record(z.string(), z.object({ points: z.number().int().min(1), seconds: z.number().int().min(1) })).parse(parsed)
      } catch {
        ctx.addIssue({ code: 'custom', message: "must be 'default', 'off' or a JSON object of {points, seconds} by limit name" })
        return z.NEVER
      }
    }),
  /** How long a process may act on switches and IP blocks it read earlier. */
  switchCacheMs: int(0, 60_000).default(1000),
  /** Upload monitor: uploads per minute from one account, and from one address, that raise an alert. */
  monitorAccountUploadsPerMinute: int(1, 100_000).default(10),
  monitorIpUploadsPerMinute: int(1, 100_000).default(30),
  /** New accounts per 10 minutes that raise an alert. */
  monitorSignupsPer10Minutes: int(1, 100_000).default(10),
  /** Accounts uploading the same masked content within an hour that raise an alert. */
  monitorCloneAccounts: int(2, 1000).default(3),
  /** Uploads in 5 minutes above this many times the day's 5-minute average (and at least 20) raise an alert. */
  monitorSpikeFactor: z.coerce.number().min(1).max(1000).default(5),
  /** Repeated firings of one alert within this window are counted, not sent again. */
  alertDedupMinutes: int(1, 24 * 60).default(15),
  alertWebhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  alertWebhookSecret: z.string().min(16).optional(),
  alertEmailTo: z.string().min(3).optional(),
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'must be smtp://… or smtps://…').optional(),
  mailFrom: z.string().min(3).default('gatehouse@localhost'),
  /** Retroactive rescans: a published version whose new score reaches this is held at once (when enabled), not only filed for review. */
  rescanCriticalThreshold: int(1, 100_000).default(150),
  rescanHoldCritical: bool.default(true),
  /** A worker that finds stored versions judged by an older ruleset starts a rescan by itself. */
  rescanOnRulesetChange: bool.default(true),
  /** Versions per rescan job, and the pause after each version: one batch at a time keeps serving unaffected. */
  rescanBatchSize: int(1, 10_000).default(25),
  rescanPauseMs: int(0, 60_000).default(50),
  /**
   * The dynamic stage: `always` runs every version that has install-time or load-time code in the
   * sandbox, `install` only versions with install-time code or some static evidence, `off` never.
   */
  sandbox: z.enum(['always', 'install', 'off']).default('always'),
  /** Static score from which `install` runs the sandbox even without install-time code. */
  sandboxScoreFloor: int(0, 100_000).default(1),
  /** Wall-clock limit per step in the sandbox (a lifecycle script, an import). */
  sandboxStepSeconds: int(1, 600).default(20),
  /** A module of the operators' own rules (exports `rules` and `version`), run after the built-in ones. */
  extraRulesPath: z.string().min(1).optional(),
  /** How long an embedded-queue job stays claimed before another worker may take it over (a worker died). */
  jobLeaseSeconds: int(1, 24 * 3600).default(300),
  /** An OSV feed (a .zip/.tar.gz archive or a JSON list of records) pulled on a schedule. */
  intelFeedUrl: z.url({ protocol: /^https?$/ }).optional(),
  intelFeedIntervalMinutes: int(1, 7 * 24 * 60).default(60),
  /** Where removals are announced to dependents' systems (JSON POSTs, signed when a secret is set). */
  notifyWebhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  notifyWebhookSecret: z.string().min(16).optional(),
  /** A trusted report on a package younger than this holds it at once. */
  reportYoungPackageHours: int(0, 24 * 365).default(24),
  /** Alert rules allowed to flip their narrow switch automatically (comma-separated rule ids). */
  circuitBreakers: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
})

export type Config = Readonly<z.infer<typeof schema>> & {
  readonly publicUrl: string
  readonly database: { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string }
}

export type ConfigInput = Partial<Record<keyof z.input<typeof schema>, unknown>>

const ENV_KEYS: Record<keyof z.input<typeof schema>, string> = {
  port: 'GATEHOUSE_PORT',
  host: 'GATEHOUSE_HOST',
  dataDir: 'GATEHOUSE_DATA_DIR',
  publicUrl: 'GATEHOUSE_PUBLIC_URL',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'GATEHOUSE_LOG_LEVEL',
  worker: 'GATEHOUSE_WORKER',
  workerConcurrency: 'GATEHOUSE_WORKER_CONCURRENCY',
  maxBodyBytes: 'GATEHOUSE_MAX_BODY_BYTES',
  maxArchiveBytes: 'GATEHOUSE_MAX_ARCHIVE_BYTES',
  maxUnpackedBytes: 'GATEHOUSE_MAX_UNPACKED_BYTES',
  maxArchiveEntries: 'GATEHOUSE_MAX_ARCHIVE_ENTRIES',
  maxEntryBytes: 'GATEHOUSE_MAX_ENTRY_BYTES',
  maxPathDepth: 'GATEHOUSE_MAX_PATH_DEPTH',
  unpublishWindowHours: 'GATEHOUSE_UNPUBLISH_WINDOW_HOURS',
  allowSignup: 'GATEHOUSE_ALLOW_SIGNUP',
  passwordCost: 'GATEHOUSE_PASSWORD_COST',
  trustProxy: 'GATEHOUSE_TRUST_PROXY',
  holdThreshold: 'GATEHOUSE_HOLD_THRESHOLD',
  rejectThreshold: 'GATEHOUSE_REJECT_THRESHOLD',
  scanTimeoutSeconds: 'GATEHOUSE_SCAN_TIMEOUT_SECONDS',
  scanThreads: 'GATEHOUSE_SCAN_THREADS',
  reviewTwoPerson: 'GATEHOUSE_REVIEW_TWO_PERSON',
  reviewReasonMinLength: 'GATEHOUSE_REVIEW_REASON_MIN_LENGTH',
  redisUrl: 'GATEHOUSE_REDIS_URL',
  redisPrefix: 'GATEHOUSE_REDIS_PREFIX',
  rateLimits: 'GATEHOUSE_RATE_LIMITS',
  switchCacheMs: 'GATEHOUSE_SWITCH_CACHE_MS',
  monitorAccountUploadsPerMinute: 'GATEHOUSE_MONITOR_ACCOUNT_UPLOADS_PER_MINUTE',
  monitorIpUploadsPerMinute: 'GATEHOUSE_MONITOR_IP_UPLOADS_PER_MINUTE',
  monitorSignupsPer10Minutes: 'GATEHOUSE_MONITOR_SIGNUPS_PER_10_MINUTES',
  monitorCloneAccounts: 'GATEHOUSE_MONITOR_CLONE_ACCOUNTS',
  monitorSpikeFactor: 'GATEHOUSE_MONITOR_SPIKE_FACTOR',
  alertDedupMinutes: 'GATEHOUSE_ALERT_DEDUP_MINUTES',
  alertWebhookUrl: 'GATEHOUSE_ALERT_WEBHOOK_URL',
  alertWebhookSecret: 'GATEHOUSE_ALERT_WEBHOOK_SECRET',
  alertEmailTo: 'GATEHOUSE_ALERT_EMAIL_TO',
  smtpUrl: 'GATEHOUSE_SMTP_URL',
  mailFrom: 'GATEHOUSE_MAIL_FROM',
  rescanCriticalThreshold: 'GATEHOUSE_RESCAN_CRITICAL_THRESHOLD',
  rescanHoldCritical: 'GATEHOUSE_RESCAN_HOLD_CRITICAL',
  rescanOnRulesetChange: 'GATEHOUSE_RESCAN_ON_RULESET_CHANGE',
  rescanBatchSize: 'GATEHOUSE_RESCAN_BATCH_SIZE',
  rescanPauseMs: 'GATEHOUSE_RESCAN_PAUSE_MS',
  extraRulesPath: 'GATEHOUSE_EXTRA_RULES',
  sandbox: 'GATEHOUSE_SANDBOX',
  sandboxScoreFloor: 'GATEHOUSE_SANDBOX_SCORE_FLOOR',
  sandboxStepSeconds: 'GATEHOUSE_SANDBOX_STEP_SECONDS',
  jobLeaseSeconds: 'GATEHOUSE_JOB_LEASE_SECONDS',
  intelFeedUrl: 'GATEHOUSE_INTEL_FEED_URL',
  intelFeedIntervalMinutes: 'GATEHOUSE_INTEL_FEED_INTERVAL_MINUTES',
  notifyWebhookUrl: 'GATEHOUSE_NOTIFY_WEBHOOK_URL',
  notifyWebhookSecret: 'GATEHOUSE_NOTIFY_WEBHOOK_SECRET',
  reportYoungPackageHours: 'GATEHOUSE_REPORT_YOUNG_PACKAGE_HOURS',
  circuitBreakers: 'GATEHOUSE_CIRCUIT_BREAKERS',
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Builds the configuration from (lowest to highest precedence) defaults, an optional JSON file
 * (`GATEHOUSE_CONFIG`, or ./gatehouse.json when present) and `GATEHOUSE_*` environment variables.
 * Every invalid value is reported at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const problems: string[] = []
  let fileValues: Record<string, unknown> = {}
  const explicitFile = env.GATEHOUSE_CONFIG
  const file = explicitFile ?? (existsSync('gatehouse.json') ? 'gatehouse.json' : undefined)
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`${file}: must contain a JSON object`)
      } else {
        fileValues = parsed as Record<string, unknown>
        for (const key of Object.keys(fileValues)) {
          if (!(key in ENV_KEYS)) problems.push(`${file}: unknown setting "${key}"`)
        }
      }
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`)
    }
  }

  const raw: Record<string, unknown> = { ...fileValues }
  for (const [key, envName] of Object.entries(ENV_KEYS)) {
    const value = env[envName]
    if (value !== undefined && value !== '') raw[key] = value
  }
  Object.assign(raw, Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)))

  const result = schema.safeParse(raw)
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '')
      const source = ENV_KEYS[key as keyof typeof ENV_KEYS] ?? key
      problems.push(`${source}: ${issue.message}`)
    }
  }
  if (result.success && result.data.rejectThreshold <= result.data.holdThreshold) {
    problems.push(`${ENV_KEYS.rejectThreshold}: must be above ${ENV_KEYS.holdThreshold} (${result.data.holdThreshold})`)
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems)

  const values = result.data
  const publicUrl = (values.publicUrl ?? `http://${displayHost(values.host)}:${values.port}/`).replace(/\/*$/, '/')
  const dataDir = resolve(values.dataDir)
  const database = databaseFrom(values.databaseUrl, dataDir)
  return Object.freeze({ ...values, dataDir, publicUrl, database })
}

function databaseFrom(url: string | undefined, dataDir: string): Config['database'] {
  if (url && /^postgres(ql)?:/.test(url)) return { kind: 'postgres', url }
  if (url) return { kind: 'sqlite', path: resolve(url.replace(/^sqlite:/, '')) }
  return { kind: 'sqlite', path: resolve(dataDir, 'gatehouse.db') }
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '127.0.0.1') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

export function parseBytes(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(value)
  if (!match) return undefined
  const unit = UNITS[match[2]!.toLowerCase().replace(/^([kmg])$/, '$1b')]
  if (unit === undefined) return undefined
  const n = Math.floor(Number(match[1]) * unit)
  return n > 0 ? n : undefined
}
