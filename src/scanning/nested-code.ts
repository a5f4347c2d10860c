// Code a Python package loads from an archive it ships (zipimport, an archive on sys.path): its modules, read for analysis and review.
import type { ArchiveLimits } from '../core/archive-limits.ts'
import type { Artifact, ArtifactFile } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { readZip } from './unpack/zip.ts'

/** Archives Python can import from: zips, eggs, wheels, zipapps. */
const CODE_ARCHIVE = /\.(zip|egg|whl|pyz)$/i
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1')
/** What a file that imports from an archive uses: zipimport, or the archive put on sys.path. */
const LOADS_FROM_ARCHIVE = /\bzipimport\b|\bsys\.path\b/
const PYTHON_SOURCE = /\.pyw?$/i

/**
 * The artifact with the Python modules of each archive it ships that its own Python code loads code
 * from (a file naming the archive that uses zipimport or sys.path), as files `<archive>/<member>`.
 * Code hidden in a bundled archive is then analysed, and shown to reviewers, like any other file.
 * A nested archive that is unreadable or over what the limits leave is skipped: the package's own
 * reader has already judged the archive that holds it.
 */
export async function withNestedCode(artifact: Artifact, limits: ArchiveLimits): Promise<Artifact> {
  const archives = artifact.files.filter((f) => CODE_ARCHIVE.test(f.path) && f.content.subarray(0, 4).equals(ZIP_MAGIC))
  if (archives.length === 0) return artifact
  const loaders = artifact.files.filter((f) => PYTHON_SOURCE.test(f.path)).map((f) => f.content.toString('latin1')).filter((text) => LOADS_FROM_ARCHIVE.test(text))
  const loaded = archives.filter((archive) => {
    const name = archive.path.split('/').pop()!
    return loaders.some((text) => new RegExp(`['"/\\\\]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`).test(text))
  })
  if (loaded.length === 0) return artifact
  const added: ArtifactFile[] = []
  let unpacked = artifact.unpackedSize
  let entries = artifact.files.length
  for (const archive of loaded) {
    const left = { ...limits, maxUnpackedBytes: limits.maxUnpackedBytes - unpacked, maxEntries: limits.maxEntries - entries }
    if (left.maxUnpackedBytes <= 0 || left.maxEntries <= 0) break
    try {
      const contents = await readZip(archive.content, left)
      for (const entry of contents.entries) {
        if (!PYTHON_SOURCE.test(entry.path)) continue
        added.push({ path: `${archive.path}/${entry.path}`, size: entry.size, mode: entry.mode, content: entry.content })
        unpacked += entry.size
        entries += 1
      }
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err
    }
  }
  return added.length === 0 ? artifact : { ...artifact, files: [...artifact.files, ...added], unpackedSize: unpacked }
}
