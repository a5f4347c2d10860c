// The sandbox's declared Python libraries: found with their versions in a Debian site folder, or named as missing
// Debian packages; bound over empty file systems that hide the rest.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEBIAN_SITE, describeSite, PYTHON_LIBRARIES, pythonSite, pythonSiteMounts } from '../../src/scanning/sandbox/python-site.ts'

let site: string | undefined
afterEach(() => site && rmSync(site, { recursive: true, force: true }))

/** A site folder as Debian lays it out: each library's entries and its metadata folder. */
function debianSite(versions: Record<string, string>, skip: string[] = []): string {
  site = mkdtempSync(join(tmpdir(), 'gatehouse-site-'))
  for (const lib of PYTHON_LIBRARIES) {
    if (skip.includes(lib.debian)) continue
    for (const entry of lib.entries) {
      if (entry.endsWith('.py') || entry.endsWith('.pth')) writeFileSync(join(site, entry), '')
      else mkdirSync(join(site, entry))
    }
    mkdirSync(join(site, `${lib.distribution}-${versions[lib.distribution] ?? '1.0'}${lib.distribution === 'chardet' ? '.dist-info' : '.egg-info'}`))
  }
  mkdirSync(join(site, 'yaml')) // a library outside the set
  mkdirSync(join(site, 'PyYAML-6.0.dist-info'))
  return site
}

describe("the sandbox's Python libraries", () => {
  it('are found with the versions Debian installed; nothing outside the set is bound', () => {
    const found = pythonSite(debianSite({ requests: '2.28.1', setuptools: '66.1.1', chardet: '5.1.0' }))
    expect(found.ok).toBe(true)
    if (!found.ok) return
    expect(found.site.versions).toMatchObject({ requests: '2.28.1', setuptools: '66.1.1', chardet: '5.1.0' })
    expect(found.site.entries).toEqual(expect.arrayContaining(['requests', 'requests-2.28.1.egg-info', 'pkg_resources', 'distutils-precedence.pth', 'six.py']))
    expect(found.site.entries.some((e) => e.startsWith('yaml') || e.startsWith('PyYAML'))).toBe(false)
    expect(describeSite(found.site)).toMatch(/^setuptools 66\.1\.1, requests 2\.28\.1, /)

    const mounts = pythonSiteMounts(found.site, ['/usr/local/bin/node', '/usr/bin/node'], site)
    // the site folders and /usr/local are emptied first, then only the declared entries are bound back, read-only
    expect(mounts.slice(0, 2)).toEqual(['--tmpfs', '/usr/local'])
    expect(mounts).toEqual(expect.arrayContaining(['--tmpfs', DEBIAN_SITE, '--ro-bind', join(site!, 'requests'), `${DEBIAN_SITE}/requests`, '--ro-bind', '/usr/local/bin/node', '/usr/local/bin/node']))
    expect(mounts).not.toContain('/usr/bin/node')
    expect(mounts.filter((m) => m.includes('yaml') || m.includes('PyYAML'))).toEqual([])
    expect(mounts.lastIndexOf('--tmpfs')).toBeLessThan(mounts.indexOf('--ro-bind'))
  })

  it('name the Debian packages a worker lacks', () => {
    const found = pythonSite(debianSite({}, ['python3-requests', 'python3-six']))
    expect(found).toEqual({ ok: false, missing: ['python3-requests', 'python3-six'] })
    expect(pythonSite(join(tmpdir(), 'gatehouse-no-such-site'))).toEqual({ ok: false, missing: PYTHON_LIBRARIES.map((l) => l.debian) })
  })
})
