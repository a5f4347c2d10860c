// Builds npm tarballs and publish documents in memory, including hostile ones for refusal tests.
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import tar from 'tar-stream'

export interface TarEntrySpec {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'
  content?: string | Buffer
  linkname?: string
  /** Declared size when it should differ from the content (truncation tests). */
  size?: number
}

export async function tarOf(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c) => chunks.push(c as Buffer))
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  for (const e of entries) {
    const type = e.type ?? 'file'
    const content = e.content === undefined ? undefined : Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content)
    await new Promise<void>((resolve, reject) => {
      const header = { name: e.name, type, mode: type === 'directory' ? 0o755 : 0o644, mtime: new Date(0), ...(e.linkname ? { linkname: e.linkname } : {}) }
      if (type === 'file') pack.entry({ ...header, size: content?.length ?? 0 }, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()))
      else pack.entry(header, (err) => (err ? reject(err) : resolve()))
    })
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

export async function tgzOf(entries: TarEntrySpec[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries))
}

/** A well-formed npm tarball for name@version with extra files under package/. */
export async function npmTarball(name: string, version: string, files: Record<string, string> = {}, manifest: Record<string, unknown> = {}): Promise<Buffer> {
  const pkg = { name, version, description: `test package ${name}`, main: 'index.js', ...manifest }
  return tgzOf([
    { name: 'package/package.json', content: JSON.stringify(pkg, null, 2) },
    { name: 'package/index.js', content: files['index.js'] ?? `module.exports = ${JSON.stringify(`${name}@${version}`)}\n` },
    ...Object.entries(files)
      .filter(([path]) => path !== 'index.js')
      .map(([path, content]) => ({ name: `package/${path}`, content })),
  ])
}

export function integrityOf(bytes: Buffer): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  }
}

/** The PUT body npm sends for `npm publish`. */
export function publishDocument(
  name: string,
  version: string,
  tarball: Buffer,
  options: { tag?: string; manifest?: Record<string, unknown>; dist?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const base = name.startsWith('@') ? name.split('/')[1]! : name
  const { integrity, shasum } = integrityOf(tarball)
  return {
    _id: name,
    name,
    description: `test package ${name}`,
    'dist-tags': { [options.tag ?? 'latest']: version },
    versions: {
      [version]: {
        name,
        version,
        description: `test package ${name}`,
        main: 'index.js',
        ...options.manifest,
        _id: `${name}@${version}`,
        dist: { integrity, shasum, tarball: `http://localhost/${name}/-/${base}-${version}.tgz`, ...options.dist },
      },
    },
    access: null,
    _attachments: {
      [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length },
    },
  }
}
