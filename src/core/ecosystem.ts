// The Ecosystem interface: what the ecosystem-neutral domain asks of each client protocol.
import type { ArchiveLimits } from './archive-limits.ts'

export type EcosystemId = 'npm' | 'pypi' | 'rubygems'

/** A package name already normalised by its ecosystem (npm scopes, PEP 503, gem names). */
export type PackageName = string & { readonly __brand: 'PackageName' }
/** A version string already validated by its ecosystem. */
export type VersionString = string & { readonly __brand: 'VersionString' }

export interface ArtifactFile {
  /** Path inside the package, '/'-separated, relative, never escaping the root. */
  readonly path: string
  readonly size: number
  readonly mode: number
  readonly content: Buffer
}

export interface Artifact {
  /** Archive format as sniffed: 'npm-tarball', 'sdist-tar', 'sdist-zip', 'wheel', 'gem'… */
  readonly format: string
  readonly name: string
  readonly version: string
  /** The manifest the archive itself carries (npm: package/package.json). */
  readonly manifest: Record<string, unknown>
  readonly files: readonly ArtifactFile[]
  readonly unpackedSize: number
}

export interface InstallHook {
  /** Lifecycle name: npm `preinstall`/`install`/`postinstall`, Python `setup.py`, gem `extconf.rb`… */
  readonly phase: string
  /** What runs: a command line or the file that executes. */
  readonly command: string
  readonly file?: string
}

export interface Ecosystem {
  readonly id: EcosystemId
  /** The ecosystem's name in OSV records ('npm', 'PyPI', 'RubyGems'). */
  readonly osvName: string
  /** Normalises a raw name from the wire; throws RegistryError('invalidName') when it is not acceptable. */
  parseName(raw: string): PackageName
  parseVersion(raw: string): VersionString
  /** Orders versions newest first (semver, PEP 440, Gem::Version). */
  compareVersions(a: string, b: string): number
  /**
   * Reads an uploaded archive safely within the limits; throws RegistryError on hostile or
   * malformed input. The format is sniffed from the bytes; `hint.filename` only fills gaps
   * (e.g. a name and version for archives that carry no metadata).
   */
  readArtifact(bytes: Uint8Array, limits: ArchiveLimits, hint?: { filename?: string }): Promise<Artifact>
  /**
   * The manifest stored and served for a version: what the client declared, reconciled with what
   * the archive itself says wherever installs depend on it.
   */
  manifestFor(declared: Record<string, unknown>, artifact: Artifact): Record<string, unknown>
  /** What would run at install time. */
  installHooks(artifact: Artifact): InstallHook[]
  /** Normalised names of the packages a version's stored manifest depends on at install (not dev-only ones). */
  dependencyNames(manifest: Record<string, unknown>): string[]
  /** Files that run when the package is loaded or run as its command (npm main entry, Python top-level `__init__.py` and `__main__.py`, a wheel's scripts, gem lib entry). */
  importEntries(artifact: Artifact): string[]
  /** Functions the package's commands call (Python's console_scripts `tool = pkg.cli:main`): they run when the package is used, as its entry files do. */
  entryFunctions?(artifact: Artifact): { readonly path: string; readonly fn: string }[]
  /** Top-level names programs import once the package is installed, where they are not the package's own name (Python's modules), given its import entries. */
  installedModules?(artifact: Artifact, importEntries: readonly string[]): string[]
  /** What the installer prints to the user after install (a gem's post_install_message), if the format has one. */
  installMessage?(artifact: Artifact): string | undefined
  /** Commands the package installs onto the user's PATH (npm `bin`, gem `executables`). */
  installedCommands?(artifact: Artifact): string[]
  /** The exact file list the package's own metadata declares (a gemspec's `files`), where the format keeps one. */
  declaredFiles?(artifact: Artifact): string[] | undefined
}
