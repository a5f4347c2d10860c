// PyPI's implementation of the Ecosystem interface: project names, PEP 440 versions, sdists and wheels, install hooks.
import type { Artifact, Ecosystem, InstallHook, PackageName, VersionString } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { parseProjectName } from './names.ts'
import { comparePep440Versions, parsePep440Version } from './versions.ts'
import { readPythonDistribution } from './read-artifact.ts'
import { reconcilePythonManifest } from './manifest.ts'
import { pythonEntryFunctions, pythonImportEntries, pythonInstalledModules, pythonInstallHooks } from './install-hooks.ts'

export const pypiEcosystem: Ecosystem = {
  id: 'pypi',
  osvName: 'PyPI',

  /** Returns the PEP 503 normalised name: `Foo.Bar` and `foo_bar` are the same project. */
  parseName(raw: string): PackageName {
    return parseProjectName(raw)
  },

  /** requires_dist entries start with the project name ("requests (>=2); extra == 'x'"); extras-only ones count too. */
  dependencyNames(manifest: Record<string, unknown>): string[] {
    const list = Array.isArray(manifest.requires_dist) ? manifest.requires_dist : []
    const names = new Set<string>()
    for (const entry of list) {
      const m = typeof entry === 'string' ? /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(entry) : null
      if (!m) continue
      try {
        names.add(parseProjectName(m[1]!))
      } catch {
        // Not a name this registry could hold.
      }
    }
    return [...names]
  },

  /** Returns the canonical PEP 440 spelling, which is also what readArtifact reports. */
  parseVersion(raw: string): VersionString {
    return parsePep440Version(raw)
  },

  compareVersions(a: string, b: string): number {
    return comparePep440Versions(a, b)
  },

  readArtifact(bytes: Uint8Array, limits: ArchiveLimits, hint?: { filename?: string }): Promise<Artifact> {
    return readPythonDistribution(bytes, limits, hint)
  },

  manifestFor(declared: Record<string, unknown>, artifact: Artifact): Record<string, unknown> {
    return reconcilePythonManifest(declared, artifact.manifest, artifact)
  },

  installHooks(artifact: Artifact): InstallHook[] {
    return pythonInstallHooks(artifact)
  },

  importEntries(artifact: Artifact): string[] {
    return pythonImportEntries(artifact)
  },

  entryFunctions(artifact: Artifact): { path: string; fn: string }[] {
    return pythonEntryFunctions(artifact)
  },

  installedModules(artifact: Artifact, importEntries: readonly string[]): string[] {
    return pythonInstalledModules(artifact, importEntries)
  },
}
