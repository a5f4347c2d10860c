// Hostile and malformed uploads are refused with a clear 4xx in npm's envelope and leave nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { DIALECTS } from '../../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../../helpers/registry.ts'
import { npmTarball, publishDocument, tarOf, tgzOf } from '../../helpers/tarballs.ts'

const manifest = (name: string, version = '1.0.0') => JSON.stringify({ name, version })

describe.each(DIALECTS)('hostile uploads (%s)', (dialect) => {
  let r: TestRegistry
  let token: string
  beforeAll(async () => {
    r = await startTestRegistry(dialect, {
      blobs: 'fs',
      config: { maxArchiveEntries: 50, maxUnpackedBytes: 1024 * 1024, maxEntryBytes: 512 * 1024, maxBodyBytes: 4 * 1024 * 1024, maxPathDepth: 8 },
    })
    token = await r.user('mallory')
  })
  afterAll(async () => r?.close())

  async function put(name: string, tarball: Buffer, tweak: (doc: Record<string, any>) => void = () => {}) {
    const doc = publishDocument(name, '1.0.0', tarball)
    tweak(doc)
    return r.app.inject({
      method: 'PUT',
      url: `/${name}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: doc,
    })
  }

  async function expectRefused(res: Awaited<ReturnType<typeof put>>, status: number, message: RegExp) {
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json().error).toMatch(message)
    expect(await r.countRows('versions')).toBe(0)
    expect(await r.countRows('packages')).toBe(0)
    expect(await r.countRows('artifacts')).toBe(0)
    expect(await r.countRows('jobs')).toBe(0)
    expect(await r.countBlobs()).toBe(0)
  }

  it('refuses path traversal', async () => {
    const tgz = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-traversal') },
      { name: 'package/../../etc/cron.d/x', content: 'boom' },
    ])
    await expectRefused(await put('evil-traversal', tgz), 400, /escapes the archive root/)
  })

  it('refuses absolute paths', async () => {
    const tgz = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-absolute') },
      { name: '/etc/passwd', content: 'root' },
    ])
    await expectRefused(await put('evil-absolute', tgz), 400, /is absolute/)
  })

  it('refuses symlinks, hard links and devices', async () => {
    for (const [type, extra] of [
      ['symlink', { linkname: '/etc/passwd' }],
      ['link', { linkname: 'package/package.json' }],
      ['character-device', {}],
      ['fifo', {}],
    ] as const) {
      const tgz = await tgzOf([{ name: 'package/package.json', content: manifest('evil-links') }, { name: 'package/x', type, ...extra }])
      await expectRefused(await put('evil-links', tgz), 400, new RegExp(`is a ${type}`))
    }
  })

  it('refuses archives that unpack past the size limit (decompression bomb)', async () => {
    const tgz = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-bomb') },
      ...Array.from({ length: 4 }, (_, i) => ({ name: `package/zeros-${i}`, content: Buffer.alloc(400 * 1024) })),
    ])
    expect(tgz.length).toBeLessThan(20 * 1024)
    await expectRefused(await put('evil-bomb', tgz), 413, /unpacks to more than/)
  })

  it('refuses a single oversized entry and too many entries', async () => {
    const big = await tgzOf([{ name: 'package/package.json', content: manifest('evil-big') }, { name: 'package/big', content: Buffer.alloc(600 * 1024) }])
    await expectRefused(await put('evil-big', big), 413, /the limit is/)
    const many = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-many') },
      ...Array.from({ length: 60 }, (_, i) => ({ name: `package/f${i}.js`, content: '1' })),
    ])
    await expectRefused(await put('evil-many', many), 413, /more than 50 entries/)
  })

  it('refuses paths nested too deep', async () => {
    const tgz = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-deep') },
      { name: `package/${'d/'.repeat(10)}x.js`, content: '1' },
    ])
    await expectRefused(await put('evil-deep', tgz), 400, /nested deeper/)
  })

  it('refuses truncated and non-gzip archives', async () => {
    const good = await npmTarball('evil-truncated', '1.0.0')
    await expectRefused(await put('evil-truncated', good.subarray(0, good.length - 30)), 400, /not valid gzip|truncated|not a valid tar/)
    const tarOnly = await tarOf([{ name: 'package/package.json', content: manifest('evil-plain') }])
    await expectRefused(await put('evil-plain', tarOnly), 400, /not gzip-compressed/)
    await expectRefused(await put('evil-garbage', Buffer.from('this is not an archive at all')), 400, /not gzip-compressed/)
    const truncatedTar = gzipSync((await tarOf([{ name: 'package/package.json', content: manifest('evil-trunctar') }])).subarray(0, 700))
    await expectRefused(await put('evil-trunctar', truncatedTar), 400, /truncated|not a valid tar|package\.json/)
  })

  it('refuses duplicate entries and missing or broken package.json', async () => {
    const dup = await tgzOf([
      { name: 'package/package.json', content: manifest('evil-dup') },
      { name: 'package/index.js', content: 'a' },
      { name: 'package/index.js', content: 'b' },
    ])
    await expectRefused(await put('evil-dup', dup), 400, /twice with different contents/)
    const none = await tgzOf([{ name: 'package/index.js', content: '1' }])
    await expectRefused(await put('evil-none', none), 400, /no package\.json/)
    const broken = await tgzOf([{ name: 'package/package.json', content: '{ not json' }])
    await expectRefused(await put('evil-broken', broken), 400, /not valid JSON/)
  })

  it('refuses a tarball whose package.json names another package or version', async () => {
    const other = await npmTarball('some-other-name', '1.0.0')
    await expectRefused(await put('evil-mismatch', other), 400, /says some-other-name@1\.0\.0/)
    const otherVersion = await npmTarball('evil-version', '9.9.9')
    await expectRefused(await put('evil-version', otherVersion), 400, /says evil-version@9\.9\.9/)
  })

  it('refuses bytes that do not match the declared integrity or shasum', async () => {
    const tgz = await npmTarball('evil-integrity', '1.0.0')
    await expectRefused(
      await put('evil-integrity', tgz, (doc) => {
        doc.versions['1.0.0'].dist.integrity = 'sha512-' + Buffer.alloc(64).toString('base64')
      }),
      400,
      /sha512 .* does not match/,
    )
    await expectRefused(
      await put('evil-integrity', tgz, (doc) => {
        doc.versions['1.0.0'].dist.shasum = '0'.repeat(40)
      }),
      400,
      /sha1 .* does not match/,
    )
    await expectRefused(
      await put('evil-integrity', tgz, (doc) => {
        delete doc.versions['1.0.0'].dist.shasum
        delete doc.versions['1.0.0'].dist.integrity
      }),
      400,
      /declares no dist.integrity/,
    )
  })

  it('refuses bodies over the configured limit', async () => {
    const tgz = await tgzOf([{ name: 'package/package.json', content: manifest('evil-body') }, { name: 'package/blob', content: randomish(3 * 1024 * 1024) }])
    await expectRefused(await put('evil-body', tgz), 413, /request body is larger/)
  })

  it('refuses invalid names and versions', async () => {
    const tgz = await npmTarball('Evil_Name', '1.0.0')
    await expectRefused(await put('Evil_Name', tgz), 400, /invalid package name/)
    const bad = await npmTarball('evil-semver', 'v1')
    const res = await r.app.inject({
      method: 'PUT',
      url: '/evil-semver',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: publishDocument('evil-semver', 'v1', bad),
    })
    await expectRefused(res, 400, /invalid version/)
  })
})

function randomish(n: number): Buffer {
  // Incompressible bytes, so the gzip stays about as large as the content.
  const out = Buffer.alloc(n)
  let x = 2463534242
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
