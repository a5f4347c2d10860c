// The module check: a new Python package that installs a popular project's top-level module (import OpenSSL,
// import socks) is evidence, strong enough to hold with a look-alike name; popular projects, their owners' forks
// and accepted names are left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import type { VersionRow } from '../../src/db/schema.ts'
import { addOwner, ensurePackage } from '../../src/packages/repository.ts'
import { pypiEcosystem } from '../../src/protocols/pypi/ecosystem.ts'
import { pythonInstalledModules } from '../../src/protocols/pypi/install-hooks.ts'
import { registryNameSignals } from '../../src/scanning/context.ts'
import { analyzeArtifact, initEngine, type ScanReport } from '../../src/scanning/engine.ts'
import { bundledOwners, findShadows, shadowSignals } from '../../src/scanning/names/module-owners.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { sdistTarGz, wheelOf } from '../helpers/python-dists.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

beforeAll(async () => {
  await initEngine()
})

const INERT = 'def version():\n    return "1.0"\n'

async function scanWheel(name: string, files: Record<string, string>): Promise<ScanReport> {
  const artifact = await pypiEcosystem.readArtifact(await wheelOf(name, '1.0.0', files), DEFAULT_ARCHIVE_LIMITS, { filename: `${name.replace(/-/g, '_')}-1.0.0-py3-none-any.whl` })
  return analyzeArtifact(artifact, pypiEcosystem)
}

describe('installed modules', () => {
  it('reads the top-level modules of a wheel (compiled ones too) and of an sdist; a shared namespace folder (no __init__.py, or one declaring a namespace) is not one', async () => {
    const wheel = await pypiEcosystem.readArtifact(
      await wheelOf('net-helpers', '1.0.0', {
        'socks.py': INERT,
        'nethelpers/__init__.py': INERT,
        'nethelpers/sub/mod.py': INERT,
        'twisted/plugins/nethelpers_plugin.py': INERT,
        'zope/__init__.py': "__import__('pkg_resources').declare_namespace(__name__)\n",
        'zope/nethelpers/__init__.py': INERT,
        'paste/__init__.py': '__path__ = __import__("pkgutil").extend_path(__path__, __name__)\n',
        'cv2.abi3.so': '\x7fELF',
        'nethelpers/_speedups.cpython-311-x86_64-linux-gnu.so': '\x7fELF',
        'net_helpers-1.0.0.data/scripts/tool': '#!/bin/sh\n',
      }),
      DEFAULT_ARCHIVE_LIMITS,
      { filename: 'net_helpers-1.0.0-py3-none-any.whl' },
    )
    expect(pythonInstalledModules(wheel)).toEqual(['cv2', 'nethelpers', 'socks'])
    const sdist = await pypiEcosystem.readArtifact(
      await sdistTarGz('cloned', '1.0.0', { 'setup.py': 'from setuptools import setup\nsetup()\n', 'cloned.egg-info/top_level.txt': 'OpenSSL\n', 'OpenSSL/__init__.py': INERT, 'tests/test_x.py': INERT }),
      DEFAULT_ARCHIVE_LIMITS,
      { filename: 'cloned-1.0.0.tar.gz' },
    )
    expect(pythonInstalledModules(sdist)).toEqual(['OpenSSL'])
  })
})

describe('module owners', () => {
  it('knows whose modules the popular projects install, from the bundled table', () => {
    const owners = bundledOwners('pypi')
    expect(owners.of('OpenSSL')).toContain('pyopenssl')
    expect(owners.of('yaml')).toContain('pyyaml')
    expect(owners.of('requests')).toContain('requests')
    // generic folder names belong to no one
    expect(owners.of('tests')).toEqual([])
    expect(owners.of('a_module_no_project_installs')).toEqual([])
  })

  it("finds a package installing a popular project's module, and leaves the project itself, other modules and exceptions alone", () => {
    expect(findShadows('pypi', 'pylOpenSSL', ['OpenSSL'])[0]).toMatchObject({ module: 'OpenSSL', project: 'pyopenssl' })
    expect(findShadows('pypi', 'net-helpers', ['nethelpers', 'socks'])[0]).toMatchObject({ module: 'socks', project: 'pysocks' })
    expect(findShadows('pypi', 'pyOpenSSL', ['OpenSSL'])).toEqual([])
    // a popular project that shares a module with another (a -binary build, a maintained fork) is established itself
    expect(findShadows('pypi', 'pycryptodomex', ['Cryptodome'])).toEqual([])
    expect(findShadows('pypi', 'my-own-tool', ['my_own_tool'])).toEqual([])
    expect(findShadows('pypi', 'pylOpenSSL', ['OpenSSL'], { excepted: new Set(['pyopenssl']) })).toEqual([])
    expect(findShadows('pypi', 'pylOpenSSL', ['OpenSSL'], { excepted: new Set(['*']) })).toEqual([])
    const [signal] = shadowSignals('pypi', 'net-helpers', ['socks'])
    expect(signal).toMatchObject({ rule: 'shadows-popular-module', weight: 30, context: true })
    expect(signal!.message).toMatch(/installs the module socks, which pysocks \(#\d+ by downloads\) installs/)
  })
})

describe('the gate', () => {
  it('holds a look-alike name that installs the imitated project’s module, and lets a fork under its own name through with the finding', async () => {
    const clone = await scanWheel('pylOpenSSL', { 'OpenSSL/__init__.py': INERT })
    expect(clone.signals.map((s) => s.rule)).toEqual(expect.arrayContaining(['typosquat', 'shadows-popular-module']))
    expect(clone.verdict).toBe('hold')

    const fork = await scanWheel('socks-fork-tools', { 'socks.py': INERT })
    expect(fork.signals.find((s) => s.rule === 'shadows-popular-module')?.weight).toBe(30)
    expect(fork.verdict).toBe('publish')
    expect(fork.profile?.modules).toEqual(['socks'])

    const own = await scanWheel('socks-fork-tools', { 'socksforktools/__init__.py': INERT })
    expect(own.signals.filter((s) => s.weight > 0)).toEqual([])
  })
})

describe.each(DIALECTS)('inside the registry (%s)', (dialect) => {
  let r: TestRegistry
  beforeAll(async () => {
    r = await startTestRegistry(dialect)
  })
  afterAll(() => r.close())

  it("exempts forks by the owners of a local package that installs the module, and not anyone else's", async () => {
    const db = r.deps.db.kysely
    await r.user('olga')
    await r.user('mallory')
    const ids = Object.fromEntries((await db.selectFrom('users').select(['id', 'name']).execute()).map((u) => [u.name, u.id]))
    const at = new Date().toISOString()
    // pysocks lives here too, owned by olga
    const { pkg: original } = await ensurePackage(db, { ecosystem: 'pypi', name: 'pysocks', displayName: 'PySocks', createdBy: ids.olga!, at })
    await addOwner(db, original.id, ids.olga!, at)
    const report = await scanWheel('socks-fork-tools', { 'socks.py': INERT })
    const version = { id: -1 } as VersionRow
    for (const [owner, expected] of [
      ['olga', []],
      ['mallory', ['shadows-popular-module']],
    ] as const) {
      const { pkg } = await ensurePackage(db, { ecosystem: 'pypi', name: `socks-fork-${owner}`, displayName: `socks-fork-${owner}`, createdBy: ids[owner]!, at })
      await addOwner(db, pkg.id, ids[owner]!, at)
      const signals = await registryNameSignals(db, { eco: pypiEcosystem, pkg, version, report })
      expect(signals.map((s) => s.rule), owner).toEqual(expected)
    }
  })
})
