// npm accounts over the wire: adduser/login, whoami, tokens, logout, and the refusals of bad credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from '../../helpers/databases.ts'
import { startTestRegistry, type TestRegistry } from '../../helpers/registry.ts'

describe.each(DIALECTS)('npm accounts (%s)', (dialect) => {
  let r: TestRegistry
  const json = { 'content-type': 'application/json' }
  const bearer = (t: string) => ({ authorization: `Bearer ${t}`, ...json })

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
  })
  afterAll(async () => r?.close())

  async function login(name: string, password: string, email?: string) {
    return r.app.inject({
      method: 'PUT',
      url: `/-/user/org.couchdb.user:${name}`,
      headers: json,
      payload: { _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString(), ...(email ? { email } : {}) },
    })
  }

  it('adduser creates an account and returns a working token', async () => {
    const res = await login('dora', 'a-long-password', 'dora@example.com')
    expect(res.statusCode).toBe(201)
    const { token } = res.json()
    expect(token).toMatch(/^ghp_/)
    const who = await r.app.inject({ url: '/-/whoami', headers: bearer(token) })
    expect(who.json()).toEqual({ username: 'dora' })
  })

  it('login with the right password issues a new token; a wrong one is 401', async () => {
    expect((await login('dora', 'a-long-password')).statusCode).toBe(201)
    const wrong = await login('dora', 'not-the-password')
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().error).toMatch(/incorrect user name or password/)
    const unknown = await login('nobody-here', 'whatever-password')
    expect(unknown.statusCode).toBe(401)
  })

  it('stores only hashes of passwords and tokens', async () => {
    const user = await r.deps.db.kysely.selectFrom('users').selectAll().where('name', '=', 'dora').executeTakeFirstOrThrow()
    expect(user.password_hash).toMatch(/^scrypt\$/)
    expect(user.password_hash).not.toContain('a-long-password')
    const tokens = await r.deps.db.kysely.selectFrom('tokens').selectAll().where('user_id', '=', user.id).execute()
    for (const t of tokens) expect(t.key_hash).toMatch(/^[0-9a-f]{128}$/)
  })

  it('refuses garbage tokens, unknown schemes and anonymous writes', async () => {
    const bad = await r.app.inject({ url: '/-/whoami', headers: bearer('ghp_not-a-real-token') })
    expect(bad.statusCode).toBe(401)
    expect(bad.json().error).toMatch(/token is not valid/)
    expect((await r.app.inject({ url: '/-/whoami', headers: { authorization: 'Negotiate abc' } })).statusCode).toBe(401)
    const anonymous = await r.app.inject({ url: '/-/whoami' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error).toMatch(/must be logged in/)
  })

  it('accepts Basic credentials', async () => {
    const basic = Buffer.from('dora:a-long-password').toString('base64')
    expect((await r.app.inject({ url: '/-/whoami', headers: { authorization: `Basic ${basic}` } })).json()).toEqual({ username: 'dora' })
    const wrong = Buffer.from('dora:nope').toString('base64')
    expect((await r.app.inject({ url: '/-/whoami', headers: { authorization: `Basic ${wrong}` } })).statusCode).toBe(401)
  })

  it('creates, lists and revokes tokens; read-only tokens cannot publish', async () => {
    const { token } = (await login('dora', 'a-long-password')).json()
    const created = await r.app.inject({
      method: 'POST',
      url: '/-/npm/v1/tokens',
      headers: bearer(token),
      payload: { password: 'a-long-password', readonly: true, cidr_whitelist: [] },
    })
    expect(created.statusCode).toBe(200)
    const ro = created.json()
    expect(ro).toMatchObject({ readonly: true, key: expect.stringMatching(/^[0-9a-f]{128}$/), token: expect.stringMatching(/^ghp_/) })

    const list = await r.app.inject({ url: '/-/npm/v1/tokens', headers: bearer(token) })
    const body = list.json()
    expect(body.urls).toEqual({})
    expect(body.total).toBe(body.objects.length)
    const listed = body.objects.find((o: { key: string }) => o.key === ro.key)
    expect(listed.token).not.toBe(ro.token)
    expect(ro.token.startsWith(listed.token)).toBe(true)
    expect(listed.token.length).toBeLessThan(16)

    const publish = await r.publish(ro.token, 'ro-attempt', '1.0.0')
    expect(publish.statusCode).toBe(403)
    expect(publish.json().error).toMatch(/read-only/)
    // but it can read
    expect((await r.app.inject({ url: '/-/whoami', headers: bearer(ro.token) })).statusCode).toBe(200)

    const wrongPassword = await r.app.inject({ method: 'POST', url: '/-/npm/v1/tokens', headers: bearer(token), payload: { password: 'nope-nope' } })
    expect(wrongPassword.statusCode).toBe(401)

    const revoke = await r.app.inject({ method: 'DELETE', url: `/-/npm/v1/tokens/token/${ro.key.slice(0, 12)}`, headers: bearer(token) })
    expect(revoke.statusCode).toBe(204)
    expect((await r.app.inject({ url: '/-/whoami', headers: bearer(ro.token) })).statusCode).toBe(401)
  })

  it('honours a token CIDR allow-list', async () => {
    const { token } = (await login('dora', 'a-long-password')).json()
    const created = await r.app.inject({
      method: 'POST',
      url: '/-/npm/v1/tokens',
      headers: bearer(token),
      payload: { password: 'a-long-password', cidr_whitelist: ['10.1.0.0/16'] },
    })
    const restricted = created.json().token
    // app.inject comes from 127.0.0.1
    expect((await r.app.inject({ url: '/-/whoami', headers: bearer(restricted) })).statusCode).toBe(401)
    const invalid = await r.app.inject({ method: 'POST', url: '/-/npm/v1/tokens', headers: bearer(token), payload: { password: 'a-long-password', cidr_whitelist: ['not-a-cidr'] } })
    expect(invalid.statusCode).toBe(400)
  })

  it('logout revokes the token used', async () => {
    const { token } = (await login('dora', 'a-long-password')).json()
    const out = await r.app.inject({ method: 'DELETE', url: `/-/user/token/${encodeURIComponent(token)}`, headers: bearer(token) })
    expect(out.statusCode).toBe(200)
    expect((await r.app.inject({ url: '/-/whoami', headers: bearer(token) })).statusCode).toBe(401)
  })

  it('refuses publishing to a package owned by someone else', async () => {
    const owner = await r.user('owner1')
    const intruder = await r.user('intruder1')
    expect((await r.publish(owner, 'owned-pkg', '1.0.0')).statusCode).toBe(201)
    const res = await r.publish(intruder, 'owned-pkg', '1.0.1')
    expect(res.statusCode).toBe(403)
    expect(res.json().error).toMatch(/you do not have permission to change owned-pkg/)
  })

  it('keeps signups closed when configured', async () => {
    const closed = await startTestRegistry(dialect, { config: { allowSignup: false } })
    try {
      const res = await closed.app.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:eve',
        headers: json,
        payload: { name: 'eve', password: 'a-long-password', email: 'eve@example.com' },
      })
      expect(res.statusCode).toBe(403)
      expect(res.json().error).toMatch(/not being accepted/)
    } finally {
      await closed.close()
    }
  })

  it('records account actions in the audit log', async () => {
    const actions = await r.deps.db.kysely.selectFrom('audit_log').select('action').execute()
    const names = new Set(actions.map((a) => a.action))
    for (const a of ['user.create', 'token.create', 'token.revoke', 'package.create']) expect(names).toContain(a)
  })
})
