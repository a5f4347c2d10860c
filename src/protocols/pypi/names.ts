// Python project names: PEP 508 validation and PEP 503 normalisation.
import type { PackageName } from '../../core/ecosystem.ts'
import { RegistryError } from '../../core/errors.ts'

const PEP_508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i
// Longer than any real project; bounds the work every later step does with the name.
const MAX_NAME_LENGTH = 200

export function isValidProjectName(raw: string): boolean {
  return raw.length <= MAX_NAME_LENGTH && PEP_508_NAME.test(raw)
}

/** PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`; `Foo.Bar`, `foo_bar` and `foo-bar` are one project. */
export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[-_.]+/g, '-')
}

export function parseProjectName(raw: string): PackageName {
  if (!isValidProjectName(raw)) {
    throw new RegistryError(
      'invalidName',
      `invalid project name ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)}: names are ASCII letters, digits, '.', '_' and '-', starting and ending with a letter or digit (PEP 508)`,
    )
  }
  return normalizeProjectName(raw) as PackageName
}
