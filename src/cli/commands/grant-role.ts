// `gatehouse grant-role NAME ROLE`: make a user an admin or a security reviewer (or back to user).
import type { Deps } from '../../deps.ts'
import type { Role } from '../../db/schema.ts'
import { setRole } from '../../accounts/service.ts'
import { CLI } from '../../accounts/types.ts'

export async function grantRoleCommand(deps: Deps, name: string, role: Role) {
  return setRole(deps, name, role, CLI())
}
