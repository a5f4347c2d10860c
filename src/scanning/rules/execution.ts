// Rules for code that hides or fetches what it runs: decode-and-exec, download-and-exec, shells, PowerShell, persistence.
import { heaviest, perFile, type Rule, type RuleHit } from './rule.ts'

export const decodesAndExecutes: Rule = perFile(
  'decodes-and-executes',
  'Decodes data and executes it',
  'Base64, hex, compressed or char-code data is decoded and handed to eval/exec or a process. Payload droppers hide their second stage this way.',
  (file) => {
    const flow = file.flow(['decode'], ['dynamic-code', 'process'])
    // with a large encoded literal in the same file, the thing decoded and run is an embedded payload
    const blob = file.indicator('encoded-blob')
    if (flow && blob) return file.hit({ install: 100, import: 100, runtime: 80 }, `decodes an embedded ${blob.value} literal and runs it through ${flow.api}`, flow)
    if (flow) return file.hit({ install: 100, import: 90, runtime: 40 }, `decoded data flows into ${flow.api}`, flow)
    // a dropper: decoded data written to disk by a file that also starts programs
    const dropped = file.flow(['decode'], ['fs-write'])
    // an encoded program decoded and saved: a dropper, whether this file or a later one runs it
    const program = file.indicator('encoded-program')
    if (dropped && program) return file.hit({ install: 100, import: 90, runtime: 40 }, `writes an encoded program to disk (${dropped.api}): ${program.value}`, dropped)
    if (dropped && file.has('process')) {
      const weights = blob ? { install: 100, import: 100, runtime: 80 } : { install: 90, import: 70, runtime: 30 }
      return file.hit(weights, `writes decoded data to disk (${dropped.api}) in a file that starts programs`, dropped)
    }
    return undefined
  },
)

export const downloadsAndExecutes: Rule = perFile(
  'downloads-and-executes',
  'Downloads code and runs it',
  'Something fetched from the network is executed, a shell command pipes a download into an interpreter, or a package manager is told to install from a repository or URL the registry never judged. This is how second-stage malware arrives.',
  (file) => {
    // every form that applies, the heaviest for this file's role counts (a linked download may sit in a function, its .exe URL not)
    const hits: RuleHit[] = []
    const flow = file.flow(['network-response'], ['dynamic-code', 'process'])
    if (flow) hits.push(file.hit({ install: 100, import: 90, runtime: 40 }, `network response flows into ${flow.api}`, flow))
    const run = file.executed('shell-download')
    if (run) hits.push(file.hit({ install: 100, import: 90, runtime: 20 }, `runs a download: ${run.value}`, run))
    // `pip install git+https://…` run by the package: code no registry judged, built and installed at once
    const remote = file.executed('remote-install')
    if (remote) hits.push(file.hit({ install: 80, import: 80, runtime: 20 }, `installs code from outside the registry: ${remote.value}`, remote))
    const shell = file.indicator('shell-download')
    if (shell && file.has('process')) hits.push(file.hit({ install: 60, import: 15, runtime: 5 }, `download-and-run command text: ${shell.value}`, shell))
    // the download itself handed to a process: `curl https://…/x.exe -o x.exe`, certutil, bitsadmin
    const fetchedByProcess = file.executed('executable-url')
    if (fetchedByProcess) hits.push(file.hit({ install: 80, import: 80, runtime: 30 }, `a process downloads an executable: ${fetchedByProcess.value}`, fetchedByProcess))
    const exe = file.indicator('executable-url')
    // the downloaded file's own name in a process call (`urlretrieve(…/x.exe, 'x.exe')`, then `run(['start', 'x.exe'])`)
    const exeName = exe ? /\/([^/?#]+\.[A-Za-z]{2,4})(?:[?#]|$)/.exec(exe.value)?.[1] : undefined
    const runsIt = exeName !== undefined && file.facts.capabilities.some((c) => c.cap === 'process' && c.excerpt.includes(exeName))
    if (exe && file.has('process') && (file.has('network') || file.has('fs-write') || runsIt)) hits.push(file.hit({ install: 90, import: 80, runtime: 50 }, `fetches and runs an executable: ${exe.value}`, exe))
    // Python's analyzer links a saved file to the process that runs it (a flow, above); elsewhere both in one file must do
    const saved = file.facts.language === 'python' ? undefined : file.flow(['network-response'], ['fs-write'])
    if (saved && file.has('process')) {
      // bootstrap installers (ez_setup, get-pip) fetch from the package index itself
      const fromIndexOnly = file.indicator('registry-url') && !file.indicator('raw-ip-url', 'webhook', 'paste-site', 'tunnel-host', 'oast-host', 'executable-url')
      const weights = fromIndexOnly ? { install: 20, import: 15, runtime: 5 } : { install: 80, import: 70, runtime: 30 }
      hits.push(file.hit(weights, `writes a download to disk (${saved.api}) in a file that starts processes`, saved))
    }
    const evaluates = file.facts.capabilities.find((c) => c.cap === 'dynamic-code' && (c.api === 'exec' || c.api === 'eval'))
    if (evaluates && file.role === 'install' && file.has('network')) {
      hits.push(file.hit({ install: 60, import: 0, runtime: 0 }, `install-time code fetches from the network and calls ${evaluates.api}`, evaluates))
    }
    return heaviest(hits)
  },
)

export const sabotagesMachine: Rule = perFile(
  'sabotages-machine',
  'Stops or wrecks the machine',
  'Runs a command that powers the machine off, reboots it, wipes the home or root folder or a disk, deletes shadow copies, or forks without end. No package needs to do that to the machine it is installed on.',
  (file) => {
    const run = file.executed('destructive-command')
    // a system tool may offer a reboot to its user; at install or import nobody asked for one
    return run ? file.hit({ install: 100, import: 100, runtime: 10 }, `runs ${run.value}`, run) : undefined
  },
)

export const remoteShell: Rule = perFile(
  'remote-shell',
  'Opens a remote shell',
  'Binds a shell to a network connection (/dev/tcp, nc -e, socket + dup2/pty). A reverse shell gives an attacker interactive control of the machine.',
  (file) => {
    const run = file.executed('reverse-shell')
    if (run) return file.hit({ install: 100, import: 100, runtime: 40 }, `reverse shell: ${run.value}`, run)
    const ind = file.indicator('reverse-shell')
    if (ind && file.has('process')) return file.hit({ install: 60, import: 40, runtime: 10 }, `reverse-shell command text: ${ind.value}`, ind)
    const dup = file.facts.capabilities.find((c) => c.api === 'os.dup2' || c.api === 'pty.spawn')
    // dup2 onto a raw socket; dup2 alone also silences stderr, and HTTP clients are not shells
    const socket = file.facts.capabilities.some((c) => c.api === 'socket.socket' || c.api === 'socket.create_connection')
    // the standard descriptors redirected onto a socket and a shell started on them: a reverse shell even inside a function
    const shell = file.facts.capabilities.find((c) => c.api === 'pty.spawn' || (c.cap === 'process' && /\/bin\/(ba|z|da)?sh\b|\bcmd(\.exe)?\b|powershell/i.test(c.excerpt)))
    if (dup && socket && shell && file.facts.capabilities.some((c) => c.api === 'os.dup2')) return file.hit({ install: 100, import: 100, runtime: 60 }, `os.dup2 onto a socket, then ${shell.api} starts a shell`, shell)
    if (dup && socket) return file.hit({ install: 100, import: 90, runtime: 30 }, `${dup.api} on a socket`, dup)
    return undefined
  },
)

export const hiddenPowerShell: Rule = perFile(
  'hidden-powershell',
  'Runs hidden or encoded PowerShell',
  'Launches PowerShell with an encoded command, a hidden window, an execution-policy bypass, or Invoke-Expression of downloaded text.',
  (file) => {
    const run = file.executed('powershell')
    if (run) return file.hit({ install: 100, import: 90, runtime: 40 }, `runs PowerShell: ${run.value}`, run)
    const ind = file.indicator('powershell')
    if (!ind) return undefined
    return file.hit({ install: 70, import: 50, runtime: 10 }, `PowerShell command text: ${ind.value}`, ind)
  },
)

export const establishesPersistence: Rule = perFile(
  'establishes-persistence',
  'Installs itself to run again',
  'Writes to shell start-up files, cron, the Windows Run key, the Startup folder or LaunchAgents, or makes the browser load an extension (`--load-extension=`), so code keeps running after the install.',
  (file) => {
    const run = file.executed('persistence')
    if (run) return file.hit({ install: 90, import: 70, runtime: 15 }, `runs: ${run.value}`, run)
    const ind = file.indicator('persistence')
    if (!ind || !(file.has('fs-write') || file.has('process'))) return undefined
    return file.hit({ install: 70, import: 15, runtime: 5 }, `persistence location: ${ind.value}`, ind)
  },
)

export const capturesInput: Rule = perFile(
  'captures-input',
  'Captures keystrokes, clipboard or screen',
  'Keyboard hooks, clipboard or screenshot capture in a file that also talks to the network.',
  (file) => {
    const cap = file.first('input-capture')
    if (!cap || !file.has('network')) return undefined
    return file.hit({ install: 90, import: 80, runtime: 50 }, `${cap.api} with network access`, cap)
  },
)

export const spawnsInlineInterpreter: Rule = perFile(
  'spawns-inline-interpreter',
  'Starts another interpreter on inline code',
  'Code that runs on import starts a second Python process on a `-c` one-liner, typically detached and silenced, so that what it loads (often a dependency that is the real payload) runs out of sight of the importing program. Libraries import what they need; they do not start interpreters to do it.',
  (file) => {
    const inline = file.indicator('inline-interpreter')
    return inline ? file.hit({ install: 20, import: 50, runtime: 0 }, `starts python -c ${JSON.stringify(inline.value)}`, inline) : undefined
  },
)
