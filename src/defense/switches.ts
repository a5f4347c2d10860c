// Emergency switches: flipped live from the console, the CLI or a circuit breaker, stored in the database so every process obeys them.
import type { Db } from '../db/create-db.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'

export interface SwitchDefinition {
  readonly name: SwitchName
  readonly description: string
  /** 'flag': on/off; 'days': on with a number of days; 'text': on with a message. */
  readonly kind: 'flag' | 'days' | 'text'
}

export type SwitchName = 'registrations-closed' | 'new-packages-closed' | 'uploads-closed' | 'new-account-uploads' | 'read-only' | 'banner'

export const SWITCHES: readonly SwitchDefinition[] = [
  { name: 'registrations-closed', kind: 'flag', description: 'no new accounts' },
  { name: 'new-packages-closed', kind: 'flag', description: 'no new package names (new versions of existing packages are accepted)' },
  { name: 'uploads-closed', kind: 'flag', description: 'no uploads at all' },
  { name: 'new-account-uploads', kind: 'days', description: 'no uploads from accounts younger than N days' },
  { name: 'read-only', kind: 'flag', description: 'every write is refused, except the operators’ own controls' },
  { name: 'banner', kind: 'text', description: 'a public banner on the status page and console' },
]

export interface SwitchState {
  readonly registrationsClosed: boolean
  readonly newPackagesClosed: boolean
  readonly uploadsClosed: boolean
  /** Minimum account age in days for uploads, or null. */
  readonly newAccountUploadDays: number | null
  readonly readOnly: boolean
  readonly banner: string | null
  readonly entries: readonly SwitchEntry[]
}

export interface SwitchEntry {
  readonly name: SwitchName
  readonly on: boolean
  readonly value: unknown
  readonly reason: string | null
  readonly setBy: string | null
  readonly setAt: string | null
}

export function definitionOf(name: string): SwitchDefinition {
  const def = SWITCHES.find((s) => s.name === name)
  if (!def) throw new RegistryError('invalidRequest', `unknown switch ${name}; known: ${SWITCHES.map((s) => s.name).join(', ')}`)
  return def
}

/** Checks a value against the switch's kind; null turns it off. */
export function parseSwitchValue(def: SwitchDefinition, value: unknown): unknown {
  if (value === null || value === false || value === 'off') return null
  switch (def.kind) {
    case 'flag':
      if (value === true || value === 'on') return true
      break
    case 'days': {
      const days = typeof value === 'string' ? Number(value) : value
      if (typeof days === 'number' && Number.isFinite(days) && days > 0 && days <= 3650) return days
      break
    }
    case 'text':
      if (typeof value === 'string' && value.trim().length > 0 && value.length <= 500) return value.trim()
      break
  }
  throw new RegistryError('invalidRequest', `switch ${def.name} takes ${def.kind === 'flag' ? 'on/off' : def.kind === 'days' ? 'a number of days, or off' : 'a message of up to 500 characters, or off'}`)
}

/**
 * Reads the switches with a short per-process cache: a flip reaches every process within
 * `cacheMs`, and the hot path (every upload, login) costs one query per interval at most.
 */
export class SwitchBoard {
  private cached: { at: number; state: SwitchState } | undefined

  constructor(
    private readonly db: Db,
    private readonly cacheMs: number,
  ) {}

  async current(): Promise<SwitchState> {
    const now = Date.now()
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.state
    const rows = await this.db.kysely.selectFrom('switches').selectAll().execute()
    const entries: SwitchEntry[] = SWITCHES.map((def) => {
      const row = rows.find((r) => r.name === def.name)
      const value = row?.value ? (JSON.parse(row.value) as unknown) : null
      return { name: def.name, on: value !== null, value, reason: row?.reason ?? null, setBy: row?.set_by ?? null, setAt: row?.set_at ?? null }
    })
    const value = (name: SwitchName) => entries.find((e) => e.name === name)!.value
    const state: SwitchState = {
      registrationsClosed: value('registrations-closed') === true,
      newPackagesClosed: value('new-packages-closed') === true,
      uploadsClosed: value('uploads-closed') === true,
      newAccountUploadDays: typeof value('new-account-uploads') === 'number' ? (value('new-account-uploads') as number) : null,
      readOnly: value('read-only') === true,
      banner: typeof value('banner') === 'string' ? (value('banner') as string) : null,
      entries,
    }
    this.cached = { at: now, state }
    return state
  }

  /** Flips a switch, audited; returns false when it already had that value. */
  async set(name: string, rawValue: unknown, reason: string, actor: AuditActor): Promise<boolean> {
    const def = definitionOf(name)
    const value = parseSwitchValue(def, rawValue)
    const changed = await this.db.kysely.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('switches').selectAll().where('name', '=', def.name).executeTakeFirst()
      const beforeValue = before?.value ? (JSON.parse(before.value) as unknown) : null
      if (JSON.stringify(beforeValue) === JSON.stringify(value)) return false
      const at = new Date().toISOString()
      const row = { value: value === null ? null : JSON.stringify(value), reason, set_by: actor.label, set_at: at }
      await trx
        .insertInto('switches')
        .values({ name: def.name, ...row })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute()
      await appendAudit(trx, this.db.dialect, {
        actor,
        action: value === null ? 'switch.off' : 'switch.on',
        subjectType: 'switch',
        subjectId: def.name,
        reason,
        before: { value: beforeValue },
        after: { value },
      })
      return true
    })
    this.cached = undefined
    return changed
  }
}
