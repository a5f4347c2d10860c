// Language-neutral threat indicators found in string values: exfiltration endpoints, secret stores, droppers, blobs.
import type { IndicatorKind } from './facts.ts'

export interface FoundIndicator {
  readonly kind: IndicatorKind
  readonly value: string
}

const host = (pattern: string) => new RegExp(`(^|[./@])(${pattern})(:\\d+)?$`, 'i')

const WEBHOOK = /discord(app)?\.com\/api\/webhooks|hooks\.slack\.com\/services|api\.telegram\.org\/bot|webhook\.office\.com|outlook\.office\.com\/webhook|webhook\.site/i
/** A Telegram bot's token (`<bot id>:AA…`): whoever holds it reads what the bot is sent, so it is a drop box, as a webhook URL is. */
const TELEGRAM_BOT_TOKEN = /(?<![\w:])\d{8,10}:AA[\w-]{33}(?![\w-])/
const PASTE_HOSTS = host(
  'pastebin\\.com|paste\\.ee|hastebin\\.com|hastebin\\.skyra\\.pw|ghostbin\\.\\w+|rentry\\.(co|org)|transfer\\.sh|anonfiles\\.com|file\\.io|gofile\\.io|termbin\\.com|paste\\.rs|dpaste\\.(com|org)|controlc\\.com|pastie\\.io|0x0\\.st|bashupload\\.com|temp\\.sh|filebin\\.net|catbox\\.moe|pixeldrain\\.com|tmpfiles\\.org|uguu\\.se',
)
const TUNNEL_PATTERN = 'duckdns\\.org|ddns\\.net|hopto\\.org|zapto\\.org|sytes\\.net|no-ip\\.(com|org|biz|info)|servebeer\\.com|serveftp\\.com|dynu\\.(net|com)|freedns\\.afraid\\.org|000webhostapp\\.com|ngrok(?:-free)?\\.(?:io|app|dev|pizza)|serveo\\.net|loca\\.lt|localtunnel\\.me|trycloudflare\\.com|localhost\\.run|pagekite\\.me|portmap\\.io|bore\\.pub|tunnelto\\.dev'
const TUNNEL_HOSTS = host(TUNNEL_PATTERN)
const OAST_PATTERN =
  'burpcollaborator\\.net|oastify\\.com|oast\\.[a-z]{2,10}|interact\\.sh|interactsh\\.com|canarytokens\\.(com|org)|dnslog\\.cn|ceye\\.io|requestbin\\.(com|net)|pipedream\\.net|beeceptor\\.com|requestcatcher\\.com|hookbin\\.com|ptsv2\\.com|mockbin\\.org|dnslog\\.link|eyes\\.sh|bxss\\.me|xss\\.ht|iplogger\\.(com|org|ru|co|info)|grabify\\.link|2no\\.co|yip\\.su|dnshook\\.site|requestrepo\\.com|postb\\.in|ptsv3\\.com|webhook-test\\.com|requestinspector\\.com|mockapi\\.io'
const OAST_HOSTS = host(OAST_PATTERN)
/** Either list's names anywhere in text: a host name can only be on a list where this finds one, and it is cheaper than listing every dotted name. */
const LISTED_HOST_TEXT = new RegExp(`${TUNNEL_PATTERN}|${OAST_PATTERN}`, 'i')
const IP_LOOKUP_HOSTS = host('api\\.ipify\\.org|ipinfo\\.io|ifconfig\\.me|icanhazip\\.com|ip-api\\.com|checkip\\.amazonaws\\.com|ipapi\\.co|myexternalip\\.com|wtfismyip\\.com|ident\\.me|ipecho\\.net')
const EXECUTABLE_URL = /\.(exe|scr|bat|cmd|ps1|vbs|msi|dll|hta|jar)(\?|#|$)/i

/** A dotted host name in text (placeholders of built names allowed), optionally with a port. */
const HOST_TOKEN = /[\w{}-]+(?:\.[\w{}-]+)+(?::\d+)?/g
const URL_RE = /\b(?:https?|wss?|ftp):\/\/[^\s'"`<>()\\]+/gi
/** A command line of a network tool, which takes a bare address (`curl -F a=@/flag 203.0.113.7:10113`, `nc 203.0.113.7 4444`). */
const NETWORK_TOOL_COMMAND = /(^|[\s;&|(`'"])(curl|wget|nc|ncat|netcat|socat|telnet)\s/m
/** An IPv4 address standing alone, with or without a port: not part of a version, a URL or a longer dotted name. */
const BARE_IPV4 = /(?<![\w.\/:@-])(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?![\w.])/g

const SENSITIVE_PATH =
  /(^|[\\/~'"])(\.ssh[\\/](id_[a-z0-9]+|authorized_keys|known_hosts)|\.ssh\b|\.aws[\\/]credentials|\.npmrc|\.pypirc|\.gem[\\/]credentials|\.docker[\\/]config\.json|\.kube[\\/]config|\.git-credentials|\.netrc|etc[\\/]shadow|etc[\\/]passwd|\.bash_history|\.zsh_history|\.config[\\/]gcloud|\.azure[\\/])/im
/** Chromium's store files, spelt with capitals as Chromium does ("cannot create login data" is an error message, not a store). */
const CHROMIUM_STORE_FILE = /\b(Login Data|Web Data|Local State)\b/
const BROWSER_STORE =
  /(logins\.json|key[34]\.db|cookies\.sqlite)\b|(Google[\\/ ]Chrome|BraveSoftware|Microsoft[\\/ ]Edge|Opera Software|Yandex[\\/ ]YandexBrowser|Chromium)[\\/ ]+User Data/i
const DISCORD_STORE = /(discord(canary|ptb)?|Lightcord)[\\/ ]+Local Storage|Local Storage[\\/ ]+leveldb|\[\\w-\]\{24\}\\\.\[\\w-\]\{6\}|mfa\\\.\[\\w-\]\{84\}|dQw4w9WgXcQ/i
const WALLET_PATH =
  /nkbihfbeogaeaoehlefnkodbefgpgknn|fhbohimaelbohpjbbldcngcnapndodjp|bfnaelmomeimhlpmgjnjophhpkkoljpa|wallet\.dat|Exodus[\\/ ]+exodus\.wallet|Electrum[\\/ ]+wallets|Ethereum[\\/ ]+keystore|atomic[\\/ ]+Local Storage|Coinomi|Guarda[\\/ ]+Local Storage|com\.liberty\.jaxx/i
/**
 * What runs text piped into it: a shell, or an interpreter that runs what it reads (`| python3 > /dev/null &`,
 * `| python -`); an interpreter given a module, inline code or a script of its own (`| python -m json.tool`,
 * `| node pretty.js`) only reads the data.
 */
const RUNS_PIPED_TEXT = String.raw`((ba|z|da)?sh\b|(python[0-9.]*|perl|ruby|node|php)(\s+-(?=\s|$|['"\`])|(?=\s*($|[>&;|)'"\`]))))`
/**
 * A download saved to a path and, in the next command, that path run: by itself, by an interpreter or a launcher
 * (`curl URL -o %TEMP%/s.pyw && py %TEMP%/s.pyw`, `wget URL -O /tmp/x; python3 /tmp/x`). A command that only
 * reads the file (`tar xzf`, `sha256sum`) names it after some other program, so it does not count.
 */
const SAVED_AND_RUN = String.raw`\b(?:curl|wget)\b[^;&|\n]{0,300}?\s(?:-o|-O|--output|--output-document)(?:\s+|=)["']?([^\s"';&|]{3,})["']?[^;&|\n]{0,300}?(?:&&|;|\|\||&)\s*(?:sudo\s+)?(?:(?:python[0-9.]*w?|py|node|(?:ba|z|da)?sh|perl|ruby|php|pwsh|powershell(?:\.exe)?(?:\s+-\w+(?:\s+[\w]+)?)*?(?:\s+-file)?|cmd(?:\.exe)?\s+\/c|start(?:\s+"[^"]*")?|wscript|cscript|mshta|rundll32|chmod\s+\+?[0-7x]+)\s+)?["']?\1(?=[\s"';&|]|$)`
/** A download or decoded text piped into what runs it, a download saved and run, Windows' download tools. */
const SHELL_DOWNLOAD = new RegExp(
  String.raw`${SAVED_AND_RUN}|\b(curl|wget)\b[^|;&\n]{0,300}\|\s*(sudo\s+)?${RUNS_PIPED_TEXT}|\bbase64\s+(-d|--decode)\b[^|;\n]{0,100}\|\s*${RUNS_PIPED_TEXT}|\bchmod\s+(\+x|[0-7]{3,4})\s+\S+\s*(&&|;)\s*(\.\/|\/tmp\/)|\bexec\s*\(\s*(\w*urlopen|urllib\.request\.urlopen|urllib2\.urlopen|requests\.get)\s*\(|\bwget\b(?:[^;&\n]|>&){0,300}(&&|;)\s*chmod\s+\+?[0-7x]+|\bcurl\b(?:[^;&\n]|>&){0,300}-o\s*\S+\s*(&&|;)\s*(chmod|\.\/|sh\b|bash\b)|certutil(\.exe)?\s+-urlcache|bitsadmin(\.exe)?\s+\/transfer|\bmshta(\.exe)?\s+["']?https?:|regsvr32(\.exe)?\s+\/s\s+\/n\s+\/u\s+\/i:https?`,
  'i',
)
/**
 * A package manager told to install from a repository or an archive URL rather than its index: what it fetches
 * was judged by no registry, and its build code runs at once (`pip install git+https://…`, `npm i github:u/r`).
 */
const REMOTE_INSTALL =
  /\b(?:pip[0-9.]*(?:\.exe)?|-m\s+pip|uv\s+pip)\s+install\b[^\n;&|]{0,200}?(?<=\s)["']?(?:git\+|hg\+|svn\+|bzr\+|https?:\/\/\S+\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)\b)|\b(?:npm|pnpm|yarn)(?:\.cmd)?\s+(?:install|i|add)\b[^\n;&|]{0,200}?(?<=\s)["']?(?:git\+|github:|gitlab:|bitbucket:|https?:\/\/\S+\.t(?:ar\.)?gz\b)/i
const SHELL_EXFIL =
  /\b(nslookup|dig|host|ping|curl|wget|nc)\b[^\n]{0,200}(\$\(|`)\s*(hostname|whoami|id|pwd|uname|env|printenv|cat\s|ls\b|echo\s+\$)|\b(curl|wget)\b[^\n]{0,200}(-d|--data[\w-]*|--post-data)\s*["']?[^\n]{0,40}\$\(?(env|printenv|cat\s|hostname|whoami)|\bdig\s+@\d{1,3}(\.\d{1,3}){3}\s+[\w.-]+\.[a-z]{2,}|\bnslookup\s+[\w.-]+\.[a-z]{2,}\s+\d{1,3}(\.\d{1,3}){3}\b/i
const REVERSE_SHELL = /\/dev\/tcp\/\S|socket\.socket\([^\n]{0,200}\.connect\([^\n]{0,200}(os\.dup2|pty\.spawn)|\bnc(at)?\s+(-\w+\s+)*-e\s+\/bin\/(ba)?sh|\bbash\s+-i\s+>&|\bmkfifo\s+\S+[^\n]{0,80}\bnc\s|socat\s+exec:/i
/**
 * A command that stops or wrecks the machine, in command position: powering off or rebooting, wiping the root or home
 * folder or a disk, deleting Windows' shadow copies, a fork bomb.
 */
const DESTRUCTIVE_COMMAND =
  /(?:^|[;&|(`]\s*|\$\(\s*)(?:sudo\s+)?(?:(?:shutdown|poweroff|halt|reboot)(?:\.exe)?(?=\s|$|["'`);&|])|init\s+[06]\b|systemctl\s+(?:poweroff|reboot|halt)\b|rm\s+(?:-\w*r\w*f\w*|-\w*f\w*r\w*|-r\s+-f|-f\s+-r)\s+(?:--no-preserve-root\s+)?(?:\/\*?|~\/?\*?|\$HOME\/?\*?)(?=\s|$|["'`);&|])|mkfs(?:\.\w+)?\s+\/dev\/|dd\s+if=\/dev\/(?:zero|u?random)\s+of=\/dev\/(?:sd|hd|nvme|vd|xvd)|format(?:\.com)?\s+[a-z]:|del\s+(?:\/[a-z]\s+)*[a-z]:\\\*?|rd\s+\/s\s+\/q\s+[a-z]:\\|vssadmin(?:\.exe)?\s+delete\s+shadows)|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/im
const POWERSHELL =
  /powershell(\.exe)?\b[^\n]{0,200}\s-(e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}|powershell(\.exe)?\b[^\n]{0,200}-(w|windowstyle)\s+h(idden)?\b|\b(iex|invoke-expression)\b\s*\(?\s*(\(?\s*new-object|\(?\s*iwr|\(?\s*invoke-webrequest|\$)|downloadstring\s*\(|downloadfile\s*\(\s*["']https?:|invoke-webrequest\b[^\n]{0,200}-outfile|start-bitstransfer|-executionpolicy\s+bypass\b(?![^\n]{0,80}[^\S\n]-file\s)/i
const PERSISTENCE =
  /(^|[\\/~'"\s])\.(bashrc|bash_profile|zshrc|bash_login)\b|[\\/]\.profile\b|\bcrontab\s+-|[\\/]etc[\\/]cron|CurrentVersion[\\/]+Run\b|Start Menu[\\/]+Programs[\\/]+Startup|[\\/]LaunchAgents[\\/]|systemd[\\/]+system[\\/].*\.service|\.ssh[\\/]authorized_keys\b|schtasks(\.exe)?\s+\/create|--load-extension=/im

// padding at either end: reversed base64 (`b64decode(s[::-1])`) starts with it
const BASE64_BLOB = /^={0,2}[A-Za-z0-9+/\r\n]{200,}={0,2}$/
// base64 of "MZ" (PE) or "\x7fELF", or their hex: a program carried as a string
const ENCODED_EXECUTABLE = /^(?:TV[opqr][A-Za-z0-9+/]{196}|f0VMR[A-Za-z0-9+/]{195}|(?:4[dD]5[aA]|7[fF]454[cC]46)[0-9a-fA-F]{196})/
const HEX_BLOB = /^(?:[0-9a-fA-F]{2}){100,}$|^(?:\\x[0-9a-fA-F]{2}){60,}$/
/** Hex groups joined by one separator (`f094a797/f094a79b/…`, one character's UTF-8 bytes per group). */
const SEPARATED_HEX = /^[0-9a-f]{2,8}([/,;:|.-])[0-9a-f]{2,8}(?:\1[0-9a-f]{2,8}){48,}$/i

type Add = (kind: IndicatorKind, value: string) => void

/** Indicators in one string value (a literal, a concatenation of literals, or a shell command). */
export function indicatorsIn(value: string): FoundIndicator[] {
  if (value.length < 4) return []
  const found: FoundIndicator[] = []
  const add: Add = (kind, v) => found.push({ kind, value: v.length > 200 ? `${v.slice(0, 200)}…` : v })
  if (value.length < MAX_PATTERN_CHARS) patternIndicators(value, add, found)
  if (value.length >= 200 && !value.startsWith('data:') && isEncodedBlob(value)) add('encoded-blob', `${value.length} characters`)
  if (value.length >= 200 && ENCODED_EXECUTABLE.test(value)) add('encoded-executable', `${/^(TV|4d)/i.test(value) ? 'Windows (PE)' : 'ELF'} executable, ${value.length} characters`)
  return found
}

/** Values this long or longer are only checked for encoded payloads; text is looked at in windows below it. */
export const MAX_PATTERN_CHARS = 20_000

/** Whether some line of `text` holds a pattern indicator (anything but the encoded-value checks, which look at a value whole). */
export function holdsPatternIndicator(text: string): boolean {
  const found: FoundIndicator[] = []
  patternIndicators(text, (kind, value) => found.push({ kind, value }), found)
  return found.length > 0
}

/**
 * Whether a value might be judged whole: by what it decodes to or by being an encoded payload
 * (base64, hex, `\xNN` escapes, separated hex groups, a program's magic). Text scanned in blocks
 * gives such lines their own look.
 */
export function mayBeEncoded(value: string): boolean {
  if (value.length < 16) return false
  if (value.length < 200) return DECODABLE.test(value)
  return ENCODED_ALPHABET.test(value) || ENCODED_EXECUTABLE.test(value)
}
/** What a base64 or hex value is made of (decodedText); blobs may also hold whitespace, `\xNN` escapes and hex separators. */
const DECODABLE = /^[A-Za-z0-9+/]+={0,2}$/
const ENCODED_ALPHABET = /^[\sA-Za-z0-9+/=\\,;:|.-]+$/

/**
 * The patterns are anchored per line (`^`, `$` and lookarounds see a newline as an edge), so
 * whatever they find in a line of text they also find in a block of lines holding it: one pass
 * over a block tells whether any of its lines needs a look of its own (`scanText`).
 */
function patternIndicators(value: string, add: Add, found: readonly FoundIndicator[]): void {
  for (const match of value.matchAll(URL_RE)) classifyUrl(match[0], add)
  // a network tool given a raw address without a scheme reaches it as surely as a URL would
  if (NETWORK_TOOL_COMMAND.test(value) && !found.some((f) => f.kind === 'raw-ip-url')) {
    const bare = [...value.matchAll(BARE_IPV4)].find((m) => isPublicIp(m[1]!))
    if (bare) add('raw-ip-url', bare[0])
  }
  // host names without a scheme, as DNS and socket calls and shell commands take them
  // (`<data>.<id>.oastify.com`, `x.duckdns.org:4444`, `nslookup $(ls).<id>.oast.fun`)
  if (LISTED_HOST_TEXT.test(value)) {
    for (const name of new Set(value.match(HOST_TOKEN))) {
      if (TUNNEL_HOSTS.test(name) && !found.some((f) => f.kind === 'tunnel-host')) add('tunnel-host', name)
      if (OAST_HOSTS.test(name) && !found.some((f) => f.kind === 'oast-host')) add('oast-host', name)
    }
  }
  let added: IndicatorKind | undefined
  for (const { kind, pattern } of PATTERN_INDICATORS) {
    if (kind !== added && pattern.test(value)) {
      add(kind, value)
      added = kind
    }
  }
}

/** The indicators a pattern over the text finds whole (the value is the evidence); a kind may have several patterns. */
export const PATTERN_INDICATORS: readonly { readonly kind: IndicatorKind; readonly pattern: RegExp }[] = [
  { kind: 'sensitive-path', pattern: SENSITIVE_PATH },
  { kind: 'browser-store', pattern: BROWSER_STORE },
  { kind: 'browser-store', pattern: CHROMIUM_STORE_FILE },
  { kind: 'discord-store', pattern: DISCORD_STORE },
  { kind: 'wallet-path', pattern: WALLET_PATH },
  { kind: 'webhook', pattern: TELEGRAM_BOT_TOKEN },
  { kind: 'shell-download', pattern: SHELL_DOWNLOAD },
  { kind: 'remote-install', pattern: REMOTE_INSTALL },
  { kind: 'reverse-shell', pattern: REVERSE_SHELL },
  { kind: 'destructive-command', pattern: DESTRUCTIVE_COMMAND },
  { kind: 'shell-exfil', pattern: SHELL_EXFIL },
  { kind: 'powershell', pattern: POWERSHELL },
  { kind: 'persistence', pattern: PERSISTENCE },
]

/** Every pattern the text scan runs, by name (for the text-scan benchmark). */
export const TEXT_PATTERNS: Readonly<Record<string, RegExp>> = {
  URL_RE,
  NETWORK_TOOL_COMMAND,
  LISTED_HOST_TEXT,
  ...Object.fromEntries(PATTERN_INDICATORS.map(({ kind, pattern }, i) => [`${kind}#${i}`, pattern])),
}

function classifyUrl(url: string, add: (kind: IndicatorKind, v: string) => void): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '')
  if (isPublicIp(hostname)) add('raw-ip-url', url)
  const full = `${hostname}${parsed.pathname}`
  if (WEBHOOK.test(full)) add('webhook', url)
  if (PASTE_HOSTS.test(hostname) || /^paste\.|pastebin/i.test(hostname)) add('paste-site', url)
  if (TUNNEL_HOSTS.test(hostname)) add('tunnel-host', url)
  if (OAST_HOSTS.test(hostname)) add('oast-host', url)
  if (IP_LOOKUP_HOSTS.test(hostname)) add('ip-lookup', url)
  if (EXECUTABLE_URL.test(parsed.pathname) && !isVendorHost(hostname)) add('executable-url', url)
  if (REGISTRY_HOSTS.test(hostname)) add('registry-url', url)
}

const REGISTRY_HOSTS = host('pypi\\.org|pypi\\.python\\.org|files\\.pythonhosted\\.org|bootstrap\\.pypa\\.io|registry\\.npmjs\\.org|registry\\.yarnpkg\\.com|rubygems\\.org')

/** Vendors whose installers legitimate tools download (runtimes, toolchains). User content hosts are not on it. */
function isVendorHost(hostname: string): boolean {
  return /(^|\.)(python\.org|nodejs\.org|microsoft\.com|mozilla\.org|oracle\.com|java\.com|visualstudio\.com|jetbrains\.com|apache\.org|sourceforge\.net)$/i.test(hostname)
}

export function isPublicIp(hostname: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname)
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])]
    if ([a, b, Number(v4[3]), Number(v4[4])].some((n) => n > 255)) return false
    if (a === 10 || a === 127 || a === 0 || a >= 224) return false
    if (a === 169 && b === 254) return false
    if (a === 172 && b >= 16 && b <= 31) return false
    if (a === 192 && b === 168) return false
    if (a === 100 && b >= 64 && b <= 127) return false
    return true
  }
  if (hostname.includes(':')) {
    const h = hostname.toLowerCase()
    return !(h === '::1' || h === '::' || h.startsWith('fe80') || h.startsWith('fc') || h.startsWith('fd'))
  }
  return false
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>()
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let h = 0
  for (const n of counts.values()) {
    const p = n / value.length
    h -= p * Math.log2(p)
  }
  return h
}

function isEncodedBlob(value: string): boolean {
  // every form below is made of these characters alone: most text fails here, before it is copied
  if (!ENCODED_ALPHABET.test(value)) return false
  const compact = value.replace(/\s+/g, '')
  if (compact.length < 200) return false
  if (HEX_BLOB.test(compact)) return true
  // with a hex letter somewhere: comma-separated decimal tables are data
  if (SEPARATED_HEX.test(compact)) return /[a-f]/i.test(compact)
  if (!BASE64_BLOB.test(compact)) return false
  // Real payloads are dense; long runs of letters (prose, identifiers) are not.
  return entropy(compact.slice(0, 4096)) > 5.0 && /[0-9]/.test(compact) && /[A-Z]/.test(compact) && /[a-z]/.test(compact)
}
