// Which established project a top-level module belongs to, and the check that a new package does not
// install one under its own name: whoever has both gets the newcomer's code on `import <module>`.
import { readFileSync } from 'node:fs'
import type { EcosystemId } from '../../core/ecosystem.ts'
import { severityOf, type SignalRecord } from '../engine.ts'
import { identityOf } from './name-forms.ts'
import { bundledIndex, type PopularIndex } from './popular-index.ts'

/** Directory and module names many projects ship without owning them (tests, docs, tooling). */
export const NOT_A_PROJECT_MODULE = /^(?:tests?|testing|docs?|examples?|samples?|scripts?|benchmarks?|src|lib|bin|build|tools|utils?|setup|conftest|_?version|__main__)$/i

export const SHADOWED_MODULE_RULE = {
  id: 'shadows-popular-module',
  title: "Installs another package's module",
  explanation:
    "The package installs a top-level module that an established, much-downloaded package installs. Anyone who has both gets this package's code when their programs import the module: forks do this (and say so), clones that carry a stealer inside do it to be imported in the original's place. Check that the package is a declared fork or successor of the other one; if the overlap is innocent, an admin can add an exception.",
} as const

/** Weight of the evidence: a fork is legitimate often enough that this alone does not hold; with a look-alike name or any finding in the code it does. */
const SHADOW_WEIGHT = 30

export class ModuleOwners {
  constructor(private readonly owners: ReadonlyMap<string, readonly string[]>) {}

  /** The popular projects recorded as installing `module`. */
  of(module: string): readonly string[] {
    return NOT_A_PROJECT_MODULE.test(module) ? [] : (this.owners.get(module) ?? [])
  }
}

const loaded = new Map<EcosystemId, ModuleOwners>()

/** The bundled owners for an ecosystem whose modules are not its package names (PyPI); empty elsewhere. */
export function bundledOwners(ecosystem: EcosystemId): ModuleOwners {
  let owners = loaded.get(ecosystem)
  if (!owners) {
    const table = new Map<string, string[]>()
    if (ecosystem === 'pypi') {
      const text = readFileSync(new URL('./data/pypi-modules.txt', import.meta.url), 'utf8')
      for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) continue
        const [module, ...projects] = line.split(' ')
        table.set(module!, projects)
      }
    }
    owners = new ModuleOwners(table)
    loaded.set(ecosystem, owners)
  }
  return owners
}

export interface ShadowOptions {
  readonly index?: PopularIndex
  /** Projects this package may share modules with (the security team's exceptions, packages its owners publish). */
  readonly excepted?: ReadonlySet<string>
}

export interface ShadowMatch {
  readonly module: string
  /** The popular project that installs it. */
  readonly project: string
  readonly rank: number
}

/**
 * A package's top-level modules that popular projects install, the most popular owner first.
 * A package that is itself popular shadows nothing (it is the established one, or one of several).
 */
export function findShadows(ecosystem: EcosystemId, name: string, modules: readonly string[], options: ShadowOptions = {}): ShadowMatch[] {
  const index = options.index ?? bundledIndex(ecosystem)
  const owners = bundledOwners(ecosystem)
  if (!name || modules.length === 0 || index.has(name) || options.excepted?.has('*')) return []
  const identity = identityOf(ecosystem, name)
  const found: ShadowMatch[] = []
  for (const module of modules) {
    for (const project of owners.of(module)) {
      if (identityOf(ecosystem, project) === identity || options.excepted?.has(project)) continue
      found.push({ module, project, rank: index.rankOf(project) ?? Infinity })
    }
  }
  return found.sort((a, b) => a.rank - b.rank)
}

/** The signal for the most popular project whose module the package installs, if any. */
export function strongestShadow(matches: readonly ShadowMatch[]): SignalRecord[] {
  const [best] = matches
  if (!best) return []
  return [
    {
      rule: SHADOWED_MODULE_RULE.id,
      severity: severityOf(SHADOW_WEIGHT),
      weight: SHADOW_WEIGHT,
      context: true,
      message: `installs the module ${best.module}, which ${best.project} (#${best.rank} by downloads) installs: with both installed, import ${best.module} runs this package's code`,
      title: SHADOWED_MODULE_RULE.title,
      explanation: SHADOWED_MODULE_RULE.explanation,
    },
  ]
}

export function shadowSignals(ecosystem: EcosystemId, name: string, modules: readonly string[], options: ShadowOptions = {}): SignalRecord[] {
  return strongestShadow(findShadows(ecosystem, name, modules, options))
}
