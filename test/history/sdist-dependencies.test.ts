// An sdist's requirements as pip installs them: setuptools wrote them only to the egg-info's requires.txt, and the
// history stage must see them there to hold a clean copy whose payload is a dependency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertNameBlock } from '../../src/review/repository.ts'
import { DIALECTS } from '../helpers/databases.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'
import { startTestRegistry, type ScanSignal, type TestRegistry } from '../helpers/registry.ts'

describe.each(DIALECTS)('dependencies of an sdist (%s)', (dialect) => {
  let r: TestRegistry

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
  })
  afterAll(() => r.close())

  /** Uploads go through the publish service, as gem pushes do; the wire protocol comes with the PyPI routes. */
  async function upload(user: string, name: string, requires: string): Promise<{ state: string; signals: ScanSignal[] }> {
    await r.user(user)
    const module = name.replace(/-/g, '_')
    const bytes = await sdistTarGz(name, '2.18.1', {
      'setup.py': `from setuptools import setup\nsetup(name='${name}', version='2.18.1', packages=['${module}'], install_requires=[])\n`,
      [`${module}/__init__.py`]: 'def client(endpoint):\n    return {"endpoint": endpoint}\n',
      [`${module}.egg-info/requires.txt`]: requires,
    })
    return r.publishArchive(user, 'pypi', { name, version: '2.18.1', bytes, filename: `${name}-2.18.1.tar.gz` }, '198.51.100.7')
  }

  it('holds a first version whose requires.txt names a package blocked as malicious', async () => {
    await insertNameBlock(r.deps.db.kysely, { ecosystem: 'pypi', kind: 'exact', pattern: 'cloud-sdk-core-helpers', reason: 'OSV MAL-2023-4343: malicious code in cloud-sdk-core-helpers (PyPI)', source: 'osv', createdBy: 'osv-import', at: new Date().toISOString() })
    const clone = await upload('cloner', 'cloud-oss-sdk', 'requests!=2.9.0\nsix\n\n[crypto]\nCloud_SDK.Core_Helpers>=2.13\n')
    expect(clone.state).toBe('held')
    const dep = clone.signals.find((s) => s.rule === 'history-new-dependency' && s.weight > 0)
    expect(dep?.message, JSON.stringify(clone.signals)).toMatch(/cloud-sdk-core-helpers is a dependency of this first version; the name is blocked here \(OSV MAL-2023-4343/)

    const plain = await upload('tidy', 'cloud-oss-plain', 'requests!=2.9.0\nsix\n')
    expect(plain.state).toBe('published')
  })
})
