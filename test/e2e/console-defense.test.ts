// The console's defense pages in a real Chromium: flip a switch live, see the banner, block a range, read alerts, work an incident.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { buildConsole } from '../helpers/console-build.ts'
import { launchPage, signIn as signInAs, type TestBrowser } from '../helpers/browser.ts'
import { BENIGN } from '../helpers/gate-fixtures.ts'

const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url))
const PASSWORD = 'correct-horse-battery'

describe('the console defense pages in Chromium (sqlite)', () => {
  let r: ListeningRegistry
  let browser: TestBrowser
  let page: Page
  let publisher: string

  beforeAll(async () => {
    await buildConsole()
    mkdirSync(SHOTS, { recursive: true })
    r = await startListeningRegistry('sqlite', { config: { switchCacheMs: 0 } })
    publisher = await r.user('mallory')
    await createUser(r.deps, { name: 'victor', email: 'victor@example.com', password: PASSWORD, role: 'admin' }, CLI())
    for (const name of ['burst-a', 'burst-b']) expect((await r.publish(publisher, name, '1.0.0', BENIGN)).statusCode).toBe(201)
    await r.settle()
    await r.deps.defense.alerts.raise({ rule: 'account-burst', key: 'user:mallory', severity: 'critical', summary: 'one account uploaded 11 versions in the last minute', details: { account: 'mallory' } })
    ;({ browser, page } = await launchPage())
    await page.goto(`${r.url}-/console/`)
    await signInAs(page, 'victor', PASSWORD)
    await page.getByRole('link', { name: 'Defense' }).click()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await r?.close()
  })

  it('turns uploads off live, refusing a publish, and back on; the flip is in the audit log', async () => {
    await page.getByRole('button', { name: 'Turn on uploads-closed' }).click()
    const form = page.getByRole('form', { name: 'Turn on uploads-closed' })
    await form.getByLabel('Reason').fill('mass upload in progress, pausing uploads')
    await form.getByRole('button', { name: 'Turn on' }).click()
    await expect.poll(async () => (await page.getByRole('status').first().innerText())).toMatch(/uploads-closed is now on/)
    const refused = await r.publish(publisher, 'burst-c', '1.0.0', BENIGN)
    expect(refused.statusCode).toBe(403)
    await page.screenshot({ path: `${SHOTS}defense.png`, fullPage: true })
    await page.getByRole('button', { name: 'Turn off uploads-closed' }).click()
    const off = page.getByRole('form', { name: 'Turn off uploads-closed' })
    await off.getByLabel('Reason').fill('attack contained, uploads open again')
    await off.getByRole('button', { name: 'Turn off' }).click()
    await expect.poll(async () => (await r.publish(publisher, 'burst-c', '1.0.0', BENIGN)).statusCode).toBe(201)
    await page.getByRole('link', { name: 'Audit log' }).click()
    await expect.poll(async () => page.getByRole('main').innerText()).toMatch(/switch\.off[\s\S]*switch\.on/)
  })

  it('shows the banner on every page, linking to the status page', async () => {
    await page.getByRole('link', { name: 'Defense' }).click()
    await page.getByRole('button', { name: 'Turn on banner' }).click()
    const form = page.getByRole('form', { name: 'Turn on banner' })
    await form.getByLabel('Banner text').fill('Uploads are slow while we investigate')
    await form.getByLabel('Reason').fill('tell users about the investigation')
    await form.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('link', { name: 'Queue' }).click()
    const banner = page.getByLabel('Registry banner')
    await expect.poll(async () => banner.innerText()).toMatch(/Uploads are slow while we investigate/)
    expect(await banner.getByRole('link', { name: 'status page' }).getAttribute('href')).toBe('/-/status')
  })

  it('adds and lifts an IP block', async () => {
    await page.getByRole('link', { name: 'Defense' }).click()
    const form = page.getByRole('form', { name: 'Block an address range' })
    await form.getByLabel('Address or range').fill('2001:db8::/32')
    await form.getByLabel('Reason').fill('signups from an abusive hosting range')
    await form.getByRole('button', { name: 'Add block' }).click()
    const table = page.getByRole('table', { name: 'IP blocks' })
    await expect.poll(async () => table.innerText()).toMatch(/2001:db8::\/32/)
    await page.getByRole('button', { name: 'Lift the block on 2001:db8::/32' }).click()
    const lift = page.getByRole('form', { name: 'Lift the block on 2001:db8::/32' })
    await lift.getByLabel('Reason').fill('the range belongs to a partner')
    await lift.getByRole('button', { name: 'Lift block' }).click()
    await expect.poll(async () => table.innerText()).toMatch(/No IP blocks/)
  })

  it('lists alerts with their deliveries', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click()
    const table = page.getByRole('table', { name: 'Alerts' })
    await expect.poll(async () => table.innerText()).toMatch(/account-burst[\s\S]*one account uploaded 11 versions[\s\S]*log: sent/)
    await page.screenshot({ path: `${SHOTS}alerts.png`, fullPage: true })
  })

  it('opens an incident, finds the window and quarantines it', async () => {
    await page.getByRole('link', { name: 'Incidents' }).click()
    const open = page.getByRole('form', { name: 'Open an incident' })
    await open.getByLabel('Title').fill('Burst from one account')
    await open.getByLabel('First update (public on the status page)').fill('looking into a burst of uploads')
    await open.getByRole('button', { name: 'Open incident' }).click()
    const panel = page.getByRole('region', { name: /Incident \d+: Burst from one account/ })
    const window = panel.getByRole('form', { name: 'Attack window' })
    await window.getByLabel('Accounts').fill('mallory')
    await window.getByRole('button', { name: 'Save window' }).click()
    const versions = page.getByRole('table', { name: 'Versions in the attack window' })
    await expect.poll(async () => versions.innerText()).toMatch(/burst-a@1\.0\.0[\s\S]*burst-b@1\.0\.0[\s\S]*burst-c@1\.0\.0/)
    const quarantine = page.getByRole('form', { name: 'Quarantine the window of Burst from one account' })
    await quarantine.getByLabel('Reason').fill('hold the burst for review')
    await quarantine.getByRole('button', { name: 'Quarantine' }).click()
    await expect.poll(async () => page.getByRole('table', { name: 'Versions in the attack window' }).innerText()).not.toMatch(/published/)
    await page.screenshot({ path: `${SHOTS}incident.png`, fullPage: true })
    const states = await r.deps.db.kysely.selectFrom('versions').select('state').execute()
    expect(states.map((s) => s.state)).toEqual(['held', 'held', 'held'])
  })
})
