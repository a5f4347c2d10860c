// Who may act on the review desk and what every human action must carry (pure checks, no I/O).
import type { Actor } from '../accounts/types.ts'
import type { Config } from '../config/config.ts'
import { RegistryError } from '../core/errors.ts'

export function isSecurityStaff(actor: Actor): boolean {
  return actor.role === 'reviewer' || actor.role === 'admin'
}

/** The console and its API refuse everyone but reviewers and admins. */
export function requireReviewer(actor: Actor): Actor {
  if (!isSecurityStaff(actor)) throw new RegistryError('forbidden', 'the review desk is open to security reviewers and admins only')
  return actor
}

/** State changes also need a credential that may write (read-only tokens may browse). */
export function requireReviewerWrite(actor: Actor): Actor {
  requireReviewer(actor)
  if (actor.scope === 'read') throw new RegistryError('readOnlyToken', 'this token is read-only; review decisions need a full token')
  return actor
}

/** Every human decision is written down with its reasoning. */
export function requireReason(config: Pick<Config, 'reviewReasonMinLength'>, reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : ''
  if (text.length < config.reviewReasonMinLength) {
    throw new RegistryError('invalidRequest', `a reason of at least ${config.reviewReasonMinLength} characters is required`)
  }
  if (text.length > 4000) throw new RegistryError('invalidRequest', 'the reason is longer than 4000 characters')
  return text
}

export const advisoryId = (removalId: number, createdAt: string): string => `GATEHOUSE-MAL-${createdAt.slice(0, 4)}-${removalId}`

export function parseAdvisoryId(id: string): number | undefined {
  const m = /^GATEHOUSE-MAL-\d{4}-(\d{1,12})$/.exec(id)
  return m ? Number(m[1]) : undefined
}

export function advisoryUrl(publicUrl: string, id: string): string {
  return `${publicUrl}-/advisories/${id}`
}

/** What installers are told about a removed version (npm prints it for the tarball's 410 and as a deprecation). */
export function removalNotice(publicUrl: string, name: string, version: string, advisory: string): string {
  return `${name}@${version} was removed by the registry's security team because it contains malicious code. Do not use it; see ${advisoryUrl(publicUrl, advisory)}`
}
