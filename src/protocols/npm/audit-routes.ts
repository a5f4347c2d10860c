// npm audit: the bulk advisory endpoint (`POST /-/npm/v1/security/advisories/bulk`, gzip'd), answering with removed malicious versions.
import { createGunzip } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import { RegistryError } from '../../core/errors.ts'
import { advisoryUrl } from '../../review/policy.ts'
import { removalAdvisoriesOf } from '../../review/advisories.ts'
import { npmEcosystem as eco } from './ecosystem.ts'

const MAX_PACKAGES = 10_000

export function registerAuditRoutes(app: FastifyInstance, deps: Deps): void {
  app.post(
    '/-/npm/v1/security/advisories/bulk',
    {
      // npm sends the body gzip'd (content-encoding: gzip); the JSON parser gets the plain text.
      preParsing: async (request, _reply, payload) => {
        if (request.headers['content-encoding'] !== 'gzip') return payload
        delete request.headers['content-length']
        return payload.pipe(createGunzip())
      },
    },
    async (request) => {
      const body = request.body
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RegistryError('invalidRequest', 'the body must map package names to lists of versions')
      const entries = Object.entries(body as Record<string, unknown>)
      if (entries.length > MAX_PACKAGES) throw new RegistryError('invalidRequest', `at most ${MAX_PACKAGES} packages per request`)
      const out: Record<string, unknown[]> = {}
      for (const [rawName, versions] of entries) {
        if (!Array.isArray(versions)) continue
        let name: string
        try {
          name = eco.parseName(rawName)
        } catch {
          continue
        }
        const advisories = (await removalAdvisoriesOf(deps, eco.id, name)).filter((a) => a.versions.some((v) => versions.includes(v)))
        if (advisories.length === 0) continue
        out[rawName] = advisories.map((a) => ({
          id: a.removalId,
          url: advisoryUrl(deps.config.publicUrl, a.advisoryId),
          title: `Malicious code in ${name} (${a.advisoryId}); removed by the registry's security team`,
          severity: 'critical',
          vulnerable_versions: a.versions.join(' || '),
          // CWE-506: embedded malicious code
          cwe: ['CWE-506'],
          cvss: { score: 10, vectorString: null },
        }))
      }
      return out
    },
  )
}
