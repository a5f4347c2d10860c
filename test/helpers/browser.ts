// Launches the machine's Chromium (Debian's /usr/bin/chromium) through playwright-core; never downloads a browser.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const CHROMIUM = process.env.GATEHOUSE_TEST_CHROMIUM ?? '/usr/bin/chromium'

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface TestBrowser {
  readonly context: BrowserContext
  close(): Promise<void>
}

/** A headless Chromium with a fresh profile. A missing browser is a failure with instructions, never a skip. */
export async function launchBrowser(): Promise<TestBrowser> {
  try {
    accessSync(CHROMIUM, constants.X_OK)
  } catch {
    throw new Error(`Chromium is not executable at ${CHROMIUM}: the console's browser tests need it. Install it with \`apt-get install -y chromium\` (.ci/run does), or point GATEHOUSE_TEST_CHROMIUM at a Chromium binary.`)
  }
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } })
  } catch (err) {
    rmSync(profile, { recursive: true, force: true })
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${(err as Error).message}`)
  }
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** A browser with one page, waiting up to 15 s for what a test expects to appear. */
export async function launchPage(): Promise<{ browser: TestBrowser; page: Page }> {
  const browser = await launchBrowser()
  browser.context.setDefaultTimeout(15_000)
  return { browser, page: await browser.context.newPage() }
}

/** Signs in on the console's login form (the page must show it). */
export async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(name)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}
