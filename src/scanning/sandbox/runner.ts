// Runs a package's install-time and load-time code in a bubblewrap sandbox under strace, once per persona, with a
// sinkhole for its network and honeytokens in its home; returns what it did.
import { execFile, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Artifact, Ecosystem } from '../../core/ecosystem.ts'
import { eachAtOnce } from '../at-once.ts'
import { plantHoneytokens, type Honeytoken } from './honeytokens.ts'
import { describeSite, PYTHON_LIBRARIES, pythonSite, pythonSiteMounts } from './python-site.ts'
import { parseStrace, type SyscallEvent } from './strace.ts'
import { requestedPackages, STAND_IN_MODULES, writeStandIns } from './npm-stand-ins.ts'
import { DRIVER_DIR, sandboxSteps, type SandboxStep } from './steps.ts'

const run = promisify(execFile)
/**
 * Files of this folder the sandbox uses: the driver, the exercisers that call what a package exports, what npm
 * dependencies the sandbox lacks export (stand-in.cjs), what Node.js answers on the Windows persona (as-windows.cjs),
 * Windows' commands and registry there (windows-commands.py, windows_registry.py), setuptools' dry-run config.
 */
const SANDBOX_HELPERS = ['driver.cjs', 'exercise.py', 'exercise.cjs', 'stand-in.cjs', 'as-windows.cjs', 'windows-commands.py', 'windows_registry.py', 'setup-dry-run.cfg']
/** The helper that is a program: Windows' commands, each a link to it. */
const WINDOWS_COMMANDS_PROGRAM = 'windows-commands.py'
/** The unprivileged user the package's code runs as (nobody). */
const SANDBOX_UID = 65534

export interface Persona {
  readonly name: string
  readonly hostname: string
  readonly user: string
  /** Environment variables of the persona; a value starting with `~/` is a path in its home. */
  readonly env: Readonly<Record<string, string>>
  /** The login shell (SHELL, /etc/passwd); a bash user's home has the start-up files a new Debian account gets. */
  readonly shell: '/bin/bash' | '/bin/sh'
  /**
   * The system the package is told it runs on. On `windows`, Python (through the exerciser) and Node.js answer as
   * Windows 10 does, over the same Linux sandbox; its home has the folders a Windows account has.
   */
  readonly system: 'linux' | 'windows'
}

/**
 * The start-up files of a bash user's home, as Debian's /etc/skel gives them (shortened): payloads that install
 * themselves look for the rc file of the user's shell (`$SHELL`) and leave a home without one alone.
 */
const BASH_HOME_FILES: Readonly<Record<string, string>> = {
  '.bashrc': '# ~/.bashrc: executed by bash(1) for non-login shells.\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\nHISTCONTROL=ignoreboth\nshopt -s histappend\nHISTSIZE=1000\nHISTFILESIZE=2000\nalias ls=\'ls --color=auto\'\n',
  '.profile': '# ~/.profile: executed by the command interpreter for login shells.\nif [ -n "$BASH_VERSION" ]; then\n    if [ -f "$HOME/.bashrc" ]; then\n\t. "$HOME/.bashrc"\n    fi\nfi\nif [ -d "$HOME/bin" ] ; then\n    PATH="$HOME/bin:$PATH"\nfi\n',
  '.bash_logout': '# ~/.bash_logout: executed by bash(1) when login shell exits.\nif [ "$SHLVL" = 1 ]; then\n    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\nfi\n',
}

/**
 * Node.js options of every persona. WebAssembly's guard regions reserve more address space than the memory limit
 * allows: without this, fetch() (undici parses HTTP with WebAssembly) fails before its request leaves, after its DNS query.
 */
const NODE_OPTIONS = '--disable-wasm-trap-handler'
/** Where every persona's shell finds programs: the package's own tools, then the system's. */
const SANDBOX_PATH = '/gh/pkg/node_modules/.bin:/usr/bin:/bin'
/** Windows' profile folders, in the persona's home: where a Windows stealer asks the environment to find its stores. */
const WINDOWS_PROFILE_ENV = { APPDATA: '~/AppData/Roaming', LOCALAPPDATA: '~/AppData/Local', USERPROFILE: '~' }
/**
 * The folders of a Windows account's home that payloads write to: TEMP, the Startup folder a copy of itself goes to;
 * and, in ~/.windows, the registry's autostart keys and the scheduled tasks' folder as windows_registry.py and
 * windows-commands.py keep them.
 */
const WINDOWS_HOME_FOLDERS = [
  'AppData/Local/Temp',
  'AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup',
  ...['HKEY_CURRENT_USER', 'HKEY_LOCAL_MACHINE'].flatMap((hive) => ['Run', 'RunOnce'].map((key) => `.windows/registry/${hive}/Software/Microsoft/Windows/CurrentVersion/${key}`)),
  '.windows/System32/Tasks',
]
/**
 * Windows' commands a payload starts by name or through a shell, on the Windows persona's PATH (after Linux's own):
 * each a link to windows-commands.py, which does what Windows would as near as Linux can.
 */
const WINDOWS_COMMANDS = ['start', 'cmd', 'reg', 'schtasks', 'powershell', 'pwsh', 'wscript', 'cscript', 'mshta', 'rundll32', 'regsvr32', 'msiexec', 'explorer', 'taskkill', 'tasklist', 'attrib', 'certutil', 'bitsadmin', 'wmic', 'systeminfo', 'ipconfig', 'netsh', 'sc', 'setx', 'icacls', 'vssadmin']

/**
 * Real payloads gate on where they run: a developer's laptop, a CI runner, a production server, a Windows
 * desktop (the system most stealers and droppers are written for). The developer
 * also has the folders a Windows stealer asks the environment for (`os.getenv('APPDATA')`, `LOCALAPPDATA`,
 * `USERPROFILE`): without them its first path join fails and it stops before it reaches for anything, and the
 * honeytokens are planted in those folders' layout too.
 */
export const PERSONAS: readonly Persona[] = [
  {
    name: 'developer',
    hostname: 'dana-laptop',
    user: 'dana',
    env: { TERM: 'xterm-256color', LANG: 'en_US.UTF-8', EDITOR: 'vim', ...WINDOWS_PROFILE_ENV },
    shell: '/bin/bash',
    system: 'linux',
  },
  { name: 'ci', hostname: 'runner-7f3a', user: 'runner', env: { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/webapp', RUNNER_OS: 'Linux' }, shell: '/bin/bash', system: 'linux' },
  { name: 'production', hostname: 'web-prod-1', user: 'app', env: { NODE_ENV: 'production', RAILS_ENV: 'production', DJANGO_SETTINGS_MODULE: 'app.settings.production' }, shell: '/bin/sh', system: 'linux' },
  {
    name: 'windows',
    hostname: 'DESKTOP-K7Q2M9F',
    user: 'jordan',
    env: { ...WINDOWS_PROFILE_ENV, TEMP: '~/AppData/Local/Temp', TMP: '~/AppData/Local/Temp', OS: 'Windows_NT', PROCESSOR_ARCHITECTURE: 'AMD64' },
    shell: '/bin/sh',
    system: 'windows',
  },
]

export interface SandboxOptions {
  /** Wall-clock limit for one step. */
  readonly stepTimeoutMs: number
  /** Wall-clock limit for a whole persona's run (all steps), after which the sandbox is killed. */
  readonly runTimeoutMs: number
  readonly memoryBytes: number
  readonly processes: number
  readonly personas: readonly Persona[]
  /** How many personas run at once: they are independent, so a free core shortens the wait for a verdict. */
  readonly personasAtOnce: number
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = {
  stepTimeoutMs: 20_000,
  runTimeoutMs: 60_000,
  memoryBytes: 2 * 1024 ** 3,
  processes: 64,
  personas: PERSONAS,
  personasAtOnce: Math.min(PERSONAS.length, availableParallelism()),
}

export interface StepResult {
  readonly label: string
  readonly phase: SandboxStep['phase']
  readonly argv: readonly string[]
  readonly exitCode: number | null
  readonly signal: string | null
  readonly timedOut: boolean
  /** When it started, in ms from the start of the run (the clock of the network events). */
  readonly at: number
  readonly ms: number
  readonly stdout: string
  readonly stderr: string
}

/** What the sinkhole saw. */
export type NetworkEvent =
  | { readonly kind: 'dns'; readonly name: string; readonly type: string; readonly t: number }
  | { readonly kind: 'http'; readonly scheme: 'http' | 'https'; readonly port: number; readonly method: string; readonly host: string; readonly path: string; readonly headers: Record<string, string>; readonly body: string; readonly size: number; readonly t: number }
  | { readonly kind: 'tcp'; readonly port: number; readonly data: string; readonly size: number; readonly t: number }
  | { readonly kind: 'tls-error'; readonly port: number; readonly message: string; readonly t: number }

export interface PersonaRun {
  readonly persona: Persona
  readonly steps: readonly StepResult[]
  /** Syscalls per step (index as in steps). */
  readonly syscalls: readonly (readonly SyscallEvent[])[]
  readonly network: readonly NetworkEvent[]
  readonly tokens: readonly Honeytoken[]
  readonly ms: number
  /** The whole run was killed at its limit. */
  readonly killed: boolean
  readonly error?: string
}

export interface SandboxRun {
  /** The package's name (its own data folders are named after it). */
  readonly package: string
  readonly runs: readonly PersonaRun[]
  readonly steps: readonly SandboxStep[]
  readonly ms: number
  /** What the package ran with: the Node.js and Python versions and the declared Python libraries' versions. */
  readonly environment: string
}

/** Whether this machine can run the sandbox; the reason when not. */
export function sandboxAvailability(): { ok: true } | { ok: false; reason: string } {
  for (const tool of ['bwrap', 'strace', 'setpriv', 'prlimit', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return { ok: false, reason: `${tool} is not installed (apt-get install bubblewrap strace util-linux openssl)` }
  }
  const probe = spawnSync('bwrap', ['--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', 'setpriv', `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups', 'true'], { timeout: 10_000 })
  if (probe.status !== 0) return { ok: false, reason: `bubblewrap cannot create namespaces here: ${String(probe.stderr).trim().slice(0, 200)}` }
  const site = pythonSite()
  if (!site.ok) return { ok: false, reason: `${site.missing.join(', ')} not installed: the sandbox runs Python with a declared set of Debian's libraries (apt-get install ${PYTHON_LIBRARIES.map((l) => l.debian).join(' ')})` }
  return { ok: true }
}

/** Writes the package's files under `root` (paths were checked by the archive reader: relative, no traversal). */
function writePackage(root: string, artifact: Artifact): void {
  for (const file of artifact.files) {
    const target = join(root, file.path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, file.content, { mode: file.mode & 0o111 ? 0o755 : 0o644 })
  }
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid)
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) chownTree(child, uid)
    else if (!entry.isSymbolicLink()) chownSync(child, uid, uid)
  }
}

async function makeCa(dir: string): Promise<void> {
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '2', '-subj', '/CN=Gatehouse sandbox CA (throwaway)'], { timeout: 20_000 })
  chmodSync(join(dir, 'ca.key'), 0o600)
}

const SINKHOLE = { httpPorts: [80, 8000, 8080, 8888, 3000, 5000], httpsPorts: [443, 8443], tcpPorts: [21, 22, 25, 1337, 4444, 6667, 9001, 9999] }

/** What every persona's run of one package shares: the CA, the declared Python libraries, the npm dependencies' stand-ins. */
interface RunMounts {
  readonly ca: string
  readonly python: readonly string[]
  readonly standIns?: string
}

async function runPersona(artifact: Artifact, steps: readonly SandboxStep[], persona: Persona, mounts: RunMounts, options: SandboxOptions): Promise<PersonaRun> {
  const started = Date.now()
  const base = mkdtempSync(join(tmpdir(), 'gatehouse-sandbox-'))
  try {
    const pkg = join(base, 'pkg')
    const home = join(base, 'home')
    const out = join(base, 'out')
    const driverDir = join(base, 'driver')
    const etc = join(base, 'etc')
    for (const d of [pkg, home, out, driverDir, etc]) mkdirSync(d, { recursive: true })
    writePackage(pkg, artifact)
    const plant = plantHoneytokens()
    const skeleton = persona.shell === '/bin/bash' ? BASH_HOME_FILES : {}
    for (const [path, content] of Object.entries(skeleton)) writeFileSync(join(home, path), content, { mode: 0o644 })
    if (persona.system === 'windows') for (const folder of WINDOWS_HOME_FOLDERS) mkdirSync(join(home, folder), { recursive: true })
    for (const [path, content] of Object.entries(plant.files)) {
      mkdirSync(dirname(join(home, path)), { recursive: true })
      writeFileSync(join(home, path), content, { mode: 0o600 })
    }
    chownTree(pkg, SANDBOX_UID)
    chownTree(home, SANDBOX_UID)
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\n')
    writeFileSync(join(etc, 'hosts'), `127.0.0.1 localhost ${persona.hostname}\n::1 localhost\n`)
    writeFileSync(join(etc, 'passwd'), `root:x:0:0:root:/root:/bin/sh\n${persona.user}:x:${SANDBOX_UID}:${SANDBOX_UID}:${persona.user}:/home/${persona.user}:${persona.shell}\n`)
    writeFileSync(join(etc, 'group'), `root:x:0:\n${persona.user}:x:${SANDBOX_UID}:\n`)
    const homeIn = `/home/${persona.user}`
    const env = {
      PATH: SANDBOX_PATH,
      HOME: homeIn,
      USER: persona.user,
      LOGNAME: persona.user,
      SHELL: persona.shell,
      TMPDIR: '/tmp',
      NODE_EXTRA_CA_CERTS: '/gh/ca/ca.pem',
      NODE_OPTIONS,
      SSL_CERT_FILE: '/gh/ca/ca.pem',
      REQUESTS_CA_BUNDLE: '/gh/ca/ca.pem',
      CURL_CA_BUNDLE: '/gh/ca/ca.pem',
      PIP_CERT: '/gh/ca/ca.pem',
      PYTHONDONTWRITEBYTECODE: '1',
      ...Object.fromEntries(Object.entries(persona.env).map(([k, v]) => [k, inHome(v, homeIn)])),
      // the Windows persona: Windows names the user and the machine in the environment; Node.js preloads what answers
      // as Windows; the exerciser reads the mark and removes it
      ...(persona.system === 'windows'
        ? {
            PATH: `${SANDBOX_PATH}:${DRIVER_DIR}/windows`,
            USERNAME: persona.user,
            COMPUTERNAME: persona.hostname,
            NODE_OPTIONS: `${NODE_OPTIONS} --require ${DRIVER_DIR}/as-windows.cjs`,
            GATEHOUSE_SYSTEM: 'windows',
          }
        : {}),
      ...plant.env,
    }
    writeFileSync(
      join(driverDir, 'plan.json'),
      JSON.stringify({
        uid: SANDBOX_UID,
        limits: { processes: options.processes, memoryBytes: options.memoryBytes, fileBytes: 256 * 1024 ** 2 },
        sinkhole: SINKHOLE,
        settleMs: 500,
        steps: steps.map((s) => ({ label: s.label, argv: s.argv, cwd: s.cwd === '.' ? '/gh/pkg' : `/gh/pkg/${s.cwd}`, env: { ...env, ...s.env }, timeoutMs: options.stepTimeoutMs })),
      }),
    )
    for (const helper of SANDBOX_HELPERS) writeFileSync(join(driverDir, helper), readFileSync(fileURLToPath(new URL(`./${helper}`, import.meta.url))), { mode: helper === WINDOWS_COMMANDS_PROGRAM ? 0o755 : 0o644 })
    if (persona.system === 'windows') {
      mkdirSync(join(driverDir, 'windows'))
      for (const name of WINDOWS_COMMANDS) for (const file of [name, `${name}.exe`]) symlinkSync(`../${WINDOWS_COMMANDS_PROGRAM}`, join(driverDir, 'windows', file))
    }
    const bind = (from: string, to: string, ro = true) => [ro ? '--ro-bind' : '--bind', from, to]
    const etcFiles = ['ssl', 'alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'nsswitch.conf', 'mime.types', 'os-release'].filter((f) => existsSync(`/etc/${f}`))
    // Every namespace but the user one: the package's code must run as a real unprivileged uid for its
    // process limit to hold (root ignores RLIMIT_NPROC), and a user namespace here would map only root.
    const args = [
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--die-with-parent',
      '--new-session',
      '--hostname',
      persona.hostname,
      ...bind('/usr', '/usr'),
      ...mounts.python,
      // directories bwrap creates for mount points are 0700; the package's user must be able to walk them
      '--perms',
      '0755',
      '--dir',
      '/etc',
      '--perms',
      '0755',
      '--dir',
      '/home',
      '--perms',
      '0755',
      '--dir',
      '/gh',
      '--symlink',
      'usr/bin',
      '/bin',
      '--symlink',
      'usr/sbin',
      '/sbin',
      '--symlink',
      'usr/lib',
      '/lib',
      ...(existsSync('/lib64') ? ['--symlink', 'usr/lib64', '/lib64'] : []),
      ...etcFiles.flatMap((f) => bind(`/etc/${f}`, `/etc/${f}`)),
      ...bind(join(etc, 'resolv.conf'), '/etc/resolv.conf'),
      ...bind(join(etc, 'hosts'), '/etc/hosts'),
      ...bind(join(etc, 'passwd'), '/etc/passwd'),
      ...bind(join(etc, 'group'), '/etc/group'),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      '/var',
      '--dir',
      '/var/tmp',
      ...bind(pkg, '/gh/pkg', false),
      ...bind(home, homeIn, false),
      ...bind(out, '/gh/out', false),
      ...bind(driverDir, DRIVER_DIR),
      ...bind(mounts.ca, '/gh/ca'),
      ...(mounts.standIns ? bind(mounts.standIns, STAND_IN_MODULES) : []),
      '--chmod',
      '1777',
      '/tmp',
      '--chdir',
      '/gh/pkg',
      '--',
      process.execPath,
      `${DRIVER_DIR}/driver.cjs`,
    ]
    const child = spawn('bwrap', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)))
    child.stdout.resume()
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // gone already
      }
    }, options.runTimeoutMs)
    await new Promise<void>((resolve) => child.on('close', () => resolve()))
    clearTimeout(timer)

    let driver: { steps: Omit<StepResult, 'phase'>[]; events: NetworkEvent[]; error?: string } = { steps: [], events: [] }
    try {
      driver = JSON.parse(readFileSync(join(out, 'driver.json'), 'utf8'))
    } catch {
      driver = { steps: [], events: [], error: killed ? `the sandbox was killed at its ${options.runTimeoutMs} ms limit` : `the sandbox ended without a report: ${stderr.trim().slice(0, 500)}` }
    }
    const syscalls = steps.map((step, i) => {
      const file = join(out, `strace.${i}`)
      return existsSync(file) ? withoutWrappers(parseStrace(readFileSync(file, 'utf8')), step) : []
    })
    return {
      persona,
      steps: driver.steps.map((s, i) => ({ ...s, phase: steps[i]?.phase ?? 'load' })),
      syscalls,
      network: driver.events,
      tokens: plant.tokens,
      ms: Date.now() - started,
      killed,
      ...(driver.error ? { error: driver.error } : {}),
    }
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
}

/** A persona's value with `~` read as its home, as a shell would expand it. */
function inHome(value: string, home: string): string {
  return value === '~' ? home : value.startsWith('~/') ? `${home}${value.slice(1)}` : value
}

/**
 * A step's calls from the moment its own command starts: the driver reaches it through setpriv and
 * prlimit (dropping to nobody, setting limits), whose calls are the sandbox's, not the package's.
 */
function withoutWrappers(events: readonly SyscallEvent[], step: SandboxStep): SyscallEvent[] {
  const own = step.argv.join('\u0000')
  const start = events.findIndex((e) => e.kind === 'exec' && e.ok && e.argv.join('\u0000') === own)
  return start < 0 ? [...events] : events.slice(start)
}

/** Runs the package once per persona; nothing of the host is writable to it, and nothing leaves the machine. */
export async function runSandbox(eco: Ecosystem, artifact: Artifact, options: SandboxOptions = DEFAULT_SANDBOX_OPTIONS): Promise<SandboxRun> {
  const started = Date.now()
  const steps = sandboxSteps(eco, artifact)
  const site = pythonSite()
  if (!site.ok) throw new Error(`the sandbox's Python libraries are missing: ${site.missing.join(', ')}`)
  const environment = `node ${process.version.replace(/^v/, '')}; python ${pythonVersion()}; ${describeSite(site.site)}`
  if (steps.length === 0) return { package: artifact.name, runs: [], steps, ms: 0, environment }
  const requested = eco.id === 'npm' ? requestedPackages(artifact) : new Map()
  // one throwaway CA per run: the sinkholes of all its personas present certificates it signed
  const ca = mkdtempSync(join(tmpdir(), 'gatehouse-sandbox-ca-'))
  const standIns = requested.size > 0 ? mkdtempSync(join(tmpdir(), 'gatehouse-sandbox-modules-')) : undefined
  try {
    chmodSync(ca, 0o755) // the package's user reads the certificate; the key stays the driver's (0600)
    await makeCa(ca)
    if (standIns) {
      chmodSync(standIns, 0o755)
      writeStandIns(standIns, requested)
    }
    const mounts: RunMounts = { ca, python: pythonSiteMounts(site.site, [process.execPath]), ...(standIns ? { standIns } : {}) }
    const runs: PersonaRun[] = new Array(options.personas.length)
    await eachAtOnce(options.personas, options.personasAtOnce, async (persona, i) => {
      runs[i] = await runPersona(artifact, steps, persona, mounts, options)
    })
    return { package: artifact.name, runs, steps, ms: Date.now() - started, environment }
  } finally {
    for (const dir of [ca, standIns]) if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

let python: string | undefined
/** Debian's Python, which every Python step runs (`python3` on the sandbox's PATH). */
function pythonVersion(): string {
  python ??= String(spawnSync('/usr/bin/python3', ['--version']).stdout ?? '').trim().replace(/^Python /, '') || 'unknown'
  return python
}
