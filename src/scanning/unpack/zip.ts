// Reads zip archives (wheels, zipped sdists) into memory within limits, refusing hostile entries.
import { crc32 } from 'node:zlib'
import yauzl from 'yauzl'
import type { Entry, ZipFile } from 'yauzl'
import { RegistryError } from '../../core/errors.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { safeEntryPath } from './safe-path.ts'

export interface ZipEntry {
  readonly path: string
  readonly mode: number
  readonly size: number
  readonly content: Buffer
}

export interface ZipContents {
  readonly entries: ZipEntry[]
  readonly unpackedSize: number
}

// Archives smaller than this are bounded by maxUnpackedBytes alone, as in gunzipWithin.
const RATIO_FLOOR_BYTES = 1024 * 1024

const FLAG_ENCRYPTED = 0x0001
const FLAG_UTF8 = 0x0800
const METHOD_STORED = 0
const METHOD_DEFLATED = 8
const EXTRA_UNICODE_PATH = 0x7075

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const CENTRAL_RECORD_FIXED_BYTES = 46

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000

// What Python's zipfile (and so pip) uses for names without the UTF-8 flag.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0'

/**
 * Parses a zip held in memory. Every limit is enforced on the bytes actually inflated, never on
 * what the headers claim: an entry that inflates past its declared size, past maxEntryBytes, or
 * pushes the archive past maxUnpackedBytes or maxRatio is cut off mid-stream. Symlinks, devices,
 * encrypted entries, duplicate paths and entries whose local header disagrees with the central
 * directory are refused: an installer reading the other copy would see different contents.
 */
export async function readZip(bytes: Uint8Array, limits: ArchiveLimits): Promise<ZipContents> {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw new RegistryError('archiveTooLarge', `archive is ${bytes.byteLength} bytes; the limit is ${limits.maxArchiveBytes}`)
  }
  if (!looksLikeZip(bytes)) throw new RegistryError('invalidArchive', 'archive is not a zip file')
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let zip: ZipFile
  try {
    // decodeStrings: false so that names are decoded and judged here, with our own messages.
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, strictFileNames: true })
  } catch (err) {
    throw asInvalid(err)
  }
  // A late error from yauzl with no listener would be thrown from an event emitter and crash the process.
  zip.on('error', () => {})
  try {
    return await readEntries(zip, buffer, limits)
  } catch (err) {
    throw asInvalid(err)
  } finally {
    zip.close()
  }
}

function looksLikeZip(bytes: Uint8Array): boolean {
  // A local file header, or the end-of-central-directory record of an empty zip.
  return bytes.byteLength >= 22 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
}

interface Budget {
  unpackedSize: number
  readonly ratioLimit: number
  readonly archiveBytes: number
}

async function readEntries(zip: ZipFile, buffer: Buffer, limits: ArchiveLimits): Promise<ZipContents> {
  const archiveBytes = buffer.byteLength
  if (zip.entryCount > limits.maxEntries) {
    throw new RegistryError('archiveTooLarge', `archive has ${zip.entryCount} entries; the limit is ${limits.maxEntries}`)
  }
  const budget: Budget = {
    unpackedSize: 0,
    archiveBytes,
    ratioLimit: archiveBytes > RATIO_FLOOR_BYTES ? archiveBytes * limits.maxRatio : Number.POSITIVE_INFINITY,
  }
  const entries: ZipEntry[] = []
  const seen = new Set<string>()
  const spans: Array<{ start: number; end: number; path: string }> = []
  let count = 0
  let centralBytes = 0
  for await (const entry of zip.eachEntry()) {
    count += 1
    centralBytes += CENTRAL_RECORD_FIXED_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength
    if (count > limits.maxEntries) throw new RegistryError('archiveTooLarge', `archive has more than ${limits.maxEntries} entries`)
    const rawName = entryName(entry)
    const isDirectory = rawName.endsWith('/')
    const path = safeEntryPath(rawName, limits.maxPathDepth)
    const shown = JSON.stringify(path)
    if (entry.generalPurposeBitFlag & FLAG_ENCRYPTED) {
      throw new RegistryError('invalidArchive', `archive entry ${shown} is encrypted; encrypted entries cannot be inspected`)
    }
    const unixMode = entry.externalFileAttributes >>> 16
    const type = unixMode & S_IFMT
    if (type === S_IFLNK) throw new RegistryError('invalidArchive', `archive entry ${shown} is a symlink; only regular files and directories are allowed`)
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw new RegistryError('invalidArchive', `archive entry ${shown} is a device, FIFO or socket; only regular files and directories are allowed`)
    }
    const header = await zip.readLocalFileHeaderPromise(entry)
    if (!header.fileName.equals(entry.fileNameRaw)) {
      throw new RegistryError('invalidArchive', `archive entry ${shown} has a different name in its local header; the archive is inconsistent`)
    }
    spans.push({ start: entry.relativeOffsetOfLocalHeader, end: header.fileDataStart + entry.compressedSize, path })
    // Installers create directories from the trailing slash alone, whatever the mode bits say.
    if (isDirectory) continue
    if (seen.has(path)) throw new RegistryError('invalidArchive', `archive contains ${shown} twice`)
    seen.add(path)
    if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
      throw new RegistryError('invalidArchive', `archive entry ${shown} uses compression method ${entry.compressionMethod}; only stored and deflated entries are accepted`)
    }
    if (entry.uncompressedSize > limits.maxEntryBytes) {
      throw new RegistryError('archiveTooLarge', `archive entry ${shown} is ${entry.uncompressedSize} bytes; the limit is ${limits.maxEntryBytes}`)
    }
    const content = await inflateEntry(zip, entry, path, limits, budget)
    if ((crc32(content) >>> 0) !== entry.crc32) {
      throw new RegistryError('invalidArchive', `archive entry ${shown} fails its CRC-32 check; the archive is corrupt`)
    }
    const permissions = unixMode & 0o7777
    entries.push({ path, mode: permissions === 0 ? 0o644 : permissions, size: content.byteLength, content })
  }
  spans.push(centralDirectorySpan(buffer, centralBytes))
  refuseOverlaps(spans)
  return { entries, unpackedSize: budget.unpackedSize }
}

/** Decodes a name the way Python's zipfile does, refusing names that carry a second, different spelling. */
function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw
  let name: string
  if (entry.generalPurposeBitFlag & FLAG_UTF8) {
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(raw)
    } catch {
      throw new RegistryError('invalidArchive', 'archive entry name is flagged UTF-8 but is not valid UTF-8')
    }
  } else {
    name = decodeCp437(raw)
  }
  // Some tools read the Info-ZIP Unicode Path field and others ignore it; two names means two archives.
  const unicode = entry.extraFields.find((f) => f.id === EXTRA_UNICODE_PATH)
  if (unicode && unicode.data.length > 5) {
    const alternative = new TextDecoder('utf-8').decode(unicode.data.subarray(5))
    if (alternative !== name) {
      throw new RegistryError('invalidArchive', `archive entry ${JSON.stringify(name)} carries a second name ${JSON.stringify(alternative)}`)
    }
  }
  return name
}

function decodeCp437(raw: Buffer): string {
  let out = ''
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]
  return out
}

function inflateEntry(zip: ZipFile, entry: Entry, path: string, limits: ArchiveLimits, budget: Budget): Promise<Buffer> {
  const shown = JSON.stringify(path)
  const declared = entry.uncompressedSize
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false
    const chunks: Buffer[] = []
    let size = 0
    zip.openReadStream(entry, (openErr, stream) => {
      if (openErr) {
        settled = true
        reject(openErr)
        return
      }
      const stop = (err: Error): void => {
        if (settled) return
        settled = true
        stream.destroy()
        reject(err)
      }
      stream.on('data', (chunk: Buffer) => {
        if (settled) return
        size += chunk.byteLength
        budget.unpackedSize += chunk.byteLength
        if (size > declared) {
          stop(new RegistryError('invalidArchive', `archive entry ${shown} inflates to more than the ${declared} bytes its header declares`))
        } else if (size > limits.maxEntryBytes) {
          stop(new RegistryError('archiveTooLarge', `archive entry ${shown} is larger than the limit of ${limits.maxEntryBytes} bytes`))
        } else if (budget.unpackedSize > limits.maxUnpackedBytes) {
          stop(new RegistryError('archiveTooLarge', `archive unpacks to more than ${limits.maxUnpackedBytes} bytes`))
        } else if (budget.unpackedSize > budget.ratioLimit) {
          const ratio = Math.round(budget.unpackedSize / budget.archiveBytes)
          stop(new RegistryError('archiveTooLarge', `archive expands more than ${ratio}× (limit ${limits.maxRatio}×): decompression bomb`))
        } else {
          chunks.push(chunk)
        }
      })
      stream.on('error', (err: Error) => stop(new RegistryError('invalidArchive', `archive entry ${shown} is corrupt: ${err.message}`)))
      stream.on('end', () => {
        if (settled) return
        settled = true
        if (size !== declared) {
          reject(new RegistryError('invalidArchive', `archive entry ${shown} is truncated: ${size} of ${declared} bytes`))
          return
        }
        resolve(Buffer.concat(chunks, size))
      })
    })
  })
}

/**
 * Where the central directory sits, checked against the records actually read. yauzl stops after
 * the entry count of the end record, while Python's zipfile reads records for the directory's
 * declared size and shifts every offset when data precedes the archive: a directory that is not
 * exactly the records read, ending where the end record starts, would show pip other files.
 */
function centralDirectorySpan(buffer: Buffer, centralBytes: number): { start: number; end: number; path: string } {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0 || buffer.readUInt32LE(eocd) !== EOCD_SIGNATURE) throw new RegistryError('invalidArchive', 'archive has no end of central directory record')
  let declaredSize = buffer.readUInt32LE(eocd + 12)
  let declaredOffset = buffer.readUInt32LE(eocd + 16)
  let end = eocd
  const locator = eocd - 20
  if (locator >= 0 && buffer.readUInt32LE(locator) === ZIP64_LOCATOR_SIGNATURE) {
    const record = Number(buffer.readBigUInt64LE(locator + 8))
    if (record + 56 > buffer.byteLength) throw new RegistryError('invalidArchive', 'archive has a ZIP64 end record outside the file')
    declaredSize = Number(buffer.readBigUInt64LE(record + 40))
    declaredOffset = Number(buffer.readBigUInt64LE(record + 48))
    end = record
  }
  if (declaredSize !== centralBytes || declaredOffset + declaredSize !== end) {
    throw new RegistryError('invalidArchive', 'archive central directory does not match its end record (hidden entries or prepended data)')
  }
  return { start: declaredOffset, end, path: '(central directory)' }
}

/** Entries sharing compressed bytes are the trick behind non-recursive zip bombs; no real tool writes them. */
function refuseOverlaps(spans: Array<{ start: number; end: number; path: string }>): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1]!
    const current = sorted[i]!
    if (current.start < previous.end) {
      throw new RegistryError('invalidArchive', `archive entries ${JSON.stringify(previous.path)} and ${JSON.stringify(current.path)} overlap; the archive is crafted`)
    }
  }
}

function asInvalid(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err
  const message = (err as Error)?.message ?? String(err)
  if (/End of central directory record signature not found/.test(message)) {
    return new RegistryError('invalidArchive', 'archive is not a valid zip: it is truncated or not a zip file')
  }
  return new RegistryError('invalidArchive', `archive is not a valid zip: ${message}`)
}
