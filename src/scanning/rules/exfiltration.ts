// Rules for data leaving the machine: environment, credentials, system fingerprints, exfiltration endpoints.
import { filesOf, perFile, type Rule, type RuleHit } from './rule.ts'

export const exfiltratesEnvironment: Rule = perFile(
  'exfiltrates-environment',
  'Sends the environment over the network',
  'The whole environment (or secret-looking variables) reaches a network call. CI tokens, cloud keys and npm tokens live in environment variables; legitimate packages do not send them anywhere.',
  (file) => {
    const flow = file.flow(['env'], ['network', 'dns'])
    if (flow) return file.hit({ install: 100, import: 100, runtime: 70 }, `environment data flows into ${flow.api}`, flow)
    // A token sent to its own service is what API clients do at run time; at install time it is theft.
    const secret = file.flow(['env-secret'], ['network', 'dns'])
    if (secret) return file.hit({ install: 40, import: 20, runtime: 0 }, `a secret-looking environment variable flows into ${secret.api}`, secret)
    const dump = file.first('env-dump')
    const net = file.first('network')
    if (dump && net && file.role === 'install') return file.hit({ install: 20, import: 0, runtime: 0 }, `serialises the environment (${dump.api}) in install-time code that calls ${net.api}`, dump)
    return undefined
  },
)

export const exfiltratesCredentials: Rule = perFile(
  'exfiltrates-credentials',
  'Reads credential files and sends data out',
  'Reads SSH keys, cloud or registry credentials, or files it finds by searching folders, and has a network sink in the same file. Check where the data goes.',
  (file) => {
    const flow = file.flow(['sensitive-file'], ['network', 'dns'])
    if (flow) return file.hit({ install: 100, import: 100, runtime: 80 }, `credential file contents flow into ${flow.api}`, flow)
    // Files found by searching folders and uploaded: a stealer's sweep when installing or loading; a sync or backup
    // tool's job when its user runs it, so at run time the weaker reading below still has its say.
    const found = file.flow(['found-file'], ['network'])
    const sweep = found && file.hit({ install: 100, import: 80, runtime: 0 }, `files found by listing folders flow into ${found.api}`, found)
    if (sweep && sweep.weight > 0) return sweep
    const path = file.indicator('sensitive-path')
    if (path && file.has('fs-read') && (file.has('network') || file.has('dns'))) {
      return file.hit({ install: 70, import: 30, runtime: 10 }, `reads ${path.value} in a file with network access`, path)
    }
    return undefined
  },
)

export const stealsBrowserOrWalletData: Rule = {
  id: 'steals-browser-or-wallet-data',
  title: 'Targets browser, Discord or crypto-wallet stores',
  explanation:
    'Reads browser credential databases, Discord token storage or wallet files while the package can send data out — the signature of an info-stealer. Stealers often split the reading and the sending across files, so the network side may be anywhere in the package.',
  evaluate(facts) {
    const files = filesOf(facts)
    const sends = files.find((f) => f.has('network'))
    const hits: RuleHit[] = []
    for (const file of files) {
      const store = file.indicator('browser-store', 'discord-store', 'wallet-path')
      if (!store) continue
      const decrypt = file.first('credential-decrypt')
      if (decrypt) hits.push(file.hit({ install: 100, import: 100, runtime: 100 }, `decrypts stored credentials (${decrypt.api}) and references ${store.value}`, store))
      else if (file.has('fs-read') && sends) hits.push(file.hit({ install: 100, import: 100, runtime: 80 }, `reads ${store.kind.replace('-', ' ')} ${store.value}; ${sends.path} sends data out`, store))
      else if (file.has('fs-read') || file.has('network')) hits.push(file.hit({ install: 60, import: 50, runtime: 30 }, `references ${store.kind.replace('-', ' ')} ${store.value}`, store))
    }
    return hits
  },
}

export const hidesNetworkDestination: Rule = {
  id: 'hides-network-destination',
  title: 'Decodes where it connects to',
  explanation:
    'A network call receives a destination or payload that was base64/hex-decoded at run time, or the package carries a URL written only in base64/hex. Legitimate code writes its URLs in plain text; hiding them is meant to defeat review.',
  evaluate(facts) {
    const files = filesOf(facts)
    // a URL spelled only in base64/hex, often kept in a constants module apart from the code that decodes it
    const hidden = files.flatMap((file) => file.facts.indicators.filter((i) => i.kind === 'encoded-url'))
    const hits: RuleHit[] = []
    for (const file of files) {
      const flow = file.flow(['decode'], ['network', 'dns'])
      const own = file.indicator('encoded-url')
      const connects = file.has('network') || file.has('dns')
      let hit: RuleHit | undefined
      if (own && connects) hit = file.hit({ install: 100, import: 90, runtime: 60 }, `connects out and carries an encoded address: ${own.value}`, own)
      else if (flow && hidden.length > 0) hit = file.hit({ install: 100, import: 90, runtime: 60 }, `decodes an address (the package encodes ${hidden[0]!.value}) and hands it to ${flow.api}`, flow)
      else if (flow) hit = file.hit({ install: 80, import: 40, runtime: 10 }, `decoded data flows into ${flow.api}`, flow)
      if (hit && hit.weight > 0) hits.push(hit)
    }
    return hits
  },
}

export const shellExfiltration: Rule = perFile(
  'shell-exfiltration',
  'Shell command sends local data out',
  'A shell command embeds the output of hostname, whoami, env or a file into a DNS lookup or HTTP request, or queries a hard-coded public resolver directly: a one-line beacon or exfiltration.',
  (file) => {
    const run = file.executed('shell-exfil')
    if (run) return file.hit({ install: 100, import: 90, runtime: 60 }, `shell exfiltration: ${run.value}`, run)
    const ind = file.indicator('shell-exfil')
    return ind && file.has('process') ? file.hit({ install: 60, import: 30, runtime: 5 }, `shell exfiltration command text: ${ind.value}`, ind) : undefined
  },
)

export const beaconsSystemInfo: Rule = perFile(
  'beacons-system-info',
  'Sends host fingerprints out',
  'Host name, user name, home directory or network interfaces reach a network or DNS call: the reconnaissance beacon of dependency-confusion and supply-chain probes.',
  (file) => {
    const flow = file.flow(['system-info'], ['network', 'dns'])
    if (flow) return file.hit({ install: 70, import: 60, runtime: 15 }, `system information flows into ${flow.api}`, flow)
    return undefined
  },
)

export const exfiltrationEndpoint: Rule = perFile(
  'exfiltration-endpoint',
  'Contacts an exfiltration endpoint',
  'A webhook (or a messaging bot\'s token), paste site, tunnelling or out-of-band-testing host appears in a file that can send data. Legitimate libraries rarely hard-code such endpoints; one that is sent a private key or recovery phrase passed to the code is a wallet drainer.',
  (file) => {
    const canSend = file.has('network') || file.has('dns') || file.has('process')
    if (!canSend) return undefined
    const drop = file.indicator('webhook', 'paste-site', 'tunnel-host', 'oast-host', 'raw-ip-url')
    const key = drop && file.flow(['key-argument'], ['network'])
    if (drop && key) return file.hit({ install: 100, import: 100, runtime: 80 }, `a private key or recovery phrase handed to the code reaches ${key.api}, in a file naming ${drop.kind.replace('-', ' ')} ${drop.value}`, key)
    // A webhook URL carries its own credentials (Discord id/token, Telegram bot token), as a bare bot token does: a drop box baked into the code.
    const webhook = file.indicator('webhook')
    if (webhook) return file.hit({ install: 90, import: 80, runtime: 50 }, `webhook: ${webhook.value}`, webhook)
    const strong = file.indicator('paste-site', 'tunnel-host', 'oast-host')
    if (strong) return file.hit({ install: 90, import: 80, runtime: 35 }, `${strong.kind.replace('-', ' ')}: ${strong.value}`, strong)
    const ip = file.indicator('raw-ip-url')
    if (ip) return file.hit({ install: 60, import: 50, runtime: 10 }, `URL with a raw public IP address: ${ip.value}`, ip)
    const lookup = file.indicator('ip-lookup')
    if (lookup) return file.hit({ install: 40, import: 30, runtime: 5 }, `looks up the machine's public IP: ${lookup.value}`, lookup)
    return undefined
  },
)

export const installTimeNetwork: Rule = perFile(
  'install-time-network',
  'Network access while installing',
  'Code that runs during installation opens network connections. Some installers download platform binaries from their own release hosts; anything else deserves a look.',
  (file) => {
    if (file.role !== 'install') return undefined
    const net = file.first('network') ?? file.first('dns')
    if (!net) return undefined
    // fetching from the package index (bootstrap installers) is what installs do
    const indexOnly = file.indicator('registry-url') && !file.indicator('raw-ip-url', 'webhook', 'paste-site', 'tunnel-host', 'oast-host', 'executable-url', 'ip-lookup')
    return file.hit({ install: indexOnly ? 10 : 25, import: 0, runtime: 0 }, `${net.api} runs at install time`, net)
  },
)
