// Honeytokens: fresh fake secrets planted where stealers look, and the search for them in what a package sends out.
import { randomBytes } from 'node:crypto'

export interface Honeytoken {
  /** What it imitates: 'npm token', 'AWS secret key'… */
  readonly kind: string
  /** Where it was planted: an environment variable or a path under the home directory. */
  readonly where: string
  /** The secret itself, unique to this run. */
  readonly value: string
}

export interface Plant {
  readonly tokens: readonly Honeytoken[]
  /** Environment variables to set. */
  readonly env: Readonly<Record<string, string>>
  /** Files to write, relative to the home directory. */
  readonly files: Readonly<Record<string, string>>
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
function random(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length)
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
}
const upper = (n: number) => random(n, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n)

/** A new set of secrets for one run: nothing a package saw in another run is reused. */
export function plantHoneytokens(): Plant {
  const npm = `npm_${random(36)}`
  const github = `ghp_${random(36)}`
  const awsId = `AKIA${upper(16)}`
  const awsSecret = random(40, `${ALNUM}/+`)
  const pypi = `pypi-AgEIcHlwaS5vcmc${random(60)}`
  const gem = `rubygems_${hex(48)}`
  const ssh = random(64)
  const discord = `${random(24)}.${random(6)}.${random(27)}`
  const seed = Array.from({ length: 12 }, () => ['abandon', 'ability', 'absorb', 'access', 'across', 'actual', 'admit', 'agent', 'album', 'alert', 'anchor', 'arena'][randomBytes(1)[0]! % 12]).join(' ')
  const walletKey = hex(64)
  const tokens: Honeytoken[] = [
    { kind: 'npm token', where: 'NPM_TOKEN', value: npm },
    { kind: 'npm token', where: '~/.npmrc', value: npm },
    { kind: 'GitHub token', where: 'GITHUB_TOKEN', value: github },
    { kind: 'AWS access key id', where: 'AWS_ACCESS_KEY_ID', value: awsId },
    { kind: 'AWS secret key', where: '~/.aws/credentials', value: awsSecret },
    { kind: 'PyPI token', where: '~/.pypirc', value: pypi },
    { kind: 'RubyGems API key', where: '~/.gem/credentials', value: gem },
    { kind: 'SSH private key', where: '~/.ssh/id_rsa', value: ssh },
    { kind: 'Discord token', where: '~/.config/discord/Local Storage/leveldb/000003.log', value: discord },
    { kind: 'wallet key', where: '~/.ethereum/keystore/key.json', value: walletKey },
    { kind: 'browser password', where: '~/.config/google-chrome/Default/Login Data', value: `pw-${random(20)}` },
  ]
  const byWhere = (where: string) => tokens.find((t) => t.where === where)!.value
  const discordLog = `_https://discord.com\u0000\u0001token\u0000"${discord}"\n`
  const chromeLogins = `SQLite format 3\u0000 origin https://accounts.example.com password ${byWhere('~/.config/google-chrome/Default/Login Data')}\n`
  // a stealer reads the key that encrypts the saved passwords first, and stops when the file is missing
  const chromeState = JSON.stringify({ os_crypt: { encrypted_key: Buffer.concat([Buffer.from('DPAPI'), randomBytes(32)]).toString('base64') } })
  return {
    tokens,
    env: { NPM_TOKEN: npm, GITHUB_TOKEN: github, AWS_ACCESS_KEY_ID: awsId, AWS_SECRET_ACCESS_KEY: awsSecret },
    files: {
      '.npmrc': `//registry.npmjs.org/:_authToken=${npm}\n`,
      '.aws/credentials': `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${awsSecret}\n`,
      '.pypirc': `[pypi]\nusername = __token__\npassword = ${pypi}\n`,
      '.gem/credentials': `---\n:rubygems_api_key: ${gem}\n`,
      '.ssh/id_rsa': `-----BEGIN OPENSSH PRIVATE KEY-----\n${ssh}\n-----END OPENSSH PRIVATE KEY-----\n`,
      '.config/discord/Local Storage/leveldb/000003.log': discordLog,
      '.ethereum/keystore/key.json': JSON.stringify({ address: hex(40), crypto: { ciphertext: walletKey }, mnemonic: seed }),
      '.config/google-chrome/Default/Login Data': chromeLogins,
      '.config/google-chrome/Local State': chromeState,
      // the same stores where a Windows stealer looks for them (the developer persona's APPDATA and LOCALAPPDATA)
      'AppData/Roaming/discord/Local Storage/leveldb/000003.log': discordLog,
      'AppData/Local/Google/Chrome/User Data/Default/Login Data': chromeLogins,
      'AppData/Local/Google/Chrome/User Data/Local State': chromeState,
    },
  }
}

/** The encodings a stealer commonly wraps a secret in before sending it. */
function encodings(value: string): string[] {
  const b64 = Buffer.from(value).toString('base64')
  return [value, b64, b64.replace(/=+$/, ''), b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), Buffer.from(value).toString('hex'), encodeURIComponent(value)]
}

/**
 * Honeytokens found in outgoing data, in any of the encodings above, also after one level of URL
 * decoding and base64 decoding of the data itself (a secret inside a base64 JSON body).
 */
export function findHoneytokens(data: string, tokens: readonly Honeytoken[]): Honeytoken[] {
  if (!data) return []
  const views = [data, data.toLowerCase()]
  try {
    views.push(decodeURIComponent(data.replace(/\+/g, ' ')))
  } catch {
    // not URL-encoded
  }
  for (const run of data.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1')
    if (decoded) views.push(decoded)
  }
  const seen = new Set<string>()
  const found: Honeytoken[] = []
  for (const token of tokens) {
    if (seen.has(token.value)) continue
    const forms = encodings(token.value)
    if (views.some((v) => forms.some((f) => v.includes(f) || v.includes(f.toLowerCase())))) {
      seen.add(token.value)
      found.push(token)
    }
  }
  return found
}
