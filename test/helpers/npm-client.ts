// Drives the machine's real npm against a test registry, in a throwaway home with its own config and cache.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface NpmResult {
  readonly code: number
  readonly out: string
}

export interface NpmWorkspace {
  readonly root: string
  /** Runs npm in `cwd` as the publisher whose token the workspace was made with. */
  npm(args: string[], cwd: string): Promise<NpmResult>
  /** Writes a package folder (package.json, index.js and the given files) and returns its path. */
  fixture(dir: string, name: string, version: string, files: Record<string, string>, scripts?: Record<string, string>): string
  /** A fresh project folder, so one install cannot mask or cause another. */
  project(): string
  cleanup(): void
}

export function npmWorkspace(registryUrl: string, token: string, label: string): NpmWorkspace {
  const root = mkdtempSync(join(tmpdir(), `gatehouse-e2e-${label}-`))
  mkdirSync(join(root, 'home'))
  writeFileSync(join(root, 'global-npmrc'), '')
  const userconfig = join(root, 'npmrc')
  writeFileSync(userconfig, `registry=${registryUrl}\n${registryUrl.replace(/^http:/, '')}:_authToken=${token}\n`)
  let projects = 0
  return {
    root,
    npm(args, cwd) {
      const env: NodeJS.ProcessEnv = {}
      for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && !k.startsWith('VITEST')) env[k] = v
      Object.assign(env, { HOME: join(root, 'home'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' })
      const full = [...args, '--userconfig', userconfig, '--globalconfig', join(root, 'global-npmrc'), '--cache', join(root, 'cache'), '--registry', registryUrl]
      return new Promise((resolve) => {
        execFile('npm', full, { cwd, env, timeout: 90_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })
        })
      })
    },
    fixture(dir, name, version, files, scripts = {}) {
      const path = join(root, dir)
      mkdirSync(path, { recursive: true })
      writeFileSync(join(path, 'package.json'), JSON.stringify({ name, version, main: 'index.js', license: 'MIT', scripts }))
      writeFileSync(join(path, 'index.js'), `module.exports = ${JSON.stringify(`${name}@${version}`)}\n`)
      for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), content)
      return path
    },
    project() {
      const dir = join(root, `project-${++projects}`)
      mkdirSync(dir)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `project-${projects}`, version: '1.0.0', private: true }))
      return dir
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true })
    },
  }
}
