// Reads gzip-compressed and plain tar archives into memory within limits, refusing hostile entries.
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { Readable } from 'node:stream'
import tar from 'tar-stream'
import { RegistryError } from '../../core/errors.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { safeEntryPath } from './safe-path.ts'

const gunzipAsync = promisify(gunzip)

export interface TarEntry {
  readonly path: string
  readonly mode: number
  readonly size: number
  readonly content: Buffer
}

export interface TarContents {
  readonly entries: TarEntry[]
  readonly unpackedSize: number
}

const TAR_BLOCK = 512

/** Decompresses a .tar.gz / .tgz within the limits. Decompression runs off the event loop. */
export async function gunzipWithin(bytes: Uint8Array, limits: ArchiveLimits): Promise<Buffer> {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw new RegistryError('archiveTooLarge', `archive is ${bytes.byteLength} bytes; the limit is ${limits.maxArchiveBytes}`)
  }
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new RegistryError('invalidArchive', 'archive is not gzip-compressed')
  }
  // The tar stream may exceed the file contents by its headers and padding.
  const maxOutputLength = limits.maxUnpackedBytes + (limits.maxEntries + 4) * TAR_BLOCK * 2
  try {
    const out = await gunzipAsync(bytes, { maxOutputLength })
    const ratio = out.byteLength / Math.max(bytes.byteLength, 1)
    if (bytes.byteLength > 1024 * 1024 && ratio > limits.maxRatio) {
      throw new RegistryError('archiveTooLarge', `archive expands ${Math.round(ratio)}× (limit ${limits.maxRatio}×): decompression bomb`)
    }
    return out
  } catch (err) {
    if (err instanceof RegistryError) throw err
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e.code === 'ERR_OUT_OF_RANGE' || /Cannot create a Buffer larger/.test(e.message)) {
      throw new RegistryError('archiveTooLarge', `archive unpacks to more than ${limits.maxUnpackedBytes} bytes`)
    }
    throw new RegistryError('invalidArchive', `archive is not valid gzip: ${e.message}`)
  }
}

/**
 * Parses an uncompressed tar buffer. Only regular files and directories are accepted: links,
 * devices and FIFOs are refused, as are duplicate paths (a scanner and an installer could see
 * different contents).
 */
export async function readTar(tarBytes: Buffer, limits: ArchiveLimits): Promise<TarContents> {
  const extract = tar.extract()
  const entries: TarEntry[] = []
  const seen = new Map<string, Buffer>()
  let unpackedSize = 0
  let count = 0
  Readable.from([tarBytes]).pipe(extract)
  try {
    for await (const entry of extract) {
      const header = entry.header
      count += 1
      if (count > limits.maxEntries) {
        throw new RegistryError('archiveTooLarge', `archive has more than ${limits.maxEntries} entries`)
      }
      const type = header.type ?? 'file'
      if (type === 'directory') {
        safeEntryPath(header.name, limits.maxPathDepth)
        entry.resume()
        continue
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        throw new RegistryError('invalidArchive', `archive entry ${JSON.stringify(header.name)} is a ${type}; only regular files and directories are allowed`)
      }
      const path = safeEntryPath(header.name, limits.maxPathDepth)
      const size = header.size ?? 0
      if (size > limits.maxEntryBytes) {
        throw new RegistryError('archiveTooLarge', `archive entry ${JSON.stringify(path)} is ${size} bytes; the limit is ${limits.maxEntryBytes}`)
      }
      unpackedSize += size
      if (unpackedSize > limits.maxUnpackedBytes) {
        throw new RegistryError('archiveTooLarge', `archive unpacks to more than ${limits.maxUnpackedBytes} bytes`)
      }
      const chunks: Buffer[] = []
      for await (const chunk of entry) chunks.push(chunk as Buffer)
      const content = Buffer.concat(chunks)
      if (content.byteLength !== size) throw new RegistryError('invalidArchive', `archive entry ${JSON.stringify(path)} is truncated`)
      const earlier = seen.get(path)
      if (earlier) {
        // Some packaging tools write a file twice; harmless when identical. Different contents would
        // let an installer (which keeps the last) and a reviewer (who sees the first) disagree.
        if (earlier.equals(content)) continue
        throw new RegistryError('invalidArchive', `archive contains ${JSON.stringify(path)} twice with different contents`)
      }
      seen.set(path, content)
      entries.push({ path, mode: header.mode ?? 0o644, size, content })
    }
  } catch (err) {
    extract.destroy()
    if (err instanceof RegistryError) throw err
    throw new RegistryError('invalidArchive', `archive is not a valid tar: ${(err as Error).message}`)
  }
  return { entries, unpackedSize }
}

export async function readTarGz(bytes: Uint8Array, limits: ArchiveLimits): Promise<TarContents> {
  return readTar(await gunzipWithin(bytes, limits), limits)
}
