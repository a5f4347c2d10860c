// Sends a notification once per (kind, channel, recipient, subject) and records it: email through the mailer, or a signed webhook.
import { createHmac } from 'node:crypto'
import type { Deps } from '../deps.ts'
import { isUniqueViolation } from '../db/dialect.ts'

type NotifyDeps = Pick<Deps, 'db' | 'config' | 'defense' | 'log'>

export interface Notification {
  readonly kind: string
  readonly subjectKey: string
}

async function once(deps: NotifyDeps, n: Notification & { channel: 'email' | 'webhook'; recipient: string; body: unknown }, send: () => Promise<'sent' | 'skipped'>): Promise<void> {
  const db = deps.db.kysely
  const existing = await db
    .selectFrom('notifications')
    .select(['id', 'status'])
    .where('kind', '=', n.kind)
    .where('channel', '=', n.channel)
    .where('recipient', '=', n.recipient)
    .where('subject_key', '=', n.subjectKey)
    .executeTakeFirst()
  if (existing && existing.status !== 'failed') return
  let status: 'sent' | 'skipped' | 'failed' = 'failed'
  let error: string | null = null
  try {
    status = await send()
    if (status === 'skipped') error = n.channel === 'email' ? 'no SMTP server configured' : 'no webhook configured'
  } catch (err) {
    error = String((err as Error).message ?? err).slice(0, 1000)
  }
  const row = { kind: n.kind, channel: n.channel, recipient: n.recipient, subject_key: n.subjectKey, body: JSON.stringify(n.body), status, error, created_at: new Date().toISOString() }
  if (existing) await db.updateTable('notifications').set(row).where('id', '=', existing.id).execute()
  else {
    try {
      await db.insertInto('notifications').values(row).execute()
    } catch (err) {
      // A concurrent delivery of the same job recorded it first.
      if (!isUniqueViolation(err)) throw err
    }
  }
  // A failure makes the job retry; what was sent stays sent.
  if (status === 'failed') throw new Error(`notification to ${n.recipient} failed: ${error}`)
}

export async function notifyByEmail(deps: NotifyDeps, n: Notification & { to: string; subject: string; text: string }): Promise<void> {
  const mailer = deps.defense.mailer
  await once(deps, { ...n, channel: 'email', recipient: n.to, body: { subject: n.subject, text: n.text } }, async () => {
    if (!mailer) return 'skipped'
    await mailer.send({ to: n.to, subject: n.subject, text: n.text })
    return 'sent'
  })
}

/** JSON POST to GATEHOUSE_NOTIFY_WEBHOOK_URL, signed `x-gatehouse-signature: sha256=<hmac>` when a secret is set. */
export async function notifyByWebhook(deps: NotifyDeps, n: Notification & { payload: Record<string, unknown> }): Promise<void> {
  const url = deps.config.notifyWebhookUrl
  await once(deps, { ...n, channel: 'webhook', recipient: url ?? '(none)', body: n.payload }, async () => {
    if (!url) return 'skipped'
    const body = JSON.stringify(n.payload)
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-gatehouse-event': n.kind }
    if (deps.config.notifyWebhookSecret) headers['x-gatehouse-signature'] = `sha256=${createHmac('sha256', deps.config.notifyWebhookSecret).update(body).digest('hex')}`
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
    if (!res.ok) throw new Error(`webhook answered ${res.status}`)
    return 'sent'
  })
}
