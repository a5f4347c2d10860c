// A version held on what it did in the sandbox, seen in a real Chromium: the case shows the sandbox signal and the trace.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { buildConsole } from '../helpers/console-build.ts'
import { launchPage, signIn, type TestBrowser } from '../helpers/browser.ts'

const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url))
const PASSWORD = 'correct-horse-battery'

/** Looks its update host up from a table at install: nothing the static rules weigh much, plain to see when it runs. */
const PHONE_HOME = {
  files: {
    'index.js': 'module.exports = 1\n',
    'check.js': "const hosts = ['dXBkYXRlcy5leGFtcGxlLWNkbi5uZXQ='].map((h) => Buffer.from(h, 'base64').toString())\nrequire('dns').lookup(hosts[0], () => {})\n",
  },
  manifest: { scripts: { postinstall: 'node check.js' } },
}

describe('a sandbox finding in the console (sqlite)', () => {
  let r: ListeningRegistry
  let browser: TestBrowser
  let page: Page

  beforeAll(async () => {
    await buildConsole()
    mkdirSync(SHOTS, { recursive: true })
    r = await startListeningRegistry('sqlite', { config: { sandbox: 'always', sandboxStepSeconds: 10 } })
    await createUser(r.deps, { name: 'rita', email: 'rita@example.com', password: PASSWORD, role: 'reviewer' }, CLI())
    const owner = await r.user('owner')
    expect((await r.publish(owner, 'phone-home', '1.0.0', PHONE_HOME)).statusCode).toBe(201)
    await r.settle()
    ;({ browser, page } = await launchPage())
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await r?.close()
  })

  it('shows the held case with the sandbox signal and the trace of each persona', async () => {
    await page.goto(`${r.url}-/console/`)
    await signIn(page, 'rita', PASSWORD)
    await page.getByRole('table', { name: 'Cases' }).getByRole('link', { name: 'phone-home' }).click()
    const trace = page.getByRole('region', { name: 'Sandbox trace' })
    await trace.waitFor()
    const text = (await trace.innerText()).replace(/\s+/g, ' ')
    expect(text).toContain('developer, ci, production, windows')
    expect(text).toMatch(/ci postinstall → exit 0 in \d+ ms; load index\.js → exit 0/)
    expect(text).toContain('updates.example-cdn.net')
    const signals = (await page.getByRole('main').innerText()).replace(/\s+/g, ' ')
    expect(signals).toContain('sandbox-network')
    await page.screenshot({ path: `${SHOTS}sandbox-trace.png`, fullPage: true })
  })
})
