// Incidents: the response team's workspace (attack window, bulk quarantine, forensic bundle) and the public status updates.
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import type { Deps } from '../deps.ts'
import type { Db } from '../db/create-db.ts'
import type { Executor } from '../db/dialect.ts'
import type { IncidentRow, IncidentStatus, IncidentUpdateRow, VersionState } from '../db/schema.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { SYSTEM } from '../accounts/types.ts'
import { transitionVersion } from '../packages/service.ts'
import { fileVersionForReview } from '../review/service.ts'
import { blockMatches } from '../review/name-blocks.ts'
import { ipAllowed } from '../accounts/cidr.ts'

export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved']

/** The attack window: versions uploaded in a time range, narrowed by any of the other criteria given. */
export interface AttackWindow {
  readonly from: string
  readonly to: string
  readonly accounts?: readonly string[]
  /** Addresses or CIDR ranges. */
  readonly ips?: readonly string[]
  readonly tokenIds?: readonly number[]
  /** Globs over package names (`*-utils-?`). */
  readonly namePatterns?: readonly string[]
  readonly fingerprints?: readonly string[]
}

export interface WindowVersion {
  readonly versionId: number
  readonly ecosystem: string
  readonly name: string
  readonly version: string
  readonly state: VersionState
  readonly publisher: string
  readonly publisherId: number
  readonly ip: string | null
  readonly tokenId: number | null
  readonly createdAt: string
  readonly fingerprint: string | null
}

export function parseWindow(raw: unknown): AttackWindow {
  const w = (raw ?? {}) as Record<string, unknown>
  const time = (v: unknown, name: string) => {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new RegistryError('invalidRequest', `${name} must be an ISO date-time`)
    return new Date(v).toISOString()
  }
  const strings = (v: unknown, name: string) => {
    if (v === undefined) return undefined
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) throw new RegistryError('invalidRequest', `${name} must be a list of strings`)
    return v as string[]
  }
  const window: AttackWindow = {
    from: time(w.from, 'from'),
    to: time(w.to, 'to'),
    ...(w.accounts !== undefined ? { accounts: strings(w.accounts, 'accounts')! } : {}),
    ...(w.ips !== undefined ? { ips: strings(w.ips, 'ips')! } : {}),
    ...(w.namePatterns !== undefined ? { namePatterns: strings(w.namePatterns, 'namePatterns')! } : {}),
    ...(w.fingerprints !== undefined ? { fingerprints: strings(w.fingerprints, 'fingerprints')! } : {}),
    ...(w.tokenIds !== undefined ? { tokenIds: (Array.isArray(w.tokenIds) ? w.tokenIds : []).map(Number).filter(Number.isInteger) } : {}),
  }
  if (window.from > window.to) throw new RegistryError('invalidRequest', 'from must not be after to')
  return window
}

export class Incidents {
  constructor(
    private readonly db: Db,
    private readonly publicUrl: string,
  ) {}

  async open(input: { title: string; severity?: string; public?: boolean; body: string; window?: AttackWindow }, actor: AuditActor): Promise<IncidentRow> {
    const title = input.title.trim()
    if (title.length < 3 || title.length > 200) throw new RegistryError('invalidRequest', 'an incident needs a title of 3 to 200 characters')
    return this.db.kysely.transaction().execute(async (trx) => {
      const at = new Date().toISOString()
      const row = await trx
        .insertInto('incidents')
        .values({
          title,
          status: 'investigating',
          severity: input.severity ?? 'major',
          public: input.public === false ? 0 : 1,
          window: input.window ? JSON.stringify(input.window) : null,
          postmortem: null,
          created_by: actor.label,
          created_at: at,
          updated_at: at,
          resolved_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx.insertInto('incident_updates').values({ incident_id: row.id, status: 'investigating', body: input.body, created_by: actor.label, created_at: at }).execute()
      await appendAudit(trx, this.db.dialect, { actor, action: 'incident.open', subjectType: 'incident', subjectId: row.id, reason: input.body, after: { title, public: row.public === 1 } })
      return row
    })
  }

  /** A circuit breaker's own notice: one open automatic incident gathers them. */
  async automatic(title: string, body: string): Promise<IncidentRow> {
    const open = await this.db.kysely.selectFrom('incidents').selectAll().where('created_by', '=', 'system:breaker').where('status', '!=', 'resolved').orderBy('id', 'desc').executeTakeFirst()
    if (!open) return this.open({ title, body }, SYSTEM('breaker'))
    await this.update(open.id, { status: open.status, body }, SYSTEM('breaker'))
    return open
  }

  async update(id: number, input: { status: IncidentStatus; body: string; postmortem?: string | null }, actor: AuditActor): Promise<IncidentRow> {
    if (!INCIDENT_STATUSES.includes(input.status)) throw new RegistryError('invalidRequest', `status must be one of ${INCIDENT_STATUSES.join(', ')}`)
    if (input.body.trim().length === 0) throw new RegistryError('invalidRequest', 'an update needs a message')
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.get(id, trx)
      const at = new Date().toISOString()
      await trx
        .updateTable('incidents')
        .set({
          status: input.status,
          updated_at: at,
          resolved_at: input.status === 'resolved' ? (before.resolved_at ?? at) : null,
          ...(input.postmortem !== undefined ? { postmortem: input.postmortem } : {}),
        })
        .where('id', '=', id)
        .execute()
      await trx.insertInto('incident_updates').values({ incident_id: id, status: input.status, body: input.body, created_by: actor.label, created_at: at }).execute()
      await appendAudit(trx, this.db.dialect, { actor, action: 'incident.update', subjectType: 'incident', subjectId: id, reason: input.body, before: { status: before.status }, after: { status: input.status } })
      return this.get(id, trx)
    })
  }

  async setWindow(id: number, window: AttackWindow, actor: AuditActor): Promise<IncidentRow> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const before = await this.get(id, trx)
      await trx.updateTable('incidents').set({ window: JSON.stringify(window), updated_at: new Date().toISOString() }).where('id', '=', id).execute()
      await appendAudit(trx, this.db.dialect, { actor, action: 'incident.window', subjectType: 'incident', subjectId: id, before: { window: before.window ? (JSON.parse(before.window) as unknown) : null }, after: { window } })
      return this.get(id, trx)
    })
  }

  async get(id: number, db: Executor = this.db.kysely): Promise<IncidentRow> {
    const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw new RegistryError('notFound', `no incident ${id}`)
    return row
  }

  async list(options: { publicOnly: boolean }): Promise<(IncidentRow & { updates: IncidentUpdateRow[] })[]> {
    let q = this.db.kysely.selectFrom('incidents').selectAll()
    if (options.publicOnly) q = q.where('public', '=', 1)
    const incidents = await q.orderBy('id', 'desc').limit(100).execute()
    const updates = incidents.length
      ? await this.db.kysely.selectFrom('incident_updates').selectAll().where('incident_id', 'in', incidents.map((i) => i.id)).orderBy('id', 'desc').execute()
      : []
    return incidents.map((i) => ({ ...i, updates: updates.filter((u) => u.incident_id === i.id) }))
  }

  /** Every version the window's query matches, oldest first. */
  async windowVersions(window: AttackWindow): Promise<WindowVersion[]> {
    let q = this.db.kysely
      .selectFrom('versions')
      .innerJoin('packages', 'packages.id', 'versions.package_id')
      .innerJoin('users', 'users.id', 'versions.publisher_id')
      .leftJoin('upload_events', 'upload_events.version_id', 'versions.id')
      .select([
        'versions.id as versionId',
        'packages.ecosystem as ecosystem',
        'packages.name as name',
        'versions.version as version',
        'versions.state as state',
        'users.name as publisher',
        'users.id as publisherId',
        'versions.upload_ip as ip',
        'versions.token_id as tokenId',
        'versions.created_at as createdAt',
        'upload_events.fingerprint as fingerprint',
      ])
      .where('versions.created_at', '>=', window.from)
      .where('versions.created_at', '<=', window.to)
    if (window.accounts?.length) q = q.where('users.name', 'in', [...window.accounts])
    if (window.tokenIds?.length) q = q.where('versions.token_id', 'in', [...window.tokenIds])
    if (window.fingerprints?.length) q = q.where('upload_events.fingerprint', 'in', [...window.fingerprints])
    const rows = (await q.orderBy('versions.id').execute()) as WindowVersion[]
    return rows.filter(
      (r) =>
        (!window.ips?.length || ipAllowed(r.ip, window.ips.map((ip) => (ip.includes('/') ? ip : ip.includes(':') ? `${ip}/128` : `${ip}/32`)))) &&
        (!window.namePatterns?.length || window.namePatterns.some((p) => blockMatches({ kind: /[*?]/.test(p) ? 'glob' : 'exact', pattern: p }, r.name))),
    )
  }

  /**
   * Quarantines the window in one action: every pending or published version becomes held and
   * lands on the review desk (nothing is deleted); optionally the publishing accounts are suspended.
   */
  async quarantine(deps: Pick<Deps, 'db' | 'ecosystems' | 'config'>, id: number, input: { reason: string; suspendAccounts: boolean }, actor: AuditActor) {
    const incident = await this.get(id)
    if (!incident.window) throw new RegistryError('invalidRequest', `incident ${id} has no attack window yet`)
    const window = JSON.parse(incident.window) as AttackWindow
    const versions = await this.windowVersions(window)
    return this.db.kysely.transaction().execute(async (trx) => {
      const held: string[] = []
      for (const v of versions) {
        const current = await trx.selectFrom('versions').select('state').where('id', '=', v.versionId).executeTakeFirstOrThrow()
        if (current.state !== 'pending' && current.state !== 'published' && current.state !== 'held') continue
        const eco = deps.ecosystems.get(v.ecosystem as EcosystemId)!
        if (current.state !== 'held') {
          await transitionVersion(deps, eco, trx, { versionId: v.versionId, from: current.state, to: 'held', reason: `quarantined by incident ${id}: ${input.reason}`, actor })
        }
        const pkg = await trx.selectFrom('packages').select('id').where('ecosystem', '=', v.ecosystem).where('name', '=', v.name).executeTakeFirstOrThrow()
        await fileVersionForReview(trx, deps.db.dialect, { packageId: pkg.id, versionId: v.versionId, score: 0, source: 'incident', actor, note: `quarantined by incident ${id}: ${input.reason}` })
        held.push(`${v.name}@${v.version}`)
      }
      const accounts = [...new Set(versions.map((v) => v.publisherId))]
      if (input.suspendAccounts && accounts.length > 0) {
        const at = new Date().toISOString()
        await trx.updateTable('users').set({ suspended_at: at, updated_at: at }).where('id', 'in', accounts).where('suspended_at', 'is', null).execute()
        await trx.updateTable('tokens').set({ revoked_at: at }).where('user_id', 'in', accounts).where('revoked_at', 'is', null).execute()
      }
      await appendAudit(trx, this.db.dialect, {
        actor,
        action: 'incident.quarantine',
        subjectType: 'incident',
        subjectId: id,
        reason: input.reason,
        after: { held, suspendedAccounts: input.suspendAccounts ? versions.filter((v, i, all) => all.findIndex((x) => x.publisherId === v.publisherId) === i).map((v) => v.publisher) : [] },
      })
      return { held, matched: versions.length }
    })
  }

  /** A tar.gz with every matching archive (live or forensic), and a manifest of hashes, uploaders, addresses and times. */
  async exportBundle(deps: Pick<Deps, 'db' | 'blobs' | 'forensics'>, id: number): Promise<Buffer> {
    const incident = await this.get(id)
    const window = incident.window ? (JSON.parse(incident.window) as AttackWindow) : undefined
    const versions = window ? await this.windowVersions(window) : []
    const artifacts = versions.length
      ? await deps.db.kysely.selectFrom('artifacts').selectAll().where('version_id', 'in', versions.map((v) => v.versionId)).execute()
      : []
    const pack = tar.pack()
    const manifest = {
      incident: { id: incident.id, title: incident.title, status: incident.status, createdAt: incident.created_at },
      window,
      exportedAt: new Date().toISOString(),
      registry: this.publicUrl,
      versions: versions.map((v) => ({ ...v, artifacts: artifacts.filter((a) => a.version_id === v.versionId).map((a) => ({ file: `archives/${a.sha256}-${a.filename}`, filename: a.filename, size: a.size, sha256: a.sha256, sha512: a.sha512 })) })),
    }
    pack.entry({ name: 'manifest.json' }, JSON.stringify(manifest, null, 2))
    for (const a of artifacts) {
      const bytes = (await deps.blobs.get(a.blob_key)) ?? (await deps.forensics.get(a.blob_key))
      if (bytes) pack.entry({ name: `archives/${a.sha256}-${a.filename}` }, bytes)
    }
    pack.finalize()
    const chunks: Buffer[] = []
    const gzip = pack.pipe(createGzip())
    for await (const chunk of gzip) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }
}
