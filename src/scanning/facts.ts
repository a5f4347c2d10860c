// Facts: what the analyzers observe in a package, in one vocabulary for every language.

/** Things code can do. A capability alone is rarely malicious; rules combine them with indicators. */
export type Capability =
  | 'process' // runs programs or shells
  | 'network' // HTTP, sockets, fetch, mail
  | 'dns' // resolves names it builds
  | 'env-read' // reads a named environment variable
  | 'env-dump' // serialises or iterates the whole environment
  | 'dynamic-code' // eval, exec, Function, compile, vm
  | 'decode' // base64, hex, zlib, marshal, char codes
  | 'fs-read'
  | 'fs-write'
  | 'system-info' // hostname, user name, home, platform, interfaces
  | 'native-load' // ctypes, dlopen
  | 'input-capture' // keyboard hooks, clipboard, screenshots
  | 'credential-decrypt' // CryptUnprotectData and friends

/** Capabilities that act beyond the package's own data: reach the network or other programs, run code, read the whole environment, capture input, decrypt credentials, load native code. File reads and writes are everywhere, so they are not among them. */
export const RISKY_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['network', 'process', 'dynamic-code', 'env-dump', 'dns', 'credential-decrypt', 'input-capture', 'native-load'])

/** Threat indicators: values whose presence says something about intent. */
export type IndicatorKind =
  | 'raw-ip-url' // URL to a public IP address
  | 'webhook' // Discord, Slack, Telegram bot endpoints, a Telegram bot's token…
  | 'paste-site'
  | 'tunnel-host' // ngrok, serveo, trycloudflare…
  | 'oast-host' // out-of-band testing and request-capture services
  | 'ip-lookup' // what-is-my-IP services
  | 'executable-url' // URL of an .exe/.ps1/.bat/… download
  | 'registry-url' // a package index (PyPI, npm, RubyGems): what bootstrap installers legitimately fetch
  | 'sensitive-path' // ~/.ssh, ~/.aws/credentials, .npmrc, /etc/shadow…
  | 'browser-store' // browser credential and cookie databases
  | 'discord-store' // Discord token storage
  | 'wallet-path' // crypto wallet files and extensions
  | 'shell-download' // curl|sh, wget -O- | bash, certutil -urlcache…
  | 'remote-install' // a package manager told to install from a URL or repository (`pip install git+https://…`), past the registry
  | 'reverse-shell' // /dev/tcp, nc -e, pty.spawn over a socket
  | 'destructive-command' // poweroff, rm -rf ~, format C:, deleting shadow copies
  | 'shell-exfil' // nslookup `hostname`.evil.tld, curl -d "$(env)" …
  | 'powershell' // hidden/encoded PowerShell, IEX, DownloadString
  | 'persistence' // shell rc files, cron, Run keys, LaunchAgents
  | 'encoded-blob' // long base64/hex literal
  | 'encoded-url' // a literal that is a base64- or hex-encoded URL
  | 'encoded-program' // a base64- or hex-encoded literal that decodes to program text
  | 'encoded-executable' // a base64 or hex literal that is a PE or ELF executable
  | 'inline-interpreter' // a Python interpreter started on inline code (`python -c '…'`)
  | 'obfuscation' // obfuscator.io identifiers, packers, JSFuck

/**
 * `env`: the whole environment; `env-secret`: one secret-looking variable (a token sent to its own API is normal at run time);
 * `key-argument`: a parameter named as a wallet's private key or recovery phrase, which signing code keeps to itself;
 * `found-file`: a file found by listing a directory (`os.walk`, `glob`), and what is read from it.
 */
export type FlowSource = 'decode' | 'env' | 'env-secret' | 'sensitive-file' | 'system-info' | 'network-response' | 'key-argument' | 'found-file'
export type FlowSink = 'dynamic-code' | 'process' | 'network' | 'fs-write' | 'dns'

/** What a module-level function does with data, for callers in other modules: the sources its return value carries, and which positional parameters reach which sinks. */
export interface FunctionFlows {
  readonly returns?: readonly FlowSource[]
  readonly sinks?: readonly { readonly index: number; readonly sink: FlowSink }[]
}

export interface Evidence {
  readonly line: number
  /** The source line (trimmed, bounded) where it was seen. */
  readonly excerpt: string
  /** The top-level function (or `Class`) it sits in; absent for module-level code. */
  readonly fn?: string
}

export interface CapabilityUse extends Evidence {
  readonly cap: Capability
  /** The API as resolved through imports: 'child_process.exec', 'requests.post', 'eval'… */
  readonly api: string
}

export interface Indicator extends Evidence {
  readonly kind: IndicatorKind
  readonly value: string
  /** The value is handed to a process or an evaluator, not merely present (a help text, a regex). */
  readonly executed?: boolean
}

export interface Flow extends Evidence {
  readonly source: FlowSource
  readonly sink: FlowSink
  readonly api: string
}

export type Language = 'javascript' | 'python' | 'ruby' | 'shell' | 'text'

/** When a file runs: at install, when the package is loaded, or only if something calls it. */
export type Role = 'install' | 'import' | 'runtime'

export interface FileFacts {
  readonly path: string
  readonly language: Language
  readonly capabilities: CapabilityUse[]
  readonly indicators: Indicator[]
  readonly flows: Flow[]
  /** Local modules this file loads (relative paths or module names), to follow install/import closures. */
  readonly localImports: string[]
  /**
   * Top-level functions and classes that module-level code calls or references (directly or through
   * each other). Code in other functions runs only if something outside calls it. Absent: all of it runs.
   */
  readonly reachable?: string[]
  /** With `reachable`: the names module-level code (key '') and each top-level function reference, to widen reach when another file calls in. */
  readonly references?: Readonly<Record<string, readonly string[]>>
  /** With `reachable`: dotted names this file calls that other modules of the package may define (`from .util import run; run()`), by the calling function ('' for module level). */
  readonly outsideCalls?: Readonly<Record<string, readonly string[]>>
  /** Python: the module-level functions that return data from a flow source or pass a parameter to a sink, for callers in other modules. */
  readonly functionFlows?: Readonly<Record<string, FunctionFlows>>
  /** Programs the file carries as text and runs (exec of a literal, `python -c '…'`, a script it writes and starts): analysed as files of their own. */
  readonly programs?: readonly EmbeddedProgram[]
  readonly parseError?: string
}

/** Source code held in a string that the file runs, with where it is launched (the launch decides when it runs). */
export interface EmbeddedProgram extends Evidence {
  readonly language: 'python' | 'javascript'
  readonly code: string
}

/** Top-level functions and classes reachable from `roots` through the names each references; a reached class reaches its methods. */
export function reachFrom(references: Readonly<Record<string, readonly string[]>>, roots: Iterable<string>): string[] {
  const seen = new Set<string>()
  const queue = [...roots]
  const methods = Object.keys(references)
  while (queue.length > 0) {
    const name = queue.pop()!
    if (seen.has(name)) continue
    seen.add(name)
    if (Object.hasOwn(references, name)) queue.push(...references[name]!)
    // a referenced class makes its methods reachable (setuptools calls cmdclass.run)
    for (const fn of methods) if (fn.startsWith(`${name}.`) && !seen.has(fn)) queue.push(fn)
  }
  return [...seen]
}

/** Whether evidence sits in code that runs when the file runs. */
export function isReachable(facts: FileFacts, evidence: Evidence): boolean {
  return evidence.fn === undefined || facts.reachable === undefined || facts.reachable.includes(evidence.fn)
}

export interface HookFacts {
  readonly phase: string
  readonly command: string
  /** Files of the package the hook runs. */
  readonly files: string[]
}

export interface PackageFacts {
  readonly ecosystem: string
  readonly name: string
  readonly version: string
  readonly files: readonly FileFacts[]
  readonly roles: ReadonlyMap<string, Role>
  readonly hooks: readonly HookFacts[]
  /** Executables (ELF, PE, Mach-O) bundled in the package. */
  readonly binaries: readonly string[]
  readonly fileCount: number
  /** Commands the package puts on the user's PATH. */
  readonly commands?: readonly string[]
  /** Top-level modules programs import once it is installed, where the ecosystem names them apart from the package (Python). */
  readonly modules?: readonly string[]
  /** What the installer shows the user after install, when the format has such a message. */
  readonly installMessage?: string
  /** Files in the archive its own metadata does not declare, and declared files the archive lacks (formats with an exact list). */
  readonly undeclaredFiles?: readonly string[]
  readonly missingDeclaredFiles?: readonly string[]
}

export function roleOf(facts: PackageFacts, path: string): Role {
  return facts.roles.get(path) ?? 'runtime'
}

/** Bounded one-line excerpt of a source line for evidence. */
export function excerptOf(lines: readonly string[], line: number, column = 0): string {
  const text = (lines[line - 1] ?? '').trim()
  if (text.length <= 160) return text
  const start = Math.max(0, Math.min(column - 60, text.length - 160))
  return `${start > 0 ? '…' : ''}${text.slice(start, start + 160)}…`
}
