// Loads the YAML RubyGems writes (gemspecs, checksums) as plain data, safely: Ruby tags read as data, bounded aliases.
import { Buffer } from 'node:buffer'
import { CORE_SCHEMA, defineMappingTag, defineScalarTag, defineSequenceTag, load } from 'js-yaml'
import type { Schema } from 'js-yaml'
import { RegistryError } from '../../core/errors.ts'

/** A gemspec listing every file of a very large gem is a few MiB; more is not a gemspec. */
export const MAX_GEMSPEC_YAML_BYTES = 8 * 1024 * 1024
// Psych writes one anchor per shared Gem::Requirement, so a few per dependency.
const MAX_ALIASES = 2_000
const MAX_DEPTH = 64
// Aliases make a DAG of a tree; these bound the tree once expanded (the billion-laughs case).
const MAX_EXPANDED_NODES = 500_000
const MAX_EXPANDED_CHARS = 4 * MAX_GEMSPEC_YAML_BYTES

export interface GemspecYaml {
  /** The document as plain JSON-compatible data: objects, arrays, strings, numbers, booleans, null. */
  readonly value: unknown
  /** Every local tag the document used (`!ruby/object:Gem::Version`, `!ruby/sym`…), for the caller's policy. */
  readonly tags: ReadonlySet<string>
}

/**
 * Parses with the YAML 1.2 core schema plus RubyGems' tags read as plain data: a
 * `!ruby/object:Gem::Specification` mapping becomes an object, a `!ruby/sym` scalar a string, and
 * any other local tag (`!ruby/…` or not) the mapping, sequence or scalar it tags. Nothing is ever
 * instantiated. Global tags beyond the core schema (`!!js/function`, `!!python/object`) are errors.
 * `what` names the document in messages ("metadata.gz").
 */
export function loadGemspecYaml(source: string, what: string): GemspecYaml {
  if (source.length > MAX_GEMSPEC_YAML_BYTES) {
    throw new RegistryError('invalidArchive', `the gem's ${what} is larger than ${MAX_GEMSPEC_YAML_BYTES} bytes`)
  }
  const tags = new Set<string>()
  let loaded: unknown
  try {
    loaded = load(source, { schema: rubySchema(tags), maxAliases: MAX_ALIASES, maxDepth: MAX_DEPTH })
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new RegistryError('invalidArchive', `the gem's ${what} is not acceptable YAML: ${message}`)
  }
  return { value: expandWithinBounds(loaded, what), tags }
}

function rubySchema(tags: Set<string>): Schema {
  return CORE_SCHEMA.withTags(
    defineMappingTag<Record<string, unknown>>('!', {
      matchByTagPrefix: true,
      create: (tagName) => {
        tags.add(tagName)
        return {}
      },
      addPair: (carrier, key, value) => {
        if (key !== null && typeof key === 'object') return 'mapping keys must be scalars'
        const name = String(key)
        if (Object.hasOwn(carrier, name)) return `duplicated mapping key ${JSON.stringify(name.slice(0, 80))}`
        defineOwn(carrier, name, value)
        return ''
      },
      has: (carrier, key) => Object.hasOwn(carrier, String(key)),
      keys: (result) => Object.keys(result),
      get: (result, key) => (Object.hasOwn(result, String(key)) ? result[String(key)] : undefined),
      identify: () => false,
    }),
    defineSequenceTag<unknown[]>('!', {
      matchByTagPrefix: true,
      create: (tagName) => {
        tags.add(tagName)
        return []
      },
      addItem: (carrier, item) => {
        carrier.push(item)
      },
      identify: () => false,
    }),
    defineScalarTag<string>('!', {
      matchByTagPrefix: true,
      resolve: (source, _explicit, tagName) => {
        tags.add(tagName)
        return source
      },
      identify: () => false,
    }),
    // Psych writes strings that are not valid UTF-8 as `!binary` base64.
    defineScalarTag<string>('!binary', { resolve: decodeBase64, identify: () => false }),
    defineScalarTag<string>('tag:yaml.org,2002:binary', { resolve: decodeBase64, identify: () => false }),
  )
}

function decodeBase64(source: string): string {
  return Buffer.from(source.replace(/\s+/g, ''), 'base64').toString('utf8')
}

/**
 * Copies the loaded graph into a plain tree. Aliases share nodes, so a small document can stand for
 * an exponentially large tree (billion laughs) or a cycle; both are refused before anything
 * downstream (JSON encoding, a scanner walking the manifest) expands them.
 */
function expandWithinBounds(root: unknown, what: string): unknown {
  let nodes = 0
  let chars = 0
  const onPath = new Set<object>()
  const tooLarge = (): RegistryError =>
    new RegistryError('invalidArchive', `the gem's ${what} expands past ${MAX_EXPANDED_NODES} nodes or ${MAX_EXPANDED_CHARS} characters through YAML aliases`)
  const copy = (node: unknown): unknown => {
    nodes += 1
    if (nodes > MAX_EXPANDED_NODES) throw tooLarge()
    if (node === null || typeof node !== 'object') {
      if (typeof node === 'string') {
        chars += node.length
        if (chars > MAX_EXPANDED_CHARS) throw tooLarge()
      }
      return node
    }
    if (onPath.has(node)) throw new RegistryError('invalidArchive', `the gem's ${what} refers to itself through a YAML alias`)
    onPath.add(node)
    let out: unknown
    if (Array.isArray(node)) {
      out = node.map(copy)
    } else {
      const object: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(node)) {
        chars += key.length
        defineOwn(object, key, copy(value))
      }
      out = object
    }
    onPath.delete(node)
    return out
  }
  return copy(root)
}

/** Keys come from the uploader: `__proto__` must stay an ordinary key. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}
