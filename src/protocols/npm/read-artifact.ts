// Reads an npm tarball: a gzip'd tar whose single top-level folder (usually package/) holds package.json.
import type { Artifact, ArtifactFile } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { RegistryError } from '../../core/errors.ts'
import { readTarGz } from '../../scanning/unpack/tar.ts'

export async function readNpmTarball(bytes: Uint8Array, limits: ArchiveLimits): Promise<Artifact> {
  const { entries, unpackedSize } = await readTarGz(bytes, limits)
  // npm strips the first path component whatever it is called, as pacote does.
  const files: ArtifactFile[] = []
  for (const entry of entries) {
    const slash = entry.path.indexOf('/')
    if (slash < 0) continue
    files.push({ path: entry.path.slice(slash + 1), size: entry.size, mode: entry.mode, content: entry.content })
  }
  const manifestFile = files.find((f) => f.path === 'package.json')
  if (!manifestFile) throw new RegistryError('invalidArchive', 'the tarball has no package.json in its top-level folder')
  let manifest: unknown
  try {
    manifest = JSON.parse(manifestFile.content.toString('utf8').replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new RegistryError('invalidArchive', `the tarball's package.json is not valid JSON: ${(err as Error).message}`)
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new RegistryError('invalidArchive', "the tarball's package.json is not a JSON object")
  }
  const { name, version } = manifest as Record<string, unknown>
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new RegistryError('invalidArchive', "the tarball's package.json lacks a name or version")
  }
  return { format: 'npm-tarball', name, version, manifest: manifest as Record<string, unknown>, files, unpackedSize }
}
