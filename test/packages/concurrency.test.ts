// Many simultaneous publishes of the same new version: exactly one wins, the rest get a clear refusal, one blob is stored.
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { npmTarball, publishDocument } from '../helpers/tarballs.ts'
import { transitionVersion } from '../../src/packages/service.ts'
import { npmEcosystem } from '../../src/protocols/npm/ecosystem.ts'
import { SYSTEM } from '../../src/accounts/types.ts'

describe.each(DIALECTS)('concurrent publishes (%s)', (dialect) => {
  let r: TestRegistry
  afterEach(async () => r?.close())

  it('of identical bytes: one version, one blob', async () => {
    r = await startTestRegistry(dialect, { blobs: 'fs' })
    const token = await r.user('alice')
    const tgz = await npmTarball('race-same', '1.0.0')
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        r.app.inject({
          method: 'PUT',
          url: '/race-same',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: publishDocument('race-same', '1.0.0', tgz),
        }),
      ),
    )
    const statuses = responses.map((res) => res.statusCode)
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    for (const res of responses.filter((x) => x.statusCode !== 201)) {
      expect(res.statusCode).toBe(403)
      expect(res.json().error).toMatch(/cannot publish over the previously published version race-same@1\.0\.0/)
    }
    expect(await r.countRows('versions')).toBe(1)
    expect(await r.countRows('artifacts')).toBe(1)
    expect(await r.countBlobs()).toBe(1)
  })

  it('of different bytes for the same version: the losers leave no blob behind', async () => {
    r = await startTestRegistry(dialect, { blobs: 'fs' })
    const token = await r.user('alice')
    const responses = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const tgz = await npmTarball('race-diff', '1.0.0', { 'index.js': `module.exports = ${i}\n` })
        return r.app.inject({
          method: 'PUT',
          url: '/race-diff',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: publishDocument('race-diff', '1.0.0', tgz),
        })
      }),
    )
    expect(responses.filter((res) => res.statusCode === 201)).toHaveLength(1)
    expect(responses.filter((res) => res.statusCode === 403)).toHaveLength(9)
    expect(await r.countRows('versions')).toBe(1)
    expect(await r.countBlobs()).toBe(1)
    const [artifact] = await r.deps.db.kysely.selectFrom('artifacts').select('blob_key').execute()
    expect(await r.blobs.has(artifact!.blob_key)).toBe(true)
  })

  it('of a brand-new name by two different users: one owns it, the other is refused', async () => {
    r = await startTestRegistry(dialect)
    const alice = await r.user('alice')
    const bob = await r.user('bob')
    const [a, b] = await Promise.all([r.publish(alice, 'race-name', '1.0.0'), r.publish(bob, 'race-name', '1.0.0')])
    const statuses = [a.statusCode, b.statusCode].sort()
    expect(statuses).toEqual([201, 403])
    const owners = await r.deps.db.kysely.selectFrom('package_owners').selectAll().execute()
    expect(owners).toHaveLength(1)
  })

  it('of scans that finish together: tags still follow upload order', async () => {
    r = await startTestRegistry(dialect, { worker: false })
    const alice = await r.user('alice')
    const versions = ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0']
    for (const v of versions) expect((await r.publish(alice, 'race-tags', v)).statusCode).toBe(201)
    const pending = await r.deps.db.kysely.selectFrom('versions').select('id').where('state', '=', 'pending').orderBy('id').execute()
    expect(pending).toHaveLength(versions.length)
    // Every pending version is published at once, each in its own transaction, newest first.
    await Promise.all(
      [...pending].reverse().map(({ id }) =>
        r.deps.db.kysely.transaction().execute((trx) =>
          transitionVersion(r.deps, npmEcosystem, trx, { versionId: id, from: 'pending', to: 'published', reason: 'test', actor: SYSTEM('test') }),
        ),
      ),
    )
    const doc = (await r.app.inject({ url: '/race-tags' })).json()
    expect(doc['dist-tags']).toEqual({ latest: '1.5.0' })
    expect(Object.keys(doc.versions)).toHaveLength(versions.length)
  })
})
