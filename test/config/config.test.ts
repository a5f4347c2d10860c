// Configuration: defaults, environment, optional JSON file, and every invalid value reported at once.
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError, loadConfig, parseBytes } from '../../src/config/config.ts'

describe('configuration', () => {
  it('defaults to the embedded deployment', () => {
    const config = loadConfig({})
    expect(config.port).toBe(4873)
    expect(config.publicUrl).toBe('http://localhost:4873/')
    expect(config.database).toEqual({ kind: 'sqlite', path: resolve('data/gatehouse.db') })
    expect(config.worker).toBe(true)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads GATEHOUSE_* variables and DATABASE_URL', () => {
    const config = loadConfig({
      GATEHOUSE_PORT: '8080',
      GATEHOUSE_HOST: '0.0.0.0',
      GATEHOUSE_PUBLIC_URL: 'https://registry.example.com',
      GATEHOUSE_MAX_BODY_BYTES: '10mb',
      GATEHOUSE_WORKER: 'false',
      DATABASE_URL: 'postgres://db.internal/gatehouse',
    })
    expect(config.port).toBe(8080)
    expect(config.publicUrl).toBe('https://registry.example.com/')
    expect(config.maxBodyBytes).toBe(10 * 1024 * 1024)
    expect(config.worker).toBe(false)
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://db.internal/gatehouse' })
  })

  it('reports every invalid value together, naming the variable', () => {
    try {
      loadConfig({ GATEHOUSE_PORT: 'eighty', GATEHOUSE_PUBLIC_URL: 'ftp://x', GATEHOUSE_MAX_BODY_BYTES: 'lots', GATEHOUSE_LOG_LEVEL: 'loud' })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const problems = (err as ConfigError).problems.join('\n')
      for (const name of ['GATEHOUSE_PORT', 'GATEHOUSE_PUBLIC_URL', 'GATEHOUSE_MAX_BODY_BYTES', 'GATEHOUSE_LOG_LEVEL']) {
        expect(problems).toContain(name)
      }
      expect((err as ConfigError).problems).toHaveLength(4)
    }
  })

  it('reads an optional JSON file, overridden by the environment, and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'))
    const file = join(dir, 'gatehouse.json')
    writeFileSync(file, JSON.stringify({ port: 5000, unpublishWindowHours: 24 }))
    const config = loadConfig({ GATEHOUSE_CONFIG: file, GATEHOUSE_PORT: '6000' })
    expect(config.port).toBe(6000)
    expect(config.unpublishWindowHours).toBe(24)
    writeFileSync(file, JSON.stringify({ prot: 1 }))
    expect(() => loadConfig({ GATEHOUSE_CONFIG: file })).toThrow(/unknown setting "prot"/)
  })

  it('parses sizes', () => {
    expect(parseBytes('512')).toBe(512)
    expect(parseBytes('2kb')).toBe(2048)
    expect(parseBytes('1.5 MB')).toBe(1.5 * 1024 * 1024)
    expect(parseBytes('1g')).toBe(1024 ** 3)
    expect(parseBytes('-1')).toBeUndefined()
    expect(parseBytes('ten')).toBeUndefined()
  })
})
