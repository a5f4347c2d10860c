// Campaign fingerprints: hashes of a package's content with its own name and version masked, so copies under other names match.
import { createHash } from 'node:crypto'
import type { Artifact } from '../core/ecosystem.ts'
import type { PackageFacts } from './facts.ts'
import { roleOf } from './facts.ts'

export interface Fingerprints {
  /** The whole package: every non-boilerplate file, normalised. Absent for trivial packages. */
  readonly content?: string
  /**
   * Each file that runs at install, or in which a rule found evidence, on its own: the payload,
   * however the package around it varies. Not every load-time file: clones of popular packages
   * carry their victims' code, which must not tie the victim to the clone.
   */
  readonly payloads: string[]
}

/** Files that are the same in thousands of unrelated packages, or say nothing about behaviour. */
const BOILERPLATE = /(^|\/)(license|licence|copying|notice|authors|contributors|changelog|changes|history|readme|code_of_conduct|security)(\.[a-z]+)?$|(^|\/)\.(npmignore|gitignore|gitattributes|editorconfig|eslintrc[^/]*|prettierrc[^/]*|travis\.yml)$|\.(md|markdown|rst|txt|map|d\.ts|png|jpe?g|gif|svg|ico)$|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|setup\.cfg|pyproject\.toml|MANIFEST\.in|PKG-INFO|SOURCES\.txt|top_level\.txt|dependency_links\.txt|requires\.txt|RECORD|WHEEL|METADATA)$/i
/** Manifest fields every copy of a campaign changes. */
const VARYING_FIELDS = new Set(['name', 'version', 'description', 'author', 'authors', 'maintainers', 'contributors', 'repository', 'homepage', 'bugs', 'keywords', 'license', 'funding', '_id', '_from', '_resolved', '_integrity', 'gitHead', 'readme'])
const CODE = /\.(m|c)?[jt]sx?$|\.py$|\.rb$|\.(sh|bash|ps1|bat|cmd)$|(^|\/)(Rakefile|setup\.py|extconf\.rb)$/
/** Below this much normalised content a package is too small to say anything about (`module.exports = {}`). */
export const MIN_CONTENT_BYTES = 256

/** The name and version as they might be written in files: masked so renamed copies normalise alike. */
function masker(name: string, version: string): (text: string) => string {
  const bare = name.replace(/^@[^/]+\//, '')
  const forms = [...new Set([name, bare, bare.replace(/-/g, '_'), bare.replace(/_/g, '-'), bare.replace(/[-_.]/g, '')])].filter((f) => f.length >= 3)
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const names = forms.length > 0 ? new RegExp(forms.sort((a, b) => b.length - a.length).map(escape).join('|'), 'gi') : undefined
  const versions = version ? new RegExp(escape(version), 'g') : undefined
  return (text) => {
    let out = names ? text.replace(names, '\u0000N') : text
    if (versions) out = out.replace(versions, '\u0000V')
    return out.replace(/\s+/g, ' ').trim()
  }
}

function normalisedManifest(manifest: Record<string, unknown>, mask: (t: string) => string): string {
  const kept = Object.keys(manifest)
    .filter((k) => !VARYING_FIELDS.has(k))
    .sort()
    .map((k) => [k, manifest[k]])
  return mask(JSON.stringify(kept))
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

export function fingerprintsOf(artifact: Artifact, facts: PackageFacts, evidenceFiles: ReadonlySet<string>): Fingerprints {
  const mask = masker(artifact.name, artifact.version)
  const parts: string[] = []
  const payloads = new Set<string>()
  let size = 0
  for (const file of artifact.files) {
    if (BOILERPLATE.test(file.path) || file.size > 4 * 1024 * 1024) continue
    const manifestFile = /(^|\/)package\.json$/.test(file.path) && file.path.split('/').length <= 2
    let text: string
    if (manifestFile) {
      try {
        text = normalisedManifest(JSON.parse(file.content.toString('utf8')) as Record<string, unknown>, mask)
      } catch {
        text = mask(file.content.toString('utf8'))
      }
    } else {
      text = mask(file.content.toString('utf8'))
    }
    // paths carry the name too (lib/<name>.rb, <name>/__init__.py)
    parts.push(`${mask(file.path)}\u0000${sha(text)}`)
    if (!manifestFile) size += text.length
    const payload = roleOf(facts, file.path) === 'install' || evidenceFiles.has(file.path)
    if (CODE.test(file.path) && payload && text.length >= MIN_CONTENT_BYTES) payloads.add(sha(`payload\u0000${text}`))
  }
  parts.sort()
  return { ...(size >= MIN_CONTENT_BYTES ? { content: sha(`content\u0000${parts.join('\n')}`) } : {}), payloads: [...payloads].sort() }
}
