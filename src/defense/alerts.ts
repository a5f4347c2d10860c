// Alerts: deduplicated, stored with their history, delivered to the log, a signed webhook, email and metrics.
import { createHmac } from 'node:crypto'
import type { Db } from '../db/create-db.ts'
import type { AlertRow } from '../db/schema.ts'
import type { Config } from '../config/config.ts'
import type { Logger } from '../deps.ts'
import type { Mailer } from './mailer.ts'
import type { Metrics } from './metrics.ts'

export interface AlertInput {
  /** Rule id: 'account-burst', 'clone-campaign', 'drill'… */
  readonly rule: string
  /** What the alert is about (an account, an address, a fingerprint): repeated firings for it are deduplicated. */
  readonly key: string
  readonly severity: AlertRow['severity']
  readonly summary: string
  readonly details: Record<string, unknown>
}

export interface RaisedAlert {
  readonly alert: AlertRow
  /** false when it joined an alert raised within the dedup window, and was not sent again. */
  readonly fresh: boolean
}

type AlertConfig = Pick<Config, 'alertDedupMinutes' | 'alertWebhookUrl' | 'alertWebhookSecret' | 'alertEmailTo' | 'publicUrl'>

export class Alerts {
  constructor(
    private readonly db: Db,
    private readonly config: AlertConfig,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly mailer: Mailer | undefined,
  ) {}

  /** The channels configured on this deployment; the drill checks every one of them delivered. */
  channels(): string[] {
    return ['log', ...(this.config.alertWebhookUrl ? ['webhook'] : []), ...(this.mailer && this.config.alertEmailTo ? ['email'] : [])]
  }

  async raise(input: AlertInput): Promise<RaisedAlert> {
    this.metrics.alerts.inc({ rule: input.rule, severity: input.severity })
    const now = new Date()
    const since = new Date(now.getTime() - this.config.alertDedupMinutes * 60_000).toISOString()
    const at = now.toISOString()
    const { alert, fresh } = await this.db.kysely.transaction().execute(async (trx) => {
      const open = await trx
        .selectFrom('alerts')
        .selectAll()
        .where('rule', '=', input.rule)
        .where('dedup_key', '=', input.key)
        .where('last_at', '>=', since)
        .orderBy('id', 'desc')
        .executeTakeFirst()
      if (open) {
        await trx.updateTable('alerts').set({ count: open.count + 1, last_at: at }).where('id', '=', open.id).execute()
        return { alert: { ...open, count: open.count + 1, last_at: at }, fresh: false }
      }
      const row = await trx
        .insertInto('alerts')
        .values({ rule: input.rule, dedup_key: input.key, severity: input.severity, summary: input.summary, details: JSON.stringify(input.details), count: 1, first_at: at, last_at: at, deliveries: '{}' })
        .returningAll()
        .executeTakeFirstOrThrow()
      return { alert: row, fresh: true }
    })
    if (!fresh) return { alert, fresh }
    const deliveries = await this.deliver(alert, input)
    await this.db.kysely.updateTable('alerts').set({ deliveries: JSON.stringify(deliveries) }).where('id', '=', alert.id).execute()
    return { alert: { ...alert, deliveries: JSON.stringify(deliveries) }, fresh }
  }

  private async deliver(alert: AlertRow, input: AlertInput): Promise<Record<string, string>> {
    const payload = {
      id: alert.id,
      rule: input.rule,
      key: input.key,
      severity: input.severity,
      summary: input.summary,
      details: input.details,
      at: alert.first_at,
      console: `${this.config.publicUrl}-/console/alerts`,
    }
    const result: Record<string, string> = {}
    this.log.warn({ alert: payload }, `alert: ${input.summary}`)
    result.log = 'sent'
    if (this.config.alertWebhookUrl) result.webhook = await this.postWebhook(this.config.alertWebhookUrl, payload)
    if (this.mailer && this.config.alertEmailTo) {
      try {
        await this.mailer.send({
          to: this.config.alertEmailTo,
          subject: `[gatehouse ${input.severity}] ${input.summary}`,
          text: `${input.summary}\n\nRule: ${input.rule}\nSubject: ${input.key}\nAt: ${alert.first_at}\n\n${JSON.stringify(input.details, null, 2)}\n\n${payload.console}\n`,
        })
        result.email = 'sent'
      } catch (err) {
        result.email = `failed: ${(err as Error).message}`
      }
    }
    return result
  }

  /** JSON body signed with HMAC-SHA256 of the raw body (`x-gatehouse-signature: sha256=<hex>`), as GitHub signs its webhooks. */
  private async postWebhook(url: string, payload: unknown): Promise<string> {
    const body = JSON.stringify(payload)
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'gatehouse-alerts' }
    if (this.config.alertWebhookSecret) headers['x-gatehouse-signature'] = `sha256=${createHmac('sha256', this.config.alertWebhookSecret).update(body).digest('hex')}`
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) })
      return res.ok ? 'sent' : `failed: HTTP ${res.status}`
    } catch (err) {
      return `failed: ${(err as Error).message}`
    }
  }

  async list(limit = 100): Promise<AlertRow[]> {
    return this.db.kysely.selectFrom('alerts').selectAll().orderBy('id', 'desc').limit(limit).execute()
  }
}
