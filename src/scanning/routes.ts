// Scan results over Gatehouse's JSON API: GET /-/api/v1/scans?ecosystem=&name=&version= (owners, reviewers, admins).
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../deps.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { requireActor } from '../http/auth.ts'
import { jsonErrorHandler } from '../http/errors.ts'
import { isOwner, findPackage, findVersion } from '../packages/repository.ts'
import { listScans } from './repository.ts'

export async function scanRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  app.get('/-/api/v1/scans', async (request) => {
    const actor = requireActor(request)
    const query = request.query as Record<string, string | undefined>
    const eco = deps.ecosystems.get((query.ecosystem ?? 'npm') as EcosystemId)
    if (!eco) throw new RegistryError('invalidRequest', `unknown ecosystem ${query.ecosystem}`)
    if (!query.name || !query.version) throw new RegistryError('invalidRequest', 'name and version are required')
    const name = eco.parseName(query.name)
    const pkg = await findPackage(deps.db.kysely, eco.id, name)
    const version = pkg ? await findVersion(deps.db.kysely, pkg.id, query.version) : undefined
    if (!pkg || !version) throw new RegistryError('notFound', `${name}@${query.version} not found`)
    const privileged = actor.role === 'admin' || actor.role === 'reviewer'
    if (!privileged && !(await isOwner(deps.db.kysely, pkg.id, actor.userId))) {
      throw new RegistryError('forbidden', 'scan results are visible to the package owners and the security team')
    }
    const scans = await listScans(deps.db.kysely, version.id)
    return {
      ecosystem: eco.id,
      name,
      version: version.version,
      state: version.state,
      stateReason: version.state_reason,
      scans: scans.map((s) => ({
        id: s.id,
        verdict: s.verdict,
        score: s.score,
        reasons: JSON.parse(s.reasons) as unknown,
        signals: JSON.parse(s.signals) as unknown,
        stats: JSON.parse(s.stats) as unknown,
        rulesetVersion: s.ruleset_version,
        ms: s.ms,
        createdAt: s.created_at,
        ...(s.trace ? { trace: JSON.parse(s.trace) as unknown } : {}),
      })),
    }
  })
}
