// `gatehouse switch | ip-block | drill`: the response team's controls from a shell, calling the same services as the console.
import type { Command } from 'commander'
import type { Deps } from '../../deps.ts'
import { CLI } from '../../accounts/types.ts'
import { RegistryError } from '../../core/errors.ts'
import { SWITCHES } from '../../defense/switches.ts'
import { drillCommand } from './drill.ts'

type WithDeps = (fn: (deps: Deps) => Promise<void>) => Promise<void>

function requireReason(reason: string | undefined): string {
  if (!reason || reason.trim().length < 10) throw new RegistryError('invalidRequest', 'give a --reason of at least 10 characters; it goes to the audit log')
  return reason.trim()
}

export function registerDefenseCommands(program: Command, withDeps: WithDeps): void {
  const sw = program.command('switch').description('emergency switches, shared live by every process')
  sw.command('ls')
    .description('show every switch')
    .action(async () =>
      withDeps(async (deps) => {
        const state = await deps.defense.switches.current()
        for (const e of state.entries) {
          const def = SWITCHES.find((s) => s.name === e.name)!
          console.log(`${e.on ? 'ON ' : 'off'}  ${e.name.padEnd(22)} ${e.on && def.kind !== 'flag' ? `${String(e.value)}  ` : ''}${e.on ? `(${e.setBy}: ${e.reason})` : def.description}`)
        }
      }),
    )
  sw.command('set')
    .description('flip a switch: on | off | a number of days (new-account-uploads) | a message (banner)')
    .argument('<name>', SWITCHES.map((s) => s.name).join('|'))
    .argument('<value>')
    .requiredOption('--reason <text>', 'why (written to the audit log)')
    .action(async (name: string, value: string, opts: { reason: string }) =>
      withDeps(async (deps) => {
        const changed = await deps.defense.switches.set(name, value, requireReason(opts.reason), CLI())
        console.log(changed ? `${name} is now ${value}` : `${name} was already ${value}`)
      }),
    )

  const ip = program.command('ip-block').description('block addresses and ranges from registering, logging in or uploading')
  ip.command('ls').action(async () =>
    withDeps(async (deps) => {
      for (const b of await deps.defense.ipBlocks.list()) console.log(`${String(b.id).padStart(4)}  ${b.cidr.padEnd(24)} ${(JSON.parse(b.scopes) as string[]).join(',').padEnd(27)} ${b.expires_at ?? 'no expiry'}  ${b.reason}`)
    }),
  )
  ip.command('add')
    .argument('<cidr>', 'an address or a CIDR range, IPv4 or IPv6')
    .requiredOption('--reason <text>', 'why (written to the audit log)')
    .option('--scope <scope...>', 'registration, login, upload (default: all)')
    .option('--expires-hours <n>', 'lift the block after this many hours', Number)
    .action(async (cidr: string, opts: { reason: string; scope?: string[]; expiresHours?: number }) =>
      withDeps(async (deps) => {
        const row = await deps.defense.ipBlocks.add({ cidr, reason: requireReason(opts.reason), ...(opts.scope ? { scopes: opts.scope } : {}), expiresInHours: opts.expiresHours ?? null }, CLI())
        console.log(`blocked ${row.cidr} (#${row.id})`)
      }),
    )
  ip.command('rm')
    .argument('<id>', 'the block number from `ip-block ls`', Number)
    .requiredOption('--reason <text>', 'why (written to the audit log)')
    .action(async (id: number, opts: { reason: string }) =>
      withDeps(async (deps) => {
        await deps.defense.ipBlocks.remove(id, requireReason(opts.reason), CLI())
        console.log(`block #${id} lifted`)
      }),
    )

  program
    .command('drill')
    .description('publish a harmless canary and check the gate, the alerts and the review desk end to end, then clean up')
    .option('--timeout <seconds>', 'how long to wait for the verdict', Number, 60)
    .option('--keep', 'leave the canary package in place for inspection')
    .action(async (opts: { timeout: number; keep?: boolean }) =>
      withDeps(async (deps) => {
        const steps = await drillCommand(deps, { timeoutSeconds: opts.timeout, keep: opts.keep === true })
        for (const s of steps) console.log(`${s.ok ? 'ok  ' : 'FAIL'}  ${s.step.padEnd(18)} ${s.detail}`)
        const ok = steps.length > 0 && steps.every((s) => s.ok)
        console.log(ok ? 'drill passed' : 'drill FAILED')
        if (!ok) process.exitCode = 1
      }),
    )
}
