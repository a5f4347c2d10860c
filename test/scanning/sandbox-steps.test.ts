// What the sandbox runs for a package: install hooks (for setup.py, what pip runs: egg_info, then install), then imports of the package and of its submodules by dotted name,
// then calls of what they export.
import { describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import { pypiEcosystem as eco } from '../../src/protocols/pypi/ecosystem.ts'
import { sandboxSteps } from '../../src/scanning/sandbox/steps.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'

describe('sandbox steps for a Python sdist', () => {
  it('imports the package, then each submodule by its dotted name from the folder holding the package, then calls their exports', async () => {
    const bytes = await sdistTarGz('demo', '1.0', {
      'setup.py': "from setuptools import setup\nsetup(name='demo', version='1.0')\n",
      'src/demo/__init__.py': '',
      'src/demo/__main__.py': '',
      'src/demo/check.py': '',
      'src/demo/sub/__init__.py': '',
      'src/demo/sub/deep.py': '',
      'src/demo/tests/test_demo.py': '',
      'src/demo/loose/not_a_package.py': '',
    })
    const artifact = await eco.readArtifact(bytes, DEFAULT_ARCHIVE_LIMITS)
    const steps = sandboxSteps(eco, artifact)
    expect(steps.map((s) => [s.label, s.cwd, s.phase])).toEqual([
      ['setup.py egg_info', '.', 'install'],
      ['setup.py install', '.', 'install'],
      ['import demo', 'src', 'load'],
      ['python -m demo', 'src', 'load'],
      ['import demo.check', 'src', 'load'],
      ['import demo.sub', 'src', 'load'],
      ['import demo.sub.deep', 'src', 'load'],
      ['call demo', 'src', 'call'],
    ])
    // then what the package and its submodules export is called, the package first
    expect(steps.at(-1)!.argv).toEqual(['python3', '/gh/driver/exercise.py', 'demo', 'demo.check', 'demo.sub', 'demo.sub.deep'])
  })
})
