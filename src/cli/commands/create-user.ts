// `gatehouse create-user NAME --email E [--role R]`: bootstrap accounts (the password is read from stdin or a prompt).
import type { Deps } from '../../deps.ts'
import type { Role } from '../../db/schema.ts'
import { createUser } from '../../accounts/service.ts'
import { CLI } from '../../accounts/types.ts'

export async function createUserCommand(deps: Deps, input: { name: string; email: string; password: string; role: Role }) {
  return createUser(deps, input, CLI())
}
