// Parses npm's package URLs: `/name`, `/@scope%2fname`, `/@scope/name`, then `/version`, `/-/file.tgz`, `/-rev/N`.

export type NpmPath =
  | { kind: 'package'; name: string; rev?: string }
  | { kind: 'version'; name: string; spec: string }
  | { kind: 'tarball'; name: string; filename: string; rev?: string }

/** Splits a raw request path (without query) into the package name and what follows it. */
export function splitPackagePath(rawPath: string): { name: string; rest: string[] } | undefined {
  const segments = rawPath.replace(/^\/+/, '').split('/')
  let name: string
  let rest: string[]
  try {
    const first = segments[0] ?? ''
    if (first.startsWith('@') && /%2f/i.test(first)) {
      name = decodeURIComponent(first)
      rest = segments.slice(1)
    } else if (first.startsWith('@')) {
      if (segments.length < 2) return undefined
      name = `${decodeURIComponent(first)}/${decodeURIComponent(segments[1]!)}`
      rest = segments.slice(2)
    } else {
      name = decodeURIComponent(first)
      rest = segments.slice(1)
    }
    rest = rest.map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
  if (name === '' || rest.some((s) => s === '')) {
    // a trailing slash (`/name/`) is tolerated, empty inner segments are not
    if (rest.length === 1 && rest[0] === '') rest = []
    else if (name === '') return undefined
  }
  return { name, rest }
}

export function parseNpmPath(rawPath: string): NpmPath | undefined {
  const split = splitPackagePath(rawPath)
  if (!split) return undefined
  const { name, rest } = split
  if (rest.length === 0) return { kind: 'package', name }
  if (rest.length === 2 && rest[0] === '-rev') return { kind: 'package', name, rev: rest[1]! }
  if (rest.length === 1 && rest[0] !== '-') return { kind: 'version', name, spec: rest[0]! }
  if (rest[0] === '-') {
    // scoped tarballs are sometimes requested as /@s/p/-/@s/p-1.0.0.tgz
    const tail = rest.slice(1)
    const revAt = tail.indexOf('-rev')
    const fileParts = revAt >= 0 ? tail.slice(0, revAt) : tail
    const rev = revAt >= 0 ? tail[revAt + 1] : undefined
    if (fileParts.length === 0) return undefined
    const filename = fileParts[fileParts.length - 1]!
    if (!filename.endsWith('.tgz')) return undefined
    return { kind: 'tarball', name, filename, ...(rev ? { rev } : {}) }
  }
  return undefined
}
