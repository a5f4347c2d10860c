// Campaign clusters over the JSON API: GET /-/api/v1/clusters and /-/api/v1/clusters/:id (reviewers and admins).
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import { RegistryError } from '../../core/errors.ts'
import { requireActor } from '../../http/auth.ts'
import { jsonErrorHandler } from '../../http/errors.ts'
import { clusterDetail, listClusters } from './service.ts'

export async function clusterRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.setErrorHandler(jsonErrorHandler(deps.config))
  app.get('/-/api/v1/clusters', async (request) => ({ clusters: await listClusters(deps, requireActor(request)) }))
  app.get('/-/api/v1/clusters/:id', async (request) => {
    const id = Number((request.params as { id: string }).id)
    if (!Number.isSafeInteger(id) || id <= 0) throw new RegistryError('invalidRequest', 'id must be a positive integer')
    return clusterDetail(deps, requireActor(request), id)
  })
}
