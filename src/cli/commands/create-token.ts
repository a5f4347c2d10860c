// `gatehouse create-token NAME [--readonly]`: issue an API token for a user (printed once).
import type { Deps } from '../../deps.ts'
import { RegistryError } from '../../core/errors.ts'
import { createToken, findUser } from '../../accounts/service.ts'
import { CLI } from '../../accounts/types.ts'

export async function createTokenCommand(
  deps: Deps,
  input: { user: string; readonly: boolean; name?: string; expiresInDays?: number; cidr?: string[] },
): Promise<string> {
  const user = await findUser(deps, input.user)
  if (!user) throw new RegistryError('notFound', `no user named ${input.user}`)
  const { secret } = await createToken(
    deps,
    user.id,
    {
      name: input.name ?? 'created by gatehouse create-token',
      scope: input.readonly ? 'read' : 'publish',
      ...(input.cidr ? { cidrWhitelist: input.cidr } : {}),
      expiresInDays: input.expiresInDays ?? null,
    },
    CLI(),
  )
  return secret
}
