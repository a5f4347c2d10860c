// Parses npm's publish document (PUT /:name with `_attachments`) into the registry's publish input.
import { RegistryError } from '../../core/errors.ts'
import type { PublishInput } from '../../packages/service.ts'
import { tarballFilename } from './manifest.ts'

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

export function isPublishDocument(body: unknown): boolean {
  return isObject(body) && isObject(body._attachments) && Object.keys(body._attachments).length > 0
}

export function parsePublishDocument(pathName: string, body: unknown): Omit<PublishInput, 'manifest'> & { declaredManifest: Json } {
  if (!isObject(body)) throw new RegistryError('invalidRequest', 'publish body must be a JSON object')
  if (body.name !== undefined && body.name !== pathName) {
    throw new RegistryError('manifestMismatch', `the document is for ${String(body.name)} but was sent to ${pathName}`)
  }
  const versions = isObject(body.versions) ? body.versions : {}
  const versionKeys = Object.keys(versions)
  if (versionKeys.length !== 1) throw new RegistryError('invalidRequest', 'a publish must carry exactly one version')
  const version = versionKeys[0]!
  const manifest = versions[version]
  if (!isObject(manifest)) throw new RegistryError('invalidManifest', `versions[${version}] must be an object`)
  if (manifest.name !== pathName || manifest.version !== version) {
    throw new RegistryError('manifestMismatch', `versions[${version}] describes ${String(manifest.name)}@${String(manifest.version)}`)
  }

  const attachments = body._attachments as Json
  const tgzKeys = Object.keys(attachments).filter((k) => k.endsWith('.tgz'))
  if (tgzKeys.length !== 1) throw new RegistryError('invalidRequest', 'a publish must carry exactly one .tgz attachment')
  const expectedKey = pathName.startsWith('@') ? `${pathName}-${version}.tgz` : tarballFilename(pathName, version)
  const key = tgzKeys[0]!
  if (key !== expectedKey && key !== tarballFilename(pathName, version)) {
    throw new RegistryError('invalidRequest', `attachment ${key} does not match ${pathName}@${version}`)
  }
  const attachment = attachments[key]
  if (!isObject(attachment) || typeof attachment.data !== 'string') {
    throw new RegistryError('invalidRequest', `attachment ${key} has no base64 data`)
  }
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(attachment.data)) {
    throw new RegistryError('invalidRequest', `attachment ${key} is not valid base64`)
  }
  const bytes = Buffer.from(attachment.data, 'base64')
  if (typeof attachment.length === 'number' && attachment.length !== bytes.byteLength) {
    throw new RegistryError('integrityMismatch', `attachment ${key} is ${bytes.byteLength} bytes but declares ${attachment.length}`)
  }

  const dist = isObject(manifest.dist) ? manifest.dist : {}
  const declared: { sha1?: string; sha512?: string } = {}
  if (typeof dist.shasum === 'string') declared.sha1 = dist.shasum.toLowerCase()
  if (typeof dist.integrity === 'string') {
    const sha512 = dist.integrity
      .split(/\s+/)
      .find((part) => part.startsWith('sha512-'))
      ?.slice('sha512-'.length)
    if (sha512) declared.sha512 = sha512
  }
  if (!declared.sha1 && !declared.sha512) {
    throw new RegistryError('integrityMismatch', 'the manifest declares no dist.integrity or dist.shasum for the tarball')
  }

  const distTags = isObject(body['dist-tags']) ? body['dist-tags'] : {}
  const tags = Object.entries(distTags)
    .filter(([, v]) => v === version)
    .map(([tag]) => tag)

  const readme = typeof manifest.readme === 'string' ? manifest.readme : typeof body.readme === 'string' ? body.readme : undefined
  const declaredManifest: Json = { ...manifest, ...(readme !== undefined ? { readme } : {}) }
  return {
    name: pathName,
    version,
    bytes,
    filename: tarballFilename(pathName, version),
    declared,
    tags: tags.length > 0 ? tags : ['latest'],
    declaredManifest,
  }
}
