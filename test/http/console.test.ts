// Serving the console bundle: files, the SPA fallback for page paths, caching, and a clear 503 before the first build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consoleRoutes } from '../../src/http/console.ts'

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(async (instance) => consoleRoutes(instance, { root }))
  await app.ready()
  return app
}

describe('console static serving', () => {
  let dir: string
  let built: FastifyInstance
  let missing: FastifyInstance

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'))
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true })
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="app"></div>')
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)')
    writeFileSync(join(dir, 'secret.txt'), 'outside the bundle')
    built = await appServing(join(dir, 'dist'))
    missing = await appServing(join(dir, 'not-built'))
  })

  afterAll(async () => {
    await built?.close()
    await missing?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('redirects the bare prefix and serves index.html, uncached, for every page path', async () => {
    const bare = await built.inject('/-/console')
    expect(bare.statusCode).toBe(302)
    expect(bare.headers.location).toBe('/-/console/')
    for (const url of ['/-/console/', '/-/console/cases/12', '/-/console/audit?action=case.']) {
      const res = await built.inject(url)
      expect(res.statusCode, url).toBe(200)
      expect(res.body, url).toContain('<div id="app">')
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'")
    }
  })

  it('serves hashed bundles as immutable and answers 404 for a missing one', async () => {
    const js = await built.inject('/-/console/assets/index-abc123.js')
    expect(js.statusCode).toBe(200)
    expect(js.headers['content-type']).toMatch(/javascript/)
    expect(js.headers['cache-control']).toMatch(/immutable/)
    expect((await built.inject('/-/console/assets/index-gone.js')).statusCode).toBe(404)
  })

  it('never serves files outside the bundle', async () => {
    for (const url of ['/-/console/../secret.txt', '/-/console/%2e%2e/secret.txt', '/-/console/assets/..%2f..%2fsecret.txt']) {
      const res = await built.inject(url)
      expect(res.body, url).not.toContain('outside the bundle')
    }
  })

  it('says how to build the console when it is not built', async () => {
    const res = await missing.inject('/-/console/')
    expect(res.statusCode).toBe(503)
    expect(res.body).toMatch(/npm run build:web/)
  })
})
