// npm package documents and owner edits over the wire: packuments, dist-tags, deprecate, owners, unpublish, search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from '../../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../../helpers/registry.ts'
import { npmTarball, publishDocument } from '../../helpers/tarballs.ts'

describe.each(DIALECTS)('npm package metadata (%s)', (dialect) => {
  let r: TestRegistry
  let alice: string
  let bob: string
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
    alice = await r.user('alice')
    bob = await r.user('bob')
    for (const v of ['1.0.0', '1.1.0', '2.0.0-beta.1']) {
      const res = await r.publish(alice, 'meta-pkg', v, v.includes('beta') ? { tag: 'next' } : {})
      expect(res.statusCode, res.body).toBe(201)
    }
    expect((await r.publish(alice, '@acme/widget', '0.1.0')).statusCode).toBe(201)
    await r.settle()
  })
  afterAll(async () => r?.close())

  it('serves the full packument with tags, times and maintainers', async () => {
    const res = await r.app.inject({ url: '/meta-pkg' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    const doc = res.json()
    expect(doc['dist-tags']).toEqual({ latest: '1.1.0', next: '2.0.0-beta.1' })
    expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0-beta.1'])
    expect(Object.keys(doc.time)).toEqual(expect.arrayContaining(['created', 'modified', '1.0.0', '1.1.0']))
    expect(doc.maintainers).toEqual([{ name: 'alice', email: 'alice@example.com' }])
    expect(doc._rev).toMatch(/^\d+-[0-9a-f]{32}$/)
    expect(doc.versions['1.0.0']._npmUser).toEqual({ name: 'alice', email: 'alice@example.com' })
    expect(doc.versions['1.0.0'].dist.integrity).toMatch(/^sha512-/)
  })

  it('serves the abbreviated document to installers, with ETag and 304', async () => {
    const accept = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'
    const res = await r.app.inject({ url: '/meta-pkg', headers: { accept } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/vnd\.npm\.install-v1\+json/)
    expect(res.headers.vary).toBe('Accept')
    const doc = res.json()
    expect(doc).not.toHaveProperty('time')
    expect(doc.versions['1.0.0']).toMatchObject({ name: 'meta-pkg', version: '1.0.0', dist: { shasum: expect.any(String) } })
    expect(doc.versions['1.0.0']).not.toHaveProperty('description')
    const again = await r.app.inject({ url: '/meta-pkg', headers: { accept, 'if-none-match': res.headers.etag as string } })
    expect(again.statusCode).toBe(304)
  })

  it('serves one version by number or tag, and 404s unknown ones', async () => {
    expect((await r.app.inject({ url: '/meta-pkg/1.0.0' })).json().version).toBe('1.0.0')
    expect((await r.app.inject({ url: '/meta-pkg/next' })).json().version).toBe('2.0.0-beta.1')
    const missing = await r.app.inject({ url: '/meta-pkg/9.9.9' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error).toMatch(/version not found/)
  })

  it('handles scoped names both as @scope%2fname and @scope/name', async () => {
    const encoded = await r.app.inject({ url: '/@acme%2fwidget' })
    const slashed = await r.app.inject({ url: '/@acme/widget' })
    expect(encoded.statusCode).toBe(200)
    expect(slashed.json().name).toBe('@acme/widget')
    const tarballUrl: string = encoded.json().versions['0.1.0'].dist.tarball
    expect(tarballUrl).toBe('http://registry.test/@acme/widget/-/widget-0.1.0.tgz')
    const tgz = await r.app.inject({ url: new URL(tarballUrl).pathname })
    expect(tgz.statusCode).toBe(200)
  })

  it('serves the manifest from the tarball, not the publish document (no manifest confusion)', async () => {
    const tgz = await npmTarball('confused-pkg', '1.0.0', {}, { scripts: { postinstall: 'node steal.js' }, dependencies: { 'evil-dep': '1.0.0' } })
    const doc = publishDocument('confused-pkg', '1.0.0', tgz)
    // The document claims no scripts and no dependencies.
    const v = (doc.versions as Record<string, Record<string, unknown>>)['1.0.0']!
    delete v.scripts
    delete v.dependencies
    const res = await r.app.inject({ method: 'PUT', url: '/confused-pkg', headers: auth(alice), payload: doc })
    expect(res.statusCode).toBe(201)
    await r.settle()
    const abbreviated = await r.app.inject({ url: '/confused-pkg', headers: { accept: 'application/vnd.npm.install-v1+json' } })
    const version = abbreviated.json().versions['1.0.0']
    expect(version.dependencies).toEqual({ 'evil-dep': '1.0.0' })
    expect(version.hasInstallScript).toBe(true)
  })

  it('adds, lists and removes dist-tags', async () => {
    const add = await r.app.inject({ method: 'PUT', url: '/-/package/meta-pkg/dist-tags/stable', headers: auth(alice), payload: '"1.0.0"' })
    expect(add.statusCode).toBe(200)
    expect((await r.app.inject({ url: '/-/package/meta-pkg/dist-tags' })).json()).toEqual({ latest: '1.1.0', next: '2.0.0-beta.1', stable: '1.0.0' })
    const scoped = await r.app.inject({ method: 'PUT', url: '/-/package/@acme%2fwidget/dist-tags/stable', headers: auth(alice), payload: '"0.1.0"' })
    expect(scoped.statusCode).toBe(200)
    expect((await r.app.inject({ method: 'DELETE', url: '/-/package/meta-pkg/dist-tags/stable', headers: auth(alice) })).statusCode).toBe(200)
    expect((await r.app.inject({ url: '/-/package/meta-pkg/dist-tags' })).json()).not.toHaveProperty('stable')
    const latest = await r.app.inject({ method: 'DELETE', url: '/-/package/meta-pkg/dist-tags/latest', headers: auth(alice) })
    expect(latest.statusCode).toBe(400)
    const range = await r.app.inject({ method: 'PUT', url: '/-/package/meta-pkg/dist-tags/1.x', headers: auth(alice), payload: '"1.0.0"' })
    expect(range.statusCode).toBe(400)
    const notOwner = await r.app.inject({ method: 'PUT', url: '/-/package/meta-pkg/dist-tags/evil', headers: auth(bob), payload: '"1.0.0"' })
    expect(notOwner.statusCode).toBe(403)
  })

  it('deprecates and undeprecates through the whole-document PUT npm sends', async () => {
    const doc = (await r.app.inject({ url: '/meta-pkg?write=true' })).json()
    doc.versions['1.0.0'].deprecated = 'use 1.1.0'
    const res = await r.app.inject({ method: 'PUT', url: '/meta-pkg', headers: auth(alice), payload: doc })
    expect(res.statusCode, res.body).toBe(200)
    const after = (await r.app.inject({ url: '/meta-pkg' })).json()
    expect(after.versions['1.0.0'].deprecated).toBe('use 1.1.0')
    expect(after.versions['1.1.0'].deprecated).toBeUndefined()
    after.versions['1.0.0'].deprecated = ''
    await r.app.inject({ method: 'PUT', url: '/meta-pkg', headers: auth(alice), payload: after })
    expect((await r.app.inject({ url: '/meta-pkg' })).json().versions['1.0.0'].deprecated).toBeUndefined()
  })

  it('adds and removes owners; the last owner stays', async () => {
    const user = await r.app.inject({ url: '/-/user/org.couchdb.user:bob', headers: auth(alice) })
    expect(user.json()).toMatchObject({ name: 'bob', email: 'bob@example.com' })
    const doc = (await r.app.inject({ url: '/meta-pkg?write=true' })).json()
    const add = await r.app.inject({
      method: 'PUT',
      url: `/meta-pkg/-rev/${doc._rev}`,
      headers: auth(alice),
      payload: { _id: 'meta-pkg', _rev: doc._rev, maintainers: [...doc.maintainers, { name: 'bob', email: 'bob@example.com' }] },
    })
    expect(add.statusCode, add.body).toBe(200)
    expect((await r.app.inject({ url: '/meta-pkg' })).json().maintainers.map((m: { name: string }) => m.name).sort()).toEqual(['alice', 'bob'])
    const remove = await r.app.inject({
      method: 'PUT',
      url: '/meta-pkg/-rev/1',
      headers: auth(bob),
      payload: { _id: 'meta-pkg', maintainers: [{ name: 'bob' }] },
    })
    expect(remove.statusCode).toBe(200)
    expect((await r.app.inject({ url: '/meta-pkg' })).json().maintainers).toEqual([{ name: 'bob', email: 'bob@example.com' }])
    const last = await r.app.inject({ method: 'PUT', url: '/meta-pkg/-rev/1', headers: auth(bob), payload: { maintainers: [] } })
    expect(last.statusCode).toBe(400)
    expect(last.json().error).toMatch(/only owner/)
    // restore for the other tests
    await r.app.inject({ method: 'PUT', url: '/meta-pkg/-rev/1', headers: auth(bob), payload: { maintainers: [{ name: 'alice' }, { name: 'bob' }] } })
  })

  it('unpublishes one version the way npm does, and never reuses its number', async () => {
    const doc = (await r.app.inject({ url: '/meta-pkg?write=true' })).json()
    delete doc.versions['1.1.0']
    const put = await r.app.inject({ method: 'PUT', url: `/meta-pkg/-rev/${doc._rev}`, headers: auth(alice), payload: doc })
    expect(put.statusCode, put.body).toBe(200)
    const rev = (await r.app.inject({ url: '/meta-pkg?write=true' })).json()._rev
    const del = await r.app.inject({ method: 'DELETE', url: `/meta-pkg/-/meta-pkg-1.1.0.tgz/-rev/${rev}`, headers: auth(alice) })
    expect(del.statusCode).toBe(200)
    const after = (await r.app.inject({ url: '/meta-pkg' })).json()
    expect(Object.keys(after.versions)).not.toContain('1.1.0')
    expect(after['dist-tags'].latest).toBe('1.0.0')
    expect((await r.app.inject({ url: '/meta-pkg/-/meta-pkg-1.1.0.tgz' })).statusCode).toBe(404)
    const again = await r.publish(alice, 'meta-pkg', '1.1.0')
    expect(again.statusCode).toBe(403)
  })

  it('refuses unpublish outside the window', async () => {
    const closed = await startTestRegistry(dialect, { config: { unpublishWindowHours: 0 } })
    try {
      const token = await closed.user('carol')
      await closed.publish(token, 'old-pkg', '1.0.0')
      await closed.settle()
      await new Promise((resolve) => setTimeout(resolve, 5))
      const res = await closed.app.inject({ method: 'DELETE', url: '/old-pkg/-rev/1', headers: auth(token) })
      expect(res.statusCode).toBe(403)
      expect(res.json().error).toMatch(/more than 0 hours ago/)
      expect((await closed.app.inject({ url: '/old-pkg' })).statusCode).toBe(200)
    } finally {
      await closed.close()
    }
  })

  it('unpublishes a whole package', async () => {
    expect((await r.publish(alice, 'doomed-pkg', '1.0.0')).statusCode).toBe(201)
    await r.settle()
    const res = await r.app.inject({ method: 'DELETE', url: '/doomed-pkg/-rev/3', headers: auth(alice) })
    expect(res.statusCode).toBe(200)
    expect((await r.app.inject({ url: '/doomed-pkg' })).statusCode).toBe(404)
  })

  it('searches installable packages by name and description', async () => {
    const res = await r.app.inject({ url: '/-/v1/search?text=widget&size=5' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['@acme/widget'])
    expect(body.objects[0].package).toMatchObject({ version: '0.1.0', publisher: { username: 'alice' } })
    expect(body.total).toBe(1)
    expect((await r.app.inject({ url: '/-/v1/search?text=nothing-matches-this' })).json().objects).toEqual([])
  })
})
