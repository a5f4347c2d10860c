// RubyGems' implementation of the Ecosystem interface: gem names, Gem::Version, .gem archives, extension builds.
import type { Artifact, Ecosystem, InstallHook, PackageName, VersionString } from '../../core/ecosystem.ts'
import type { ArchiveLimits } from '../../core/archive-limits.ts'
import { parseGemName } from './names.ts'
import { compareGemVersions, parseGemVersion } from './gem-version.ts'
import { readGem } from './read-artifact.ts'
import { reconcileGemManifest } from './manifest.ts'

export const rubygemsEcosystem: Ecosystem = {
  id: 'rubygems',
  osvName: 'RubyGems',

  parseName(raw: string): PackageName {
    return parseGemName(raw)
  },

  /** Runtime dependencies from the gemspec; development ones never install for users. */
  dependencyNames(manifest: Record<string, unknown>): string[] {
    const list = Array.isArray(manifest.dependencies) ? manifest.dependencies : []
    const names = new Set<string>()
    for (const d of list as unknown[]) {
      const dep = d as { name?: unknown; type?: unknown } | string
      const name = typeof dep === 'string' ? dep : typeof dep?.name === 'string' && dep.type !== 'development' && dep.type !== ':development' ? dep.name : undefined
      if (name) names.add(name)
    }
    return [...names]
  },

  parseVersion(raw: string): VersionString {
    return parseGemVersion(raw)
  },

  compareVersions(a: string, b: string): number {
    return compareGemVersions(b, a)
  },

  readArtifact(bytes: Uint8Array, limits: ArchiveLimits): Promise<Artifact> {
    return readGem(bytes, limits)
  },

  manifestFor(declared: Record<string, unknown>, artifact: Artifact): Record<string, unknown> {
    return reconcileGemManifest(declared, artifact.manifest)
  },

  /** `gem install` compiles every declared extension, running its build script with the installer's rights. */
  installHooks(artifact: Artifact): InstallHook[] {
    const hooks: InstallHook[] = []
    for (const file of stringList(artifact.manifest.extensions)) {
      hooks.push({ phase: 'extension', command: extensionCommand(file), file })
    }
    // RubyGems loads rubygems_plugin.rb from installed gems on every later `gem` command.
    const paths = new Set(artifact.files.map((f) => f.path))
    for (const root of requirePaths(artifact)) {
      const plugin = `${root}/rubygems_plugin.rb`
      if (paths.has(plugin)) hooks.push({ phase: 'rubygems-plugin', command: 'loaded by RubyGems on every gem command', file: plugin })
    }
    return hooks
  },

  installedCommands(artifact: Artifact): string[] {
    return stringList(artifact.manifest.executables)
  },

  installMessage(artifact: Artifact): string | undefined {
    const message = artifact.manifest.post_install_message
    return typeof message === 'string' && message.trim() !== '' ? message : undefined
  },

  /** The gemspec's `files`: `gem build` packs exactly these, so anything else in data.tar.gz was added by hand. */
  declaredFiles(artifact: Artifact): string[] | undefined {
    const files = stringList(artifact.manifest.files)
    return files.length > 0 ? files : undefined
  },

  /** What `require '<name>'` (and Bundler's `require 'a/b'` for gem `a-b`) loads. */
  importEntries(artifact: Artifact): string[] {
    const paths = new Set(artifact.files.map((f) => f.path))
    const found: string[] = []
    for (const root of requirePaths(artifact)) {
      for (const base of new Set([artifact.name, artifact.name.replace(/-/g, '/')])) {
        const candidate = `${root}/${base}.rb`
        if (paths.has(candidate) && !found.includes(candidate)) found.push(candidate)
      }
    }
    return found
  },
}

/** The builder Gem::Ext::Builder picks for an extension file, and what it runs. */
function extensionCommand(file: string): string {
  if (/extconf/.test(file)) return `ruby ${file} && make && make install`
  if (/configure/.test(file)) return `sh ${file} && make && make install`
  if (/rakefile/i.test(file) || /mkrf_conf/i.test(file)) return `rake (${file})`
  if (/CMakeLists\.txt/.test(file)) return `cmake (${file}) && make && make install`
  if (/Cargo\.toml/.test(file)) return `cargo rustc (${file})`
  return `no RubyGems builder matches ${file}; gem install fails`
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : []
}

/** The gem's require_paths (default `lib`), kept to relative paths inside the gem. */
function requirePaths(artifact: Artifact): string[] {
  const declared = stringList(artifact.manifest.require_paths)
  const roots = (declared.length > 0 ? declared : ['lib'])
    .map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter((p) => p !== '' && !p.startsWith('/') && !p.split('/').includes('..'))
  return [...new Set(roots)]
}
