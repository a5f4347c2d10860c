// Preloaded (`node --require`) into every Node.js process of the Windows persona: the package is told it runs on
// Windows 10 (`process.platform`, `os.platform()`, `os.type()`, `os.release()`), so a payload that acts only there
// runs its branch. The rest stays Linux underneath: paths are POSIX paths in the persona's home, where APPDATA and
// TEMP point, and what the payload starts or writes is traced as on the other personas.
'use strict'
const os = require('node:os')
const childProcess = require('node:child_process')

const real = process.platform
// child_process asks process.platform how to start a process (cmd.exe for a shell): while it does, Linux answers,
// so `exec('powershell …')` and `spawn(dropped)` are attempted through /bin/sh and traced
let spawning = 0
Object.defineProperty(process, 'platform', { get: () => (spawning > 0 ? real : 'win32'), enumerable: true, configurable: true })
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name]
  childProcess[name] = function (...args) {
    spawning++
    try {
      return original.apply(this, args)
    } finally {
      spawning--
    }
  }
}
os.platform = () => 'win32'
os.type = () => 'Windows_NT'
os.release = () => '10.0.19045'
os.version = () => 'Windows 10 Pro'
