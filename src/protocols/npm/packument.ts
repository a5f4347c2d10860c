// Renders package documents in npm's two shapes: the full packument and the abbreviated install document.
import type { PackageView, Tombstone, VersionView } from '../../packages/views.ts'
import { removalNotice } from '../../review/policy.ts'
import { hasInstallScript, revisionString, tarballFilename } from './manifest.ts'

const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'directories',
  'engines',
  'cpu',
  'os',
  '_hasShrinkwrap',
] as const

export function tarballUrl(publicUrl: string, name: string, version: string): string {
  return `${publicUrl}${name}/-/${tarballFilename(name, version)}`
}

function dist(publicUrl: string, name: string, v: VersionView): Record<string, unknown> {
  const artifact = v.artifacts[0]
  if (!artifact) return {}
  return {
    tarball: tarballUrl(publicUrl, name, v.row.version),
    shasum: artifact.sha1,
    integrity: `sha512-${artifact.sha512}`,
    fileCount: artifact.file_count,
    unpackedSize: artifact.unpacked_size,
  }
}

function fullVersion(publicUrl: string, name: string, v: VersionView): Record<string, unknown> {
  return {
    ...v.manifest,
    _id: `${name}@${v.row.version}`,
    ...(v.publisher ? { _npmUser: v.publisher } : {}),
    ...(v.row.deprecated ? { deprecated: v.row.deprecated } : {}),
    dist: dist(publicUrl, name, v),
  }
}

export function fullPackument(publicUrl: string, view: PackageView): Record<string, unknown> {
  const name = view.pkg.name
  const latest = view.versions.find((v) => v.row.version === view.tags.latest) ?? view.versions.at(-1)
  const time: Record<string, string> = { created: view.pkg.created_at, modified: view.pkg.updated_at }
  for (const v of view.versions) time[v.row.version] = v.row.published_at ?? v.row.created_at
  const readme = typeof latest?.manifest.readme === 'string' ? latest.manifest.readme : ''
  return {
    _id: name,
    _rev: revisionString(view.pkg.id, view.pkg.revision),
    name,
    ...(latest?.row.description ? { description: latest.row.description } : {}),
    'dist-tags': distTags(view),
    versions: Object.fromEntries([
      ...view.versions.map((v) => {
        const { readme: _r, readmeFilename: _f, ...manifest } = fullVersion(publicUrl, name, v)
        return [v.row.version, manifest]
      }),
      ...view.tombstones.map((t) => [t.version, tombstoneVersion(publicUrl, name, t)]),
    ]),
    time,
    maintainers: view.owners,
    readme,
    ...(typeof latest?.manifest.readmeFilename === 'string' ? { readmeFilename: latest.manifest.readmeFilename } : {}),
    users: {},
  }
}

export function abbreviatedPackument(publicUrl: string, view: PackageView): Record<string, unknown> {
  const name = view.pkg.name
  return {
    name,
    modified: view.pkg.updated_at,
    'dist-tags': distTags(view),
    versions: Object.fromEntries([
      ...view.versions.map((v) => {
        const out: Record<string, unknown> = {}
        for (const key of ABBREVIATED_FIELDS) if (v.manifest[key] !== undefined) out[key] = v.manifest[key]
        if (v.row.deprecated) out.deprecated = v.row.deprecated
        if (hasInstallScript(v.manifest)) out.hasInstallScript = true
        out.dist = dist(publicUrl, name, v)
        return [v.row.version, out]
      }),
      ...view.tombstones.map((t) => [t.version, tombstoneVersion(publicUrl, name, t)]),
    ]),
  }
}

/**
 * A removed version stays in the document as a tombstone: deprecated with the removal notice, its
 * tarball answering 410 with the same notice. npm skips deprecated versions when a range has other
 * candidates, and prints the notice when a lockfile or an exact version asks for it.
 */
function tombstoneVersion(publicUrl: string, name: string, t: Tombstone): Record<string, unknown> {
  return { name, version: t.version, deprecated: removalNotice(publicUrl, name, t.version, t.advisoryId), dist: { tarball: tarballUrl(publicUrl, name, t.version) } }
}

/** A package with nothing installable left points `latest` at its newest tombstone, so a bare install hears why. */
function distTags(view: PackageView): Record<string, string> {
  if (view.tags.latest !== undefined || view.tombstones.length === 0) return view.tags
  return { ...view.tags, latest: view.tombstones.at(-1)!.version }
}

export function versionDocument(publicUrl: string, view: PackageView, version: string): Record<string, unknown> | undefined {
  const v = view.versions.find((x) => x.row.version === version)
  if (!v) return undefined
  return fullVersion(publicUrl, view.pkg.name, v)
}
