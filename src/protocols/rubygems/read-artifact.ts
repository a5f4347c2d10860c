// Reads a .gem: an uncompressed tar holding metadata.gz (the YAML gemspec), data.tar.gz (the files) and checksums.yaml.gz.
import { createHash } from 'node:crypto'
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { Artifact } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { RegistryError } from '../../core/errors.ts'
import { readTar, readTarGz } from '../../scanning/unpack/tar.ts'
import type { TarEntry } from '../../scanning/unpack/tar.ts'
import { gemManifestFromYaml } from './gemspec.ts'
import { loadGemspecYaml, MAX_GEMSPEC_YAML_BYTES } from './gemspec-yaml.ts'
import { isValidGemName } from './names.ts'
import { isValidGemVersion, parseGemVersion } from './gem-version.ts'

const gunzipAsync = promisify(gunzip)

/** What `gem build` writes, plus the signatures of signed gems. */
const OUTER_ENTRIES = new Set([
  'metadata.gz',
  'metadata',
  'data.tar.gz',
  'checksums.yaml.gz',
  'metadata.gz.sig',
  'data.tar.gz.sig',
  'checksums.yaml.gz.sig',
])
const MAX_CHECKSUMS_BYTES = 64 * 1024
const DIGESTS: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' }

export async function readGem(bytes: Uint8Array, limits: ArchiveLimits): Promise<Artifact> {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw new RegistryError('archiveTooLarge', `archive is ${bytes.byteLength} bytes; the limit is ${limits.maxArchiveBytes}`)
  }
  if (bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new RegistryError('invalidArchive', 'upload is gzip-compressed, but a .gem is an uncompressed tar holding metadata.gz and data.tar.gz')
  }
  if (bytes.byteLength < 512 || Buffer.from(bytes.buffer, bytes.byteOffset + 257, 5).toString('latin1') !== 'ustar') {
    throw new RegistryError('invalidArchive', 'upload is not a .gem: expected an uncompressed tar holding metadata.gz and data.tar.gz')
  }
  const outer = await readTar(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits)
  const byName = new Map<string, TarEntry>()
  for (const entry of outer.entries) {
    if (!OUTER_ENTRIES.has(entry.path)) {
      throw new RegistryError('invalidArchive', `the gem contains ${JSON.stringify(entry.path)}; a .gem holds only metadata.gz, data.tar.gz, checksums.yaml.gz and their signatures`)
    }
    byName.set(entry.path, entry)
  }
  const data = byName.get('data.tar.gz')
  if (!data) throw new RegistryError('invalidArchive', 'the gem has no data.tar.gz')
  const metadataGz = byName.get('metadata.gz')
  const metadataPlain = byName.get('metadata')
  if (metadataGz && metadataPlain) throw new RegistryError('invalidArchive', 'the gem has both metadata and metadata.gz')
  if (!metadataGz && !metadataPlain) throw new RegistryError('invalidArchive', 'the gem has no metadata.gz')

  const checksums = byName.get('checksums.yaml.gz')
  if (checksums) await verifyChecksums(checksums, byName)

  const metadataText = metadataGz
    ? await gunzipText(metadataGz.content, 'metadata.gz', MAX_GEMSPEC_YAML_BYTES)
    : decodeText(metadataPlain!.content, 'metadata', MAX_GEMSPEC_YAML_BYTES)
  const manifest = gemManifestFromYaml(metadataText)
  const name = manifest.name
  const rawVersion = manifest.version
  if (typeof name !== 'string' || !isValidGemName(name)) {
    throw new RegistryError('invalidArchive', `the gem's metadata has an invalid name ${JSON.stringify(String(name).slice(0, 80))}`)
  }
  if (typeof rawVersion !== 'string' || !isValidGemVersion(rawVersion.trim())) {
    throw new RegistryError('invalidArchive', `the gem's metadata has an invalid version ${JSON.stringify(String(rawVersion).slice(0, 80))}`)
  }
  const version = parseGemVersion(rawVersion.trim())
  manifest.version = version

  const { entries, unpackedSize } = await readTarGz(data.content, limits)
  return { format: 'gem', name, version, manifest, files: entries, unpackedSize }
}

/** checksums.yaml maps algorithm → file → hex digest; every digest given for a file present must match. */
async function verifyChecksums(checksums: TarEntry, byName: ReadonlyMap<string, TarEntry>): Promise<void> {
  const { value } = loadGemspecYaml(await gunzipText(checksums.content, 'checksums.yaml.gz', MAX_CHECKSUMS_BYTES), 'checksums.yaml.gz')
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RegistryError('invalidArchive', "the gem's checksums.yaml.gz is not a mapping of algorithm to file digests")
  }
  for (const [algorithm, files] of Object.entries(value)) {
    const digest = DIGESTS[algorithm.toUpperCase()]
    if (!digest || files === null || typeof files !== 'object' || Array.isArray(files)) continue
    for (const [file, expected] of Object.entries(files)) {
      const entry = byName.get(file)
      if (!entry) continue
      // Psych quotes digests that would read as numbers; an unquoted one was not written by RubyGems.
      if (typeof expected !== 'string' || !/^[0-9a-fA-F]+$/.test(expected.trim())) {
        throw new RegistryError('invalidArchive', `the gem's checksums.yaml.gz gives a malformed ${algorithm} digest for ${file}`)
      }
      const actual = createHash(digest).update(entry.content).digest('hex')
      if (actual !== expected.trim().toLowerCase()) {
        throw new RegistryError('invalidArchive', `the gem's ${file} does not match its ${algorithm} checksum in checksums.yaml.gz`)
      }
    }
  }
}

async function gunzipText(bytes: Buffer, what: string, maxBytes: number): Promise<string> {
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new RegistryError('invalidArchive', `the gem's ${what} is not gzip-compressed`)
  }
  let out: Buffer
  try {
    out = await gunzipAsync(bytes, { maxOutputLength: maxBytes + 1 })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new RegistryError('invalidArchive', `the gem's ${what} unpacks to more than ${maxBytes} bytes`)
    throw new RegistryError('invalidArchive', `the gem's ${what} is not valid gzip: ${e.message}`)
  }
  return decodeText(out, what, maxBytes)
}

function decodeText(bytes: Buffer, what: string, maxBytes: number): string {
  if (bytes.byteLength > maxBytes) throw new RegistryError('invalidArchive', `the gem's ${what} is larger than ${maxBytes} bytes`)
  return bytes.toString('utf8')
}
