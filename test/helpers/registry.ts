// A registry under test: real database (either dialect), a blob store, the job worker, and an injectable app.
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { loadConfig, type ConfigInput } from '../../src/config/config.ts'
import type { Deps } from '../../src/deps.ts'
import { buildApp } from '../../src/http/build-app.ts'
import { closeDeps, openDeps, startWorker } from '../../src/boot.ts'
import { actorFromUser, createUser, createToken, findUser } from '../../src/accounts/service.ts'
import type { EcosystemId } from '../../src/core/ecosystem.ts'
import { publish as publishVersion } from '../../src/packages/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { MemoryBlobStore } from '../../src/storage/memory-blob-store.ts'
import { FsBlobStore } from '../../src/storage/fs-blob-store.ts'
import type { BlobStore } from '../../src/storage/blob-store.ts'
import { freshDatabase, type DialectName } from './databases.ts'
import { npmTarball, publishDocument } from './tarballs.ts'

export interface TestRegistry {
  readonly deps: Deps
  readonly app: FastifyInstance
  readonly blobs: BlobStore
  readonly forensics: BlobStore
  /** Creates a user and returns a publish token (or read-only with scope 'read'). */
  user(name: string, options?: { scope?: 'read' | 'publish'; password?: string }): Promise<string>
  /** Publishes name@version through the npm protocol and returns the response. */
  publish(token: string, name: string, version: string, options?: { files?: Record<string, string>; manifest?: Record<string, unknown>; tag?: string }): Promise<LightMyRequestResponse>
  /**
   * Publishes an archive through the publish service as an existing user (for ecosystems whose wire protocol
   * comes later), waits for the gate, and returns the version's state and its latest scan's signals.
   */
  publishArchive(user: string, ecosystem: EcosystemId, upload: { name: string; version: string; bytes: Buffer; filename: string }, ip: string): Promise<{ state: string; signals: ScanSignal[] }>
  /** Waits until the job queue has nothing left to do. */
  settle(): Promise<void>
  countRows(table: 'versions' | 'packages' | 'artifacts' | 'jobs' | 'audit_log'): Promise<number>
  countBlobs(): Promise<number>
  /** A second server instance on the same database and blob store, as another process of a scale-out deployment would be (no worker). */
  sibling(): Promise<{ deps: Deps; app: FastifyInstance; close(): Promise<void> }>
  close(): Promise<void>
}

export interface ScanSignal {
  rule: string
  weight: number
  message: string
}

export async function startTestRegistry(
  dialect: DialectName,
  options: { config?: ConfigInput; blobs?: 'memory' | 'fs'; worker?: boolean } = {},
): Promise<TestRegistry> {
  const database = await freshDatabase(dialect)
  const config = loadConfig(
    {},
    { dataDir: database.dir, logLevel: 'silent', passwordCost: 10, publicUrl: 'http://registry.test/', rateLimits: 'off', sandbox: 'off', ...options.config },
  )
  const blobs = options.blobs === 'fs' ? new FsBlobStore(join(database.dir, 'blobs')) : new MemoryBlobStore()
  const forensics = options.blobs === 'fs' ? new FsBlobStore(join(database.dir, 'forensics')) : new MemoryBlobStore()
  const silent = { info() {}, warn() {}, error() {}, debug() {} }
  const deps = await openDeps(config, { target: database.target, blobs, forensics, log: silent, ...(database.jobSchema ? { jobSchema: database.jobSchema } : {}) })
  if (options.worker !== false) await startWorker(deps)
  const app = await buildApp(deps)
  const siblings: Deps[] = []
  const settle = async () => {
    for (let i = 0; i < 400; i++) {
      if ((await deps.queue.pending()) === 0) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('jobs did not settle within 20 s')
  }

  return {
    deps,
    app,
    blobs,
    forensics,
    async user(name, opts = {}) {
      const user = await createUser(deps, { name, email: `${name}@example.com`, password: opts.password ?? 'correct-horse-battery' }, CLI())
      const { secret } = await createToken(deps, user.id, { scope: opts.scope ?? 'publish' }, CLI())
      return secret
    },
    async publish(token, name, version, opts = {}) {
      const tarball = await npmTarball(name, version, opts.files, opts.manifest)
      return app.inject({
        method: 'PUT',
        url: `/${name.replace('/', '%2f')}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: publishDocument(name, version, tarball, { ...(opts.tag ? { tag: opts.tag } : {}), ...(opts.manifest ? { manifest: opts.manifest } : {}) }),
      })
    },
    async publishArchive(user, ecosystem, upload, ip) {
      const row = await findUser(deps, user)
      if (!row) throw new Error(`no user ${user}`)
      const { version } = await publishVersion(deps, deps.ecosystems.get(ecosystem)!, actorFromUser(row, 'publish', ip), { ...upload, manifest: {}, declared: {}, tags: [] })
      await settle()
      const state = await deps.db.kysely.selectFrom('versions').select('state').where('id', '=', version.id).executeTakeFirstOrThrow()
      const scan = await deps.db.kysely.selectFrom('scans').select('signals').where('version_id', '=', version.id).orderBy('id', 'desc').executeTakeFirstOrThrow()
      return { state: state.state, signals: JSON.parse(scan.signals) as ScanSignal[] }
    },
    settle,
    async countRows(table) {
      const row = await deps.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      return Number(row.n)
    },
    async countBlobs() {
      let n = 0
      for await (const _ of blobs.list()) n += 1
      return n
    },
    async sibling() {
      const otherDeps = await openDeps(config, { target: database.target, blobs, forensics, log: silent, migrate: false, ...(database.jobSchema ? { jobSchema: database.jobSchema } : {}) })
      const otherApp = await buildApp(otherDeps)
      siblings.push(otherDeps)
      return {
        deps: otherDeps,
        app: otherApp,
        async close() {
          await otherApp.close()
        },
      }
    },
    async close() {
      await app.close()
      for (const s of siblings) await closeDeps(s)
      await closeDeps(deps)
      await database.drop()
    },
  }
}
