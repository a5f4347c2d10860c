// Gem::Version in TypeScript: RubyGems' version syntax, normalisation and ordering.
import type { VersionString } from '../../core/ecosystem.ts'
import { RegistryError } from '../../core/errors.ts'

// Gem::Version::VERSION_PATTERN without the surrounding whitespace Ruby tolerates: the registry
// stores exact strings. `(?>…)` in Ruby is atomic; here the `.` separators make it unambiguous.
const GEM_VERSION = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/
const MAX_VERSION_LENGTH = 128

type Segment = bigint | string

export function isValidGemVersion(raw: string): boolean {
  return raw.length <= MAX_VERSION_LENGTH && GEM_VERSION.test(raw)
}

/** Gem::Version.new(v).to_s: `-` becomes `.pre.`, so `1.0.0-rc1` is stored as `1.0.0.pre.rc1`. */
export function parseGemVersion(raw: string): VersionString {
  if (!isValidGemVersion(raw)) {
    throw new RegistryError('invalidVersion', `invalid version ${JSON.stringify(raw.slice(0, 80))}: gem versions are dot-separated numbers and letters (e.g. 1.2.3, 2.0.0.pre1)`)
  }
  return raw.replace(/-/g, '.pre.') as VersionString
}

/**
 * Gem::Version#<=>, oldest first. Versions split into runs of digits and runs of letters; trailing
 * zeros of the numeric part and of the prerelease part are ignored (1.0 == 1); a letter segment
 * sorts before any number, so 1.0.0.pre < 1.0.0 < 1.0.1.
 */
export function compareGemVersions(a: string, b: string): number {
  const normalizedA = a.trim().replace(/-/g, '.pre.')
  const normalizedB = b.trim().replace(/-/g, '.pre.')
  if (normalizedA === normalizedB) return 0
  const left = canonicalSegments(normalizedA)
  const right = canonicalSegments(normalizedB)
  const limit = Math.max(left.length, right.length)
  for (let i = 0; i < limit; i += 1) {
    const l = left[i] ?? 0n
    const r = right[i] ?? 0n
    if (l === r) continue
    if (typeof l === 'string' && typeof r === 'bigint') return -1
    if (typeof l === 'bigint' && typeof r === 'string') return 1
    // Ruby compares strings bytewise; these are ASCII letters, so code units agree.
    return l < r ? -1 : 1
  }
  return 0
}

function canonicalSegments(version: string): Segment[] {
  const segments: Segment[] = (version.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? BigInt(s) : s))
  const firstString = segments.findIndex((s) => typeof s === 'string')
  const numeric = firstString < 0 ? segments : segments.slice(0, firstString)
  const rest = firstString < 0 ? [] : segments.slice(firstString)
  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)]
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length
  while (end > 0 && segments[end - 1] === 0n) end -= 1
  return segments.slice(0, end)
}
