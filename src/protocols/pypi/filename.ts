// Parses Python distribution filenames (sdist, wheel, bdist_dumb) into a project name and version.
import { isValidProjectName } from './names.ts'
import { canonicalVersion } from './versions.ts'

export type DistributionKind = 'sdist' | 'wheel' | 'bdist'

export interface DistributionFilename {
  readonly kind: DistributionKind
  /** As spelled in the filename (wheels spell `-` as `_`); compare after PEP 503 normalisation. */
  readonly name: string
  readonly version: string
}

// bdist_dumb appends the distutils platform name: win32, win-amd64, linux-x86_64, macosx-10.9-x86_64…
const BDIST_PLATFORM = /\.((?:win|linux|macosx|cygwin|mingw|freebsd|openbsd|netbsd|solaris|sunos|aix|darwin)[A-Za-z0-9_.-]*)$/

export function parseDistributionFilename(filename: string): DistributionFilename | null {
  const base = filename.slice(filename.lastIndexOf('/') + 1)
  if (base.length > 512) return null
  if (/\.whl$/i.test(base)) return parseWheelFilename(base.slice(0, -4))
  const sdist = /^(.+)\.(tar\.gz|tgz|zip)$/i.exec(base)
  if (!sdist) return null
  const stem = sdist[1]!
  if (sdist[2]!.toLowerCase() === 'zip') {
    const platform = BDIST_PLATFORM.exec(stem)
    if (platform) {
      const split = splitNameVersion(stem.slice(0, platform.index))
      if (split) return { kind: 'bdist', ...split }
    }
  }
  const split = splitNameVersion(stem)
  return split ? { kind: 'sdist', ...split } : null
}

/** `{name}-{version}(-{build})?-{python}-{abi}-{platform}` (PEP 427). */
function parseWheelFilename(stem: string): DistributionFilename | null {
  const parts = stem.split('-')
  if (parts.length !== 5 && parts.length !== 6) return null
  const [name, version] = parts as [string, string]
  if (!isValidProjectName(name) || canonicalVersion(version) === null) return null
  return { kind: 'wheel', name, version }
}

/**
 * Old sdists may have `-` in the name (`my-pkg-1.0`), and PEP 440 allows `-` in versions
 * (`1.0-1` is a post release): split at the first `-` whose two sides are both valid.
 */
function splitNameVersion(stem: string): { name: string; version: string } | null {
  for (let at = stem.indexOf('-'); at > 0; at = stem.indexOf('-', at + 1)) {
    const name = stem.slice(0, at)
    const version = stem.slice(at + 1)
    if (isValidProjectName(name) && canonicalVersion(version) !== null) return { name, version }
  }
  return null
}
