// The name check: documented real squats are found with the technique that made them; distinct popular names are not.
import { describe, expect, it } from 'vitest'
import { bundledIndex, PopularIndex } from '../../src/scanning/names/popular-index.ts'
import { findSquats, squatSignal, STRONG_SQUAT } from '../../src/scanning/names/typosquat.ts'
import { nameSignals } from '../../src/scanning/names/name-signals.ts'
import type { EcosystemId } from '../../src/core/ecosystem.ts'

const best = (ecosystem: EcosystemId, name: string) => findSquats(ecosystem, name)[0]

describe('typosquat check on the bundled rankings', () => {
  // Squats reported in the wild (npm 2017 crossenv campaign, electorn 2018, PyPI 2017–2023 reports, the rest-client look-alike).
  it.each([
    ['npm', 'crossenv', 'cross-env', 'separator'],
    ['npm', 'electorn', 'electron', 'transposition'],
    ['npm', 'lodahs', 'lodash', 'transposition'],
    ['npm', 'mongose', 'mongoose', 'omission'],
    ['npm', 'babelcli', 'babel-cli', 'separator'],
    ['pypi', 'reqeusts', 'requests', 'transposition'],
    ['pypi', 'requessts', 'requests', 'repetition'],
    ['pypi', 'fequests', 'requests', 'keyboard'],
    ['rubygems', 'rest_client', 'rest-client', 'separator'],
  ] as const)('%s %s imitates %s (%s)', (ecosystem, name, target, technique) => {
    const match = best(ecosystem, name)
    expect(match).toMatchObject({ target, technique })
    expect(match!.strength).toBeGreaterThanOrEqual(STRONG_SQUAT)
    expect(match!.explanation).toContain(target)
  })

  it('finds weaker resemblances as evidence, below the review strength', () => {
    for (const [ecosystem, name, target] of [
      ['pypi', 'python3-dateutil', 'python-dateutil'],
      ['pypi', 'colourama', 'colorama'],
      ['pypi', 'djanga', 'django'],
      ['npm', 'discord.js-selfbot', 'discord.js'],
      ['npm', 'lodash-utils', 'lodash'],
      ['pypi', 'matplatlib-plus', 'matplotlib'],
      ['pypi', 'httpxfaster', 'httpx'],
    ] as const) {
      const match = findSquats(ecosystem, name).find((m) => m.target === target)
      expect(match, `${name} → ${target}`).toBeDefined()
      expect(match!.strength).toBeGreaterThan(0.3)
    }
  })

  it('reads look-alike letters from other scripts as the Latin ones they imitate', () => {
    const cyrillic = 're\u0430ct' // Cyrillic а
    expect(best('npm', cyrillic)).toMatchObject({ target: 'react', technique: 'homoglyph' })
    expect(best('npm', 'r\u00e9act')).toMatchObject({ target: 'react', technique: 'homoglyph' }) // é
  })

  it('sees scope confusion and reordered words', () => {
    const index = new PopularIndex('npm', [
      { name: '@acme/build-tools', rank: 1 },
      { name: 'url-parser-fast', rank: 2 },
    ])
    expect(findSquats('npm', 'acme-build-tools', index)[0]).toMatchObject({ target: '@acme/build-tools', technique: 'scope' })
    expect(findSquats('npm', 'fast-url-parser', index)[0]).toMatchObject({ target: 'url-parser-fast', technique: 'reorder' })
  })

  it('leaves popular names, version siblings, very short names and unrelated names alone', () => {
    expect(findSquats('npm', 'react')).toEqual([]) // it is the popular package
    expect(findSquats('npm', 'preact')).toEqual([])
    expect(best('pypi', 'psycopg3')).toBeUndefined() // psycopg2's sibling, not a typo
    expect(findSquats('npm', 'gatehouse-registry-client')).toEqual([])
    // one edit from a three-letter name is everywhere
    expect(findSquats('npm', 'ms2').filter((m) => m.strength >= STRONG_SQUAT)).toEqual([])
  })

  it('holds separator-only variants of the most-installed names, and keeps them as weaker evidence further down', () => {
    const index = bundledIndex('npm')
    const rank = (name: string) => index.entries().find((e) => e.name === name)?.rank ?? Infinity
    expect(rank('cross-env')).toBeLessThanOrEqual(500)
    expect(best('npm', 'crossenv')).toMatchObject({ target: 'cross-env', technique: 'separator' })
    expect(best('npm', 'crossenv')!.strength).toBeGreaterThanOrEqual(STRONG_SQUAT)
    // dateformat is popular but far below the top 500: date-format is a spelling convention, not a lure by itself
    expect(rank('dateformat')).toBeGreaterThan(500)
    const dateFormat = findSquats('npm', 'date-format', index, { asNew: true }).find((m) => m.target === 'dateformat')
    expect(dateFormat).toMatchObject({ technique: 'separator' })
    expect(dateFormat!.strength).toBeLessThan(STRONG_SQUAT)
    expect(dateFormat!.strength).toBeGreaterThanOrEqual(0.5)
  })

  it('judges an edit in the word it falls in: short words, plurals, added letters at an end and digits are other names', () => {
    const asNew = (ecosystem: 'npm' | 'pypi', name: string, target: string) => findSquats(ecosystem, name, bundledIndex(ecosystem), { asNew: true }).find((m) => m.target === target)
    // both are popular, so each judged as new shows what a look-alike gets
    expect(asNew('npm', '@types/ws', '@types/qs')?.strength ?? 0).toBeLessThan(STRONG_SQUAT) // one letter of a two-letter word
    expect(asNew('npm', 'progress', 'nprogress')!.strength).toBeLessThan(STRONG_SQUAT) // nprogress was named after progress
    expect(asNew('npm', 'http-proxy-agent', 'https-proxy-agent')!.strength).toBeLessThan(STRONG_SQUAT)
    expect(asNew('pypi', 'html-text', 'html2text')!.strength).toBeLessThan(STRONG_SQUAT) // a digit
    expect(asNew('pypi', 'mypy-boto3-rds', 'mypy-boto3-drs')?.strength ?? 0).toBeLessThan(STRONG_SQUAT)
    // slips inside a long word still hold, in one-word and many-word names
    expect(best('pypi', 'typing-extnesions')).toMatchObject({ target: 'typing-extensions', technique: 'transposition' })
    expect(best('pypi', 'typing-extnesions')!.strength).toBeGreaterThanOrEqual(STRONG_SQUAT)
    expect(best('pypi', 's3tranfer')!.strength).toBeGreaterThanOrEqual(STRONG_SQUAT)
    expect(best('npm', 'mongose')!.strength).toBeGreaterThanOrEqual(STRONG_SQUAT)
  })

  it('honours exceptions and owner exemptions', () => {
    expect(findSquats('npm', 'crossenv', bundledIndex('npm'), { excepted: new Set(['cross-env']) }).map((m) => m.target)).not.toContain('cross-env')
    expect(findSquats('npm', 'crossenv', bundledIndex('npm'), { excepted: new Set(['*']) })).toEqual([])
    expect(findSquats('npm', 'crossenv', bundledIndex('npm'), { exempt: (t) => t === 'cross-env' }).map((m) => m.target)).not.toContain('cross-env')
  })

  it('turns a strong match into a review-level context signal and weak ones into nothing', () => {
    const [signal] = nameSignals('npm', 'crossenv')
    expect(signal).toMatchObject({ rule: 'typosquat', weight: 50, context: true })
    expect(signal!.message).toMatch(/crossenv is cross-env with separators or case changed \(#\d+ by downloads; separator/)
    expect(nameSignals('npm', 'gatehouse-registry-client')).toEqual([])
    expect(squatSignal({ name: 'x', target: 'y', rank: 1, technique: 'combosquat', strength: 0.4, explanation: 'x is y with words added' }).weight).toBe(16)
  })
})
