// Builds the security console (web/src) into web/dist, served by Gatehouse under /-/console/.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export const consoleRoot = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root: consoleRoot,
  base: '/-/console/',
  // Preact's automatic JSX runtime; no framework preset needed for a small SPA.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The console is served by the registry itself; no dev-server proxying or public dir.
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: reviewers may run the console on an air-gapped network, nothing is fetched from elsewhere.
    assetsInlineLimit: 0,
  },
})
