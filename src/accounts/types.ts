// Who is acting: the authenticated principal every service call receives.
import type { Role, TokenScope } from '../db/schema.ts'
import type { AuditActor } from '../audit/service.ts'

export interface Actor {
  readonly userId: number
  readonly name: string
  readonly email: string
  readonly role: Role
  /** The token used, when the request authenticated with one. */
  readonly tokenId: number | null
  /** What the credential allows: tokens carry their scope; a password login may do everything. */
  readonly scope: TokenScope
  readonly ip: string | null
}

export function auditActor(actor: Actor): AuditActor {
  return { id: actor.userId, label: `user:${actor.name}`, ip: actor.ip }
}

export const SYSTEM = (component: string): AuditActor => ({ id: null, label: `system:${component}`, ip: null })
export const CLI = (): AuditActor => ({ id: null, label: `cli:${process.env.USER ?? 'operator'}`, ip: null })
