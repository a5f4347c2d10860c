// Sensitive APIs of each language, as resolved dotted names, mapped to the capabilities they give.
import type { Capability } from '../facts.ts'

/** Exact names, or prefixes ending in '.*'. Checked in order; the first match wins. */
export type ApiTable = readonly (readonly [string, Capability])[]

export const JAVASCRIPT_APIS: ApiTable = [
  ['child_process.*', 'process'],
  ['shelljs.exec', 'process'],
  ['execa', 'process'],
  ['execa.*', 'process'],
  ['cross-spawn', 'process'],
  ['cross-spawn.*', 'process'],
  ['process.binding', 'native-load'],
  ['process.dlopen', 'native-load'],
  ['http.request', 'network'],
  ['http.get', 'network'],
  ['https.request', 'network'],
  ['https.get', 'network'],
  ['http2.connect', 'network'],
  ['net.connect', 'network'],
  ['net.createConnection', 'network'],
  ['net.Socket', 'network'],
  ['tls.connect', 'network'],
  ['dgram.createSocket', 'network'],
  ['fetch', 'network'],
  ['node-fetch', 'network'],
  ['axios', 'network'],
  ['axios.*', 'network'],
  ['got', 'network'],
  ['got.*', 'network'],
  ['request', 'network'],
  ['request.*', 'network'],
  ['needle', 'network'],
  ['needle.*', 'network'],
  ['superagent.*', 'network'],
  ['undici.request', 'network'],
  ['undici.fetch', 'network'],
  ['XMLHttpRequest', 'network'],
  ['WebSocket', 'network'],
  ['ws', 'network'],
  ['nodemailer.createTransport', 'network'],
  ['dns.*', 'dns'],
  ['dns.promises.*', 'dns'],
  ['eval', 'dynamic-code'],
  ['Function', 'dynamic-code'],
  ['vm.*', 'dynamic-code'],
  ['module._compile', 'dynamic-code'],
  // `new module.constructor` is a fresh Module whose _compile runs a string as code
  ['module.constructor', 'dynamic-code'],
  ['module.constructor.*', 'dynamic-code'],
  ['module.Module', 'dynamic-code'],
  ['node-serialize.unserialize', 'dynamic-code'],
  ['fs.readdir', 'fs-read'],
  ['fs.promises.readdir', 'fs-read'],
  ['atob', 'decode'],
  ['String.fromCharCode', 'decode'],
  ['zlib.inflateSync', 'decode'],
  ['zlib.gunzipSync', 'decode'],
  ['zlib.inflateRawSync', 'decode'],
  ['zlib.brotliDecompressSync', 'decode'],
  ['fs.readFileSync', 'fs-read'],
  ['fs.readFile', 'fs-read'],
  ['fs.promises.readFile', 'fs-read'],
  ['fs/promises.readFile', 'fs-read'],
  ['fs.createReadStream', 'fs-read'],
  ['fs.readdirSync', 'fs-read'],
  ['fs.writeFileSync', 'fs-write'],
  ['fs.writeFile', 'fs-write'],
  ['fs.appendFileSync', 'fs-write'],
  ['fs.appendFile', 'fs-write'],
  ['fs.createWriteStream', 'fs-write'],
  ['fs.promises.writeFile', 'fs-write'],
  ['fs/promises.writeFile', 'fs-write'],
  ['os.hostname', 'system-info'],
  ['os.userInfo', 'system-info'],
  ['os.homedir', 'system-info'],
  ['os.networkInterfaces', 'system-info'],
  ['os.getNetworkInterfaces', 'system-info'],
  ['clipboardy.*', 'input-capture'],
  ['screenshot-desktop', 'input-capture'],
  ['iohook.*', 'input-capture'],
]

export const PYTHON_APIS: ApiTable = [
  ['os.system', 'process'],
  ['os.popen', 'process'],
  ['os.exec*', 'process'],
  ['os.spawn*', 'process'],
  ['os.startfile', 'process'],
  ['subprocess.*', 'process'],
  ['commands.*', 'process'],
  ['pty.spawn', 'process'],
  ['os.dup2', 'process'],
  ['win32api.ShellExecute', 'process'],
  ['win32process.CreateProcess', 'process'],
  ['ctypes.windll.shell32.ShellExecuteW', 'process'],
  ['ctypes.*', 'native-load'],
  ['requests.*', 'network'],
  ['urllib.request.*', 'network'],
  ['urllib.urlopen', 'network'],
  ['urllib.urlretrieve', 'network'],
  ['urllib2.*', 'network'],
  ['urllib3.*', 'network'],
  ['http.client.*', 'network'],
  ['httplib.*', 'network'],
  ['httpx.*', 'network'],
  ['aiohttp.*', 'network'],
  ['pycurl.*', 'network'],
  ['socket.socket', 'network'],
  ['socket.create_connection', 'network'],
  ['smtplib.*', 'network'],
  ['ftplib.*', 'network'],
  ['telnetlib.*', 'network'],
  ['websocket.*', 'network'],
  ['websockets.*', 'network'],
  ['discord_webhook.*', 'network'],
  ['dhooks.*', 'network'],
  ['telebot.*', 'network'],
  ['wget.download', 'network'],
  // cloning a repository fetches code from the network
  ['git.Repo.clone_from', 'network'],
  ['pygit2.clone_repository', 'network'],
  ['socket.gethostbyname', 'dns'],
  ['socket.getaddrinfo', 'dns'],
  ['dns.resolver.*', 'dns'],
  ['exec', 'dynamic-code'],
  ['eval', 'dynamic-code'],
  ['compile', 'dynamic-code'],
  ['execfile', 'dynamic-code'],
  ['types.FunctionType', 'dynamic-code'],
  ['types.CodeType', 'dynamic-code'],
  ['base64.*decode*', 'decode'],
  ['base64.decodebytes', 'decode'],
  ['binascii.unhexlify', 'decode'],
  ['binascii.a2b_*', 'decode'],
  ['bytes.fromhex', 'decode'],
  ['bytearray.fromhex', 'decode'],
  ['codecs.decode', 'decode'],
  ['zlib.decompress', 'decode'],
  ['gzip.decompress', 'decode'],
  ['bz2.decompress', 'decode'],
  ['lzma.decompress', 'decode'],
  ['marshal.loads', 'decode'],
  ['pickle.loads', 'decode'],
  ['os.getlogin', 'system-info'],
  ['getpass.getuser', 'system-info'],
  ['platform.node', 'system-info'],
  ['platform.release', 'system-info'],
  ['platform.version', 'system-info'],
  ['platform.platform', 'system-info'],
  ['psutil.net_if_addrs', 'system-info'],
  ['psutil.users', 'system-info'],
  ['platform.uname', 'system-info'],
  ['socket.gethostname', 'system-info'],
  ['socket.getfqdn', 'system-info'],
  ['os.uname', 'system-info'],
  ['uuid.getnode', 'system-info'],
  ['os.path.expanduser', 'system-info'],
  ['pynput.*', 'input-capture'],
  ['keyboard.*', 'input-capture'],
  ['pyperclip.*', 'input-capture'],
  ['PIL.ImageGrab.*', 'input-capture'],
  ['pyautogui.screenshot', 'input-capture'],
  ['win32crypt.CryptUnprotectData', 'credential-decrypt'],
  ['ctypes.windll.crypt32.CryptUnprotectData', 'credential-decrypt'],
  ['Crypto.Cipher.AES.new', 'credential-decrypt'],
  // making folders and moving files into place write to the file system as surely as open(…, 'w') (a launcher moved into Startup)
  ['os.makedirs', 'fs-write'],
  ['os.mkdir', 'fs-write'],
  ['os.rename', 'fs-write'],
  ['os.replace', 'fs-write'],
  ['shutil.move', 'fs-write'],
  ['shutil.copy*', 'fs-read'],
  ['open', 'fs-read'],
  ['io.open', 'fs-read'],
  ['os.listdir', 'fs-read'],
  ['os.walk', 'fs-read'],
  ['glob.glob', 'fs-read'],
]

/** Environment variable names that look like secrets (tokens, keys, passwords). */
export const SECRET_NAME = /token|secret|passw|api_?key|aws_|credential|auth/i

/** Parameter names of a wallet's signing secrets: a private key or a recovery phrase is used where it is, never sent (API keys and passwords are). */
export const KEY_PARAMETER = /^(?:private_?keys?|priv_?keys?|mnemonics?|seed_?phrases?|seed_?words|recovery_?phrases?|wallet_?keys?)$/i

/** Answers per table and name: analyzers ask about the same few hundred names again and again. Bounded, for long-lived workers. */
const answers = new WeakMap<ApiTable, Map<string, Capability | null>>()
const MAX_ANSWERS = 50_000
/** Each table's patterns with a star, compiled once. */
const compiled = new WeakMap<ApiTable, (readonly [string, Capability, RegExp | undefined])[]>()

export function capabilityOf(table: ApiTable, name: string): Capability | undefined {
  let known = answers.get(table)
  if (!known) answers.set(table, (known = new Map()))
  const cached = known.get(name)
  if (cached !== undefined) return cached ?? undefined
  const found = lookUp(table, name)
  if (known.size >= MAX_ANSWERS) known.clear()
  known.set(name, found ?? null)
  return found
}

function lookUp(table: ApiTable, name: string): Capability | undefined {
  let patterns = compiled.get(table)
  if (!patterns) compiled.set(table, (patterns = table.map(([pattern, cap]) => [pattern, cap, starPattern(pattern)] as const)))
  for (const [pattern, cap, star] of patterns) {
    if (pattern === name) return cap
    if (!pattern.endsWith('*')) continue
    const stem = pattern.slice(0, -1)
    if (stem.endsWith('.') ? name.startsWith(stem) && name.length > stem.length : star!.test(name)) return cap
  }
  return undefined
}

/** `os.exec*` matches `os.execv`; a star stands for a run of word characters and dots. */
function starPattern(pattern: string): RegExp | undefined {
  if (!pattern.includes('*')) return undefined
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\w.]*')}$`)
}

/** Ruby: receivers as written (`Net::HTTP`, `Base64`), joined to the method with a dot; bare calls by name. */
export const RUBY_APIS: ApiTable = [
  ['eval', 'dynamic-code'],
  ['Kernel.eval', 'dynamic-code'],
  ['instance_eval', 'dynamic-code'],
  ['class_eval', 'dynamic-code'],
  ['module_eval', 'dynamic-code'],
  ['instance_exec', 'dynamic-code'],
  ['binding.eval', 'dynamic-code'],
  ['RubyVM::InstructionSequence.*', 'dynamic-code'],
  ['Marshal.load', 'dynamic-code'],
  ['system', 'process'],
  ['exec', 'process'],
  ['spawn', 'process'],
  ['Kernel.system', 'process'],
  ['Kernel.exec', 'process'],
  ['Kernel.spawn', 'process'],
  ['Process.spawn', 'process'],
  ['IO.popen', 'process'],
  ['Open3.*', 'process'],
  ['PTY.spawn', 'process'],
  ['Net::HTTP.*', 'network'],
  ['Net::HTTP::Get.new', 'network'],
  ['Net::HTTP::Post.new', 'network'],
  ['Net::FTP.*', 'network'],
  ['Net::SMTP.*', 'network'],
  ['TCPSocket.*', 'network'],
  ['UDPSocket.*', 'network'],
  ['Socket.tcp', 'network'],
  ['URI.open', 'network'],
  ['OpenURI.open_uri', 'network'],
  ['Faraday.*', 'network'],
  ['HTTParty.*', 'network'],
  ['RestClient.*', 'network'],
  ['Excon.*', 'network'],
  ['HTTPClient.*', 'network'],
  ['Resolv.*', 'dns'],
  ['Base64.decode64', 'decode'],
  ['Base64.urlsafe_decode64', 'decode'],
  ['Base64.strict_decode64', 'decode'],
  ['Zlib::Inflate.inflate', 'decode'],
  ['Zlib.inflate', 'decode'],
  ['Zlib.gunzip', 'decode'],
  ['Socket.gethostname', 'system-info'],
  ['Etc.getlogin', 'system-info'],
  ['Etc.getpwuid', 'system-info'],
  ['Dir.home', 'system-info'],
  ['File.read', 'fs-read'],
  ['File.readlines', 'fs-read'],
  ['File.binread', 'fs-read'],
  ['IO.read', 'fs-read'],
  ['File.write', 'fs-write'],
  ['File.binwrite', 'fs-write'],
  ['IO.write', 'fs-write'],
  ['Fiddle.*', 'native-load'],
  ['Fiddle::Function.new', 'native-load'],
]
