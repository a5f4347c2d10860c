// `gatehouse drill`: on a default install from the command line, and with every alert channel configured (webhook, real SMTP).
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drillCommand } from '../../src/cli/commands/drill.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const BIN = join(import.meta.dirname, '../../bin/gatehouse.js')

describe('gatehouse drill', () => {
  it('passes on a default install and leaves no canary behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-drill-'))
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_DATA_DIR: dir, GATEHOUSE_LOG_LEVEL: "silent" }
      delete env.DATABASE_URL
      const run = (args: string[]) =>
        new Promise<{ code: number; out: string }>((resolve) =>
          execFile(process.execPath, [BIN, ...args], { env, cwd: dir, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr })),
        )
      const drill = await run(['drill'])
      expect(drill.code, drill.out).toBe(0)
      expect(drill.out).toMatch(/ok\s+gate\s+the gate held the canary/)
      expect(drill.out).toMatch(/ok\s+alert via log/)
      expect(drill.out).toMatch(/ok\s+review case/)
      expect(drill.out).toMatch(/drill passed/)
      const audit = await run(['audit', 'verify'])
      expect(audit.out).toMatch(/audit log intact/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 150_000)

  describe('with a webhook and email configured', () => {
    let r: TestRegistry
    let hook: Server
    let smtp: SMTPServer
    const mails: string[] = []
    const posts: string[] = []

    beforeAll(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, _session, done) {
          let text = ''
          stream.on('data', (c: Buffer) => (text += c.toString()))
          stream.on('end', () => {
            mails.push(text)
            done()
          })
        },
      })
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
      hook = createServer((req, res) => {
        let body = ''
        req.on('data', (c: Buffer) => (body += c.toString()))
        req.on('end', () => {
          posts.push(body)
          res.end()
        })
      })
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()))
      const smtpPort = (smtp.server.address() as AddressInfo).port
      r = await startTestRegistry('sqlite', {
        config: {
          alertWebhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
          smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
          alertEmailTo: 'security@example.com',
        },
        worker: false,
      })
    }, 60_000)

    afterAll(async () => {
      await r?.close()
      await new Promise<void>((resolve) => hook.close(() => resolve()))
      await new Promise<void>((resolve) => smtp.close(() => resolve()))
    })

    it('checks that the alert reached every channel, then removes the canary', async () => {
      const steps = await drillCommand(r.deps, { timeoutSeconds: 60, keep: false })
      expect(steps.map((s) => [s.step, s.ok]), JSON.stringify(steps)).toEqual([
        ['upload', true],
        ['gate', true],
        ['alert via log', true],
        ['alert via webhook', true],
        ['alert via email', true],
        ['review case', true],
      ])
      expect(posts.some((p) => (JSON.parse(p) as { rule: string }).rule === 'drill')).toBe(true)
      // Long headers are folded onto continuation lines; unfold before matching.
      const unfolded = mails.map((m) => m.replace(/\r?\n[ \t]+/g, ' '))
      expect(unfolded.some((m) => /Subject: \[gatehouse info\] drill: canary gatehouse-drill-/.test(m) && /To: security@example.com/.test(m)), unfolded.join('\n---\n')).toBe(true)
      expect(await r.countRows('packages')).toBe(0)
      expect(await r.countBlobs()).toBe(0)
    }, 90_000)
  })
})
