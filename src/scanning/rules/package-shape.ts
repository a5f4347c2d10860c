// Rules about the package as a whole: obfuscation, hidden payloads, bundled executables, install hooks, version tricks.
import semver from 'semver'
import { filesOf, perFile, type Rule, type RuleHit } from './rule.ts'
import { indicatorsIn } from '../indicators.ts'

export const obfuscatedCode: Rule = perFile(
  'obfuscated-code',
  'Obfuscated code',
  'Obfuscator-style identifiers, packers or JSFuck. Minification is normal; obfuscation that hides intent, especially in code that runs at install, is not.',
  (file) => {
    const ind = file.indicator('obfuscation')
    return ind ? file.hit({ install: 70, import: 50, runtime: 20 }, ind.value, ind) : undefined
  },
)

export const encodedPayload: Rule = perFile(
  'encoded-payload',
  'Large encoded blob next to code execution',
  'A long base64 or hex literal sits in a file that can evaluate code or start processes: a common way to smuggle a payload past review.',
  (file) => {
    const blob = file.indicator('encoded-blob')
    if (!blob || !(file.has('dynamic-code') || file.has('process'))) return undefined
    return file.hit({ install: 60, import: 45, runtime: 5 }, `encoded literal (${blob.value}) in a file that executes code`, blob)
  },
)

export const bundledExecutable: Rule = {
  id: 'bundled-executable',
  title: 'Ships native executables',
  explanation: 'The package contains ELF, PE or Mach-O executables, as files or as base64/hex strings. Platform-binary packages ship files legitimately; an install hook that runs one, or code that writes out an executable it carries as a string and starts processes, deserves a look.',
  evaluate(facts) {
    // an executable carried as a base64/hex string, in a file that writes files and starts processes: a dropper
    for (const file of filesOf(facts)) {
      const embedded = file.indicator('encoded-executable')
      if (embedded && file.has('fs-write') && file.has('process')) return [file.hit({ install: 100, import: 90, runtime: 40 }, `writes files, starts processes and carries an encoded ${embedded.value}`, embedded)]
    }
    if (facts.binaries.length === 0) return []
    const run = facts.hooks.find((h) => facts.binaries.some((b) => h.command.includes(b) || h.files.includes(b)))
    if (run) return [{ file: facts.binaries[0]!, message: `install hook "${run.command}" runs a bundled executable`, weight: 40 }]
    const programs = facts.binaries.filter((b) => !/\.(node|so|dylib|dll)$/i.test(b))
    const launcher = filesOf(facts).find((f) => f.role === 'install' && f.has('process'))
    if (programs.length > 0 && launcher) {
      const spawn = launcher.first('process')!
      return [{ file: launcher.path, line: spawn.line, excerpt: spawn.excerpt, message: `install-time code starts processes (${spawn.api}) and the package ships ${programs[0]}`, weight: 70 }]
    }
    return [{ file: facts.binaries[0]!, message: `${facts.binaries.length} executable file(s), e.g. ${facts.binaries[0]}`, weight: 5 }]
  },
}

export const installHook: Rule = {
  id: 'install-hook',
  title: 'Runs code at install time',
  explanation: 'Install hooks run with the installing user\'s rights before anyone reviews the code. 2% of npm packages have one, and nearly all npm malware does.',
  evaluate(facts) {
    // Information for the reviewer, not evidence: every sdist has one. The code hooks run is judged by the other rules.
    return facts.hooks.map((h): RuleHit => ({ message: `${h.phase}: ${h.command}`, weight: 0 }))
  },
}

export const dependencyConfusionVersion: Rule = {
  id: 'dependency-confusion-version',
  title: 'Implausibly high version number',
  explanation: 'Versions such as 99.0.0 or 9999.1.1 win version resolution over an internal package of the same name: the trademark of dependency-confusion attacks.',
  evaluate(facts) {
    const major = majorOf(facts.version)
    // calendar versions (2019.6.13) are common and honest; 99.x, 999.x, 9999.x are not
    if (major === undefined || major < 90 || (major >= 1990 && major <= 2100)) return []
    const hasCode = facts.hooks.length > 0 || filesOf(facts).some((f) => f.role !== 'runtime' && (f.has('network') || f.has('process')))
    return [{ message: `version ${facts.version}${hasCode ? ' with code that runs at install or import' : ''}`, weight: hasCode ? 40 : 20 }]
  },
}

function majorOf(version: string): number | undefined {
  const parsed = semver.coerce(version)
  return parsed ? parsed.major : undefined
}

/** The file `gatehouse drill` plants in its canary package. */
export const DRILL_CANARY_FILE = 'gatehouse-drill-canary.js'

export const drillCanary: Rule = {
  id: 'drill-canary',
  title: 'Incident-response drill canary',
  explanation: 'A harmless package published by `gatehouse drill` to test the gate, the alerts and the review desk end to end. It is held on purpose; the drill removes it afterwards.',
  evaluate(facts) {
    const canary = facts.files.find((f) => f.path === DRILL_CANARY_FILE)
    return canary ? [{ file: canary.path, message: 'drill canary present', weight: 60 }] : []
  },
}

/** Commands everyone runs: a package that installs one of these names puts its own program in their place. */
const SYSTEM_COMMANDS = new Set([
  'ls', 'cd', 'cp', 'mv', 'rm', 'cat', 'sh', 'bash', 'zsh', 'sudo', 'su', 'ssh', 'scp', 'git', 'curl', 'wget', 'tar', 'make', 'gcc', 'cc',
  'node', 'npm', 'npx', 'yarn', 'pnpm', 'python', 'python3', 'pip', 'pip3', 'ruby', 'gem', 'bundle', 'bundler', 'rake', 'rails', 'java', 'go',
  'docker', 'kubectl', 'aws', 'gcloud', 'az', 'ps', 'kill', 'env', 'which', 'chmod', 'chown', 'openssl', 'gpg', 'vim', 'nano', 'code',
])

export const shadowsSystemCommand: Rule = {
  id: 'shadows-system-command',
  title: 'Installs a command named like a system tool',
  explanation: 'The package installs an executable onto PATH under the name of a tool everyone runs (git, ssh, node, sudo…). Whoever runs that tool afterwards may run this package instead.',
  evaluate(facts) {
    const hit = (facts.commands ?? []).find((c) => SYSTEM_COMMANDS.has(c.toLowerCase()) && c.toLowerCase() !== facts.name.toLowerCase())
    return hit ? [{ message: `installs the command "${hit}"`, weight: 40 }] : []
  },
}

export const installMessage: Rule = {
  id: 'install-message',
  title: 'Install message asks the user to fetch or run something',
  explanation: 'The message the installer prints after install tells the user to download or run a command. Gems have used post_install_message to send users to payloads; legitimate messages point to documentation.',
  evaluate(facts) {
    const message = facts.installMessage
    if (!message) return []
    const found = indicatorsIn(message.slice(0, 20_000))
    const severe = found.find((f) => ['shell-download', 'powershell', 'executable-url', 'reverse-shell', 'raw-ip-url', 'paste-site', 'webhook', 'tunnel-host'].includes(f.kind))
    if (severe) return [{ message: `${severe.kind} in the install message: ${severe.value}`, weight: 40 }]
    if (/\b(curl|wget|bash|sh|powershell|sudo)\b[^\n]{0,200}https?:\/\//i.test(message)) return [{ message: 'the install message asks the user to run a download', weight: 30 }]
    if (message.length > 4000) return [{ message: `an install message of ${message.length} characters`, weight: 10 }]
    return []
  },
}

export const undeclaredFiles: Rule = {
  id: 'undeclared-files',
  title: 'Archive holds files its metadata does not list',
  explanation: 'The package format lists its files exactly (a gemspec\'s files, which gem build packs and nothing else), yet the archive holds more: it was changed after it was built. Look at what was added.',
  evaluate(facts) {
    const extra = facts.undeclaredFiles ?? []
    if (extra.length === 0) return []
    const views = filesOf(facts)
    const running = views.find((f) => extra.includes(f.path) && f.role !== 'runtime')
    if (running) return [{ file: running.path, message: `${running.path} runs at ${running.role} time and is not in the declared file list (${extra.length} undeclared)`, weight: 45 }]
    const code = views.find((f) => extra.includes(f.path))
    if (code) return [{ file: code.path, message: `${code.path} is code not in the declared file list (${extra.length} undeclared)`, weight: 15 }]
    return [{ file: extra[0]!, message: `${extra.length} file(s) not in the declared file list, e.g. ${extra[0]}`, weight: 0 }]
  },
}
