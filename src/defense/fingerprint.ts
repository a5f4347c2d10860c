// Content fingerprints with the package's own name and version masked, so clones published under other names match.
import { createHash } from 'node:crypto'
import type { Artifact } from '../core/ecosystem.ts'

const MAX_TEXT_MASKED = 1024 * 1024

/** sha256 over the sorted files, with the name and version replaced in paths and in text content. */
export function maskedFingerprint(artifact: Artifact): string {
  const mask = (text: string): string => {
    let out = text
    for (const [needle, token] of [[artifact.name, '\u0000NAME\u0000'], [artifact.version, '\u0000VERSION\u0000']] as const) {
      if (needle.length >= 2) out = out.split(needle).join(token)
    }
    return out
  }
  const hash = createHash('sha256')
  const files = [...artifact.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  for (const file of files) {
    hash.update(mask(file.path)).update('\u0000')
    const binary = file.content.length > MAX_TEXT_MASKED || file.content.subarray(0, 8000).includes(0)
    hash.update(binary ? file.content : Buffer.from(mask(file.content.toString('utf8')), 'utf8')).update('\u0000')
  }
  return hash.digest('hex')
}
