// Runs inside the sandbox (bubblewrap, no network but its own loopback), as its root: starts the sinkhole, then each
// step of the package under strace as an unprivileged user with resource limits, and writes what it saw to /gh/out.
// Plain CommonJS on the machine's node, no dependencies: nothing of the registry is visible in here.
'use strict'
const { spawn, execFile } = require('node:child_process')
const dgram = require('node:dgram')
const fs = require('node:fs')
const http = require('node:http')
const https = require('node:https')
const net = require('node:net')
const tls = require('node:tls')

const OUT = '/gh/out'
const plan = JSON.parse(fs.readFileSync('/gh/driver/plan.json', 'utf8'))
const events = []
const MAX_EVENTS = 2000
const MAX_BODY = 64 * 1024
const started = Date.now()

function record(event) {
  if (events.length < MAX_EVENTS) events.push({ t: Date.now() - started, ...event })
}

// --- DNS: every A query answers 127.0.0.1, so every name leads to the sinkhole; AAAA and others answer nothing.
function dnsName(msg, offset) {
  const labels = []
  let i = offset
  for (let guard = 0; guard < 128 && i < msg.length; guard++) {
    const len = msg[i]
    if (len === 0) return { name: labels.join('.'), end: i + 1 }
    if ((len & 0xc0) === 0xc0) return { name: labels.join('.'), end: i + 2 }
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'))
    i += 1 + len
  }
  return { name: labels.join('.'), end: i }
}

function startDns() {
  const socket = dgram.createSocket('udp4')
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return
    const { name, end } = dnsName(msg, 12)
    const qtype = msg.readUInt16BE(end)
    record({ kind: 'dns', name, type: qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : String(qtype) })
    const question = msg.subarray(12, end + 4)
    const header = Buffer.alloc(12)
    msg.copy(header, 0, 0, 2)
    header.writeUInt16BE(0x8180, 2) // response, recursion available, no error
    header.writeUInt16BE(1, 4)
    header.writeUInt16BE(qtype === 1 ? 1 : 0, 6)
    const answer = qtype === 1 ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]) : Buffer.alloc(0)
    socket.send(Buffer.concat([header, question, answer]), rinfo.port, rinfo.address)
  })
  return new Promise((resolve) => socket.bind(53, '127.0.0.1', () => resolve(socket)))
}

// --- HTTP(S) and raw TCP listeners on the ports payloads use.
function httpHandler(scheme, port) {
  return (req, res) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      if (size < MAX_BODY) chunks.push(c)
      size += c.length
    })
    req.on('end', () => {
      const body = Buffer.concat(chunks).subarray(0, MAX_BODY).toString('latin1')
      record({ kind: 'http', scheme, port, method: req.method, host: req.headers.host || '', path: req.url, headers: req.headers, body, size })
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok\n')
    })
    req.on('error', () => {})
  }
}

const certs = new Map()
function certFor(name) {
  const host = /^[A-Za-z0-9.-]{1,253}$/.test(name || '') ? name : 'localhost'
  if (!certs.has(host)) {
    certs.set(
      host,
      new Promise((resolve, reject) => {
        const key = `/tmp/leaf-${host}.key`
        const pem = `/tmp/leaf-${host}.pem`
        execFile(
          'openssl',
          ['req', '-x509', '-CA', '/gh/ca/ca.pem', '-CAkey', '/gh/ca/ca.key', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', pem, '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`],
          { timeout: 10_000 },
          (err) => (err ? reject(err) : resolve(tls.createSecureContext({ key: fs.readFileSync(key), cert: fs.readFileSync(pem) }))),
        )
      }),
    )
  }
  return certs.get(host)
}

function listen(server, port) {
  return new Promise((resolve) => {
    server.once('error', () => resolve(null))
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

async function startSinkhole() {
  const servers = [await startDns()]
  for (const port of plan.sinkhole.httpPorts) servers.push(await listen(http.createServer(httpHandler('http', port)), port))
  const fallback = await certFor('localhost')
  for (const port of plan.sinkhole.httpsPorts) {
    const server = https.createServer({ SNICallback: (name, cb) => certFor(name).then((ctx) => cb(null, ctx), cb), secureContext: fallback }, httpHandler('https', port))
    server.on('tlsClientError', (err) => record({ kind: 'tls-error', port, message: String(err.message).slice(0, 200) }))
    servers.push(await listen(server, port))
  }
  for (const port of plan.sinkhole.tcpPorts) {
    const server = net.createServer((socket) => {
      const chunks = []
      let size = 0
      socket.on('data', (c) => {
        if (size < MAX_BODY) chunks.push(c)
        size += c.length
      })
      socket.on('error', () => {})
      socket.on('close', () => record({ kind: 'tcp', port, data: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('latin1'), size }))
      setTimeout(() => socket.destroy(), 3000).unref()
    })
    servers.push(await listen(server, port))
  }
  return servers.filter(Boolean)
}

// --- The package's steps, each traced, unprivileged and limited.
function runStep(step, index) {
  return new Promise((resolve) => {
    const t0 = Date.now()
    const limits = plan.limits
    const argv = [
      '-f',
      '-qq',
      '-o',
      `${OUT}/strace.${index}`,
      '-s',
      '256',
      '-e',
      'trace=execve,open,openat,creat,connect,sendto,sendmsg,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,symlink,symlinkat,chmod,fchmodat,clone,clone3,fork,vfork',
      '-e',
      'signal=none',
      '--',
      'setpriv',
      `--reuid=${plan.uid}`,
      `--regid=${plan.uid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
      'prlimit',
      `--nproc=${limits.processes}`,
      `--as=${limits.memoryBytes}`,
      `--fsize=${limits.fileBytes}`,
      '--nofile=256',
      '--',
      ...step.argv,
    ]
    const child = spawn('strace', argv, { cwd: step.cwd, env: step.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout = (stdout + c).slice(-4000)))
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, step.timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // leftovers of the step (daemons it forked) go with it
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
      resolve({ label: step.label, argv: step.argv, exitCode: code, signal, timedOut, at: t0 - started, ms: Date.now() - t0, stdout, stderr })
    })
  })
}

async function main() {
  const servers = await startSinkhole()
  const steps = []
  for (const [i, step] of plan.steps.entries()) steps.push(await runStep(step, i))
  // late callbacks of what the steps started in the background
  await new Promise((r) => setTimeout(r, plan.settleMs))
  for (const s of servers) {
    try {
      s.close()
    } catch {}
  }
  fs.writeFileSync(`${OUT}/driver.json`, JSON.stringify({ steps, events }))
  process.exit(0)
}

main().catch((err) => {
  fs.writeFileSync(`${OUT}/driver.json`, JSON.stringify({ error: String((err && err.stack) || err), steps: [], events }))
  process.exit(1)
})
