// The defense layer in front of every write: switches, IP blocks and rate limits before the work; the monitor after it.
import type { Config } from '../config/config.ts'
import type { Db } from '../db/create-db.ts'
import type { Logger } from '../deps.ts'
import { RegistryError } from '../core/errors.ts'
import { Alerts } from './alerts.ts'
import { Incidents } from './incidents.ts'
import { IpBlocks, type BlockScope } from './ip-blocks.ts'
import { createMailer, type Mailer } from './mailer.ts'
import { Metrics } from './metrics.ts'
import { UploadMonitor, type UploadEvent } from './monitor.ts'
import { RateLimits, type LimitName } from './rate-limits.ts'
import { SwitchBoard } from './switches.ts'

export class Defense {
  readonly metrics = new Metrics()
  readonly switches: SwitchBoard
  readonly ipBlocks: IpBlocks
  readonly rateLimits: RateLimits
  readonly alerts: Alerts
  readonly incidents: Incidents
  readonly monitor: UploadMonitor
  readonly mailer: Mailer | undefined

  constructor(
    private readonly db: Db,
    config: Config,
    private readonly log: Logger,
  ) {
    this.switches = new SwitchBoard(db, config.switchCacheMs)
    this.ipBlocks = new IpBlocks(db, config.switchCacheMs)
    this.rateLimits = new RateLimits({ limits: config.rateLimits === 'default' ? {} : config.rateLimits, redisUrl: config.redisUrl, prefix: config.redisPrefix })
    this.mailer = createMailer(config)
    this.alerts = new Alerts(db, config, log, this.metrics, this.mailer)
    this.incidents = new Incidents(db, config.publicUrl)
    this.monitor = new UploadMonitor(db, config, this.alerts, this.switches, this.incidents, log)
  }

  private refuse(reason: string, err: RegistryError): never {
    this.metrics.refusals.inc({ reason })
    throw err
  }

  private async limit(name: LimitName, key: string | number | null | undefined, mode: 'consume' | 'check' = 'consume'): Promise<void> {
    try {
      await (mode === 'consume' ? this.rateLimits.consume(name, key) : this.rateLimits.check(name, key))
    } catch (err) {
      if (err instanceof RegistryError) this.refuse(`rate-limit:${name}`, err)
      throw err
    }
  }

  private async blocked(ip: string | null, scope: BlockScope): Promise<void> {
    const block = await this.ipBlocks.find(ip, scope)
    if (block) this.refuse(`ip-block:${scope}`, new RegistryError('ipBlocked', `requests from ${ip} are blocked by the registry's operators (${block.reason})`))
  }

  /** Every write outside the operators' own controls is refused in read-only mode. */
  async guardWrite(): Promise<void> {
    const state = await this.switches.current()
    if (state.readOnly) this.refuse('switch:read-only', new RegistryError('readOnly', `the registry is read-only for now${state.banner ? `: ${state.banner}` : ''}`))
  }

  async guardSignup(ip: string | null): Promise<void> {
    await this.guardWrite()
    await this.blocked(ip, 'registration')
    const state = await this.switches.current()
    if (state.registrationsClosed) this.refuse('switch:registrations-closed', new RegistryError('signupClosed', `new accounts are not being accepted right now${state.banner ? `: ${state.banner}` : ''}`))
    await this.limit('signup-ip', ip)
  }

  /** Before a password is checked: blocked addresses and keys past their failure limit are refused without trying. */
  async guardLogin(ip: string | null, name: string): Promise<void> {
    await this.blocked(ip, 'login')
    await this.limit('login-ip', ip, 'check')
    await this.limit('login-account', name.toLowerCase(), 'check')
  }

  async loginFailed(ip: string | null, name: string): Promise<void> {
    await this.rateLimits.consume('login-ip', ip).catch(() => undefined)
    await this.rateLimits.consume('login-account', name.toLowerCase()).catch(() => undefined)
  }

  async guardToken(ip: string | null): Promise<void> {
    await this.limit('token-failure-ip', ip, 'check')
  }

  async tokenFailed(ip: string | null): Promise<void> {
    await this.rateLimits.consume('token-failure-ip', ip).catch(() => undefined)
  }

  async guardUpload(input: { ip: string | null; userId: number; newPackage: boolean }): Promise<void> {
    await this.guardWrite()
    const state = await this.switches.current()
    const banner = state.banner ? `: ${state.banner}` : ''
    if (state.uploadsClosed) this.refuse('switch:uploads-closed', new RegistryError('closedByOperator', `uploads are paused by the registry's operators${banner}`))
    if (input.newPackage && state.newPackagesClosed) this.refuse('switch:new-packages-closed', new RegistryError('closedByOperator', `new packages are not being accepted right now; new versions of existing packages are${banner}`))
    if (state.newAccountUploadDays !== null) {
      const user = await this.db.kysely.selectFrom('users').select('created_at').where('id', '=', input.userId).executeTakeFirst()
      const ageDays = user ? (Date.now() - Date.parse(user.created_at)) / 86_400_000 : 0
      if (ageDays < state.newAccountUploadDays) {
        this.refuse('switch:new-account-uploads', new RegistryError('closedByOperator', `accounts younger than ${state.newAccountUploadDays} days cannot upload right now${banner}`))
      }
    }
    await this.blocked(input.ip, 'upload')
    await this.limit('publish-ip', input.ip)
    await this.limit('publish-account', input.userId)
    if (input.newPackage) {
      await this.limit('new-package-account', input.userId)
      await this.limit('new-package-ip', input.ip)
    }
  }

  /** After the upload committed: counted and watched. A monitor failure never fails the upload. */
  async afterUpload(event: UploadEvent): Promise<void> {
    this.metrics.uploads.inc({ ecosystem: event.ecosystem, new_package: String(event.newPackage) })
    try {
      await this.monitor.recordUpload(event)
    } catch (err) {
      this.log.error({ err }, 'upload monitor failed')
    }
  }

  async afterSignup(): Promise<void> {
    try {
      await this.monitor.recordSignup()
    } catch (err) {
      this.log.error({ err }, 'upload monitor failed on a signup')
    }
  }

  async close(): Promise<void> {
    await this.rateLimits.close()
    this.mailer?.close()
  }
}
