// The console's Intelligence page in a real Chromium: a reviewer starts a rescan with a reason and watches it finish;
// reporters are listed with their accuracy.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, setRole } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { buildConsole } from '../helpers/console-build.ts'
import { launchPage, signIn as signInAs, type TestBrowser } from '../helpers/browser.ts'

const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url))
const PASSWORD = 'correct-horse-battery'

describe('the Intelligence page of the console in Chromium (sqlite)', () => {
  let r: ListeningRegistry
  let browser: TestBrowser
  let page: Page

  beforeAll(async () => {
    await buildConsole()
    mkdirSync(SHOTS, { recursive: true })
    r = await startListeningRegistry('sqlite', { config: { rescanPauseMs: 0 } })
    await createUser(r.deps, { name: 'rita', email: 'rita@example.com', password: PASSWORD, role: 'reviewer' }, CLI())
    const owner = await r.user('owner')
    for (let i = 0; i < 6; i++) expect((await r.publish(owner, `intel-lib-${i}`, '1.0.0', { files: { 'index.js': `module.exports = ${i}\n` } })).statusCode).toBe(201)
    await r.settle()
    // The scans were made by older rules, as after an upgrade.
    await r.deps.db.kysely.updateTable('scans').set({ ruleset_version: 'older-rules' }).execute()
    const tina = await r.user('tina')
    await setRole(r.deps, 'tina', 'reporter', CLI())
    const obs = await r.app.inject({ method: 'POST', url: '/-/api/v1/intel/observations', headers: { authorization: `Bearer ${tina}` }, payload: { package: 'intel-lib-3', version: '1.0.0', evidence: 'index.js phones home when required' } })
    expect(obs.statusCode, obs.body).toBe(201)

    ;({ browser, page } = await launchPage())
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await r?.close()
  })

  it('starts a rescan with a reason and shows it run to completion', async () => {
    await page.goto(`${r.url}-/console/`)
    await signInAs(page, 'rita', PASSWORD)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Intelligence' }).click()
    await page.getByRole('table', { name: 'Rescans' }).getByText('No rescans yet.').waitFor()
    await page.getByRole('button', { name: 'Start a rescan…' }).click()
    const form = page.getByRole('form', { name: 'Start a rescan' })
    await form.getByRole('textbox').fill('rules upgraded this morning')
    await form.getByRole('button', { name: 'Start rescan' }).click()
    await page.getByRole('status').filter({ hasText: /Rescan 1 is running over 6 versions/ }).waitFor()
    // The page refreshes itself while the run is going.
    const row = page.getByRole('table', { name: 'Rescans' }).getByRole('row').filter({ hasText: '#1' })
    await row.getByText('6 / 6 (100%)').waitFor()
    await row.getByText('done').waitFor()
    expect(await row.innerText()).toContain('rules upgraded this morning')
    expect(await row.innerText()).toContain('by rita')
  })

  it('lists reporters with their reports and accuracy', async () => {
    const row = page.getByRole('table', { name: 'Reporters' }).getByRole('row').filter({ hasText: 'tina' })
    const cells = (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim())
    expect(cells).toEqual(['tina trusted', '1', '0', '0', '1', '—'])
    await page.screenshot({ path: `${SHOTS}intelligence.png`, fullPage: true })
  })
})
