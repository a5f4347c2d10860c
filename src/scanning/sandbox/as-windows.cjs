// Preloaded (`node --require`) into every Node.js process of the Windows persona: the package is told it runs on
// Windows 10 (`process.platform`, `os.platform()`, `os.type()`, `os.release()`), so a payload that acts only there
// runs its branch. The rest stays Linux underneath: paths are POSIX paths in the persona's home, where APPDATA and
// TEMP point, and what the payload starts or writes is traced as on the other personas. A command run through a
// shell goes to `cmd.exe /d /s /c`, as on Windows: the persona's cmd (windows-commands.py) runs it with /bin/sh.
'use strict'
const os = require('node:os')

Object.defineProperty(process, 'platform', { value: 'win32', enumerable: true, configurable: true })
os.platform = () => 'win32'
os.type = () => 'Windows_NT'
os.release = () => '10.0.19045'
os.version = () => 'Windows 10 Pro'
