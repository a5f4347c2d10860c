// The audit log's hash chain detects edited and deleted rows, on both dialects.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { DIALECTS } from '../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { verifyAuditChain } from '../../src/audit/service.ts'

describe.each(DIALECTS)('audit chain (%s)', (dialect) => {
  let r: TestRegistry
  beforeEach(async () => {
    r = await startTestRegistry(dialect)
    const token = await r.user('alice')
    await r.publish(token, 'audited-pkg', '1.0.0')
    await r.publish(token, 'audited-pkg', '1.0.1')
    await r.settle()
  })
  afterEach(async () => r?.close())

  it('verifies an intact log, written by requests and by the scanner', async () => {
    const result = await verifyAuditChain(r.deps.db.kysely)
    expect(result).toEqual({ ok: true, rows: await r.countRows('audit_log') })
    const actors = await r.deps.db.kysely.selectFrom('audit_log').select(['actor', 'action']).orderBy('id').execute()
    expect(actors).toContainEqual({ actor: 'system:scanner', action: 'version.published' })
    expect(actors).toContainEqual({ actor: 'user:alice', action: 'package.create' })
  })

  it('names the row that was altered', async () => {
    const target = await r.deps.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'version.upload').executeTakeFirstOrThrow()
    await sql`update audit_log set actor = 'user:mallory' where id = ${target.id}`.execute(r.deps.db.kysely)
    const result = await verifyAuditChain(r.deps.db.kysely)
    expect(result).toMatchObject({ ok: false, rowId: target.id, problem: expect.stringMatching(/altered/) })
  })

  it('notices a deleted row at its successor', async () => {
    const rows = await r.deps.db.kysely.selectFrom('audit_log').select('id').orderBy('id').execute()
    const victim = rows[2]!.id
    await sql`delete from audit_log where id = ${victim}`.execute(r.deps.db.kysely)
    const result = await verifyAuditChain(r.deps.db.kysely)
    expect(result).toMatchObject({ ok: false, rowId: rows[3]!.id, problem: expect.stringMatching(/deleted or altered/) })
  })
})
