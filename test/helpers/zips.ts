// Builds zip archives in memory with yazl, and patches them into the hostile shapes yazl refuses to write.
import yazl from 'yazl'

export interface ZipEntrySpec {
  name: string
  content?: string | Buffer
  /** Unix mode, stored in the upper half of the external attributes (0o120777 makes a symlink). */
  mode?: number
  compress?: boolean
  directory?: boolean
}

export async function zipOf(entries: ZipEntrySpec[], options: { zip64?: boolean } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const e of entries) {
    const options = { mtime: new Date(0), ...(e.mode === undefined ? {} : { mode: e.mode }) }
    if (e.directory) {
      zip.addEmptyDirectory(e.name, options)
    } else {
      const content = e.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content)
      zip.addBuffer(content, e.name, { ...options, compress: e.compress ?? true })
    }
  }
  zip.end(options.zip64 ? { forceZip64Format: true, comment: '' } : undefined)
  const chunks: Buffer[] = []
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Replaces every occurrence of a same-length string: names yazl will not write (`../x`, `/etc/x`). */
export function replaceAll(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('replacement must keep the length')
  const out = Buffer.from(zip)
  const needle = Buffer.from(from)
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) Buffer.from(to).copy(out, at)
  return out
}

export interface EntryPatch {
  /** Bits OR-ed into the general purpose flags (1 = encrypted). */
  flags?: number
  uncompressedSize?: number
  crc32?: number
}

const LOCAL = 0x04034b50
const CENTRAL = 0x02014b50

/** Rewrites header fields of one entry in both its local header and its central directory record. */
export function patchEntry(zip: Buffer, name: string, patch: EntryPatch): Buffer {
  const out = Buffer.from(zip)
  const wanted = Buffer.from(name)
  for (let at = 0; at + 46 <= out.length; at += 1) {
    const signature = out.readUInt32LE(at)
    if (signature === LOCAL) {
      const nameLength = out.readUInt16LE(at + 26)
      if (!out.subarray(at + 30, at + 30 + nameLength).equals(wanted)) continue
      if (patch.flags !== undefined) out.writeUInt16LE(out.readUInt16LE(at + 6) | patch.flags, at + 6)
      if (patch.crc32 !== undefined) out.writeUInt32LE(patch.crc32 >>> 0, at + 14)
      if (patch.uncompressedSize !== undefined) out.writeUInt32LE(patch.uncompressedSize, at + 22)
    } else if (signature === CENTRAL) {
      const nameLength = out.readUInt16LE(at + 28)
      if (!out.subarray(at + 46, at + 46 + nameLength).equals(wanted)) continue
      if (patch.flags !== undefined) out.writeUInt16LE(out.readUInt16LE(at + 8) | patch.flags, at + 8)
      if (patch.crc32 !== undefined) out.writeUInt32LE(patch.crc32 >>> 0, at + 16)
      if (patch.uncompressedSize !== undefined) out.writeUInt32LE(patch.uncompressedSize, at + 24)
    }
  }
  return out
}
