// npm's implementation of the Ecosystem interface: names, versions, tarballs, install hooks.
import semver from 'semver'
import validateName from 'validate-npm-package-name'
import type { Artifact, Ecosystem, InstallHook, PackageName, VersionString } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { RegistryError } from '../../core/errors.ts'
import { readNpmTarball } from './read-artifact.ts'
import { reconcileManifest } from './manifest.ts'

// `prepare` runs only for git and local installs, never for a registry tarball.
const LIFECYCLE_HOOKS = ['preinstall', 'install', 'postinstall'] as const

export const npmEcosystem: Ecosystem = {
  id: 'npm',
  osvName: 'npm',

  parseName(raw: string): PackageName {
    const result = validateName(raw)
    if (!result.validForNewPackages) {
      const why = [...(result.errors ?? []), ...(result.warnings ?? [])].join('; ')
      throw new RegistryError('invalidName', `invalid package name ${JSON.stringify(raw)}: ${why}`)
    }
    return raw as PackageName
  },

  installedCommands(artifact: Artifact): string[] {
    const bin = artifact.manifest.bin
    if (typeof bin === 'string') return [String(artifact.name).split('/').pop()!]
    return bin && typeof bin === 'object' && !Array.isArray(bin) ? Object.keys(bin) : []
  },

  dependencyNames(manifest: Record<string, unknown>): string[] {
    const names = new Set<string>()
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = manifest[field]
      if (deps && typeof deps === 'object' && !Array.isArray(deps)) for (const name of Object.keys(deps)) names.add(name)
    }
    return [...names]
  },

  parseVersion(raw: string): VersionString {
    const clean = semver.valid(raw)
    if (!clean || clean !== raw) throw new RegistryError('invalidVersion', `invalid version ${JSON.stringify(raw)}: versions must be exact semver (e.g. 1.2.3)`)
    return clean as VersionString
  },

  compareVersions(a: string, b: string): number {
    return semver.rcompare(a, b)
  },

  readArtifact(bytes: Uint8Array, limits: ArchiveLimits): Promise<Artifact> {
    return readNpmTarball(bytes, limits)
  },

  manifestFor(declared: Record<string, unknown>, artifact: Artifact): Record<string, unknown> {
    return reconcileManifest(declared, artifact.manifest)
  },

  importEntries(artifact: Artifact): string[] {
    const main = typeof artifact.manifest.main === 'string' ? artifact.manifest.main : 'index.js'
    const normalized = main.replace(/^\.\//, '')
    const candidates = [normalized, `${normalized}.js`, `${normalized}/index.js`, `${normalized}.cjs`, `${normalized}.mjs`]
    const paths = new Set(artifact.files.map((f) => f.path))
    const found = candidates.find((c) => paths.has(c))
    return found ? [found] : []
  },

  installHooks(artifact: Artifact): InstallHook[] {
    const scripts = (artifact.manifest.scripts ?? {}) as Record<string, unknown>
    const hooks: InstallHook[] = []
    for (const phase of LIFECYCLE_HOOKS) {
      const command = scripts[phase]
      if (typeof command === 'string' && command.trim() !== '') hooks.push({ phase, command })
    }
    // npm runs `node-gyp rebuild` for packages with a binding.gyp and no install script of their own.
    if (!hooks.some((h) => h.phase === 'install' || h.phase === 'preinstall') && artifact.files.some((f) => f.path === 'binding.gyp')) {
      hooks.push({ phase: 'install', command: 'node-gyp rebuild', file: 'binding.gyp' })
    }
    return hooks
  },
}
