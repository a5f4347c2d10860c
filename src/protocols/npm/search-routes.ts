// npm search: GET /-/v1/search over installable packages.
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import { searchPackages } from '../../packages/views.ts'
import { npmEcosystem as eco } from './ecosystem.ts'

export function registerSearchRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/-/v1/search', async (request) => {
    const query = request.query as Record<string, string | undefined>
    const size = clamp(Number(query.size ?? 20), 1, 250)
    const from = clamp(Number(query.from ?? 0), 0, 10_000)
    const views = await searchPackages(deps, eco, query.text ?? '', size, from)
    const objects = views.map((view) => {
      const latest = view.versions.find((v) => v.row.version === view.tags.latest) ?? view.versions.at(-1)!
      const m = latest.manifest
      return {
        package: {
          name: view.pkg.name,
          version: latest.row.version,
          description: latest.row.description ?? undefined,
          keywords: Array.isArray(m.keywords) ? m.keywords : [],
          date: latest.row.published_at,
          links: { npm: `${deps.config.publicUrl}${view.pkg.name}` },
          publisher: latest.publisher ? { username: latest.publisher.name, email: latest.publisher.email } : undefined,
          maintainers: view.owners.map((o) => ({ username: o.name, email: o.email })),
        },
        score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
        searchScore: 1,
      }
    })
    return { objects, total: objects.length, time: new Date().toUTCString() }
  })
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), min), max) : min
}
