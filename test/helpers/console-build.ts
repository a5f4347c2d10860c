// Builds the security console (web/ → web/dist) through Vite's API, for tests that drive it in a browser.
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export const CONSOLE_CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url))

/** Always rebuilds, so a browser test never runs against a stale bundle (a build takes about a second). */
export async function buildConsole(): Promise<void> {
  await build({ configFile: CONSOLE_CONFIG, logLevel: 'warn' })
}
