// The upload monitor: records every upload and signup, and watches sliding windows for bursts, spikes and clone campaigns.
import type { Db } from '../db/create-db.ts'
import type { Config } from '../config/config.ts'
import type { Logger } from '../deps.ts'
import { SYSTEM } from '../accounts/types.ts'
import type { AlertInput, Alerts } from './alerts.ts'
import type { SwitchBoard, SwitchName } from './switches.ts'
import type { Incidents } from './incidents.ts'

export interface UploadEvent {
  readonly userId: number
  readonly accountCreatedAt: string
  readonly ip: string | null
  readonly tokenId: number | null
  readonly ecosystem: string
  readonly packageName: string
  readonly versionId: number
  readonly newPackage: boolean
  readonly fingerprint: string
}

type MonitorConfig = Pick<
  Config,
  'monitorAccountUploadsPerMinute' | 'monitorIpUploadsPerMinute' | 'monitorSignupsPer10Minutes' | 'monitorCloneAccounts' | 'monitorSpikeFactor' | 'circuitBreakers'
>

/** The narrow switch each rule may flip when the operator lets it (GATEHOUSE_CIRCUIT_BREAKERS). */
export const BREAKERS: Readonly<Record<string, { switch: SwitchName; value: unknown }>> = {
  'account-burst': { switch: 'new-account-uploads', value: 7 },
  'ip-burst': { switch: 'new-account-uploads', value: 7 },
  'clone-campaign': { switch: 'new-account-uploads', value: 7 },
  'signup-burst': { switch: 'registrations-closed', value: true },
  'upload-spike': { switch: 'new-packages-closed', value: true },
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

export class UploadMonitor {
  constructor(
    private readonly db: Db,
    private readonly config: MonitorConfig,
    private readonly alerts: Alerts,
    private readonly switches: SwitchBoard,
    private readonly incidents: Incidents,
    private readonly log: Logger,
  ) {}

  /** Records an accepted upload and evaluates the rules; returns the rules that fired. */
  async recordUpload(event: UploadEvent): Promise<string[]> {
    const at = new Date().toISOString()
    await this.db.kysely
      .insertInto('upload_events')
      .values({
        at,
        user_id: event.userId,
        account_created_at: event.accountCreatedAt,
        ip: event.ip,
        token_id: event.tokenId,
        ecosystem: event.ecosystem,
        package_name: event.packageName,
        version_id: event.versionId,
        new_package: event.newPackage ? 1 : 0,
        fingerprint: event.fingerprint,
      })
      .execute()
    const fired: AlertInput[] = []
    const count = async (filter: (q: any) => any, sinceMs: number): Promise<number> => {
      const row = await filter(this.db.kysely.selectFrom('upload_events').select((eb) => eb.fn.countAll<number>().as('n')).where('at', '>=', ago(sinceMs))).executeTakeFirst()
      return Number(row?.n ?? 0)
    }

    const byAccount = await count((q) => q.where('user_id', '=', event.userId), 60_000)
    if (byAccount > this.config.monitorAccountUploadsPerMinute) {
      fired.push({
        rule: 'account-burst',
        key: `user:${event.userId}`,
        severity: 'critical',
        summary: `one account uploaded ${byAccount} versions in the last minute`,
        details: { userId: event.userId, uploadsLastMinute: byAccount, threshold: this.config.monitorAccountUploadsPerMinute, accountCreatedAt: event.accountCreatedAt },
      })
    }
    if (event.ip) {
      const byIp = await count((q) => q.where('ip', '=', event.ip), 60_000)
      if (byIp > this.config.monitorIpUploadsPerMinute) {
        fired.push({ rule: 'ip-burst', key: `ip:${event.ip}`, severity: 'critical', summary: `${byIp} uploads from ${event.ip} in the last minute`, details: { ip: event.ip, uploadsLastMinute: byIp } })
      }
    }
    const clones = await this.db.kysely
      .selectFrom('upload_events')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('accounts'))
      .where('fingerprint', '=', event.fingerprint)
      .where('at', '>=', ago(3_600_000))
      .executeTakeFirst()
    const accounts = Number(clones?.accounts ?? 0)
    if (accounts >= this.config.monitorCloneAccounts) {
      fired.push({
        rule: 'clone-campaign',
        key: `fingerprint:${event.fingerprint}`,
        severity: 'critical',
        summary: `${accounts} accounts uploaded the same content under different names within an hour`,
        details: { fingerprint: event.fingerprint, accounts, latest: `${event.packageName}` },
      })
    }
    const recent = await count((q) => q, 5 * 60_000)
    const day = await count((q) => q.where('at', '<', ago(5 * 60_000)), 24 * 3_600_000)
    const baseline = day / (24 * 12)
    if (recent >= 20 && recent > this.config.monitorSpikeFactor * baseline) {
      fired.push({
        rule: 'upload-spike',
        key: 'global',
        severity: 'warning',
        summary: `${recent} uploads in 5 minutes, against a 24-hour average of ${baseline.toFixed(1)} per 5 minutes`,
        details: { last5Minutes: recent, baselinePer5Minutes: Number(baseline.toFixed(2)) },
      })
    }
    for (const alert of fired) await this.fire(alert)
    return fired.map((a) => a.rule)
  }

  /** Called after an account is created: bursts of new accounts are the other half of a mass upload. */
  async recordSignup(): Promise<string[]> {
    const row = await this.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('created_at', '>=', ago(10 * 60_000)).executeTakeFirst()
    const n = Number(row?.n ?? 0)
    if (n <= this.config.monitorSignupsPer10Minutes) return []
    await this.fire({ rule: 'signup-burst', key: 'global', severity: 'critical', summary: `${n} new accounts in the last 10 minutes`, details: { signupsLast10Minutes: n, threshold: this.config.monitorSignupsPer10Minutes } })
    return ['signup-burst']
  }

  private async fire(input: AlertInput): Promise<void> {
    const { fresh } = await this.alerts.raise(input)
    const breaker = BREAKERS[input.rule]
    if (!fresh || !breaker || !this.config.circuitBreakers.includes(input.rule)) return
    const reason = `circuit breaker for ${input.rule}: ${input.summary}`
    const flipped = await this.switches.set(breaker.switch, breaker.value, reason, SYSTEM('breaker'))
    if (!flipped) return
    this.log.warn({ rule: input.rule, switch: breaker.switch }, 'circuit breaker flipped a switch')
    await this.incidents.automatic(`Automatic protection: ${breaker.switch}`, `${input.summary}. As a precaution the registry switched on "${breaker.switch}" while the security team investigates.`)
  }
}
