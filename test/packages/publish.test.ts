// The publish path through the gate, on both dialects: pending → scanned → installable.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

describe.each(DIALECTS)('publish through the gate (%s)', (dialect) => {
  let r: TestRegistry
  beforeEach(async () => {
    r = await startTestRegistry(dialect)
  })
  afterEach(async () => r?.close())

  it('stores a pending version, scans it, then serves it', async () => {
    const token = await r.user('alice')
    const res = await r.publish(token, 'left-pad-x', '1.0.0')
    expect(res.statusCode).toBe(201)
    expect(res.json().state).toBe('pending')
    await r.settle()
    const doc = await r.app.inject({ url: '/left-pad-x' })
    expect(doc.statusCode).toBe(200)
    const body = doc.json()
    expect(Object.keys(body.versions)).toEqual(['1.0.0'])
    expect(body['dist-tags']).toEqual({ latest: '1.0.0' })
    expect(body.versions['1.0.0'].dist.tarball).toBe('http://registry.test/left-pad-x/-/left-pad-x-1.0.0.tgz')
    const tgz = await r.app.inject({ url: '/left-pad-x/-/left-pad-x-1.0.0.tgz' })
    expect(tgz.statusCode).toBe(200)
    expect(tgz.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
  })

  it('does not serve a version before the gate has judged it', async () => {
    await r.close()
    r = await startTestRegistry(dialect, { worker: false })
    const token = await r.user('alice')
    expect((await r.publish(token, 'waiting-pkg', '1.0.0')).statusCode).toBe(201)
    expect((await r.app.inject({ url: '/waiting-pkg' })).statusCode).toBe(404)
    expect((await r.app.inject({ url: '/waiting-pkg/-/waiting-pkg-1.0.0.tgz' })).statusCode).toBe(404)
    expect(await r.deps.queue.pending('scan_version')).toBe(1)
  })
})
