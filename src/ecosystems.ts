// The ecosystems this registry speaks, wired in one place for the server, the workers and the CLI.
import type { Ecosystem, EcosystemId } from './core/ecosystem.ts'
import { npmEcosystem } from './protocols/npm/ecosystem.ts'
import { pypiEcosystem } from './protocols/pypi/ecosystem.ts'
import { rubygemsEcosystem } from './protocols/rubygems/ecosystem.ts'

export const ECOSYSTEMS: ReadonlyMap<EcosystemId, Ecosystem> = new Map(
  [npmEcosystem, pypiEcosystem, rubygemsEcosystem].map((eco) => [eco.id, eco] as const),
)
