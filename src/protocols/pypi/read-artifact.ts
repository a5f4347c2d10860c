// Reads a Python distribution (sdist .tar.gz or .zip, wheel, bdist_dumb zip) sniffed from its bytes.
import type { Artifact, ArtifactFile } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { RegistryError } from '../../core/errors.ts'
import { readTarGz } from '../../scanning/unpack/tar.ts'
import { readZip } from '../../scanning/unpack/zip.ts'
import { parseCoreMetadata } from './core-metadata.ts'
import { parseDistributionFilename } from './filename.ts'
import type { DistributionFilename } from './filename.ts'
import { isValidProjectName, normalizeProjectName } from './names.ts'
import { canonicalVersion, comparePep440Versions } from './versions.ts'

export type PythonArtifactFormat = 'sdist-tar' | 'sdist-zip' | 'wheel' | 'bdist-zip'

interface Unpacked {
  readonly files: ArtifactFile[]
  readonly unpackedSize: number
}

/**
 * The format is decided by the bytes, never by the filename: gzip → sdist tar; zip with a
 * `*.dist-info/WHEEL` at its root → wheel; any other zip → zipped sdist or bdist_dumb tree.
 * `hint.filename` supplies name and version only for archives that carry no metadata, and when
 * both are present they must agree (pip picks files by filename, the scanner reads metadata).
 */
export async function readPythonDistribution(bytes: Uint8Array, limits: ArchiveLimits, hint?: { filename?: string }): Promise<Artifact> {
  const fromFilename = hint?.filename ? parseDistributionFilename(hint.filename) : null
  if (bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const { entries, unpackedSize } = await readTarGz(bytes, limits)
    return sdist('sdist-tar', { files: stripLeadingFolder(entries), unpackedSize }, fromFilename)
  }
  if (bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const { entries, unpackedSize } = await readZip(bytes, limits)
    const wheelFiles = entries.filter((e) => /^[^/]+\.dist-info\/WHEEL$/.test(e.path))
    if (wheelFiles.length > 0) return wheel({ files: entries, unpackedSize }, fromFilename)
    return otherZip({ files: entries, unpackedSize }, fromFilename)
  }
  throw new RegistryError('invalidArchive', 'upload is not a Python distribution: expected a gzip-compressed tar sdist (.tar.gz) or a zip (.whl, .zip)')
}

/** The folder every entry sits in (`foo-1.0/`), which pip strips; null when there is none. */
function leadingFolder(files: readonly ArtifactFile[]): string | null {
  const first = files[0]?.path.split('/')[0]
  if (first === undefined || !files.every((f) => f.path.startsWith(`${first}/`))) return null
  return first
}

function stripLeadingFolder(files: readonly ArtifactFile[]): ArtifactFile[] {
  const folder = leadingFolder(files)
  if (folder === null) return [...files]
  return files.map((f) => ({ ...f, path: f.path.slice(folder.length + 1) }))
}

function sdist(format: 'sdist-tar' | 'sdist-zip', unpacked: Unpacked, fromFilename: DistributionFilename | null): Artifact {
  const pkgInfo = unpacked.files.find((f) => f.path === 'PKG-INFO')
  const artifact = build(format, unpacked, pkgInfo ? { file: pkgInfo, where: 'PKG-INFO' } : null, fromFilename)
  if (!Array.isArray(artifact.manifest.requires_dist)) {
    const requires = eggInfoRequirements(unpacked.files, artifact.name)
    if (requires.length > 0) artifact.manifest.requires_dist = requires
  }
  return artifact
}

/**
 * pip learns an sdist's requirements by building it: what `install_requires` says. setuptools
 * before metadata 2.2 wrote them only to the egg-info's `requires.txt`, not to PKG-INFO, so an sdist
 * whose PKG-INFO declares none is read from there: the registry's dependency checks (a stopped or
 * blocked dependency, dependents to notify) see what an install pulls in. Sections become markers:
 * `[extra]` → `extra == "extra"`, `[:python_version < "3"]` → that marker, `[extra:marker]` → both.
 */
function eggInfoRequirements(files: readonly ArtifactFile[], project: string): string[] {
  const candidates = files.filter((f) => /^(src\/)?[^/]+\.egg-info\/requires\.txt$/.test(f.path))
  const own = candidates.find((f) => normalizeProjectName(f.path.replace(/^src\//, '').split('.egg-info/')[0]!) === project) ?? (candidates.length === 1 ? candidates[0] : undefined)
  if (!own) return []
  const requirements: string[] = []
  let marker = ''
  for (const raw of own.content.toString('utf8').split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const section = /^\[([^\]]*)\]$/.exec(line)
    if (section) {
      const [extra = '', condition = ''] = section[1]!.split(/:(.*)/s).map((part) => part.trim())
      const extraMarker = extra ? `extra == "${extra}"` : ''
      marker = extraMarker && condition ? `(${condition}) and ${extraMarker}` : extraMarker || condition
      continue
    }
    if (!/^[A-Za-z0-9]/.test(line)) continue
    const [requirement, lineMarker = ''] = line.split(/;(.*)/s).map((part) => part.trim())
    const markers = [lineMarker, marker].filter((m) => m !== '')
    requirements.push(markers.length === 0 ? requirement! : `${requirement}; ${markers.length === 1 ? markers[0] : markers.map((m) => `(${m})`).join(' and ')}`)
  }
  return requirements
}

function wheel(unpacked: Unpacked, fromFilename: DistributionFilename | null): Artifact {
  // Like pip, count every top-level .dist-info folder, not only those holding a WHEEL file.
  const distInfos = new Set(unpacked.files.filter((f) => /^[^/]+\.dist-info\//.test(f.path)).map((f) => f.path.split('/')[0]!))
  if (distInfos.size > 1) {
    throw new RegistryError('invalidArchive', `wheel has more than one .dist-info folder (${[...distInfos].join(', ')}); installers refuse it`)
  }
  const distInfo = [...distInfos][0]!
  const wheelFile = unpacked.files.find((f) => f.path === `${distInfo}/WHEEL`)!
  const metadata = unpacked.files.find((f) => f.path === `${distInfo}/METADATA`)
  if (!metadata) throw new RegistryError('invalidArchive', `wheel has no ${distInfo}/METADATA; installers refuse it`)
  const wheelInfo = parseCoreMetadata(wheelFile.content)
  const wheelVersion = typeof wheelInfo.wheel_version === 'string' ? wheelInfo.wheel_version : ''
  if (!/^1(\.\d+)?$/.test(wheelVersion)) {
    throw new RegistryError('invalidArchive', `wheel declares Wheel-Version ${JSON.stringify(wheelVersion)}; only 1.x is installable`)
  }
  const artifact = build('wheel', unpacked, { file: metadata, where: `${distInfo}/METADATA` }, fromFilename, {
    wheel_version: wheelVersion,
    generator: wheelInfo.generator,
    root_is_purelib: wheelInfo.root_is_purelib === 'true',
    tags: wheelInfo.tags ?? [],
  })
  // pip refuses a wheel whose .dist-info folder names another project.
  const folderName = distInfo.slice(0, -'.dist-info'.length).split('-')[0]!
  if (normalizeProjectName(folderName) !== artifact.name) {
    throw new RegistryError('invalidArchive', `wheel's ${distInfo} folder does not match its metadata name ${JSON.stringify(artifact.manifest.name)}`)
  }
  return artifact
}

/** A zipped sdist has one top folder holding PKG-INFO or a build script; anything else is a bdist_dumb tree (`Lib/site-packages/…`). */
function otherZip(unpacked: Unpacked, fromFilename: DistributionFilename | null): Artifact {
  const folder = leadingFolder(unpacked.files)
  if (folder !== null) {
    const stripped = { files: stripLeadingFolder(unpacked.files), unpackedSize: unpacked.unpackedSize }
    const sdistRoot = stripped.files.some((f) => f.path === 'PKG-INFO' || f.path === 'setup.py' || f.path === 'pyproject.toml')
    if (sdistRoot || (fromFilename?.kind === 'sdist' && !findEggInfo(unpacked.files))) return sdist('sdist-zip', stripped, fromFilename)
  }
  const eggInfo = findEggInfo(unpacked.files)
  return build('bdist-zip', unpacked, eggInfo ? { file: eggInfo, where: eggInfo.path } : null, fromFilename)
}

/** bdist_dumb installs `<project>-<version>-py3.x.egg-info` (a folder with PKG-INFO, or a single file) next to the code. */
function findEggInfo(files: readonly ArtifactFile[]): ArtifactFile | undefined {
  const candidates = files.filter((f) => /(^|\/)[^/]+\.egg-info(\/PKG-INFO)?$/.test(f.path) || /(^|\/)EGG-INFO\/PKG-INFO$/.test(f.path))
  return candidates.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path))[0]
}

function build(
  format: PythonArtifactFormat,
  unpacked: Unpacked,
  metadata: { file: ArtifactFile; where: string } | null,
  fromFilename: DistributionFilename | null,
  wheelInfo?: Record<string, unknown>,
): Artifact {
  let manifest: Record<string, unknown>
  if (metadata) {
    manifest = parseCoreMetadata(metadata.file.content)
    if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string' || manifest.name === '' || manifest.version === '') {
      throw new RegistryError('invalidArchive', `the distribution's ${metadata.where} lacks a Name or Version`)
    }
  } else if (fromFilename) {
    // Kept visible: an archive without metadata is itself worth a reviewer's look.
    manifest = { name: fromFilename.name, version: fromFilename.version, metadata_missing: true }
  } else {
    throw new RegistryError('invalidArchive', 'the distribution carries no metadata (PKG-INFO or METADATA) and its filename does not name a project and version')
  }
  const rawName = manifest.name as string
  const rawVersion = manifest.version as string
  const where = metadata?.where ?? 'filename'
  if (!isValidProjectName(rawName)) throw new RegistryError('invalidArchive', `the distribution's ${where} names an invalid project ${JSON.stringify(rawName.slice(0, 80))}`)
  const version = canonicalVersion(rawVersion)
  if (version === null) throw new RegistryError('invalidArchive', `the distribution's ${where} has an invalid PEP 440 version ${JSON.stringify(rawVersion.slice(0, 80))}`)
  const name = normalizeProjectName(rawName)
  if (metadata && fromFilename) {
    if (normalizeProjectName(fromFilename.name) !== name || comparePep440Versions(fromFilename.version, version) !== 0) {
      throw new RegistryError(
        'manifestMismatch',
        `the filename says ${fromFilename.name} ${fromFilename.version}, but the distribution's ${metadata.where} says ${rawName} ${rawVersion}`,
      )
    }
  }
  if (wheelInfo) manifest.wheel = wheelInfo
  return { format, name, version, manifest, files: unpacked.files, unpackedSize: unpacked.unpackedSize }
}
