// Loads an archive or an unpacked package directory from disk as an Artifact, for `gatehouse scan` and `eval`.
import { readFile, readdir, lstat } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'
import type { Artifact, Ecosystem, EcosystemId } from '../core/ecosystem.ts'
import type { ArchiveLimits } from '../core/archive-limits.ts'
import { RegistryError } from '../core/errors.ts'

export interface LoadedArtifact {
  readonly artifact: Artifact
  readonly eco: Ecosystem
}

/** Which ecosystem an archive belongs to, from its file name. */
export function ecosystemOfArchive(path: string): EcosystemId | undefined {
  if (/\.tgz$/i.test(path)) return 'npm'
  if (/\.(whl|zip|tar\.gz|tar\.bz2|tgz)$/i.test(path)) return 'pypi'
  if (/\.gem$/i.test(path)) return 'rubygems'
  return undefined
}

async function ecosystemOfDirectory(dir: string): Promise<EcosystemId | undefined> {
  const names = new Set(await readdir(dir))
  if (names.has('package.json')) return 'npm'
  if (names.has('setup.py') || names.has('pyproject.toml') || names.has('PKG-INFO') || names.has('setup.cfg')) return 'pypi'
  if ([...names].some((n) => n.endsWith('.gemspec'))) return 'rubygems'
  return undefined
}

export async function loadArtifact(
  path: string,
  ecosystems: ReadonlyMap<EcosystemId, Ecosystem>,
  limits: ArchiveLimits,
  hint: { ecosystem?: EcosystemId } = {},
): Promise<LoadedArtifact> {
  const stat = await lstat(path)
  const ecoId = hint.ecosystem ?? (stat.isDirectory() ? await ecosystemOfDirectory(path) : ecosystemOfArchive(path))
  const eco = ecoId ? ecosystems.get(ecoId) : undefined
  if (!eco) throw new RegistryError('invalidArchive', `cannot tell which ecosystem ${path} belongs to`)
  if (stat.isDirectory()) {
    // Pack the directory the way the client would, so it goes through the same safe reader as uploads.
    const prefix = eco.id === 'npm' ? 'package' : basename(path)
    const bytes = await packDirectory(path, prefix, limits)
    return { artifact: await eco.readArtifact(bytes, limits, { filename: `${basename(path)}.tar.gz` }), eco }
  }
  const bytes = await readFile(path)
  return { artifact: await eco.readArtifact(bytes, limits, { filename: basename(path) }), eco }
}

async function packDirectory(root: string, prefix: string, limits: ArchiveLimits): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c) => chunks.push(c as Buffer))
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  let total = 0
  let count = 0
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name)
      const st = await lstat(full)
      if (st.isDirectory()) {
        if (name === 'node_modules' || name === '.git') continue
        await walk(full)
      } else if (st.isFile()) {
        total += st.size
        count += 1
        if (total > limits.maxUnpackedBytes || count > limits.maxEntries) {
          throw new RegistryError('archiveTooLarge', `${root} is larger than the archive limits`)
        }
        const content = await readFile(full)
        await new Promise<void>((resolve, reject) =>
          pack.entry({ name: `${prefix}/${relative(root, full)}`, size: content.length, mode: st.mode & 0o777 }, content, (err) => (err ? reject(err) : resolve())),
        )
      }
    }
  }
  await walk(root)
  pack.finalize()
  await done
  return gzipSync(Buffer.concat(chunks), { level: 1 })
}
