// The zip reader: well-formed archives read back exactly; hostile and broken ones are refused with a clear error.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import type { ArchiveLimits } from '../../src/core/archive-limits.ts'
import { RegistryError } from '../../src/core/errors.ts'
import { readZip } from '../../src/scanning/unpack/zip.ts'
import { patchEntry, replaceAll, zipOf } from '../helpers/zips.ts'

const limits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => ({ ...DEFAULT_ARCHIVE_LIMITS, ...overrides })

async function refusal(bytes: Uint8Array, within: ArchiveLimits = limits()): Promise<RegistryError> {
  const err = await readZip(bytes, within).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(RegistryError)
  return err as RegistryError
}

describe('readZip', () => {
  it('reads files with their paths, modes and contents, skipping directory entries', async () => {
    const zip = await zipOf([
      { name: 'pkg/', directory: true },
      { name: 'pkg/__init__.py', content: 'print("hi")\n' },
      { name: 'pkg/run.sh', content: '#!/bin/sh\n', mode: 0o100755, compress: false },
      { name: 'data/zeros.bin', content: Buffer.alloc(10_000) },
    ])
    const { entries, unpackedSize } = await readZip(zip, limits())
    expect(entries.map((e) => e.path)).toEqual(['pkg/__init__.py', 'pkg/run.sh', 'data/zeros.bin'])
    expect(entries[0]!.content.toString()).toBe('print("hi")\n')
    expect(entries[1]!.mode).toBe(0o755)
    expect(entries[2]!.size).toBe(10_000)
    expect(unpackedSize).toBe(12 + 10 + 10_000)
  })

  it('reads ZIP64 archives', async () => {
    const zip = await zipOf([{ name: 'a.py', content: 'x = 1\n' }], { zip64: true })
    const { entries } = await readZip(zip, limits())
    expect(entries.map((e) => [e.path, e.content.toString()])).toEqual([['a.py', 'x = 1\n']])
  })

  it('refuses a central directory holding more entries than its end record declares', async () => {
    // yauzl would read one entry; Python's zipfile reads the whole directory and would install both.
    const zip = Buffer.from(await zipOf([{ name: 'shown.py', content: 'ok' }, { name: 'hidden.py', content: 'evil' }]))
    const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    zip.writeUInt16LE(1, eocd + 8)
    zip.writeUInt16LE(1, eocd + 10)
    expect((await refusal(zip)).message).toMatch(/central directory does not match its end record/)
  })

  it('reads an empty zip', async () => {
    expect(await readZip(await zipOf([]), limits())).toEqual({ entries: [], unpackedSize: 0 })
  })

  it('refuses path traversal and absolute paths', async () => {
    const traversal = replaceAll(await zipOf([{ name: 'XX/XX/etc/cron', content: 'x' }]), 'XX/XX/etc/cron', '../../etc/cron')
    expect((await refusal(traversal)).message).toMatch(/escapes the archive root/)
    const absolute = replaceAll(await zipOf([{ name: 'Xetc/passwd', content: 'x' }]), 'Xetc/passwd', '/etc/passwd')
    expect((await refusal(absolute)).message).toMatch(/is absolute/)
    const drive = replaceAll(await zipOf([{ name: 'CXWindows/x', content: 'x' }]), 'CXWindows/x', 'C:Windows/x')
    expect((await refusal(drive)).message).toMatch(/is absolute/)
    const backslash = replaceAll(await zipOf([{ name: 'XXXevil', content: 'x' }]), 'XXXevil', '..\\evil')
    expect((await refusal(backslash)).message).toMatch(/backslash/)
  })

  it('refuses symlinks and special files', async () => {
    const link = await zipOf([{ name: 'link', content: '/etc/passwd', mode: 0o120777 }])
    const err = await refusal(link)
    expect(err.code).toBe('invalidArchive')
    expect(err.message).toMatch(/"link" is a symlink/)
    const fifo = await zipOf([{ name: 'fifo', content: '', mode: 0o010644 }])
    expect((await refusal(fifo)).message).toMatch(/device, FIFO or socket/)
  })

  it('refuses encrypted entries', async () => {
    const zip = patchEntry(await zipOf([{ name: 'secret.py', content: 'x = 1\n' }]), 'secret.py', { flags: 0x0001 })
    expect((await refusal(zip)).message).toMatch(/"secret.py" is encrypted/)
  })

  it('refuses duplicate paths', async () => {
    const zip = await zipOf([
      { name: 'a.py', content: 'safe' },
      { name: 'a.py', content: 'evil' },
    ])
    expect((await refusal(zip)).message).toMatch(/contains "a.py" twice/)
  })

  it('refuses too many entries before reading them', async () => {
    const zip = await zipOf(Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, content: 'x' })))
    const err = await refusal(zip, limits({ maxEntries: 10 }))
    expect(err.code).toBe('archiveTooLarge')
    expect(err.message).toMatch(/12 entries; the limit is 10/)
  })

  it('refuses an entry over the size limit', async () => {
    const zip = await zipOf([{ name: 'big.bin', content: Buffer.alloc(200_000) }])
    const err = await refusal(zip, limits({ maxEntryBytes: 100_000 }))
    expect(err.code).toBe('archiveTooLarge')
    expect(err.message).toMatch(/"big.bin" is 200000 bytes; the limit is 100000/)
  })

  it('stops inflating an entry that outgrows its declared size', async () => {
    const honest = await zipOf([{ name: 'liar.bin', content: Buffer.alloc(5_000_000) }])
    const zip = patchEntry(honest, 'liar.bin', { uncompressedSize: 1_000 })
    const err = await refusal(zip)
    expect(err.code).toBe('invalidArchive')
    expect(err.message).toMatch(/inflates to more than the 1000 bytes its header declares/)
  })

  it('refuses archives that unpack past the total limit', async () => {
    const zip = await zipOf(Array.from({ length: 4 }, (_, i) => ({ name: `zeros-${i}`, content: Buffer.alloc(400_000) })))
    expect(zip.length).toBeLessThan(20_000)
    const err = await refusal(zip, limits({ maxUnpackedBytes: 1_000_000 }))
    expect(err.code).toBe('archiveTooLarge')
    expect(err.message).toMatch(/unpacks to more than 1000000 bytes/)
  })

  it('refuses a decompression bomb by its ratio', async () => {
    // Over the 1 MiB floor below which only the absolute limits apply.
    const zip = await zipOf([
      { name: 'noise.bin', content: randomBytes(1_100_000), compress: false },
      { name: 'bomb.bin', content: Buffer.alloc(30 * 1024 * 1024) },
    ])
    expect(zip.length).toBeLessThan(1_300_000)
    const err = await refusal(zip, limits({ maxRatio: 10 }))
    expect(err.code).toBe('archiveTooLarge')
    expect(err.message).toMatch(/decompression bomb/)
  })

  it('refuses entries whose CRC-32 does not match', async () => {
    const zip = patchEntry(await zipOf([{ name: 'a.py', content: 'x = 1\n' }]), 'a.py', { crc32: 0x12345678 })
    expect((await refusal(zip)).message).toMatch(/CRC-32/)
  })

  it('refuses truncated archives and entries', async () => {
    const zip = await zipOf([{ name: 'a.py', content: randomBytes(5_000) }])
    expect((await refusal(zip.subarray(0, zip.length - 30))).message).toMatch(/truncated or not a zip/)
    const shortEntry = patchEntry(zip, 'a.py', { uncompressedSize: 6_000 })
    expect((await refusal(shortEntry)).message).toMatch(/truncated: 5000 of 6000 bytes/)
  })

  it('refuses corrupt compressed data', async () => {
    const zip = await zipOf([{ name: 'a.txt', content: 'hello '.repeat(2_000) }])
    const corrupt = Buffer.from(zip)
    const dataStart = 30 + 'a.txt'.length
    corrupt.fill(0xff, dataStart, dataStart + 40)
    const err = await refusal(corrupt)
    expect(err.code).toBe('invalidArchive')
    expect(err.message).toMatch(/"a.txt"/)
  })

  it('refuses a local header that names a different file than the central directory', async () => {
    const zip = await zipOf([{ name: 'good.py', content: 'x' }])
    const local = Buffer.from(zip)
    Buffer.from('evil').copy(local, 30)
    expect((await refusal(local)).message).toMatch(/different name in its local header/)
  })

  it('refuses bytes that are not a zip, and oversized archives', async () => {
    expect((await refusal(Buffer.from('just some text, certainly not a zip archive'))).message).toMatch(/not a zip/)
    expect((await refusal(Buffer.alloc(0))).message).toMatch(/not a zip/)
    const zip = await zipOf([{ name: 'a', content: randomBytes(2_000), compress: false }])
    expect((await refusal(zip, limits({ maxArchiveBytes: 1_000 }))).code).toBe('archiveTooLarge')
  })

  it('never crashes on garbage behind a zip signature or a flipped byte anywhere', async () => {
    for (let i = 0; i < 50; i += 1) {
      const garbage = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(200 + i * 13)])
      await refusal(garbage)
    }
    const zip = await zipOf([{ name: 'a.py', content: randomBytes(3_000) }])
    for (let i = 0; i < 50; i += 1) {
      const flipped = Buffer.from(zip)
      const at = Math.floor((i * flipped.length) / 50)
      flipped[at] = flipped[at]! ^ 0xff
      await readZip(flipped, limits()).catch((e: unknown) => expect(e).toBeInstanceOf(RegistryError))
    }
  })
})
