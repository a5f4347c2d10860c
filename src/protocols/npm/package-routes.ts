// npm package routes: packuments, version documents, tarballs, publish, metadata edits, unpublish, dist-tags.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import semver from 'semver'
import type { Deps } from '../../deps.ts'
import { RegistryError } from '../../core/errors.ts'
import { requireActor } from '../../http/auth.ts'
import * as packages from '../../packages/service.ts'
import { loadArtifact, loadPackageView, tombstoneForFile } from '../../packages/views.ts'
import { removalNotice } from '../../review/policy.ts'
import { listVersions, listOwners } from '../../packages/repository.ts'
import { npmEcosystem as eco } from './ecosystem.ts'
import { parseNpmPath, splitPackagePath } from './paths.ts'
import { abbreviatedPackument, fullPackument, versionDocument } from './packument.ts'
import { isPublishDocument, parsePublishDocument } from './publish-document.ts'
import { revisionString, tarballFilename } from './manifest.ts'
import { PackumentCache } from './packument-cache.ts'

const ABBREVIATED = 'application/vnd.npm.install-v1+json'
const PACKUMENT_CACHE_BYTES = 64 * 1024 * 1024

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

function rawPath(request: FastifyRequest): string {
  const url = request.raw.url ?? '/'
  const q = url.indexOf('?')
  return q >= 0 ? url.slice(0, q) : url
}

function parsedOr404(request: FastifyRequest) {
  const parsed = parseNpmPath(rawPath(request))
  if (!parsed) throw new RegistryError('notFound', 'not found')
  return parsed
}

export function registerPackageRoutes(app: FastifyInstance, deps: Deps): void {
  const cache = new PackumentCache(PACKUMENT_CACHE_BYTES)
  app.get('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request)
    if (tag !== undefined) throw new RegistryError('notFound', 'not found')
    const view = await loadPackageView(deps, eco, name)
    return view.tags
  })

  app.put('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request)
    if (!tag) throw new RegistryError('notFound', 'not found')
    if (semver.validRange(tag)) throw new RegistryError('invalidRequest', `tag ${JSON.stringify(tag)} looks like a version range; choose another name`)
    const version = request.body
    if (typeof version !== 'string') throw new RegistryError('invalidRequest', 'the body must be a JSON string naming the version')
    await packages.setDistTag(deps, eco, requireActor(request), name, tag, version)
    return { ok: true }
  })

  app.delete('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request)
    if (!tag) throw new RegistryError('notFound', 'not found')
    await packages.removeDistTag(deps, eco, requireActor(request), name, tag)
    return { ok: true }
  })

  app.get('/*', async (request, reply) => {
    const path = parsedOr404(request)
    if (path.kind === 'tarball') {
      const { artifact, bytes } = await loadArtifactOrTombstone(deps, path.name, path.filename)
      deps.downloads.count(artifact.version_id)
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', `"${artifact.sha256}"`)
        .send(bytes)
    }
    if (path.kind === 'version') {
      const view = await loadPackageView(deps, eco, path.name)
      const version = view.tags[path.spec] ?? path.spec
      const doc = versionDocument(deps.config.publicUrl, view, version)
      if (!doc) throw new RegistryError('notFound', `version not found: ${path.name}@${path.spec}`)
      return reply.header('cache-control', 'no-cache').send(doc)
    }
    const query = request.query as Record<string, string | undefined>
    const kind = query.write !== 'true' && prefersAbbreviated(request.headers.accept) ? 'abbreviated' : 'full'
    // One cheap lookup decides between 304, a cached rendering, and building the document.
    const pkg = await packages.loadPackage(deps, eco, path.name)
    const etag = `W/"${revisionString(pkg.id, pkg.revision)}-${kind === 'abbreviated' ? 'a' : 'f'}"`
    reply
      .header('vary', 'Accept')
      .header('etag', etag)
      .header('cache-control', query.write === 'true' ? 'no-store' : 'no-cache')
      .type(kind === 'abbreviated' ? ABBREVIATED : 'application/json')
    if (request.headers['if-none-match'] === etag) return reply.status(304).send()
    const key = PackumentCache.key(pkg.id, pkg.revision, kind)
    const cached = cache.get(key)
    if (cached) return reply.send(cached)
    const view = await loadPackageView(deps, eco, path.name)
    const doc = kind === 'abbreviated' ? abbreviatedPackument(deps.config.publicUrl, view) : fullPackument(deps.config.publicUrl, view)
    const body = Buffer.from(JSON.stringify(doc))
    cache.set(key, body)
    return reply.send(body)
  })

  app.put('/*', async (request, reply) => {
    const path = parsedOr404(request)
    if (path.kind !== 'package') throw new RegistryError('notFound', 'not found')
    const actor = requireActor(request)
    if (isPublishDocument(request.body)) {
      if (path.rev) throw new RegistryError('invalidRequest', 'a publish is sent to /:name without a revision')
      const { declaredManifest, ...input } = parsePublishDocument(path.name, request.body)
      const result = await packages.publish(deps, eco, actor, { ...input, manifest: declaredManifest })
      return reply.status(201).send({
        ok: true,
        success: true,
        id: result.pkg.name,
        state: result.version.state,
        message: `${result.pkg.name}@${result.version.version} received; it becomes installable once the gate has judged it`,
      })
    }
    await applyMetadataUpdate(deps, request, path.name)
    return reply.status(200).send({ ok: true, id: path.name })
  })

  app.delete('/*', async (request) => {
    const path = parsedOr404(request)
    const actor = requireActor(request)
    if (path.kind === 'package') {
      await packages.unpublishPackage(deps, eco, actor, path.name)
      return { ok: true }
    }
    if (path.kind === 'tarball') {
      const pkg = await packages.loadOwnedPackage(deps, eco, actor, path.name)
      const versions = await listVersions(deps.db.kysely, pkg.id)
      const match = versions.find((v) => tarballFilename(pkg.name, v.version) === path.filename)
      if (!match) throw new RegistryError('notFound', `${path.filename} not found`)
      await packages.unpublishVersion(deps, eco, actor, path.name, match.version)
      return { ok: true }
    }
    throw new RegistryError('notFound', 'not found')
  })
}

/**
 * A PUT without attachments edits the package document. npm sends the whole document back:
 * owner changes carry `maintainers` only; deprecate and unpublish carry `versions`, where a
 * changed `deprecated` sets or clears a message and a missing published version is unpublished.
 */
async function applyMetadataUpdate(deps: Deps, request: FastifyRequest, name: string): Promise<void> {
  const actor = requireActor(request)
  const body = request.body
  if (!isObject(body)) throw new RegistryError('invalidRequest', 'the body must be a package document')
  if (body.name !== undefined && body.name !== name) throw new RegistryError('invalidRequest', `the document is for ${String(body.name)}, not ${name}`)
  const pkg = await packages.loadOwnedPackage(deps, eco, actor, name)

  if (Array.isArray(body.maintainers) && !isObject(body.versions)) {
    const wanted = new Set(
      body.maintainers.map((m) => (isObject(m) && typeof m.name === 'string' ? m.name.toLowerCase() : '')).filter((n) => n !== ''),
    )
    const current = new Set((await listOwners(deps.db.kysely, pkg.id)).map((o) => o.name))
    for (const user of wanted) if (!current.has(user)) await packages.addOwner(deps, eco, actor, name, user)
    for (const user of current) if (!wanted.has(user)) await packages.removeOwner(deps, eco, actor, name, user)
    return
  }

  if (!isObject(body.versions)) throw new RegistryError('invalidRequest', 'nothing to update: the document has no versions or maintainers')
  const sent = body.versions
  const published = await listVersions(deps.db.kysely, pkg.id, ['published'])
  const messages = new Map<string, string | null>()
  for (const row of published) {
    const doc = sent[row.version]
    if (!isObject(doc)) continue
    const wanted = typeof doc.deprecated === 'string' && doc.deprecated !== '' ? doc.deprecated : null
    if (wanted !== row.deprecated) messages.set(row.version, wanted)
  }
  if (messages.size > 0) await packages.deprecate(deps, eco, actor, name, messages)

  const missing = published.filter((row) => !(row.version in sent))
  if (missing.length > 0) {
    if (missing.length === published.length) {
      throw new RegistryError('invalidRequest', 'to unpublish every version, DELETE the package instead')
    }
    for (const row of missing) await packages.unpublishVersion(deps, eco, actor, name, row.version)
  }
}

function distTagPath(request: FastifyRequest): { name: string; tag?: string } {
  const tail = rawPath(request).slice('/-/package/'.length)
  const split = splitPackagePath(tail)
  if (!split || split.rest[0] !== 'dist-tags' || split.rest.length > 2) throw new RegistryError('notFound', 'not found')
  return split.rest.length === 2 ? { name: split.name, tag: split.rest[1]! } : { name: split.name }
}

function prefersAbbreviated(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes(ABBREVIATED)
}

/** A removed version's tarball answers 410 with the removal notice, which npm prints. */
async function loadArtifactOrTombstone(deps: Deps, name: string, filename: string) {
  try {
    return await loadArtifact(deps, eco, name, filename)
  } catch (err) {
    if (!(err instanceof RegistryError && err.code === 'notFound')) throw err
    const tombstone = await tombstoneForFile(deps, eco, name, filename)
    if (!tombstone) throw err
    throw new RegistryError('removed', removalNotice(deps.config.publicUrl, eco.parseName(name), tombstone.version, tombstone.advisoryId))
  }
}
