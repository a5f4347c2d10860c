// A rescan survives its worker being killed: a real `gatehouse worker` process is SIGKILLed mid-run, a new one finishes the rest, each version exactly once.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { effectiveRulesetVersion } from '../../src/scanning/rules/extra-rules.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const EXTRA_RULES = fileURLToPath(new URL('../fixtures/intel/extra-rules.ts', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url))
const VERSIONS = 8

describe('rescan killed mid-run and restarted (sqlite, real worker processes)', () => {
  let r: TestRegistry
  const children: ChildProcess[] = []

  beforeAll(async () => {
    r = await startTestRegistry('sqlite', { blobs: 'fs' })
    const owner = await r.user('owner')
    for (let i = 0; i < VERSIONS; i++) {
      const files = { 'index.js': `module.exports = ${i}\n`, ...(i % 3 === 0 ? { 'beacon.js': 'module.exports = 0\n' } : {}) }
      expect((await r.publish(owner, `restart-${i}`, '1.0.0', { files })).statusCode).toBe(201)
    }
    await r.settle()
    await r.deps.queue.stop()
  }, 120_000)

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
    await r?.close()
  })

  function worker(): ChildProcess {
    const db = r.deps.config.database
    if (db.kind !== 'sqlite') throw new Error('sqlite only')
    const env = {
      ...process.env,
      DATABASE_URL: `sqlite:${db.path}`,
      GATEHOUSE_DATA_DIR: r.deps.config.dataDir,
      GATEHOUSE_EXTRA_RULES: EXTRA_RULES,
      GATEHOUSE_RESCAN_PAUSE_MS: '300',
      GATEHOUSE_RESCAN_BATCH_SIZE: '3',
      GATEHOUSE_JOB_LEASE_SECONDS: '2',
      GATEHOUSE_SCAN_THREADS: '1',
      GATEHOUSE_LOG_LEVEL: 'silent',
    }
    const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    children.push(child)
    return child
  }

  const items = () => r.deps.db.kysely.selectFrom('rescan_items').select(['version_id', 'status']).execute()

  async function until(check: () => Promise<boolean>, ms: number) {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (await check()) return
      await new Promise((res) => setTimeout(res, 100))
    }
    throw new Error('timed out')
  }

  it('finishes the remaining versions exactly once after a restart', async () => {
    const ruleset = effectiveRulesetVersion(EXTRA_RULES)
    const first = worker()
    // The new worker sees scans from an older ruleset and starts the rescan by itself.
    await until(async () => (await items()).filter((i) => i.status === 'done').length >= 2, 60_000)
    first.kill('SIGKILL')
    await new Promise((res) => first.once('exit', res))
    const afterKill = await items()
    const doneBefore = afterKill.filter((i) => i.status === 'done').length
    expect(doneBefore).toBeGreaterThanOrEqual(2)
    expect(doneBefore).toBeLessThan(VERSIONS)
    const [run] = await r.deps.db.kysely.selectFrom('rescan_runs').selectAll().execute()
    expect(run).toMatchObject({ status: 'running', ruleset_version: ruleset, total: VERSIONS })

    const second = worker()
    await until(async () => (await r.deps.db.kysely.selectFrom('rescan_runs').select('status').executeTakeFirstOrThrow()).status === 'done', 90_000)
    second.kill('SIGTERM')

    const done = await items()
    expect(done.every((i) => i.status === 'done')).toBe(true)
    const scans = await r.deps.db.kysely.selectFrom('scans').select('version_id').where('ruleset_version', '=', ruleset).execute()
    expect(scans).toHaveLength(VERSIONS)
    expect(new Set(scans.map((s) => s.version_id)).size).toBe(VERSIONS)
    const final = await r.deps.db.kysely.selectFrom('rescan_runs').selectAll().executeTakeFirstOrThrow()
    expect(final).toMatchObject({ done_count: VERSIONS, held: 3, flagged: 3 })
    const held = await r.deps.db.kysely.selectFrom('versions').select('id').where('state', '=', 'held').execute()
    expect(held).toHaveLength(3)
  }, 200_000)
})
