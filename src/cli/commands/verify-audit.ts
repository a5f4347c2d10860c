// `gatehouse audit verify`: walks the hash chain of the audit log and names the first broken row.
import type { Deps } from '../../deps.ts'
import { verifyAuditChain, type AuditVerification } from '../../audit/service.ts'

export function verifyAuditCommand(deps: Deps): Promise<AuditVerification> {
  return verifyAuditChain(deps.db.kysely)
}
