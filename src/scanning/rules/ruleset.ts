// The ruleset: every rule the engine runs, and a version that changes whenever detection logic changes.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Rule } from './rule.ts'
import {
  beaconsSystemInfo,
  exfiltratesCredentials,
  exfiltratesEnvironment,
  exfiltrationEndpoint,
  hidesNetworkDestination,
  installTimeNetwork,
  shellExfiltration,
  stealsBrowserOrWalletData,
} from './exfiltration.ts'
import { capturesInput, decodesAndExecutes, downloadsAndExecutes, establishesPersistence, hiddenPowerShell, remoteShell, sabotagesMachine, spawnsInlineInterpreter } from './execution.ts'
import {
  bundledExecutable,
  dependencyConfusionVersion,
  drillCanary,
  encodedPayload,
  installHook,
  installMessage,
  obfuscatedCode,
  shadowsSystemCommand,
  undeclaredFiles,
} from './package-shape.ts'

export const RULES: readonly Rule[] = [
  exfiltratesEnvironment,
  exfiltratesCredentials,
  stealsBrowserOrWalletData,
  beaconsSystemInfo,
  exfiltrationEndpoint,
  hidesNetworkDestination,
  shellExfiltration,
  installTimeNetwork,
  decodesAndExecutes,
  downloadsAndExecutes,
  spawnsInlineInterpreter,
  remoteShell,
  sabotagesMachine,
  hiddenPowerShell,
  establishesPersistence,
  capturesInput,
  obfuscatedCode,
  encodedPayload,
  bundledExecutable,
  installHook,
  installMessage,
  shadowsSystemCommand,
  undeclaredFiles,
  dependencyConfusionVersion,
  drillCanary,
]

/** Bumped by hand for releases that change meaning; the digest below catches every other edit. */
const RULESET_RELEASE = '2026.11.1'

/**
 * `<release>+<digest>`: the digest covers the source of the rules, the language analyzers, the
 * indicator patterns, which bundled archives are read as code, the sandbox (what it runs and how its trace is judged) and each ecosystem's
 * install hooks and import entries, so any change to detection gives a new version and stale scans
 * can be found.
 */
export const RULESET_VERSION = `${RULESET_RELEASE}+${detectionDigest()}`

function detectionDigest(): string {
  const scanning = dirname(dirname(fileURLToPath(import.meta.url)))
  const hash = createHash('sha256')
  // names/data holds the popular-name rankings the name check compares against
  // sandbox: what runs there (steps, exercisers) and how its trace is judged
  for (const folder of ['rules', 'languages', 'history', 'names', 'names/data', 'sandbox', '.']) {
    const dir = join(scanning, folder)
    const files = readdirSync(dir).filter((f) => /\.(ts|txt|py|cjs|cfg)$/.test(f)).sort()
    for (const file of files) {
      if (folder === '.' && !['indicators.ts', 'facts.ts', 'engine.ts', 'roles.ts', 'nested-code.ts'].includes(file)) continue
      hash.update(`${folder}/${file}\0`).update(readFileSync(join(dir, file))).update('\0')
    }
  }
  // each ecosystem decides which files run at install and on import, and so how much their evidence weighs
  const protocols = join(dirname(scanning), 'protocols')
  for (const eco of readdirSync(protocols).sort()) {
    for (const file of ['ecosystem.ts', 'install-hooks.ts']) {
      const path = join(protocols, eco, file)
      if (existsSync(path)) hash.update(`protocols/${eco}/${file}\0`).update(readFileSync(path)).update('\0')
    }
  }
  return hash.digest('hex').slice(0, 12)
}

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id)
}
