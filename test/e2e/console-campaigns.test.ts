// The console's campaign pages in a real Chromium: an owner appeals a look-alike finding and a reviewer grants it;
// a cluster of copies, one removed, shows its members and links to their cases.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../src/accounts/service.ts'
import { CLI, SYSTEM } from '../../src/accounts/types.ts'
import { fileVersionForReview } from '../../src/review/service.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { buildConsole } from '../helpers/console-build.ts'
import { launchPage, signIn as signInAs, type TestBrowser } from '../helpers/browser.ts'
import { campaignFiles } from '../helpers/campaign-fixtures.ts'

const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url))
const PASSWORD = 'correct-horse-battery'
const COPIES = ['hue-fast', 'hue-pro', 'hue-lite']

describe('campaign pages of the console in Chromium (sqlite)', () => {
  let r: ListeningRegistry
  let browser: TestBrowser
  let page: Page
  let consoleUrl: string

  beforeAll(async () => {
    await buildConsole()
    mkdirSync(SHOTS, { recursive: true })
    r = await startListeningRegistry('sqlite')
    consoleUrl = `${r.url}-/console/`
    await createUser(r.deps, { name: 'rita', email: 'rita@example.com', password: PASSWORD, role: 'reviewer' }, CLI())
    await createUser(r.deps, { name: 'olga', email: 'olga@example.com', password: PASSWORD }, CLI())
    const { createToken } = await import('../../src/accounts/service.ts')
    const olga = await r.deps.db.kysely.selectFrom('users').select('id').where('name', '=', 'olga').executeTakeFirstOrThrow()
    const olgaToken = (await createToken(r.deps, olga.id, { scope: 'publish' }, CLI())).secret
    expect((await r.publish(olgaToken, 'electorn', '1.0.0', { files: { 'index.js': 'module.exports = (args) => args.join(" ")\n' } })).statusCode).toBe(201)

    for (const name of COPIES) {
      const token = await r.user(`${name}-owner`)
      expect((await r.publish(token, name, '1.0.0', { files: campaignFiles(name), manifest: { scripts: { postinstall: 'node setup.js' } } })).statusCode).toBe(201)
    }
    await r.settle()
    // The desk removes the first copy (reported by a user), which holds the other two.
    const victim = await r.deps.db.kysely.selectFrom('versions').innerJoin('packages', 'packages.id', 'versions.package_id').select(['versions.id', 'packages.id as package_id']).where('packages.name', '=', COPIES[0]!).executeTakeFirstOrThrow()
    const theCase = await r.deps.db.kysely.transaction().execute((trx) => fileVersionForReview(trx, r.deps.db.dialect, { packageId: victim.package_id, versionId: victim.id, score: 0, source: 'report', actor: SYSTEM('test'), note: 'reported by a user' }))
    const rita = await r.deps.db.kysely.selectFrom('users').select('id').where('name', '=', 'rita').executeTakeFirstOrThrow()
    const ritaToken = (await createToken(r.deps, rita.id, { scope: 'publish' }, CLI())).secret
    const removed = await r.app.inject({ method: 'POST', url: `/-/api/v1/review/cases/${theCase.id}/remove`, headers: { authorization: `Bearer ${ritaToken}` }, payload: { reason: 'credential stealer confirmed by hand', versions: ['1.0.0'] } })
    expect(removed.statusCode, removed.body).toBeLessThan(300)

    ;({ browser, page } = await launchPage())
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await r?.close()
  })

  const signIn = (name: string) => signInAs(page, name, PASSWORD)

  it('lets the owner appeal a look-alike finding from My packages', async () => {
    await page.goto(consoleUrl)
    await signIn('olga')
    const panel = page.getByLabel('Findings for electorn')
    await panel.waitFor()
    expect(await panel.innerText()).toMatch(/electron/)
    await panel.getByRole('button', { name: 'Appeal…' }).click()
    const form = page.getByRole('form', { name: 'Appeal the finding on electorn' })
    await form.getByLabel('Why the name is legitimate').fill('an electron orchestration tool of our team, named years ago')
    await form.getByRole('button', { name: 'Send appeal' }).click()
    await page.getByRole('status').filter({ hasText: 'Your appeal for electorn was sent' }).waitFor()
    await panel.getByText(/Appeal filed/).waitFor()
    expect(await panel.innerText()).toMatch(/Appeal filed .*open/s)
    await page.getByRole('button', { name: 'Sign out' }).click()
  })

  it('lets a reviewer grant the appeal, which becomes an exception', async () => {
    await page.goto(consoleUrl)
    await signIn('rita')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Look-alike names' }).click()
    const appeals = page.getByRole('table', { name: 'Appeals' })
    await appeals.getByRole('cell', { name: 'an electron orchestration tool of our team, named years ago' }).waitFor()
    await page.getByRole('button', { name: 'Grant the appeal for electorn' }).click()
    const form = page.getByRole('form', { name: 'Grant the appeal for electorn' })
    await form.getByRole('textbox').fill('checked the project: an unrelated tool')
    await form.getByRole('button', { name: 'Grant appeal' }).click()
    await page.getByRole('status').filter({ hasText: 'Granted the appeal for electorn' }).waitFor()
    await page.getByRole('table', { name: 'Exceptions' }).getByRole('cell', { name: 'electorn', exact: true }).waitFor()
    expect((await appeals.innerText()).replace(/\s+/g, ' ')).toMatch(/granted by rita/)
    await page.screenshot({ path: `${SHOTS}look-alike-names.png`, fullPage: true })
  })

  it('shows the cluster with one member removed and the rest held, and links members to their cases', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clusters' }).click()
    const table = page.getByRole('table', { name: 'Clusters' })
    await table.getByRole('row').nth(1).waitFor()
    const rows = await table.getByRole('row').allInnerTexts()
    expect(rows).toHaveLength(2)
    // Cluster, packages, published, held, removed
    expect(rows[1]!.split('\t').slice(1, 5).map((c) => c.trim())).toEqual(['3', '0', '2', '1'])
    await table.getByRole('button', { name: /Show the members of cluster/ }).click()
    const members = page.getByRole('table', { name: /Members of cluster/ })
    await members.getByRole('row').nth(3).waitFor()
    const text = (await members.innerText()).replace(/\s+/g, ' ')
    for (const name of COPIES) expect(text).toContain(name)
    expect(text).toMatch(/hue-fast npm 1\.0\.0 removed hue-fast-owner/)
    await page.screenshot({ path: `${SHOTS}clusters.png`, fullPage: true })
    const held = members.getByRole('row').filter({ hasText: 'hue-pro' })
    await held.getByRole('link').click()
    await page.getByRole('heading', { name: /hue-pro/ }).first().waitFor()
  })
})
