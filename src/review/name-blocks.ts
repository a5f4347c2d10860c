// Name blocks: exact names, prefixes and globs that no new package may take; checked whenever a package name is created.
import type { Transaction } from 'kysely'
import type { Deps } from '../deps.ts'
import type { Actor } from '../accounts/types.ts'
import { auditActor } from '../accounts/types.ts'
import type { Database, NameBlockKind, NameBlockRow } from '../db/schema.ts'
import type { Executor } from '../db/dialect.ts'
import type { EcosystemId } from '../core/ecosystem.ts'
import { RegistryError } from '../core/errors.ts'
import { appendAudit } from '../audit/service.ts'
import * as repo from './repository.ts'
import { requireReason, requireReviewer, requireReviewerWrite } from './policy.ts'

type ReviewDeps = Pick<Deps, 'db' | 'config' | 'ecosystems'>

const KINDS: readonly NameBlockKind[] = ['exact', 'prefix', 'glob']

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${body}$`)
}

/** Pure: does this block cover the (already normalised) name? */
export function blockMatches(block: Pick<NameBlockRow, 'kind' | 'pattern'>, name: string): boolean {
  switch (block.kind) {
    case 'exact':
      return name === block.pattern
    case 'prefix':
      return name.startsWith(block.pattern)
    case 'glob':
      return globToRegExp(block.pattern).test(name)
  }
}

/**
 * Refuses an upload the security team has closed off: a new package whose name a block covers,
 * or a new version of a package removed as a whole. Other existing packages are never affected.
 */
export async function assertPublishAllowed(db: Executor, ecosystem: EcosystemId, name: string, existingPackageId: number | undefined): Promise<void> {
  if (existingPackageId !== undefined) {
    if (await repo.hasWholePackageRemoval(db, existingPackageId)) {
      throw new RegistryError('nameBlocked', `${name} was removed by the registry's security team; no new versions can be published`)
    }
    return
  }
  const blocks = await repo.listNameBlocks(db, ecosystem)
  const hit = blocks.find((b) => blockMatches(b, name))
  if (hit) throw new RegistryError('nameBlocked', `the name ${name} is reserved by the registry's security team and cannot be used for a new package`)
}

export interface NewNameBlock {
  readonly ecosystem: string | null
  readonly kind: string
  readonly pattern: string
  readonly reason: unknown
}

/** Normalises the pattern the way the ecosystem normalises names, so `Evil_Pkg` blocks `evil-pkg` on PyPI. */
function normalisePattern(deps: ReviewDeps, ecosystem: EcosystemId | null, kind: NameBlockKind, pattern: string): string {
  const raw = pattern.trim()
  if (raw.length === 0 || raw.length > 214) throw new RegistryError('invalidRequest', 'the pattern must be 1 to 214 characters')
  if (kind === 'glob' && !/[*?]/.test(raw)) throw new RegistryError('invalidRequest', 'a glob pattern needs * or ?; use an exact block for one name')
  if (kind !== 'exact' || ecosystem === null) return raw.toLowerCase()
  return deps.ecosystems.get(ecosystem)!.parseName(raw)
}

export async function createNameBlock(deps: ReviewDeps, actor: Actor, input: NewNameBlock): Promise<NameBlockRow> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, input.reason)
  if (!KINDS.includes(input.kind as NameBlockKind)) throw new RegistryError('invalidRequest', `kind must be one of ${KINDS.join(', ')}`)
  const kind = input.kind as NameBlockKind
  const ecosystem = input.ecosystem === null || input.ecosystem === undefined || input.ecosystem === '' ? null : (input.ecosystem as EcosystemId)
  if (ecosystem !== null && !deps.ecosystems.has(ecosystem)) throw new RegistryError('invalidRequest', `unknown ecosystem ${input.ecosystem}`)
  const pattern = normalisePattern(deps, ecosystem, kind, input.pattern)
  return deps.db.kysely.transaction().execute(async (trx) => {
    const block = await repo.insertNameBlock(trx, { ecosystem, kind, pattern, reason, source: 'reviewer', createdBy: actor.name, at: new Date().toISOString() })
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'name-block.create',
      subjectType: 'name-block',
      subjectId: block.id,
      reason,
      after: { ecosystem, kind, pattern },
    })
    return block
  })
}

export async function deleteNameBlock(deps: ReviewDeps, actor: Actor, id: number, rawReason: unknown): Promise<void> {
  requireReviewerWrite(actor)
  const reason = requireReason(deps.config, rawReason)
  await deps.db.kysely.transaction().execute(async (trx) => {
    const block = await repo.findNameBlock(trx, id)
    if (!block) throw new RegistryError('notFound', `no name block ${id}`)
    await repo.deleteNameBlock(trx, id)
    await appendAudit(trx, deps.db.dialect, {
      actor: auditActor(actor),
      action: 'name-block.delete',
      subjectType: 'name-block',
      subjectId: id,
      reason,
      before: { ecosystem: block.ecosystem, kind: block.kind, pattern: block.pattern, reason: block.reason },
    })
  })
}

export async function listNameBlocks(deps: ReviewDeps, actor: Actor): Promise<NameBlockRow[]> {
  requireReviewer(actor)
  return repo.listNameBlocks(deps.db.kysely)
}

/** Reserves one exact name as part of a removal (in the removal's transaction); returns the block, or undefined when one exists. */
export async function reserveName(trx: Transaction<Database>, ecosystem: EcosystemId, name: string, reason: string, by: string): Promise<NameBlockRow | undefined> {
  const existing = (await repo.listNameBlocks(trx, ecosystem)).find((b) => b.kind === 'exact' && b.pattern === name && b.ecosystem === ecosystem)
  if (existing) return undefined
  return repo.insertNameBlock(trx, { ecosystem, kind: 'exact', pattern: name, reason, source: 'removal', createdBy: by, at: new Date().toISOString() })
}
