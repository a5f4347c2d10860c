// A removal seen through the real npm client: removed versions never install, and npm prints why and where to read more.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { npmWorkspace, type NpmWorkspace } from '../helpers/npm-client.ts'
import { ENV_STEALER } from '../helpers/gate-fixtures.ts'

describe('removal with the real npm client (sqlite)', () => {
  let r: ListeningRegistry
  let ws: NpmWorkspace
  let lockedProject: string
  let advisory: string

  beforeAll(async () => {
    r = await startListeningRegistry('sqlite')
    const publisher = await r.user('alice')
    const reviewer = await r.user('rita')
    await setRole(r.deps, 'rita', 'reviewer', CLI())
    ws = npmWorkspace(r.url, publisher, 'removal')

    // 1.0.0 looks harmless and is installed (and locked) by a user; 1.0.1 is held by the gate.
    expect((await ws.npm(['publish'], ws.fixture('v1', 'rm-e2e', '1.0.0', { 'lib.js': 'module.exports = 1\n' }))).code).toBe(0)
    await r.settle()
    lockedProject = ws.project()
    const installed = await ws.npm(['install', 'rm-e2e@1.0.0'], lockedProject)
    expect(installed.code, installed.out).toBe(0)
    expect((await r.publish(publisher, 'rm-e2e', '1.0.1', ENV_STEALER)).statusCode).toBe(201)
    await r.settle()

    // The reviewer removes the whole package.
    const headers = { authorization: `Bearer ${reviewer}`, 'content-type': 'application/json' }
    const [c] = ((await (await fetch(`${r.url}-/api/v1/review/cases`, { headers })).json()) as { cases: { id: number }[] }).cases
    const res = await fetch(`${r.url}-/api/v1/review/cases/${c!.id}/remove`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'the package posts the environment to a collection host', wholePackage: true }),
    })
    expect(res.status).toBe(200)
    advisory = ((await res.json()) as { removal: { advisoryId: string } }).removal.advisoryId
  }, 240_000)

  afterAll(async () => {
    await r?.close()
    ws?.cleanup()
  })

  const notice = () => new RegExp(`rm-e2e@1\\.0\\.[01] was removed by the registry's security team because it contains malicious code[\\s\\S]*${advisory}`)

  it('refuses an exact version with the removal notice', async () => {
    const dir = ws.project()
    const res = await ws.npm(['install', 'rm-e2e@1.0.0'], dir)
    expect(res.code).not.toBe(0)
    expect(res.out).toMatch(/410 Gone/)
    expect(res.out).toMatch(notice())
    expect(existsSync(join(dir, 'node_modules', 'rm-e2e'))).toBe(false)
  }, 120_000)

  it('refuses a bare install of the removed package with the notice', async () => {
    const dir = ws.project()
    const res = await ws.npm(['install', 'rm-e2e'], dir)
    expect(res.code).not.toBe(0)
    expect(res.out).toMatch(notice())
  }, 120_000)

  it('fails a clean install from an existing lockfile with the notice', async () => {
    // npm would reuse an archive already in its own cache; --prefer-online makes it ask the registry, as a fresh CI machine does.
    const res = await ws.npm(['ci', '--prefer-online'], lockedProject)
    expect(res.code).not.toBe(0)
    expect(res.out).toMatch(notice())
  }, 120_000)
})
