// Builds Python distributions in memory: sdists (.tar.gz, .zip) and wheels, with optional metadata.
import { tgzOf } from './tarballs.ts'
import { zipOf } from './zips.ts'

export function pkgInfo(name: string, version: string, headers: string[] = [], description = ''): string {
  const head = ['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, ...headers].join('\n')
  return description ? `${head}\n\n${description}` : `${head}\n`
}

export interface DistOptions {
  /** The PKG-INFO / METADATA text; false leaves it out. */
  metadata?: string | false
  /** The sdist's top folder; defaults to `<name>-<version>`. */
  folder?: string
}

export async function sdistTarGz(name: string, version: string, files: Record<string, string> = {}, options: DistOptions = {}): Promise<Buffer> {
  const folder = options.folder ?? `${name}-${version}`
  const metadata = options.metadata === undefined ? pkgInfo(name, version) : options.metadata
  return tgzOf([
    { name: `${folder}/`, type: 'directory' },
    ...(metadata === false ? [] : [{ name: `${folder}/PKG-INFO`, content: metadata }]),
    ...Object.entries(files).map(([path, content]) => ({ name: `${folder}/${path}`, content })),
  ])
}

export async function sdistZip(name: string, version: string, files: Record<string, string> = {}, options: DistOptions = {}): Promise<Buffer> {
  const folder = options.folder ?? `${name}-${version}`
  const metadata = options.metadata === undefined ? pkgInfo(name, version) : options.metadata
  return zipOf([
    ...(metadata === false ? [] : [{ name: `${folder}/PKG-INFO`, content: metadata }]),
    ...Object.entries(files).map(([path, content]) => ({ name: `${folder}/${path}`, content })),
  ])
}

export const WHEEL_FILE = 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'

/** A wheel whose files sit at the root, next to `<name>-<version>.dist-info/`. */
export async function wheelOf(
  name: string,
  version: string,
  files: Record<string, string> = {},
  options: { metadata?: string | false; wheel?: string } = {},
): Promise<Buffer> {
  const distInfo = `${name.replace(/-/g, '_')}-${version}.dist-info`
  const metadata = options.metadata === undefined ? pkgInfo(name, version) : options.metadata
  return zipOf([
    ...Object.entries(files).map(([path, content]) => ({ name: path, content })),
    ...(metadata === false ? [] : [{ name: `${distInfo}/METADATA`, content: metadata }]),
    { name: `${distInfo}/WHEEL`, content: options.wheel ?? WHEEL_FILE },
    { name: `${distInfo}/RECORD`, content: '' },
  ])
}
