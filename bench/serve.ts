// Benchmark: time and memory to serve packuments and tarballs from a real `gatehouse serve` process.
// Usage: npm run bench:serve [-- --versions 100 --duration 10 --connections 50] [--rescan]
// --rescan: measures every target twice, the second time while a retroactive rescan of every stored
// version runs in the server's worker (restarted whenever it finishes), to show what rescans cost serving.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import { npmTarball, publishDocument } from '../test/helpers/tarballs.ts'

const { values } = parseArgs({
  options: {
    versions: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    port: { type: 'string', default: '4899' },
    rescan: { type: 'boolean', default: false },
  },
})
const VERSIONS = Number(values.versions)
const DURATION = Number(values.duration)
const CONNECTIONS = Number(values.connections)
const PORT = Number(values.port)
const BASE = `http://127.0.0.1:${PORT}`

function rssOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) }
}

async function waitFor(url: string, ok: (res: Response) => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if (await ok(await fetch(url))) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${url}`)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
  const server: ChildProcess = spawn(process.execPath, ['bin/gatehouse.js', 'serve'], {
    env: { ...process.env, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_PORT: String(PORT), GATEHOUSE_LOG_LEVEL: 'warn', GATEHOUSE_PASSWORD_COST: '12' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    await waitFor(`${BASE}/-/ping`, (r) => r.ok)
    const login = await fetch(`${BASE}/-/user/org.couchdb.user:bench`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', password: 'bench-password', email: 'bench@example.com' }),
    })
    const { token } = (await login.json()) as { token: string }

    // A package with many versions, each tarball ~64 KiB of incompressible content.
    const name = 'bench-pkg'
    for (let i = 0; i < VERSIONS; i++) {
      const version = `1.0.${i}`
      const tgz = await npmTarball(name, version, { 'data.txt': randomBytes(48 * 1024).toString('base64') })
      const res = await fetch(`${BASE}/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(publishDocument(name, version, tgz)),
      })
      if (res.status !== 201) throw new Error(`publish ${version}: ${res.status} ${await res.text()}`)
    }
    await waitFor(`${BASE}/${name}`, async (r) => r.ok && Object.keys(((await r.json()) as { versions: object }).versions).length === VERSIONS, 120_000)
    const afterPublish = rssOf(server.pid!)

    const targets = [
      { label: 'packument (abbreviated)', path: `/${name}`, headers: { accept: 'application/vnd.npm.install-v1+json' } },
      { label: 'packument (full JSON)', path: `/${name}`, headers: { accept: 'application/json' } },
      { label: 'tarball (~64 KiB)', path: `/${name}/-/${name}-1.0.${VERSIONS - 1}.tgz`, headers: {} },
    ]
    const rows: Record<string, unknown>[] = []
    const env = { ...process.env, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: 'warn' }
    if (values.rescan) execFileSync(process.execPath, ['bin/gatehouse.js', 'grant-role', 'bench', 'reviewer'], { env, stdio: 'ignore' })
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const rescanDone = async () => {
      const runs = ((await (await fetch(`${BASE}/-/api/v1/intel/rescans`, { headers: auth })).json()) as { rescans: { done: number; status: string }[] }).rescans
      return { done: runs.reduce((n, r) => n + r.done, 0), running: runs.some((r) => r.status === 'running') }
    }
    /** Marks every stored scan as made by an older ruleset and asks for a rescan, as a rules release would. */
    const startRescan = async () => {
      const db = new Database(join(dir, 'gatehouse.db'))
      db.prepare("update scans set ruleset_version = 'bench-stale-' || abs(random() % 1000000)").run()
      db.close()
      const res = await fetch(`${BASE}/-/api/v1/intel/rescans`, { method: 'POST', headers: auth, body: JSON.stringify({ reason: 'serve benchmark' }) })
      if (res.status >= 300) throw new Error(`rescan: ${res.status} ${await res.text()}`)
    }
    for (const t of values.rescan ? targets.flatMap((x) => [x, { ...x, underRescan: true }]) : targets) {
      let rescanned = 0
      let keepRescanning = false
      let loop: Promise<void> = Promise.resolve()
      if ('underRescan' in t) {
        keepRescanning = true
        const before = (await rescanDone()).done
        await startRescan()
        loop = (async () => {
          let base = before
          while (keepRescanning) {
            await new Promise((r) => setTimeout(r, 200))
            const now = await rescanDone()
            rescanned += now.done - base
            base = now.done
            if (!now.running && keepRescanning) await startRescan()
          }
        })()
      }
      const result = await autocannon({ url: `${BASE}${t.path}`, connections: CONNECTIONS, duration: DURATION, headers: t.headers })
      keepRescanning = false
      await loop
      const mem = rssOf(server.pid!)
      rows.push({
        target: 'underRescan' in t ? `${t.label}, rescanning (${Math.round(rescanned / DURATION)} versions/s)` : t.label,
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'max ms': result.latency.max,
        errors: result.errors + result.non2xx,
        'RSS MiB': mem.rssMiB,
        'peak RSS MiB': mem.peakMiB,
      })
    }
    console.log(`\nGatehouse serve benchmark — ${VERSIONS} versions, ${CONNECTIONS} connections, ${DURATION} s per target, SQLite + files`)
    console.log(`server RSS after publishing: ${afterPublish.rssMiB} MiB (peak ${afterPublish.peakMiB} MiB)`)
    console.table(rows)
  } finally {
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
