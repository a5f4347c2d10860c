// PEP 440 versions: validation to the canonical form and ordering, on @renovatebot/pep440.
import { explain, rcompare } from '@renovatebot/pep440'
import type { VersionString } from '../../core/ecosystem.ts'
import { RegistryError } from '../../core/errors.ts'

// The PEP 440 pattern is a large regular expression; bound its input.
const MAX_VERSION_LENGTH = 128

/**
 * Returns the canonical spelling (`1.0-Alpha.1` → `1.0a1`, `v2` → `2`), or null. Two uploads that
 * spell one version differently must land on one version row, as they do on PyPI.
 */
export function canonicalVersion(raw: string): string | null {
  if (raw.length > MAX_VERSION_LENGTH || raw !== raw.trim()) return null
  const parsed = explain(raw)
  if (!parsed) return null
  // Release numbers past 2^53 would print as rounded or as "Infinity".
  if (!parsed.release.every((n) => Number.isSafeInteger(n)) || !Number.isSafeInteger(parsed.epoch)) return null
  return parsed.local ? `${parsed.public}+${parsed.local}` : parsed.public
}

export function parsePep440Version(raw: string): VersionString {
  const canonical = canonicalVersion(raw)
  if (canonical === null) {
    throw new RegistryError('invalidVersion', `invalid version ${JSON.stringify(raw.slice(0, 80))}: versions must follow PEP 440 (e.g. 1.0, 2.1rc1, 1.0.post1)`)
  }
  return canonical as VersionString
}

/** Newest first: 1!0.1 > 2.0 > 1.0.post1 > 1.0 > 1.0a1 > 1.0.dev0. */
export function comparePep440Versions(a: string, b: string): number {
  // `|| 0` turns the library's -0 for equal versions into 0.
  return rcompare(a, b) || 0
}
