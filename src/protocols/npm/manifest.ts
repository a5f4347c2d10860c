// Builds the manifest npm clients will see for a version, closing npm's "manifest confusion" gap.
import { createHash } from 'node:crypto'

/**
 * Fields that decide what an install does. They are taken from the tarball's own package.json,
 * never from the publish document, so the packument cannot hide install scripts or dependencies
 * that the tarball really has.
 */
const FROM_TARBALL = [
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
  'bundledDependencies',
  'scripts',
  'bin',
  'main',
  'exports',
  'os',
  'cpu',
  'engines',
  'gypfile',
] as const

/** Publish-document fields that are the registry's to set, never the client's. */
const REGISTRY_OWNED = ['_id', '_npmUser', '_rev', '_attachments', 'dist', 'deprecated', '_hasShrinkwrap'] as const

export function reconcileManifest(declared: Record<string, unknown>, fromTarball: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...declared }
  for (const key of REGISTRY_OWNED) delete out[key]
  for (const key of FROM_TARBALL) {
    if (key in fromTarball) out[key] = fromTarball[key]
    else delete out[key]
  }
  return out
}

/** CouchDB-style revision string npm clients echo back in `/-rev/` paths. */
export function revisionString(packageId: number, revision: number): string {
  return `${revision}-${createHash('md5').update(`${packageId}:${revision}`).digest('hex')}`
}

export function tarballFilename(name: string, version: string): string {
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name
  return `${base}-${version}.tgz`
}

export function hasInstallScript(manifest: Record<string, unknown>): boolean {
  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>
  return ['preinstall', 'install', 'postinstall'].some((k) => typeof scripts[k] === 'string') || manifest.gypfile === true
}
