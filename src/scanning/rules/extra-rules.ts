// The operators' own rules (GATEHOUSE_EXTRA_RULES): a module run after the built-in ruleset, versioned by its content.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Rule } from './rule.ts'
import { RULESET_VERSION } from './ruleset.ts'

/**
 * The ruleset version scans record: the built-in one, plus a digest of the extra rules module when
 * there is one, so adding or editing a local rule makes every stored scan stale and starts a rescan.
 */
export function effectiveRulesetVersion(extraRulesPath: string | undefined): string {
  if (!extraRulesPath) return RULESET_VERSION
  const digest = createHash('sha256').update(readFileSync(resolve(extraRulesPath))).digest('hex').slice(0, 12)
  return `${RULESET_VERSION}+local.${digest}`
}

const loaded = new Map<string, Promise<readonly Rule[]>>()

/** Imports the module once per thread; it must export `rules`, an array of Rule objects. */
export function loadExtraRules(extraRulesPath: string): Promise<readonly Rule[]> {
  const path = resolve(extraRulesPath)
  let rules = loaded.get(path)
  if (!rules) {
    rules = import(pathToFileURL(path).href).then((mod: { rules?: unknown }) => {
      const list = mod.rules
      if (!Array.isArray(list) || !list.every((r) => typeof r?.id === 'string' && typeof r?.evaluate === 'function')) {
        throw new Error(`${extraRulesPath} must export \`rules\`: an array of { id, title, explanation, evaluate(facts) }`)
      }
      return list as Rule[]
    })
    loaded.set(path, rules)
  }
  return rules
}
