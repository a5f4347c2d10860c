// A simulated upload campaign: the same small package under many names, as mass uploads come.

/** The campaign's code: ordinary enough for the gate to publish, identical in every copy but for the name. */
export function campaignFiles(name: string): Record<string, string> {
  return {
    'index.js': `// ${name}: colour helpers for terminal output
const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 }
function paint(colour, text) {
  const code = codes[colour]
  return code === undefined ? String(text) : '\\u001b[' + code + 'm' + text + '\\u001b[39m'
}
module.exports = { paint, codes, name: '${name}' }
`,
    'setup.js': `// ${name} post-install: remembers when it was installed
const fs = require('fs')
const path = require('path')
const stamp = path.join(__dirname, '.installed')
fs.writeFileSync(stamp, JSON.stringify({ at: new Date().toISOString(), package: '${name}' }))
console.log('${name} installed')
`,
  }
}
