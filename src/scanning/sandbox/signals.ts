// What the sandbox saw, as signals for the same score as the static rules, and a trace a reviewer can read.
import { posix } from 'node:path'
import type { SignalRecord } from '../engine.ts'
import { severityOf } from '../engine.ts'
import { indicatorsIn } from '../indicators.ts'
import { findHoneytokens, type Honeytoken } from './honeytokens.ts'
import type { NetworkEvent, PersonaRun, SandboxRun, StepResult } from './runner.ts'
import { PLACEHOLDER_INPUT } from './steps.ts'
import type { SyscallEvent } from './strace.ts'

interface DynamicRule {
  readonly id: string
  readonly weight: number
  readonly title: string
  readonly explanation: string
}

export const DYNAMIC_RULES = {
  honeytokenEgress: {
    id: 'sandbox-honeytoken-egress',
    weight: 250,
    title: 'Sent a planted secret out of the machine',
    explanation: 'The sandbox plants fake credentials (npm, AWS, GitHub, SSH, wallets…) where stealers look. This package sent one of them over the network: it steals credentials.',
  },
  systemInfoEgress: {
    id: 'sandbox-system-info-egress',
    weight: 150,
    title: 'Sent the machine’s identity out',
    explanation: 'The host name or user name of the sandbox left in a DNS query or a request: a beacon telling its operator where the package was installed.',
  },
  secondStage: {
    id: 'sandbox-runs-downloaded-code',
    weight: 150,
    title: 'Ran code it fetched or wrote during install',
    explanation: 'The package fetched or wrote a file while installing and then executed it: a dropper loading a second stage the registry never saw.',
  },
  persistence: {
    id: 'sandbox-persistence',
    weight: 120,
    title: 'Tried to persist on the machine',
    explanation: 'It wrote to a shell start-up file, cron, autostart or SSH authorized_keys: code that survives the install and runs again later.',
  },
  network: {
    id: 'sandbox-network',
    weight: 60,
    title: 'Reached for the network while installing or loading',
    explanation: 'It looked up or contacted a host other than the registry. Legitimate install scripts sometimes download prebuilt binaries; check where it went and what it sent.',
  },
  readsSecrets: {
    id: 'sandbox-reads-secrets',
    weight: 60,
    title: 'Read credential files',
    explanation: 'It opened files that hold credentials and nothing else (~/.aws/credentials, ~/.ssh/id_rsa, wallets, browser and Discord profiles). Package code has no business reading them.',
  },
  readsClientConfig: {
    id: 'sandbox-reads-client-config',
    weight: 20,
    title: "Read a client's configuration that can hold credentials",
    explanation:
      "It opened ~/.npmrc, ~/.pypirc, ~/.docker/config.json or ~/.kube/config. Registry and cluster clients read these for their registry, proxy or cluster settings (update checks do), so the read alone is no theft; a stealer reads them too. Look at what it sent: a planted token that left is sandbox-honeytoken-egress, any request at install or load is sandbox-network.",
  },
  writesOutside: {
    id: 'sandbox-writes-outside',
    weight: 30,
    title: 'Wrote outside its own directory',
    explanation: "Install code wrote (or tried to write) into the home directory or the system, outside the package, temporary directories, tool caches and the package's own data folders.",
  },
  dropHost: {
    id: 'sandbox-contacts-drop-host',
    weight: 90,
    title: 'Contacted a drop host',
    explanation: 'It contacted a webhook, paste site, tunnelling or out-of-band-testing host: places stolen data is dropped. The sandbox gave it nothing but placeholder input, so the address is the package’s own.',
  },
  shell: {
    id: 'sandbox-spawns-tools',
    weight: 40,
    title: 'Spawned downloaders or interpreters from its install code',
    explanation: 'It started curl, wget, nc or another network tool, or an interpreter with inline code (python -c, perl -e), during install.',
  },
} as const satisfies Record<string, DynamicRule>

/** Stores that hold credentials and nothing else a package needs: keys, tokens, wallets, browser and Discord profiles. */
const HOME_SECRETS = /\/(\.aws\/credentials|\.ssh\/id_[a-z0-9]+|\.gem\/credentials|\.ethereum\/keystore|\.config\/discord|\.config\/google-chrome|AppData\/Roaming\/discord|AppData\/Local\/Google\/Chrome|\.git-credentials)/
/** Clients' configuration files, which may hold a token beside the settings their clients read them for. */
const CLIENT_CONFIGS = /\/(\.npmrc|\.pypirc|\.docker\/config\.json|\.kube\/config)$/
/**
 * Start-up places: shell rc files, autostart, systemd, cron, authorized_keys; Windows' Startup folder, which a payload
 * reaches through APPDATA or spells as `C:\\Users\\…` (on Linux a file name with backslashes, the intent as plain);
 * and, on the Windows persona, the registry's autostart keys and the scheduled tasks (files under ~/.windows there).
 */
const PERSISTENCE =
  /\/(\.bashrc|\.bash_profile|\.profile|\.zshrc|\.zprofile|\.config\/autostart\/|\.config\/systemd\/user\/|\.ssh\/authorized_keys)|^\/(etc\/cron|var\/spool\/cron|etc\/systemd|etc\/rc\.local|etc\/profile)|start menu[\\/]programs[\\/]startup|\/\.windows\/(registry\/[^/]+\/software\/(wow6432node\/)?microsoft\/(windows\/currentversion\/(run|runonce|runservices)|windows nt\/currentversion\/winlogon)\/|system32\/tasks\/)/i
/** Downloaders and network tools: spawned by install code, evidence by themselves. */
const TOOLS = /^(curl|wget|nc|ncat|netcat|socat|telnet|base64|openssl)(\.exe)?$/i
/** Interpreters: evidence when handed inline code (`python3 -c …`, `perl -e …`); a script they run is traced as it runs. Shells are not: build scripts probe with `sh -c pkg-config …`, and what a shell starts is traced. */
const INLINE_CODE_INTERPRETERS = /^(python[0-9.]*|perl|ruby|php|powershell|pwsh)(\.exe)?$/i
const INLINE_CODE_FLAG = /^-(c|e|E|r|command|Command|encodedcommand|EncodedCommand|enc)$/

/** Whether an exec is a downloader, a network tool, or an interpreter handed inline code. */
function spawnsTool(e: Extract<SyscallEvent, { kind: 'exec' }>): boolean {
  const program = programOf(e)
  return TOOLS.test(program) || (INLINE_CODE_INTERPRETERS.test(program) && e.argv.slice(1).some((a) => INLINE_CODE_FLAG.test(a)))
}
/**
 * Where install code may write: its own copy, temporary directories (Windows' TEMP too), devices, the caches tools keep
 * in a home, and the Windows persona's registry, where programs keep their settings (its autostart keys are persistence).
 */
const OWN_PLACES = /^\/(gh\/pkg|tmp|var\/tmp|dev|proc)(\/|$)|^\/home\/[^/]+\/(\.cache|\.npm|\.node-gyp|\.local\/share\/virtualenv|AppData\/Local\/Temp|\.windows\/registry)(\/|$)/
/** The XDG folders where an application keeps its data, state and settings, in a folder of its own name; Windows' AppData folders likewise. */
const XDG_STATE = /^\/home\/[^/]+\/(?:\.local\/share|\.local\/state|\.config|\.local|AppData(?:\/Local|\/Roaming)?)(?:\/([^/]+)(?:\/.*)?)?\/*$/

/** A dot-folder in the home directory (`~/.pm2/logs`), the older place a program keeps its state. */
const HOME_DOT_FOLDER = /^\/home\/[^/]+\/\.([^/]+)(?:\/|$)/
/** Dot-folders of the system's own tools and stores: never a package's, whatever it is named. */
const TOOL_DOT_FOLDERS = /^(ssh|aws|gnupg|config|local|cache|npm|docker|kube|gem|bundle|pki|mozilla|ethereum|bitcoin|electrum|git)$/

/**
 * The package's own state, unless it is another program's store the sandbox plants secrets in: the XDG base
 * folders themselves, a folder in them named as the package is (`~/.local/share/PyXRD` of PyXRD), or a dot-folder
 * of its name in the home directory (`~/.pm2` of pm2).
 */
function ownState(path: string, pkg: string): boolean {
  if (HOME_SECRETS.test(path)) return false
  // env-paths, which many Node.js programs use for these folders, names them `<name>-nodejs`
  const name = normalizedName(pkg.replace(/^@[^/]+\//, ''))
  const named = (folder: string) => [name, `${name}-nodejs`].includes(normalizedName(folder))
  const dot = HOME_DOT_FOLDER.exec(path)?.[1]
  if (dot !== undefined && !TOOL_DOT_FOLDERS.test(dot) && named(dot)) return true
  const m = XDG_STATE.exec(path)
  if (!m) return false
  return m[1] === undefined || named(m[1])
}
const normalizedName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-')
/**
 * Programs that run a script or load a library named among their arguments: interpreters, and Windows' launchers (by
 * their `.exe` names too, as a Windows payload starts them; `rundll32 x.dll,Entry` names the library before the comma).
 */
const INTERPRETERS = /^(sh|bash|dash|zsh|ksh|node|nodejs|python[0-9.]*|perl|ruby|php|pwsh|powershell|cmd|wscript|cscript|start|mshta|rundll32|regsvr32|msiexec)(\.exe)?$/i
/** Package managers and build tools: what they read and spawn is their business. */
const TRUSTED_TOOLS = /^(npm|npx|yarn|pnpm|node-gyp|node-pre-gyp|prebuild-install|pip3?|make|cc|gcc|g\+\+|c\+\+|ld|as|cmake)$/

const base = (path: string) => path.split('/').pop() ?? path

function signal(rule: DynamicRule, message: string, excerpt?: string): SignalRecord {
  return { rule: rule.id, severity: severityOf(rule.weight), weight: rule.weight, message, title: rule.title, explanation: rule.explanation, ...(excerpt ? { excerpt } : {}) }
}

/**
 * What a call of exported functions may show without alarming: the exerciser hands functions placeholders, and
 * a library's own work (an API client's requests, a key loader's reads, files written where it is told) is
 * legitimate there. Only what no caller asked for counts: secrets or the machine's identity sent away, a drop
 * host contacted, a second stage run, persistence.
 */
const CALL_PHASE_RULES: ReadonlySet<string> = new Set([DYNAMIC_RULES.honeytokenEgress, DYNAMIC_RULES.systemInfoEgress, DYNAMIC_RULES.dropHost, DYNAMIC_RULES.secondStage, DYNAMIC_RULES.persistence].map((r) => r.id))

/** The step that was running at time t of the run (network events carry only a time). */
function stepAt(run: PersonaRun, t: number): StepResult | undefined {
  let found = run.steps[0]
  for (const step of run.steps) if (step.at <= t) found = step
  return found
}

/** The text of everything a run tried to send: requests, raw TCP data, DNS names, and datagrams strace saw. */
function outbound(run: PersonaRun, network: readonly { e: NetworkEvent; step: StepResult | undefined }[]): { where: string; text: string; step: StepResult | undefined }[] {
  const out: { where: string; text: string; step: StepResult | undefined }[] = []
  for (const { e, step } of network) {
    if (e.kind === 'http') out.push({ where: `${e.method} ${e.scheme}://${e.host}${e.path}`, text: `${e.path}\n${JSON.stringify(e.headers)}\n${e.body}`, step })
    else if (e.kind === 'tcp') out.push({ where: `tcp port ${e.port}`, text: e.data, step })
    else if (e.kind === 'dns') out.push({ where: `DNS ${e.name}`, text: `${e.name}\n${e.name.split('.').join('')}`, step })
  }
  run.syscalls.forEach((calls, i) => {
    for (const e of calls) if (e.kind === 'send' && !(e.address === '127.0.0.1' && e.port === 53)) out.push({ where: `${e.address}:${e.port}`, text: e.data, step: run.steps[i] })
  })
  return out
}

const DROP_KINDS: ReadonlySet<string> = new Set(['webhook', 'paste-site', 'tunnel-host', 'oast-host'])

/**
 * What a name a run looked up or requested is, by the static indicators' host lists: a drop host (webhook, paste,
 * tunnelling or out-of-band testing), or a public package index, which installing fetches from (setuptools'
 * `setup_requires`, a build backend's dependencies) as it does from the registry itself.
 */
function destination(e: NetworkEvent): { host: string; drop?: string; index: boolean } | undefined {
  if (e.kind !== 'dns' && e.kind !== 'http') return undefined
  const host = e.kind === 'dns' ? e.name : e.host.replace(/:\d+$/, '')
  const found = indicatorsIn(e.kind === 'dns' ? `https://${e.name}/` : `${e.scheme}://${e.host}${e.path}`)
  const drop = found.find((i) => DROP_KINDS.has(i.kind))?.value
  return { host, ...(drop ? { drop } : {}), index: found.some((i) => i.kind === 'registry-url') }
}

/** The program an exec starts: its file's name, or the module an interpreter runs as a program (`python3 -m pip` is pip). */
function programOf(e: Extract<SyscallEvent, { kind: 'exec' }>): string {
  const name = base(e.path)
  const module = /^python[0-9.]*$/.test(name) && e.argv[1] === '-m' ? e.argv[2] : undefined
  return module ?? name
}

/** Which program each pid runs (the last exec seen for it, inherited by forks we do not see). */
function programs(events: readonly SyscallEvent[]): Map<number, string> {
  const byPid = new Map<number, string>()
  for (const e of events) if (e.kind === 'exec' && e.ok) byPid.set(e.pid, programOf(e))
  return byPid
}

/** The machine's identity in text: the host name anywhere (it is distinctive), the user name as a word of its own (`runner` is not `pytest-runner`). */
function identityIn(text: string, persona: PersonaRun['persona']): string | undefined {
  const lower = text.toLowerCase()
  const hex = (id: string) => Buffer.from(id).toString('hex')
  const host = persona.hostname.toLowerCase()
  if (host.length >= 4 && (lower.includes(host) || lower.includes(hex(host)))) return persona.hostname
  const user = persona.user.toLowerCase()
  if (user.length >= 4 && (new RegExp(`(^|[^a-z0-9_-])${user}($|[^a-z0-9_-])`).test(lower) || lower.includes(hex(user)))) return persona.user
  return undefined
}

function isLocal(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address.startsWith('127.') || address === '0.0.0.0'
}

export interface DynamicFindings {
  readonly signals: SignalRecord[]
  /** The stored trace: a summary, then the events worth a reviewer's look. */
  readonly trace: { summary: Record<string, unknown>; events: Record<string, unknown>[] }
}

export function dynamicFindings(sandbox: SandboxRun, options: { registryHosts?: readonly string[] } = {}): DynamicFindings {
  const allowed = new Set((options.registryHosts ?? []).map((h) => h.toLowerCase()))
  const found = new Map<string, SignalRecord>()
  const add = (s: SignalRecord, step: StepResult | undefined) => {
    if (step?.phase === 'call' && !CALL_PHASE_RULES.has(s.rule)) return
    if (!found.has(s.rule)) found.set(s.rule, step?.phase === 'call' && !s.message.startsWith(step.label) ? { ...s, message: `${step.label}: ${s.message}` } : s)
  }
  const events: Record<string, unknown>[] = []
  for (const run of sandbox.runs) {
    const persona = run.persona.name
    // Honeytokens and the machine's identity in anything sent.
    const network = run.network.map((e) => ({ e, step: stepAt(run, e.t) }))
    for (const o of outbound(run, network)) {
      const tokens: Honeytoken[] = findHoneytokens(o.text, run.tokens)
      if (tokens.length > 0) add(signal(DYNAMIC_RULES.honeytokenEgress, `sent the planted ${tokens[0]!.kind} (from ${tokens[0]!.where}) to ${o.where} [${persona}]`, o.text.slice(0, 300)), o.step)
      const identity = identityIn(o.text, run.persona)
      if (identity) add(signal(DYNAMIC_RULES.systemInfoEgress, `sent “${identity}” (the sandbox's ${identity === run.persona.hostname ? 'host' : 'user'} name) to ${o.where} [${persona}]`, o.text.slice(0, 300)), o.step)
    }
    // hosts contacted by install and load code (a package index is fetched from as the registry is, and a payload
    // fetched from one is still seen running); calls of exported functions reach their services by design
    const hosts = new Set<string>()
    for (const { e, step } of network) {
      const to = destination(e)
      if (to && !to.index && !allowed.has(to.host.toLowerCase()) && to.host !== 'localhost' && step?.phase !== 'call') hosts.add(to.host)
      if (to?.drop) add(signal(DYNAMIC_RULES.dropHost, `contacted ${to.drop} [${persona}]`), step)
      events.push(networkEvent(persona, e, step))
    }
    run.steps.forEach((step, i) => {
      const calls = run.syscalls[i] ?? []
      const program = programs(calls)
      const written = new Set<string>()
      // strace prints paths as the program gave them; relative ones are taken from the step's directory
      const stepCwd = sandbox.steps[i]?.cwd ?? '.'
      const cwd = stepCwd === '.' ? '/gh/pkg' : `/gh/pkg/${stepCwd}`
      const absolute = (path: string) => (path.startsWith('/') ? path : posix.normalize(`${cwd}/${path}`))
      let forks = 0
      let refusedForks = 0
      for (const e of calls) {
        const who = program.get(e.pid) ?? '?'
        if (e.kind === 'fork') {
          if (e.ok) forks++
          else refusedForks++
          continue
        }
        if (e.kind === 'open' && e.ok && e.write) written.add(absolute(e.path))
        const read = e.kind === 'open' ? (HOME_SECRETS.test(e.path) ? DYNAMIC_RULES.readsSecrets : CLIENT_CONFIGS.test(e.path) ? DYNAMIC_RULES.readsClientConfig : undefined) : undefined
        if (e.kind === 'open' && read && !TRUSTED_TOOLS.test(who)) {
          add(signal(read, `${step.label}: ${who} opened ${e.path}${e.ok ? '' : ' (failed)'} [${persona}]`), step)
          events.push({ persona, step: step.label, event: 'open', program: who, path: e.path, ok: e.ok })
        }
        if ((e.kind === 'open' && e.write) || (e.kind === 'fs' && e.call !== 'chmod')) {
          const path = absolute(e.path)
          if (PERSISTENCE.test(path)) {
            add(signal(DYNAMIC_RULES.persistence, `${step.label}: ${who} wrote ${path}${e.ok ? '' : ' (refused)'} [${persona}]`), step)
            events.push({ persona, step: step.label, event: e.kind === 'open' ? 'write' : e.call, program: who, path, ok: e.ok })
          } else if (!OWN_PLACES.test(path) && !ownState(path, sandbox.package) && !TRUSTED_TOOLS.test(who)) {
            add(signal(DYNAMIC_RULES.writesOutside, `${step.label}: ${who} ${e.kind === 'open' ? 'wrote' : e.call} ${path}${e.ok ? '' : ' (refused)'} [${persona}]`), step)
            events.push({ persona, step: step.label, event: 'write outside', program: who, path, ok: e.ok })
          }
        }
        if (e.kind === 'exec') {
          const name = base(e.path)
          // A file the run wrote outside the package (a download, a dropped script) and then executed:
          // directly, or as the script an interpreter runs. Build output inside the package does not count.
          // An attempt counts too: a dropped file without a shebang fails to exec, the intent is the same.
          // Any argument may be the script: options come first and some take values (`powershell -ExecutionPolicy Bypass -File x.ps1`).
          const scripts = INTERPRETERS.test(name) && !TRUSTED_TOOLS.test(programOf(e)) ? e.argv.slice(1).filter((a) => !a.startsWith('-')).flatMap((a) => [a, a.split(',')[0]!]) : []
          // the exercisers' placeholder input is the caller's file: a linter handed it runs `bash -n` on it
          const dropped = [e.path, ...scripts].map(absolute).find((p) => written.has(p) && !p.startsWith('/gh/pkg/') && p !== PLACEHOLDER_INPUT)
          if (dropped) add(signal(DYNAMIC_RULES.secondStage, `${step.label}: ran ${e.argv.join(' ').slice(0, 200)}, and ${dropped} was written during the run [${persona}]`), step)
          if (!e.ok) continue
          // the step's own command (`sh -c <script>`) is what npm runs; what it starts is the package's choice
          if (step.phase === 'install' && spawnsTool(e) && e.argv.join('\u0000') !== step.argv.join('\u0000')) {
            add(signal(DYNAMIC_RULES.shell, `${step.label}: ran ${e.argv.join(' ').slice(0, 200)} [${persona}]`), step)
          }
          events.push({ persona, step: step.label, event: 'exec', argv: e.argv.join(' ').slice(0, 300) })
        }
        if (e.kind === 'connect' && e.family !== 'unix' && !isLocal(e.address)) {
          if (step.phase !== 'call') hosts.add(`${e.address}:${e.port}`)
          events.push({ persona, step: step.label, event: 'connect', program: who, to: `${e.address}:${e.port}`, result: e.ok ? 'ok' : (e.error ?? 'failed') })
        }
      }
      if (step.exitCode !== 0 && step.stderr.trim()) events.push({ persona, step: step.label, event: 'exit', code: step.exitCode, stderr: step.stderr.trim().slice(-300) })
      if (forks > 200 || refusedForks > 0) events.push({ persona, step: step.label, event: 'processes', started: forks, refused: refusedForks, note: refusedForks > 0 ? 'hit the process limit' : 'many processes' })
      if (step.timedOut) events.push({ persona, step: step.label, event: 'timeout', note: `killed after ${step.ms} ms` })
    })
    if (hosts.size > 0) add(signal(DYNAMIC_RULES.network, `contacted ${[...hosts].slice(0, 5).join(', ')}${hosts.size > 5 ? ` and ${hosts.size - 5} more` : ''} [${persona}]`), undefined)
  }
  const signals = [...found.values()]
  return {
    signals,
    trace: {
      summary: {
        personas: sandbox.runs.map((r) => r.persona.name).join(', '),
        steps: sandbox.steps.map((s) => s.label).join(', '),
        ms: sandbox.ms,
        environment: sandbox.environment,
        signals: signals.map((s) => s.rule).join(', ') || 'none',
        // one line per persona: how each step ended
        ...Object.fromEntries(
          sandbox.runs.map((r) => [
            r.persona.name,
            `${r.steps.map((s) => `${s.label} → ${s.timedOut ? 'timed out' : s.signal ? `killed (${s.signal})` : `exit ${s.exitCode}`} in ${s.ms} ms`).join('; ')}${r.killed ? '; the run was killed at its limit' : ''}${r.error ? `; ${r.error}` : ''} (${r.ms} ms in all)`,
          ]),
        ),
      },
      events: events.slice(0, 500),
    },
  }
}

function networkEvent(persona: string, e: NetworkEvent, at: StepResult | undefined): Record<string, unknown> {
  const step = at?.label
  switch (e.kind) {
    case 'dns':
      return { persona, step, event: 'dns', name: e.name, type: e.type }
    case 'http':
      return { persona, step, event: e.scheme, request: `${e.method} ${e.host}${e.path}`.slice(0, 300), body: e.body.slice(0, 300), size: e.size }
    case 'tcp':
      return { persona, step, event: 'tcp', port: e.port, data: e.data.slice(0, 300), size: e.size }
    case 'tls-error':
      return { persona, step, event: 'tls-error', port: e.port, message: e.message }
  }
}
