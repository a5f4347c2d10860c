// The `gatehouse` binary: serve | worker | migrate | admin commands. Parses arguments and calls one service each.
import { Command, Option, InvalidArgumentError } from 'commander'
import { createInterface } from 'node:readline/promises'
import { ConfigError, loadConfig, type Config } from './config/config.ts'
import { RegistryError } from './core/errors.ts'
import type { Role } from './db/schema.ts'
import type { Deps } from './deps.ts'
import { closeDeps, openDeps } from './boot.ts'
import { serve } from './cli/commands/serve.ts'
import { worker } from './cli/commands/worker.ts'
import { migrate } from './cli/commands/migrate.ts'
import { createUserCommand } from './cli/commands/create-user.ts'
import { grantRoleCommand } from './cli/commands/grant-role.ts'
import { createTokenCommand } from './cli/commands/create-token.ts'
import { verifyAuditCommand } from './cli/commands/verify-audit.ts'
import { scanCommand } from './cli/commands/scan.ts'
import { evalCommand } from './cli/commands/eval.ts'
import { rescanCommand } from './cli/commands/rescan.ts'
import { intelExportCommand, intelImportCommand } from './cli/commands/intel-import.ts'
import { registerDefenseCommands } from './cli/commands/defense.ts'

const ROLES: readonly Role[] = ['user', 'admin', 'reviewer', 'reporter']

export async function main(argv: string[]): Promise<void> {
  const program = new Command('gatehouse')
    .description('A package registry that judges every upload before it becomes installable.')
    .showHelpAfterError()
    .exitOverride()

  program
    .command('serve')
    .description('serve the registry (runs migrations; runs the job worker in-process unless GATEHOUSE_WORKER=false)')
    .action(async () => serve(config()))

  program
    .command('worker')
    .description('run background jobs only (scale-out: start several, sharing one PostgreSQL)')
    .action(async () => worker(config()))

  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      const applied = await migrate(config())
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date')
    })

  program
    .command('create-user')
    .description('create an account; the password is read from stdin (or prompted for on a terminal)')
    .argument('<name>')
    .requiredOption('--email <email>')
    .addOption(new Option('--role <role>').choices(ROLES).default('user'))
    .action(async (name: string, opts: { email: string; role: Role }) =>
      withDeps(async (deps) => {
        const password = await readPassword()
        const user = await createUserCommand(deps, { name, email: opts.email, password, role: opts.role })
        console.log(`created user ${user.name} (${user.role})`)
      }),
    )

  program
    .command('grant-role')
    .description('set a user\'s role: admin, reviewer or user')
    .argument('<name>')
    .argument('<role>', ROLES.join('|'), (v: string) => {
      if (!ROLES.includes(v as Role)) throw new InvalidArgumentError(`one of ${ROLES.join(', ')}`)
      return v as Role
    })
    .action(async (name: string, role: Role) =>
      withDeps(async (deps) => {
        const user = await grantRoleCommand(deps, name, role)
        console.log(`${user.name} is now ${user.role}`)
      }),
    )

  program
    .command('create-token')
    .description('issue an API token for a user and print it (it is shown only once)')
    .argument('<user>')
    .option('--readonly', 'install-only token', false)
    .option('--name <name>', 'a label for the token')
    .option('--expires-days <days>', 'expire after this many days', (v) => positiveInt(v))
    .option('--cidr <ranges...>', 'only accept the token from these IP ranges')
    .action(async (user: string, opts: { readonly: boolean; name?: string; expiresDays?: number; cidr?: string[] }) =>
      withDeps(async (deps) => {
        const secret = await createTokenCommand(deps, {
          user,
          readonly: opts.readonly,
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.expiresDays ? { expiresInDays: opts.expiresDays } : {}),
          ...(opts.cidr ? { cidr: opts.cidr } : {}),
        })
        console.log(secret)
      }),
    )

  program
    .command('scan')
    .description('judge archives (.tgz, .tar.gz, .zip, .whl, .gem) or unpacked package folders; exit 0 all pass, 1 any held or rejected, 2 on errors')
    .argument('<paths...>')
    .option('--json', 'one JSON object per package per line', false)
    .option('--sarif <file>', 'also write SARIF 2.1.0 to this file')
    .option('--dynamic', 'also run install-time and load-time code in the sandbox (bubblewrap + strace) and print its trace', false)
    .action(async (paths: string[], opts: { json: boolean; sarif?: string; dynamic: boolean }) => {
      process.exitCode = await scanCommand(config(), paths, { json: opts.json, dynamic: opts.dynamic, ...(opts.sarif ? { sarif: opts.sarif } : {}) })
    })

  program
    .command('eval')
    .description('measure detection over labelled corpora: recall, false-positive rate, precision at a base rate, rule hits, speed')
    .option('--malicious <paths...>', 'folders of malicious samples (archives or packages, optionally with labels.jsonl)', [])
    .option('--held-out <paths...>', 'folders of malicious samples of campaigns nothing was tuned on (labels.jsonl `cluster` names the campaign): reported apart, per sample and per campaign', [])
    .option('--benign <paths...>', 'folders of benign samples', [])
    .option('--base-rate <rate>', 'share of malicious uploads in the real stream', (v) => Number(v), 0.001)
    .option('--split-date <date>', 'report malicious samples dated on/after this date separately (held out from tuning)')
    .option('--split-half', 'split the held-out samples (by a hash of their name) and the held-out campaigns (by a hash of their id) into an examined and an untouched half', false)
    .option('--json', 'print the evaluation as JSON', false)
    .option('-v, --verbose', 'list every false positive and every miss (with --split-half, an untouched half\'s misses are counted, not named)', false)
    .option('--sandbox [parallel]', 'also run the gate’s sandbox (bubblewrap + strace) on every sample the static engine would publish, this many at a time', (v) => Number(v))
    .option('--sample <n>', 'judge only a fixed random draw of n benign samples (the same on every machine for the same --seed and corpora)', (v) => Number(v))
    .option('--seed <text>', 'the draw of --sample', 'gatehouse')
    .option('--reviewed <files...>', 'reviewers\' findings on malicious samples (TSV: sample id, harmful|probe|inert|clean-copy|unreachable, when, reason): misses found harmless are counted apart')
    .option('--name-untouched', 'with -v, name the untouched halves\' misses too: for the one audit of a frozen ruleset, since reading them ends those halves\' blindness (docs/decisions.md)', false)
    .action(async (opts: { malicious: string[]; heldOut: string[]; benign: string[]; baseRate: number; splitDate?: string; splitHalf: boolean; json: boolean; verbose: boolean; sandbox?: number | true; sample?: number; seed: string; reviewed?: string[]; nameUntouched: boolean }) => {
      if (opts.sample !== undefined && !(Number.isInteger(opts.sample) && opts.sample > 0)) throw new InvalidArgumentError('--sample takes a positive whole number')
      if (opts.malicious.length + opts.heldOut.length + opts.benign.length === 0) throw new InvalidArgumentError('give --malicious, --held-out and/or --benign folders')
      process.exitCode = await evalCommand(config(), {
        malicious: opts.malicious,
        heldOut: opts.heldOut,
        benign: opts.benign,
        baseRate: opts.baseRate,
        json: opts.json,
        verbose: opts.verbose,
        splitHalf: opts.splitHalf,
        ...(opts.splitDate ? { splitDate: opts.splitDate } : {}),
        ...(opts.sandbox ? { sandbox: opts.sandbox === true ? 1 : opts.sandbox } : {}),
        ...(opts.sample ? { sample: { n: opts.sample, seed: opts.seed } } : {}),
        ...(opts.reviewed ? { reviewed: opts.reviewed } : {}),
        nameUntouched: opts.nameUntouched,
      })
    })

  program
    .command('rescan')
    .description('rescan stored versions under the current ruleset, newest first, and show progress (Ctrl-C leaves it running)')
    .option('--detach', 'start it and return; a running serve or worker carries it out', false)
    .option('--work', 'also carry it out in this process (when no worker is running)', false)
    .action(async (opts: { detach: boolean; work: boolean }) =>
      withDeps(async (deps) => {
        const p = await rescanCommand(deps, { detach: opts.detach, work: opts.work })
        if (!opts.detach) console.log(`rescan ${p.id} ${p.status}: ${p.done}/${p.total} versions, ${p.flagged} flagged for review, ${p.held} held`)
      }),
    )

  const intel = program.command('intel').description('external intelligence: OSV records in and out')
  intel
    .command('import')
    .description('import OSV records (a .json file, a folder, a .zip or .tar.gz, or an http(s) URL); re-importing changes nothing')
    .argument('<source>')
    .action(async (source: string) =>
      withDeps(async (deps) => {
        const s = await intelImportCommand(deps, source)
        console.log(`${s.records} records: ${s.created} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.ignored} for other ecosystems; ${s.held} versions held, ${s.filed} filed, ${s.blocked} names blocked`)
        for (const e of s.errors.slice(0, 20)) console.error(`  ${e}`)
        if (s.errors.length) process.exitCode = 1
      }),
    )
  intel
    .command('export')
    .description("write the registry's own OSV records (removed malicious packages) as a .tar.gz")
    .argument('<file>')
    .action(async (file: string) =>
      withDeps(async (deps) => {
        const size = await intelExportCommand(deps, file)
        console.log(`wrote ${file} (${size} bytes)`)
      }),
    )

  const audit = program.command('audit').description('the audit log')
  audit
    .command('verify')
    .description('check the hash chain; exits 1 and names the first altered or missing row')
    .action(async () =>
      withDeps(async (deps) => {
        const result = await verifyAuditCommand(deps)
        if (result.ok) {
          console.log(`audit log intact: ${result.rows} rows verified`)
        } else {
          console.error(`audit log BROKEN at row ${result.rowId}: ${result.problem} (${result.rows} rows verified before it)`)
          process.exitCode = 1
        }
      }),
    )

  registerDefenseCommands(program, withDeps)

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    process.exitCode = reportError(err)
  }
}

function config(): Config {
  return loadConfig()
}

async function withDeps(fn: (deps: Deps) => Promise<void>): Promise<void> {
  const deps = await openDeps(config(), { log: quietLogger })
  try {
    await fn(deps)
  } finally {
    await closeDeps(deps)
  }
}

const quietLogger = {
  info: () => {},
  debug: () => {},
  warn: (o: object | string, m?: string) => console.warn(m ?? o),
  error: (o: object | string, m?: string) => console.error(m ?? o),
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    try {
      return (await rl.question('password: ')).trim()
    } finally {
      rl.close()
    }
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

function positiveInt(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive whole number')
  return n
}

function reportError(err: unknown): number {
  const e = err as { code?: string; exitCode?: number }
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 2
  if (err instanceof ConfigError) {
    console.error(err.message)
    return 2
  }
  if (err instanceof RegistryError) {
    console.error(`error: ${err.message}`)
    return 1
  }
  console.error(err)
  return 1
}
