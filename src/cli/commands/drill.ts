// `gatehouse drill`: publishes a harmless canary, checks the gate held it, the alert reached every channel and a case opened, then cleans up.
import { randomBytes } from 'node:crypto'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import type { Deps } from '../../deps.ts'
import { createUser, findUser, actorFromUser } from '../../accounts/service.ts'
import { CLI } from '../../accounts/types.ts'
import { appendAudit } from '../../audit/service.ts'
import { publish } from '../../packages/service.ts'
import { startWorker } from '../../boot.ts'
import { DRILL_CANARY_FILE } from '../../scanning/rules/package-shape.ts'

export interface DrillStep {
  readonly step: string
  readonly ok: boolean
  readonly detail: string
}

const DRILL_USER = 'gatehouse-drill'

async function canaryTarball(name: string, version: string): Promise<Buffer> {
  const pack = tar.pack()
  pack.entry({ name: 'package/package.json' }, JSON.stringify({ name, version, description: 'Gatehouse incident-response drill canary; harmless.', main: DRILL_CANARY_FILE, license: 'MIT' }))
  pack.entry({ name: `package/${DRILL_CANARY_FILE}` }, 'module.exports = "gatehouse drill canary: harmless"\n')
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of pack.pipe(createGzip())) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function drillCommand(deps: Deps, options: { timeoutSeconds: number; keep: boolean }): Promise<DrillStep[]> {
  const steps: DrillStep[] = []
  const record = (step: string, ok: boolean, detail: string) => {
    steps.push({ step, ok, detail })
    return ok
  }
  // The drill judges its own canary when no server is running; with one running, whichever worker claims it first.
  await startWorker(deps)
  const user = (await findUser(deps, DRILL_USER)) ?? (await createUser(deps, { name: DRILL_USER, email: 'drill@gatehouse.invalid', password: randomBytes(24).toString('base64url') }, CLI()))
  const eco = deps.ecosystems.get('npm')!
  const name = `gatehouse-drill-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  let versionId: number | undefined
  let packageId: number | undefined
  try {
    const bytes = await canaryTarball(name, '1.0.0')
    const result = await publish(deps, eco, actorFromUser(user, 'publish', null), {
      name,
      version: '1.0.0',
      bytes,
      filename: `${name}-1.0.0.tgz`,
      declared: {},
      manifest: { name, version: '1.0.0' },
      tags: ['latest'],
    })
    versionId = result.version.id
    packageId = result.pkg.id
    record('upload', true, `${name}@1.0.0 accepted as pending`)

    const deadline = Date.now() + options.timeoutSeconds * 1000
    let state = 'pending'
    while (state === 'pending' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
      state = (await deps.db.kysely.selectFrom('versions').select('state').where('id', '=', versionId).executeTakeFirstOrThrow()).state
    }
    if (!record('gate', state === 'held', state === 'held' ? 'the gate held the canary' : `the canary is ${state} after ${options.timeoutSeconds} s`)) return steps

    // The alert follows the verdict's commit; wait until every channel has reported.
    const channels = deps.defense.alerts.channels()
    let deliveries: Record<string, string> = {}
    while (Date.now() < deadline) {
      const alert = await deps.db.kysely.selectFrom('alerts').select('deliveries').where('rule', '=', 'drill').where('dedup_key', '=', `version:${versionId}`).executeTakeFirst()
      deliveries = alert ? (JSON.parse(alert.deliveries) as Record<string, string>) : {}
      if (channels.every((c) => deliveries[c] !== undefined)) break
      await new Promise((r) => setTimeout(r, 200))
    }
    for (const channel of channels) {
      record(`alert via ${channel}`, deliveries[channel] === 'sent', deliveries[channel] ?? 'no alert was raised')
    }
    const reviewCase = await deps.db.kysely.selectFrom('cases').select(['id', 'status']).where('package_id', '=', packageId).executeTakeFirst()
    record('review case', reviewCase !== undefined, reviewCase ? `case ${reviewCase.id} is ${reviewCase.status}` : 'no case was opened')
  } catch (err) {
    record('drill', false, (err as Error).message)
  } finally {
    if (packageId !== undefined && !options.keep) await cleanUp(deps, packageId, name)
  }
  return steps
}

/** The canary leaves no package, archive or case behind; its alert stays in the history, and the audit log says what happened. */
async function cleanUp(deps: Deps, packageId: number, name: string): Promise<void> {
  const artifacts = await deps.db.kysely.selectFrom('artifacts').innerJoin('versions', 'versions.id', 'artifacts.version_id').select('artifacts.blob_key').where('versions.package_id', '=', packageId).execute()
  await deps.db.kysely.transaction().execute(async (trx) => {
    const versionIds = (await trx.selectFrom('versions').select('id').where('package_id', '=', packageId).execute()).map((v) => v.id)
    if (versionIds.length > 0) await trx.deleteFrom('upload_events').where('version_id', 'in', versionIds).execute()
    await trx.deleteFrom('cases').where('package_id', '=', packageId).execute()
    await trx.deleteFrom('packages').where('id', '=', packageId).execute()
    await appendAudit(trx, deps.db.dialect, { actor: CLI(), action: 'drill.cleanup', subjectType: 'package', subjectId: packageId, reason: 'incident-response drill', before: { name } })
  })
  for (const { blob_key } of artifacts) await deps.blobs.delete(blob_key)
}
