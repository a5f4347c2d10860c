// The history diff on gems, on both dialects: reconstructed rest-client, strong_password and bootstrap-sass
// takeovers (same account, new address) are stopped, and the new load-time behaviour is named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from '../helpers/databases.ts'
import { gemOf, gemspecYaml } from '../helpers/gems.ts'
import { startTestRegistry, type ScanSignal, type TestRegistry } from '../helpers/registry.ts'
import { BOOTSTRAP_SASS, REST_CLIENT, STRONG_PASSWORD, type GemStep } from '../helpers/takeover-fixtures.ts'

describe.each(DIALECTS)('history diff of gems (%s)', (dialect) => {
  let r: TestRegistry

  beforeAll(async () => {
    r = await startTestRegistry(dialect)
  })
  afterAll(() => r.close())

  /** Gem pushes go through the same publish service as npm's; the wire protocol comes with the RubyGems routes. */
  async function push(user: string, step: GemStep, ip: string): Promise<{ state: string; signals: ScanSignal[] }> {
    const bytes = await gemOf({ metadata: gemspecYaml(step.name, step.version, { files: Object.keys(step.files) }), files: step.files })
    return r.publishArchive(user, 'rubygems', { name: step.name, version: step.version, bytes, filename: `${step.name}-${step.version}.gem` }, ip)
  }

  it.each([
    ['rest-client 1.6.13', REST_CLIENT, /network when loaded via Net::HTTP|network-response → dynamic-code when loaded/],
    ['strong_password 0.0.7', STRONG_PASSWORD, /network-response → dynamic-code when loaded|dynamic-code when loaded/],
    ['bootstrap-sass 3.2.0.3', BOOTSTRAP_SASS, /decode → dynamic-code when loaded|dynamic-code when loaded/],
  ] as const)('stops %s and explains what is new', async (_label, steps, expected) => {
    const owner = `owner-${steps[0]!.name}`
    await r.user(owner)
    const before = await push(owner, steps[0]!, '198.51.100.20')
    expect(before.state).toBe('published')
    // The compromised release comes from the same account, from an address never seen before.
    const after = await push(owner, steps[1]!, '203.0.113.99')
    expect(after.state).not.toBe('published')
    const history = after.signals.filter((s) => s.rule.startsWith('history-') && s.weight > 0)
    expect(history.map((s) => s.message).join('\n')).toMatch(expected)
    expect(history.map((s) => s.rule)).toContain('history-takeover-pattern')
  })
})
