// Turns a gem's metadata (a YAML Gem::Specification) into the manifest the registry stores and serves.
import { RegistryError } from '../../core/errors.ts'
import { loadGemspecYaml } from './gemspec-yaml.ts'

/**
 * The Ruby classes Gem::SafeYAML lets a gemspec name. `gem install` refuses any other class, so a
 * gem naming one cannot be installed by a real client, and carries a deserialisation gadget for
 * any tool that loads the stored spec less carefully: refused at the gate.
 */
const PERMITTED_RUBY_TAGS = new Set([
  '!ruby/object:Gem::Specification',
  '!ruby/object:Gem::Version',
  '!ruby/object:Gem::Requirement',
  '!ruby/object:Gem::Version::Requirement',
  '!ruby/object:Gem::Dependency',
  '!ruby/object:Gem::Platform',
  '!ruby/sym',
  '!ruby/symbol',
])

export interface GemDependency {
  readonly name: string
  readonly requirement: string
  readonly type: string
}

/** Parses metadata.gz's YAML and keeps the fields that matter, as plain strings and lists. */
export function gemManifestFromYaml(source: string): Record<string, unknown> {
  const { value, tags } = loadGemspecYaml(source, 'metadata')
  for (const tag of tags) {
    if (tag.startsWith('!ruby/') && !PERMITTED_RUBY_TAGS.has(tag)) {
      throw new RegistryError('invalidArchive', `the gem's metadata uses the YAML tag ${tag}, which RubyGems refuses to load (only Gem::Specification and its parts are allowed)`)
    }
  }
  if (!tags.has('!ruby/object:Gem::Specification') || !isRecord(value)) {
    throw new RegistryError('invalidArchive', "the gem's metadata is not a Gem::Specification")
  }
  const spec = value
  return {
    name: text(spec.name),
    version: versionText(spec.version),
    platform: platformText(spec.platform),
    summary: text(spec.summary),
    description: text(spec.description),
    authors: list(spec.authors ?? spec.author),
    email: list(spec.email),
    homepage: text(spec.homepage),
    licenses: list(spec.licenses ?? spec.license),
    dependencies: Array.isArray(spec.dependencies) ? spec.dependencies.flatMap(dependency) : [],
    executables: list(spec.executables),
    bindir: text(spec.bindir),
    extensions: list(spec.extensions),
    require_paths: list(spec.require_paths),
    files: list(spec.files),
    post_install_message: text(spec.post_install_message),
    metadata: stringMap(spec.metadata),
    required_ruby_version: requirementText(spec.required_ruby_version),
    required_rubygems_version: requirementText(spec.required_rubygems_version),
    rubygems_version: text(spec.rubygems_version),
    date: text(spec.date),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Scalars only; Psych may type a version-looking value as a number. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text).filter((v): v is string => v !== null)
  const single = text(value)
  return single === null || single === '' ? [] : [single]
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isRecord(value)) return out
  for (const [key, v] of Object.entries(value)) {
    const s = text(v)
    if (s !== null) Object.defineProperty(out, key, { value: s, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** A Gem::Version is `{version: '1.0'}`; old specs may hold the bare string. */
function versionText(value: unknown): string | null {
  return isRecord(value) ? text(value.version) : text(value)
}

/** `ruby`, `x86_64-linux`, or a Gem::Platform `{cpu, os, version}` written out like Gem::Platform#to_s. */
function platformText(value: unknown): string {
  if (isRecord(value)) {
    return [text(value.cpu), text(value.os), text(value.version)].filter((p) => p !== null && p !== '').join('-') || 'ruby'
  }
  return text(value) ?? 'ruby'
}

/** A Gem::Requirement is `{requirements: [[op, Gem::Version], …]}`; written as `>= 1.0, < 2`. */
function requirementText(value: unknown): string | null {
  if (!isRecord(value) || !Array.isArray(value.requirements)) return text(value)
  const parts: string[] = []
  for (const pair of value.requirements) {
    if (!Array.isArray(pair)) continue
    const op = text(pair[0])
    const version = versionText(pair[1])
    if (op !== null && version !== null) parts.push(`${op} ${version}`)
  }
  return parts.join(', ')
}

/** Psych writes the symbol `:runtime` as a plain scalar; the tag form `!ruby/sym runtime` has no colon. */
function dependency(value: unknown): GemDependency[] {
  if (!isRecord(value)) return []
  const name = text(value.name)
  if (name === null) return []
  const requirement = requirementText(value.requirement ?? value.version_requirements) ?? '>= 0'
  const type = (text(value.type) ?? 'runtime').replace(/^:/, '')
  return [{ name, requirement, type }]
}
