// IP and CIDR blocks (IPv4 and IPv6) for registration, login and upload, with reasons and expiry, shared through the database.
import ipaddr from 'ipaddr.js'
import type { Db } from '../db/create-db.ts'
import type { IpBlockRow } from '../db/schema.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit, type AuditActor } from '../audit/service.ts'
import { parseCidrList } from '../accounts/cidr.ts'

export type BlockScope = 'registration' | 'login' | 'upload'
export const BLOCK_SCOPES: readonly BlockScope[] = ['registration', 'login', 'upload']

interface ParsedBlock {
  readonly row: IpBlockRow
  readonly range: [ipaddr.IPv4 | ipaddr.IPv6, number]
  readonly scopes: readonly BlockScope[]
}

function normaliseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(ip)) return undefined
  const addr = ipaddr.parse(ip)
  // A v4 client seen through a dual-stack socket arrives as ::ffff:a.b.c.d.
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
}

export class IpBlocks {
  private cached: { at: number; blocks: ParsedBlock[] } | undefined

  constructor(
    private readonly db: Db,
    private readonly cacheMs: number,
  ) {}

  private async active(): Promise<ParsedBlock[]> {
    const now = Date.now()
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.blocks
    const rows = await this.db.kysely.selectFrom('ip_blocks').selectAll().execute()
    const blocks = rows
      .filter((r) => !r.expires_at || Date.parse(r.expires_at) > now)
      .map((row) => ({ row, range: ipaddr.parseCIDR(row.cidr), scopes: JSON.parse(row.scopes) as BlockScope[] }))
    this.cached = { at: now, blocks }
    return blocks
  }

  /** The block that covers this address for this action, if any. */
  async find(ip: string | null, scope: BlockScope): Promise<IpBlockRow | undefined> {
    if (!ip) return undefined
    const addr = normaliseAddress(ip)
    if (!addr) return undefined
    const blocks = await this.active()
    return blocks.find((b) => b.scopes.includes(scope) && b.range[0].kind() === addr.kind() && addr.match(b.range))?.row
  }

  async list(): Promise<IpBlockRow[]> {
    return this.db.kysely.selectFrom('ip_blocks').selectAll().orderBy('id', 'desc').execute()
  }

  async add(input: { cidr: string; scopes?: readonly string[]; reason: string; expiresInHours?: number | null }, actor: AuditActor): Promise<IpBlockRow> {
    const [cidr] = parseCidrList([input.cidr.trim()])
    const scopes = input.scopes && input.scopes.length > 0 ? input.scopes : BLOCK_SCOPES
    for (const s of scopes) if (!BLOCK_SCOPES.includes(s as BlockScope)) throw new RegistryError('invalidRequest', `scope must be one of ${BLOCK_SCOPES.join(', ')}`)
    const hours = input.expiresInHours ?? null
    if (hours !== null && !(hours > 0 && hours <= 24 * 3650)) throw new RegistryError('invalidRequest', 'expiry must be a positive number of hours')
    const at = new Date()
    const row = await this.db.kysely.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('ip_blocks')
        .values({
          cidr: cidr!,
          scopes: JSON.stringify(scopes),
          reason: input.reason,
          expires_at: hours === null ? null : new Date(at.getTime() + hours * 3_600_000).toISOString(),
          created_by: actor.label,
          created_at: at.toISOString(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await appendAudit(trx, this.db.dialect, { actor, action: 'ip-block.create', subjectType: 'ip-block', subjectId: inserted.id, reason: input.reason, after: { cidr, scopes, expiresAt: inserted.expires_at } })
      return inserted
    })
    this.cached = undefined
    return row
  }

  async remove(id: number, reason: string, actor: AuditActor): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('ip_blocks').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row) throw new RegistryError('notFound', `no IP block ${id}`)
      await trx.deleteFrom('ip_blocks').where('id', '=', id).execute()
      await appendAudit(trx, this.db.dialect, { actor, action: 'ip-block.delete', subjectType: 'ip-block', subjectId: id, reason, before: { cidr: row.cidr, scopes: JSON.parse(row.scopes) as unknown } })
    })
    this.cached = undefined
  }
}
