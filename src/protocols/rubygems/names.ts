// Gem names: validated, never normalised (RubyGems treats `Rack` and `rack` as different gems).
import type { PackageName } from '../../core/ecosystem.ts'
import { RegistryError } from '../../core/errors.ts'

const GEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
// Longer than any real gem; bounds filenames and paths built from the name.
const MAX_NAME_LENGTH = 200

export function isValidGemName(raw: string): boolean {
  return raw.length <= MAX_NAME_LENGTH && GEM_NAME.test(raw)
}

export function parseGemName(raw: string): PackageName {
  if (!isValidGemName(raw)) {
    throw new RegistryError(
      'invalidName',
      `invalid gem name ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)}: names are ASCII letters, digits, '.', '_' and '-', starting with a letter or digit`,
    )
  }
  return raw as PackageName
}
