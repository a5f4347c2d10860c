// Validates archive entry paths: no traversal, no absolute paths, bounded depth.
import { RegistryError } from '../../core/errors.ts'

/**
 * Returns the normalised relative path of an archive entry, or throws invalidArchive when the path
 * could escape the extraction root. Directory entries keep no trailing slash.
 */
export function safeEntryPath(raw: string, maxDepth: number): string {
  if (raw.includes('\0')) throw invalid(raw, 'contains a NUL byte')
  if (raw.includes('\\')) throw invalid(raw, 'contains a backslash')
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw invalid(raw, 'is absolute')
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.some((p) => p === '..')) throw invalid(raw, 'escapes the archive root')
  if (parts.length === 0) throw invalid(raw, 'is empty')
  if (parts.length > maxDepth) throw invalid(raw, `is nested deeper than ${maxDepth} levels`)
  return parts.join('/')
}

function invalid(path: string, why: string): RegistryError {
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path)
  return new RegistryError('invalidArchive', `archive entry ${shown} ${why}`, { path })
}
