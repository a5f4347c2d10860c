// Builds .gem files in memory: a plain tar of metadata.gz (Psych-style YAML gemspec), data.tar.gz and checksums.yaml.gz.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { tarOf, tgzOf } from './tarballs.ts'
import type { TarEntrySpec } from './tarballs.ts'

export interface GemspecOptions {
  platform?: string
  extensions?: string[]
  executables?: string[]
  files?: string[]
  postInstallMessage?: string
  requirePaths?: string[]
}

/** A gemspec as `gem build` writes it (Psych output of a Gem::Specification), with shared requirement anchors. */
export function gemspecYaml(name: string, version: string, options: GemspecOptions = {}): string {
  const seq = (items: string[]) => (items.length === 0 ? ' []' : `\n${items.map((i) => `- ${i}`).join('\n')}`)
  return `--- !ruby/object:Gem::Specification
name: ${name}
version: !ruby/object:Gem::Version
  version: ${version}
platform: ${options.platform ?? 'ruby'}
authors:
- Ada Lovelace
autorequire:
bindir: exe
cert_chain: []
date: 2024-01-01 00:00:00.000000000 Z
dependencies:
- !ruby/object:Gem::Dependency
  name: rack
  requirement: &1 !ruby/object:Gem::Requirement
    requirements:
    - - "~>"
      - !ruby/object:Gem::Version
        version: '3.0'
    - - ">="
      - !ruby/object:Gem::Version
        version: 3.0.2
  type: :runtime
  prerelease: false
  version_requirements: *1
- !ruby/object:Gem::Dependency
  name: rake
  requirement: &2 !ruby/object:Gem::Requirement
    requirements:
    - - ">="
      - !ruby/object:Gem::Version
        version: '0'
  type: :development
  prerelease: false
  version_requirements: *2
description: A longer description of ${name}.
email: ada@example.org
executables:${seq(options.executables ?? [])}
extensions:${seq(options.extensions ?? [])}
extra_rdoc_files: []
files:${seq(options.files ?? [`lib/${name}.rb`])}
homepage: https://example.org/${name}
licenses:
- MIT
metadata:
  source_code_uri: https://example.org/${name}/src
post_install_message:${options.postInstallMessage ? ` ${JSON.stringify(options.postInstallMessage)}` : ''}
rdoc_options: []
require_paths:${seq(options.requirePaths ?? ['lib'])}
required_ruby_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: 3.0.0
required_rubygems_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '0'
requirements: []
rubygems_version: 3.5.3
signing_key:
specification_version: 4
summary: ${name} does things
test_files: []
`
}

export interface GemOptions {
  /** The YAML inside metadata.gz. */
  metadata: string
  files?: Record<string, string>
  /** 'valid' (default) writes true digests; an object writes the given checksums.yaml text; false omits the file. */
  checksums?: 'valid' | false | { yaml: string }
  /** Entries of the outer tar beyond the usual three, or replacing them. */
  extra?: TarEntrySpec[]
  /** Raw data.tar.gz bytes instead of one built from `files`. */
  data?: Buffer
}

export async function gemOf(options: GemOptions): Promise<Buffer> {
  const metadataGz = gzipSync(Buffer.from(options.metadata))
  const dataTarGz = options.data ?? (await tgzOf(Object.entries(options.files ?? {}).map(([name, content]) => ({ name, content }))))
  const checksums = options.checksums ?? 'valid'
  const entries: TarEntrySpec[] = [
    { name: 'metadata.gz', content: metadataGz },
    { name: 'data.tar.gz', content: dataTarGz },
  ]
  if (checksums !== false) {
    const yaml = checksums === 'valid' ? checksumsYaml({ 'metadata.gz': metadataGz, 'data.tar.gz': dataTarGz }) : checksums.yaml
    entries.push({ name: 'checksums.yaml.gz', content: gzipSync(Buffer.from(yaml)) })
  }
  return tarOf([...entries, ...(options.extra ?? [])])
}

export function checksumsYaml(files: Record<string, Buffer>): string {
  const block = (algorithm: string) =>
    `${algorithm.toUpperCase()}:\n${Object.entries(files)
      .map(([name, bytes]) => `  ${name}: ${createHash(algorithm).update(bytes).digest('hex')}`)
      .join('\n')}\n`
  return `---\n${block('sha256')}${block('sha512')}`
}
