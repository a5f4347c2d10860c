// `gatehouse intel import PATH...`: applies OSV malicious-package records (files or folders) to the registry.
import type { Command } from 'commander'
import type { Deps } from '../../deps.ts'
import { CLI } from '../../accounts/types.ts'
import { importOsv, readOsvFiles } from '../../intel/service.ts'

type WithDeps = (fn: (deps: Deps) => Promise<void>) => Promise<void>

export function registerIntelCommands(program: Command, withDeps: WithDeps): void {
  const intel = program.command('intel').description('external intelligence')
  intel
    .command('import')
    .description('apply OSV records (ossf/malicious-packages layout): hold matching versions for review, reserve absent names; re-imports change nothing')
    .argument('<paths...>', 'OSV .json files or folders of them')
    .action(async (paths: string[]) =>
      withDeps(async (deps) => {
        const summary = await importOsv(deps, readOsvFiles(paths), CLI())
        console.log(`${summary.records} records: ${summary.applied} applied, ${summary.unchanged} already applied, ${summary.skipped} withdrawn`)
        for (const v of summary.held) console.log(`  held for review  ${v}`)
        for (const n of summary.blockedNames) console.log(`  name reserved    ${n}`)
      }),
    )
}
