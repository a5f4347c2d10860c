// The real npm CLI against a listening registry: accounts, tokens, publish → gate → install, tags, deprecation,
// owners, search, unpublish, and the refusals a client must see as E401/E403.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'

const NPM_TIMEOUT_MS = 60_000
const TEST_TIMEOUT_MS = 240_000

const PLAIN = 'gatehouse-e2e-plain'
const SCOPED = '@gatehouse-e2e/scoped'
/** A word only the plain fixture's description contains, for `npm search`. */
const SEARCH_WORD = 'quokkawidget'

const ALICE = { name: 'alice', password: 'alice-long-password', email: 'alice@example.com' }
const BOB = { name: 'bob', password: 'bob-long-password', email: 'bob@example.com' }

interface NpmResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr together, for messages npm may print on either. */
  output: string
}

interface NpmOptions {
  cwd?: string
  /** npmrc file to use instead of the default (alice's). */
  userconfig?: string
  /** Answers to interactive prompts, in order: once the output since the last answer matches `prompt`, `answer` is typed. */
  prompts?: { prompt: RegExp; answer: string }[]
}

describe('the npm CLI against Gatehouse (sqlite)', () => {
  let r: ListeningRegistry
  let root: string
  let home: string
  let cache: string
  let globalconfig: string
  /** alice's npmrc: npm adduser/login write her token here. */
  let aliceRc: string
  let bobRc: string
  let anonymousRc: string
  let garbageRc: string
  let registryHost: string

  beforeAll(async () => {
    r = await startListeningRegistry('sqlite')
    registryHost = r.url.replace(/^http:/, '') // //127.0.0.1:PORT/
    root = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-npm-'))
    home = join(root, 'home')
    cache = join(root, 'cache')
    mkdirSync(home)
    mkdirSync(cache)
    globalconfig = join(root, 'global-npmrc')
    writeFileSync(globalconfig, '')
    aliceRc = npmrc('alice')
    bobRc = join(root, 'bob.npmrc')
    anonymousRc = npmrc('anonymous')
    garbageRc = npmrc('garbage', 'ghp_this-token-was-never-issued-by-the-registry')
    // The flows below (token create --password, undeprecate, the web-login fallback) are npm 11's.
    const version = execFileSync('npm', ['--version', '--userconfig', anonymousRc, '--globalconfig', globalconfig], { encoding: 'utf8', env: npmEnv() }).trim()
    if (Number(version.split('.')[0]) < 11) throw new Error(`these tests drive npm 11 or later; the npm on PATH is ${version}`)
  })

  afterAll(async () => {
    await r?.close()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  /** Writes an npmrc naming only this registry, with a token if given. */
  function npmrc(label: string, token?: string): string {
    const file = join(root, `${label}.npmrc`)
    writeFileSync(file, `registry=${r.url}\n${token ? `${registryHost}:_authToken=${token}\n` : ''}`)
    return file
  }

  function tokenIn(file: string): string | undefined {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${registryHost}:_authToken=`))
    return line?.slice(`${registryHost}:_authToken=`.length).trim()
  }

  /** The caller's environment minus its npm setup (npm_config_*, ~/.npmrc), with npm quiet and offline-safe. */
  function npmEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (/^npm_/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue
      env[key] = value
    }
    return {
      ...env,
      HOME: home,
      USERPROFILE: home,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_color: 'false',
      npm_config_progress: 'false',
      npm_config_prefer_online: 'true',
      NO_COLOR: '1',
    }
  }

  function npm(args: string[], options: NpmOptions = {}): Promise<NpmResult> {
    const fullArgs = [...args, '--userconfig', options.userconfig ?? aliceRc, '--globalconfig', globalconfig, '--cache', cache, '--registry', r.url]
    return new Promise((resolve, reject) => {
      const child = spawn('npm', fullArgs, { cwd: options.cwd ?? root, env: npmEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      let timedOut = false
      const pending = [...(options.prompts ?? [])]
      // Prompts go to stdout, notices to stderr: watch both, in arrival order, since the last answer.
      let sinceAnswer = ''
      let stdinClosed = false
      const closeStdin = () => {
        if (stdinClosed) return
        stdinClosed = true
        child.stdin.end()
      }
      // npm may exit before reading everything we typed
      child.stdin.on('error', () => {})
      const onOutput = (text: string) => {
        sinceAnswer += text
        const next = pending[0]
        if (next && next.prompt.test(sinceAnswer)) {
          sinceAnswer = ''
          pending.shift()
          child.stdin.write(`${next.answer}\n`)
        }
        if (pending.length === 0) closeStdin()
      }
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8')
        stdout += text
        onOutput(text)
      })
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8')
        stderr += text
        onOutput(text)
      })
      if (pending.length === 0) closeStdin()
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGKILL')
      }, NPM_TIMEOUT_MS)
      child.on('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      child.on('close', (code) => {
        clearTimeout(timer)
        const result = { code, stdout, stderr, output: `${stdout}\n${stderr}` }
        if (timedOut) reject(new Error(`npm ${args.join(' ')} timed out after ${NPM_TIMEOUT_MS} ms:\n${result.output}`))
        else resolve(result)
      })
    })
  }

  /** Runs npm and fails the test, showing npm's output, unless it exits 0. */
  async function npmOk(args: string[], options: NpmOptions = {}): Promise<NpmResult> {
    const result = await npm(args, options)
    if (result.code !== 0) throw new Error(`npm ${args.join(' ')} exited ${result.code}:\n${result.output}`)
    return result
  }

  /** Writes a package folder for `npm publish`; index.js exports `exported`. */
  function fixture(name: string, version: string, exported: unknown, description = `Gatehouse e2e fixture ${name}`): string {
    const dir = join(root, 'fixtures', `${name.replace('/', '__')}-${version}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, description, main: 'index.js', license: 'MIT' }, null, 2))
    writeFileSync(join(dir, 'index.js'), `module.exports = ${JSON.stringify(exported)}\n`)
    return dir
  }

  function packumentUrl(name: string): string {
    return `${r.url}${name.replace('/', '%2f')}`
  }

  async function packument(name: string): Promise<{ status: number; body: any }> {
    const res = await fetch(packumentUrl(name))
    return { status: res.status, body: await res.json() }
  }

  /** Waits until the gate has published name@version (the version shows in the packument). */
  async function waitUntilInstallable(name: string, version: string): Promise<void> {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      const { status, body } = await packument(name)
      if (status === 200 && body.versions?.[version]) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`${name}@${version} did not become installable within 30 s`)
  }

  async function viewVersions(name: string): Promise<string[]> {
    const { stdout } = await npmOk(['view', name, 'versions', '--json'], { userconfig: anonymousRc })
    const parsed: unknown = JSON.parse(stdout)
    return Array.isArray(parsed) ? (parsed as string[]) : [parsed as string]
  }

  const loginPrompts = (user: typeof ALICE, withEmail: boolean) => [
    { prompt: /Username:/, answer: user.name },
    { prompt: /Password:/, answer: user.password },
    ...(withEmail ? [{ prompt: /Email/, answer: user.email }] : []),
  ]

  it(
    'creates an account with `npm adduser`, logs in again with `npm login`, and `npm whoami` names the user',
    async () => {
      // adduser through the classic (couch) flow, answering its prompts on stdin
      const added = await npmOk(['adduser', '--auth-type=legacy'], { prompts: loginPrompts(ALICE, true) })
      expect(added.stdout).toContain(`Logged in on ${r.url}`)
      const firstToken = tokenIn(aliceRc)
      expect(firstToken).toMatch(/^ghp_/)
      expect((await npmOk(['whoami'])).stdout.trim()).toBe('alice')

      // plain `npm login` tries web login first; the registry answers 404 and npm falls back to the classic flow
      const loggedIn = await npmOk(['login'], { prompts: loginPrompts(ALICE, false) })
      expect(loggedIn.stdout).toContain(`Logged in on ${r.url}`)
      const secondToken = tokenIn(aliceRc)
      expect(secondToken).toMatch(/^ghp_/)
      expect(secondToken).not.toBe(firstToken)
      expect((await npmOk(['whoami'])).stdout.trim()).toBe('alice')

      // a wrong password is refused and leaves the stored token alone
      const wrongRc = npmrc('wrong-password')
      const wrong = await npm(['login'], { userconfig: wrongRc, prompts: [{ prompt: /Username:/, answer: 'alice' }, { prompt: /Password:/, answer: 'not-her-password' }] })
      expect(wrong.code).not.toBe(0)
      expect(wrong.output).toMatch(/E401/)
      expect(tokenIn(wrongRc)).toBeUndefined()

      // bob signs up through the same classic endpoint over plain HTTP; his token goes into his own npmrc
      const res = await fetch(`${r.url}-/user/org.couchdb.user:${BOB.name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _id: `org.couchdb.user:${BOB.name}`, name: BOB.name, password: BOB.password, email: BOB.email, type: 'user', roles: [] }),
      })
      expect(res.status).toBe(201)
      const { token } = (await res.json()) as { token: string }
      writeFileSync(bobRc, `registry=${r.url}\n${registryHost}:_authToken=${token}\n`)
      expect((await npmOk(['whoami'], { userconfig: bobRc })).stdout.trim()).toBe('bob')

      // anonymous whoami is refused
      const anonymous = await npm(['whoami'], { userconfig: anonymousRc })
      expect(anonymous.code).not.toBe(0)
      expect(anonymous.output).toMatch(/ENEEDAUTH|E401/)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'creates, lists and revokes tokens with `npm token`, and `npm logout` revokes its own',
    async () => {
      const created = await npmOk(['token', 'create', '--password', ALICE.password, '--name', 'e2e-ci'])
      const secret = /Created token (ghp_\S+)/.exec(created.stdout)?.[1]
      expect(secret).toBeDefined()
      const ciRc = npmrc('ci', secret!)
      expect((await npmOk(['whoami'], { userconfig: ciRc })).stdout.trim()).toBe('alice')

      const listed = JSON.parse((await npmOk(['token', 'list', '--json'])).stdout) as { id: string; name: string; token: string; readonly: boolean }[]
      const ci = listed.find((t) => t.name === 'e2e-ci')
      expect(ci).toBeDefined()
      expect(ci!.readonly).toBe(false)
      expect(secret!.startsWith(ci!.token.replace(/…$/, ''))).toBe(true)
      // the human listing names it too, without ever showing a whole secret
      const human = await npmOk(['token', 'list'])
      expect(human.stdout).toContain('name e2e-ci')
      expect(human.stdout).not.toContain(secret!)

      const wrongPassword = await npm(['token', 'create', '--password', 'not-her-password'])
      expect(wrongPassword.code).not.toBe(0)
      expect(wrongPassword.output).toMatch(/E401/)

      const revoked = await npmOk(['token', 'revoke', ci!.id])
      expect(revoked.stdout).toContain('Removed 1 token')
      const afterRevoke = await npm(['whoami'], { userconfig: ciRc })
      expect(afterRevoke.code).not.toBe(0)
      expect(afterRevoke.output).toMatch(/E401/)
      const relisted = JSON.parse((await npmOk(['token', 'list', '--json'])).stdout) as { name: string }[]
      expect(relisted.some((t) => t.name === 'e2e-ci')).toBe(false)

      // `npm logout` revokes the token it was using and forgets it
      const laptop = /Created token (ghp_\S+)/.exec((await npmOk(['token', 'create', '--password', ALICE.password, '--name', 'laptop'])).stdout)?.[1]
      expect(laptop).toBeDefined()
      const laptopRc = npmrc('laptop', laptop!)
      expect((await npmOk(['whoami'], { userconfig: laptopRc })).stdout.trim()).toBe('alice')
      await npmOk(['logout'], { userconfig: laptopRc })
      expect(tokenIn(laptopRc)).toBeUndefined()
      const stale = await npm(['whoami'], { userconfig: npmrc('laptop-stale', laptop!) })
      expect(stale.code).not.toBe(0)
      expect(stale.output).toMatch(/E401/)
      // alice's own login token is untouched
      expect((await npmOk(['whoami'])).stdout.trim()).toBe('alice')
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'publishes a plain and a scoped package, and a fresh project installs and requires both',
    async () => {
      const plain = await npmOk(['publish'], { cwd: fixture(PLAIN, '1.0.0', 'plain 1.0.0', `an e2e ${SEARCH_WORD} fixture`) })
      expect(plain.stdout).toContain(`+ ${PLAIN}@1.0.0`)
      const scoped = await npmOk(['publish', '--access', 'public'], { cwd: fixture(SCOPED, '1.0.0', { answer: 42 }) })
      expect(scoped.stdout).toContain(`+ ${SCOPED}@1.0.0`)

      // the uploads are pending until the gate's scan publishes them
      await waitUntilInstallable(PLAIN, '1.0.0')
      await waitUntilInstallable(SCOPED, '1.0.0')
      await r.settle()

      const { body } = await packument(PLAIN)
      expect(body['dist-tags']).toEqual({ latest: '1.0.0' })
      expect(body.versions['1.0.0'].dist.tarball).toBe(`${r.url}${PLAIN}/-/${PLAIN}-1.0.0.tgz`)
      expect(body.versions['1.0.0']._npmUser).toMatchObject({ name: 'alice' })

      // installs need no credentials
      const project = join(root, 'project')
      mkdirSync(project)
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'e2e-consumer', version: '1.0.0', private: true }))
      const installed = await npmOk(['install', PLAIN, SCOPED], { cwd: project, userconfig: anonymousRc })
      expect(installed.stdout).toMatch(/added 2 packages/)

      const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))
      expect(manifest.dependencies).toEqual({ [PLAIN]: '^1.0.0', [SCOPED]: '^1.0.0' })
      const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'))
      expect(lock.packages[`node_modules/${PLAIN}`]).toMatchObject({ version: '1.0.0', resolved: `${r.url}${PLAIN}/-/${PLAIN}-1.0.0.tgz` })
      expect(lock.packages[`node_modules/${SCOPED}`]).toMatchObject({ version: '1.0.0', resolved: `${r.url}${SCOPED}/-/scoped-1.0.0.tgz` })
      expect(lock.packages[`node_modules/${SCOPED}`].integrity).toMatch(/^sha512-/)

      const required = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', `console.log(JSON.stringify([require(${JSON.stringify(PLAIN)}), require(${JSON.stringify(SCOPED)})]))`], {
          cwd: project,
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        let out = ''
        child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
        child.on('error', reject)
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node exited ${code}`))))
      })
      expect(JSON.parse(required)).toEqual(['plain 1.0.0', { answer: 42 }])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'refuses to publish over an existing version, in npm and in the registry',
    async () => {
      const dir = fixture(PLAIN, '1.0.0', 'plain 1.0.0 again', `an e2e ${SEARCH_WORD} fixture`)
      // npm checks the packument first…
      const client = await npm(['publish'], { cwd: dir })
      expect(client.code).not.toBe(0)
      expect(client.output).toMatch(/cannot publish over the previously published version/i)
      // …and with --force the registry itself refuses
      const forced = await npm(['publish', '--force'], { cwd: dir })
      expect(forced.code).not.toBe(0)
      expect(forced.output).toMatch(/E403/)
      expect(forced.output).toMatch(/version numbers are never reused/)
      await r.settle()
      expect(await viewVersions(PLAIN)).toEqual(['1.0.0'])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'adds, lists and removes dist-tags',
    async () => {
      const added = await npmOk(['dist-tag', 'add', `${PLAIN}@1.0.0`, 'beta'])
      expect(added.stdout).toContain(`+beta: ${PLAIN}@1.0.0`)
      const listed = await npmOk(['dist-tag', 'ls', PLAIN])
      expect(listed.stdout.trim().split('\n').sort()).toEqual(['beta: 1.0.0', 'latest: 1.0.0'])
      expect((await packument(PLAIN)).body['dist-tags']).toEqual({ latest: '1.0.0', beta: '1.0.0' })

      const removed = await npmOk(['dist-tag', 'rm', PLAIN, 'beta'])
      expect(removed.stdout).toContain(`-beta: ${PLAIN}@1.0.0`)
      expect((await npmOk(['dist-tag', 'ls', PLAIN])).stdout.trim()).toBe('latest: 1.0.0')
      expect((await packument(PLAIN)).body['dist-tags']).toEqual({ latest: '1.0.0' })

      // scoped names work the same way
      await npmOk(['dist-tag', 'add', `${SCOPED}@1.0.0`, 'stable'])
      expect((await npmOk(['dist-tag', 'ls', SCOPED])).stdout).toContain('stable: 1.0.0')

      // only owners may tag
      const stranger = await npm(['dist-tag', 'add', `${SCOPED}@1.0.0`, 'hijack'], { userconfig: bobRc })
      expect(stranger.code).not.toBe(0)
      expect(stranger.output).toMatch(/E403/)
      expect((await packument(SCOPED)).body['dist-tags']).toEqual({ latest: '1.0.0', stable: '1.0.0' })
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'deprecates and undeprecates a version',
    async () => {
      const message = 'please upgrade to 2.x'
      await npmOk(['deprecate', `${PLAIN}@1.0.0`, message])
      expect((await npmOk(['view', `${PLAIN}@1.0.0`, 'deprecated'], { userconfig: anonymousRc })).stdout.trim()).toBe(message)
      expect((await packument(PLAIN)).body.versions['1.0.0'].deprecated).toBe(message)

      await npmOk(['undeprecate', `${PLAIN}@1.0.0`])
      expect((await npmOk(['view', `${PLAIN}@1.0.0`, 'deprecated'], { userconfig: anonymousRc })).stdout.trim()).toBe('')
      expect((await packument(PLAIN)).body.versions['1.0.0'].deprecated).toBeUndefined()

      // deprecate it for good, so later installs would warn
      await npmOk(['deprecate', `${PLAIN}@1.0.0`, message])
      expect((await packument(PLAIN)).body.versions['1.0.0'].deprecated).toBe(message)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'adds, lists and removes owners with `npm owner`',
    async () => {
      const added = await npmOk(['owner', 'add', 'bob', PLAIN])
      expect(added.stdout).toContain(`+ bob (${PLAIN})`)
      const listed = await npmOk(['owner', 'ls', PLAIN], { userconfig: anonymousRc })
      expect(listed.stdout.trim().split('\n').sort()).toEqual(['alice <alice@example.com>', 'bob <bob@example.com>'])

      // as an owner, bob may tag the package
      await npmOk(['dist-tag', 'add', `${PLAIN}@1.0.0`, 'bobs'], { userconfig: bobRc })
      await npmOk(['dist-tag', 'rm', PLAIN, 'bobs'], { userconfig: bobRc })

      const unknown = await npm(['owner', 'add', 'nobody-by-that-name', PLAIN])
      expect(unknown.code).not.toBe(0)
      expect(unknown.output).toMatch(/E404/)

      const removed = await npmOk(['owner', 'rm', 'bob', PLAIN])
      expect(removed.stdout).toContain(`- bob (${PLAIN})`)
      expect((await npmOk(['owner', 'ls', PLAIN])).stdout.trim()).toBe('alice <alice@example.com>')
      expect((await packument(PLAIN)).body.maintainers).toEqual([{ name: 'alice', email: 'alice@example.com' }])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'finds packages with `npm search`',
    async () => {
      const byDescription = await npmOk(['search', SEARCH_WORD], { userconfig: anonymousRc })
      expect(byDescription.stdout).toContain(PLAIN)
      expect(byDescription.stdout).not.toContain(SCOPED)

      const byName = JSON.parse((await npmOk(['search', '--json', 'gatehouse-e2e'], { userconfig: anonymousRc })).stdout) as { name: string; version: string }[]
      expect(byName.map((p) => p.name).sort()).toEqual([SCOPED, PLAIN].sort())
      expect(byName.find((p) => p.name === PLAIN)?.version).toBe('1.0.0')

      const nothing = await npmOk(['search', '--json', 'no-such-package-anywhere'], { userconfig: anonymousRc })
      expect(JSON.parse(nothing.stdout)).toEqual([])
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'refuses garbage tokens (E401) and publishes by non-owners (E403)',
    async () => {
      const who = await npm(['whoami'], { userconfig: garbageRc })
      expect(who.code).not.toBe(0)
      expect(who.output).toMatch(/E401/)
      expect(who.output).toMatch(/token is not valid/)

      const garbagePublish = await npm(['publish', '--access', 'public'], { cwd: fixture(SCOPED, '1.0.1', 'garbage'), userconfig: garbageRc })
      expect(garbagePublish.code).not.toBe(0)
      expect(garbagePublish.output).toMatch(/E401/)

      // bob was removed as an owner of the plain package and never owned the scoped one
      const notOwnerScoped = await npm(['publish', '--access', 'public'], { cwd: fixture(SCOPED, '1.0.2', 'not bob'), userconfig: bobRc })
      expect(notOwnerScoped.code).not.toBe(0)
      expect(notOwnerScoped.output).toMatch(/E403/)
      expect(notOwnerScoped.output).toMatch(/you do not have permission to change @gatehouse-e2e\/scoped/)

      const notOwnerPlain = await npm(['publish'], { cwd: fixture(PLAIN, '1.0.3', 'not bob', `an e2e ${SEARCH_WORD} fixture`), userconfig: bobRc })
      expect(notOwnerPlain.code).not.toBe(0)
      expect(notOwnerPlain.output).toMatch(/E403/)

      await r.settle()
      expect(await viewVersions(SCOPED)).toEqual(['1.0.0'])
      expect(await viewVersions(PLAIN)).toEqual(['1.0.0'])
      expect(await r.countRows('versions')).toBe(2)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'unpublishes one version of a package, and the number is never reusable',
    async () => {
      const second = await npmOk(['publish'], { cwd: fixture(PLAIN, '1.1.0', 'plain 1.1.0', `an e2e ${SEARCH_WORD} fixture`) })
      expect(second.stdout).toContain(`+ ${PLAIN}@1.1.0`)
      await waitUntilInstallable(PLAIN, '1.1.0')
      expect(await viewVersions(PLAIN)).toEqual(['1.0.0', '1.1.0'])

      const unpublished = await npmOk(['unpublish', `${PLAIN}@1.0.0`])
      expect(unpublished.stdout).toContain(`- ${PLAIN}@1.0.0`)

      expect(await viewVersions(PLAIN)).toEqual(['1.1.0'])
      const { body } = await packument(PLAIN)
      expect(Object.keys(body.versions)).toEqual(['1.1.0'])
      expect(body['dist-tags']).toEqual({ latest: '1.1.0' })
      expect((await fetch(`${r.url}${PLAIN}/-/${PLAIN}-1.0.0.tgz`)).status).toBe(404)
      expect((await fetch(`${r.url}${PLAIN}/-/${PLAIN}-1.1.0.tgz`)).status).toBe(200)

      // npm no longer sees 1.0.0, so only the registry stands between it and a second 1.0.0
      const again = await npm(['publish', '--force'], { cwd: fixture(PLAIN, '1.0.0', 'plain 1.0.0 reborn', `an e2e ${SEARCH_WORD} fixture`) })
      expect(again.code).not.toBe(0)
      expect(again.output).toMatch(/E403/)
      expect(again.output).toMatch(/version numbers are never reused/)

      // scoped: unpublishing the version `latest` points at moves `latest` back to the one left
      await npmOk(['publish', '--access', 'public'], { cwd: fixture(SCOPED, '1.1.0', { answer: 43 }) })
      await waitUntilInstallable(SCOPED, '1.1.0')
      expect((await packument(SCOPED)).body['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' })
      const scoped = await npmOk(['unpublish', `${SCOPED}@1.1.0`])
      expect(scoped.stdout).toContain(`- ${SCOPED}@1.1.0`)
      expect(await viewVersions(SCOPED)).toEqual(['1.0.0'])
      expect((await packument(SCOPED)).body['dist-tags']).toEqual({ latest: '1.0.0', stable: '1.0.0' })
      expect((await fetch(`${r.url}${SCOPED}/-/scoped-1.1.0.tgz`)).status).toBe(404)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'unpublishes whole packages only with --force',
    async () => {
      const refused = await npm(['unpublish', SCOPED])
      expect(refused.code).not.toBe(0)
      expect(refused.output).toMatch(/Refusing to delete entire project/)
      expect(await viewVersions(SCOPED)).toEqual(['1.0.0'])

      for (const name of [SCOPED, PLAIN]) {
        const removed = await npmOk(['unpublish', name, '--force'])
        expect(removed.stdout).toContain(`- ${name}`)
        const view = await npm(['view', name], { userconfig: anonymousRc })
        expect(view.code).not.toBe(0)
        expect(view.output).toMatch(/E404/)
        expect((await packument(name)).status).toBe(404)
      }
      const search = await npmOk(['search', '--json', 'gatehouse-e2e'], { userconfig: anonymousRc })
      expect(JSON.parse(search.stdout)).toEqual([])
    },
    TEST_TIMEOUT_MS,
  )
})
