// The Python libraries a package finds in the sandbox: a declared set from Debian's packages, the same on every
// worker, instead of whatever the host happens to have installed (decisions.md).
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Where Debian installs its Python packages. */
export const DEBIAN_SITE = '/usr/lib/python3/dist-packages'

/**
 * The declared set: setuptools, which runs a `setup.py`, and requests, the network client most Python packages
 * (and most Python payloads) reach for, with what requests needs (Debian's urllib3 1.26 imports six). Each is a Debian package; its importable
 * entries are bound into the sandbox with their metadata. Everything else a host has is hidden, and a package
 * that imports it meets a stand-in, as it does for a dependency the sandbox lacks.
 */
export const PYTHON_LIBRARIES: readonly { readonly debian: string; readonly distribution: string; readonly entries: readonly string[] }[] = [
  { debian: 'python3-setuptools', distribution: 'setuptools', entries: ['setuptools', 'pkg_resources', '_distutils_hack', 'distutils-precedence.pth'] },
  { debian: 'python3-requests', distribution: 'requests', entries: ['requests'] },
  { debian: 'python3-urllib3', distribution: 'urllib3', entries: ['urllib3'] },
  { debian: 'python3-idna', distribution: 'idna', entries: ['idna'] },
  { debian: 'python3-certifi', distribution: 'certifi', entries: ['certifi'] },
  { debian: 'python3-charset-normalizer', distribution: 'charset_normalizer', entries: ['charset_normalizer'] },
  { debian: 'python3-chardet', distribution: 'chardet', entries: ['chardet'] },
  { debian: 'python3-six', distribution: 'six', entries: ['six.py'] },
]

export interface PythonSite {
  /** What is bound from the host's Debian site into the sandbox's (names in `DEBIAN_SITE`). */
  readonly entries: readonly string[]
  /** Distribution → version, from the metadata Debian installed. */
  readonly versions: Readonly<Record<string, string>>
}

/** The declared set as this host has it, or which Debian packages are missing. */
export function pythonSite(site = DEBIAN_SITE): { ok: true; site: PythonSite } | { ok: false; missing: string[] } {
  let present: string[]
  try {
    present = readdirSync(site)
  } catch {
    present = []
  }
  const have = new Set(present)
  const missing: string[] = []
  const entries: string[] = []
  const versions: Record<string, string> = {}
  const metadata = present.flatMap((name) => {
    const m = metadataOf(name)
    return m ? [{ name, ...m }] : []
  })
  for (const lib of PYTHON_LIBRARIES) {
    const meta = metadata.find((m) => m.distribution === lib.distribution)
    if (!meta || !lib.entries.every((e) => have.has(e))) {
      missing.push(lib.debian)
      continue
    }
    entries.push(...lib.entries, meta.name)
    versions[lib.distribution] = meta.version
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, site: { entries, versions } }
}

/** `requests-2.28.1.egg-info` → requests 2.28.1. */
function metadataOf(name: string): { distribution: string; version: string } | undefined {
  const m = /^([A-Za-z0-9_.]+?)-(\d[^-]*?)(?:-py\d[.\d]*)?\.(?:egg|dist)-info$/.exec(name)
  return m ? { distribution: m[1]!.replace(/[-.]/g, '_'), version: m[2]! } : undefined
}

/**
 * bubblewrap arguments, after `/usr` is bound: every Python site folder of the host and all of `/usr/local` are
 * covered by empty file systems, then the declared entries are bound into Debian's site, read-only.
 * `keep` names host paths under `/usr/local` the sandbox itself needs (the Node.js that runs its driver).
 */
export function pythonSiteMounts(site: PythonSite, keep: readonly string[], hostSite = DEBIAN_SITE): string[] {
  // only folders that exist: /usr is bound read-only, so bubblewrap could not make a missing one to mount on
  const hidden = ['/usr/local', ...readdirSync('/usr/lib').filter((d) => /^python3(\.\d+)?$/.test(d)).map((d) => `/usr/lib/${d}/dist-packages`)].filter((dir) => existsSync(dir))
  return [
    ...hidden.flatMap((dir) => ['--tmpfs', dir]),
    ...keep.filter((p) => p.startsWith('/usr/local/')).flatMap((p) => ['--ro-bind', p, p]),
    ...site.entries.flatMap((e) => ['--ro-bind', join(hostSite, e), join(DEBIAN_SITE, e)]),
    ...hidden.flatMap((dir) => ['--remount-ro', dir]),
  ]
}

/** One line for the stored trace: which libraries the package ran with. */
export function describeSite(site: PythonSite): string {
  return Object.entries(site.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')
}
