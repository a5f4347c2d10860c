// Typosquatting: does a new name imitate a popular one? Weighted evidence with the technique named, never a refusal on its own.
import type { EcosystemId } from '../../core/ecosystem.ts'
import type { SignalRecord } from '../engine.ts'
import { severityOf } from '../engine.ts'
import { canonicalName, deletions, foldLookalikes, identityOf, keyboardAdjacent, lookalikeKey, tokensOf } from './name-forms.ts'
import { bundledIndex, type IndexedName, type PopularIndex } from './popular-index.ts'

export type SquatTechnique =
  | 'homoglyph'
  | 'separator'
  | 'scope'
  | 'omission'
  | 'repetition'
  | 'insertion'
  | 'transposition'
  | 'keyboard'
  | 'substitution'
  | 'reorder'
  | 'combosquat'

export interface SquatMatch {
  readonly name: string
  readonly target: string
  readonly rank: number
  readonly technique: SquatTechnique
  /** 0..1: how sure the resemblance is deliberate, from the technique, the name's length and the target's popularity. */
  readonly strength: number
  readonly explanation: string
}

export interface SquatOptions {
  /** Targets this name may resemble (an admin's exceptions); '*' accepts every target. */
  readonly excepted?: ReadonlySet<string>
  /** True for targets the uploader may imitate (packages the same owners publish). */
  readonly exempt?: (target: string) => boolean
  /** Judge the name as if it were new even when the index lists it (the false-positive benchmark's leave-one-out). */
  readonly asNew?: boolean
}

/** From here a match is strong: it brings a new package to review on its own. */
export const STRONG_SQUAT = 0.7

/** How deliberate each technique looks before length and popularity are weighed. */
const BASE: Record<SquatTechnique, number> = {
  homoglyph: 0.95,
  separator: 0.9,
  // the ecosystem moved many packages into scopes (babel-core → @babel/core): evidence, not a hold on its own
  scope: 0.65,
  transposition: 0.85,
  repetition: 0.85,
  omission: 0.8,
  keyboard: 0.75,
  insertion: 0.65,
  substitution: 0.6,
  reorder: 0.6,
  combosquat: 0.25,
}

/** Words squatters attach to a popular name; a popular name plus one of these is a stronger combosquat. */
const SQUAT_AFFIXES = new Set([
  'js', 'node', 'nodejs', 'npm', 'py', 'python', 'python3', 'lib', 'libs', 'util', 'utils', 'helper', 'helpers', 'tool', 'tools', 'dev', 'sdk', 'api',
  'core', 'pro', 'plus', 'extra', 'extended', 'fix', 'fixed', 'patch', 'patched', 'new', 'latest', 'official', 'secure', 'safe', 'fast', 'faster', 'lite',
  'cli', 'client', 'wrapper', 'selfbot', 'bot', 'v2', 'v3', '2', '3', 'x', 'next', 'updated', 'update', 'free', 'crack', 'hack',
])

const WORDS: Record<SquatTechnique, (target: string) => string> = {
  homoglyph: (t) => `spells ${t} with look-alike characters`,
  separator: (t) => `is ${t} with separators or case changed`,
  scope: (t) => `moves ${t} into or out of a scope`,
  omission: (t) => `is ${t} with a character left out`,
  repetition: (t) => `is ${t} with a character doubled`,
  insertion: (t) => `is ${t} with a character added`,
  transposition: (t) => `is ${t} with two characters swapped`,
  keyboard: (t) => `is ${t} with a neighbouring key or another vowel typed`,
  substitution: (t) => `is ${t} with one character changed`,
  reorder: (t) => `is ${t} with its words reordered`,
  combosquat: (t) => `is ${t} with words added`,
}

function lengthFactor(key: string): number {
  // short names have many one-edit neighbours, most of them legitimate
  if (key.length <= 3) return 0
  if (key.length === 4) return 0.5
  if (key.length === 5) return 0.7
  if (key.length === 6) return 0.85
  return 1
}

/** How much an edit inside one word of a many-word name counts, by that word's length. */
function wordFactor(word: string): number {
  return word.length <= 3 ? 0 : word.length === 4 ? 0.5 : word.length === 5 ? 0.85 : 1
}

/** Below this rank a separator-only difference is evidence, not a hold on its own. */
const CONVENTION_RANK = 500

function popularityFactor(rank: number): number {
  return rank <= 1000 ? 1 : rank <= 3000 ? 0.95 : 0.9
}

/** Look-alike letters, separators and scopes are deliberate whatever the length; edits of short names often are not. */
const LENGTH_FREE: ReadonlySet<SquatTechnique> = new Set(['homoglyph', 'separator', 'scope'])
const VOWELS = /^[aeiouy]$/

const ONE_EDIT: ReadonlySet<SquatTechnique> = new Set(['omission', 'repetition', 'insertion', 'transposition', 'keyboard', 'substitution'])

/** The two words that differ when two names have the same words but one (lookalike-folded), else undefined. */
function editedWords(mine: readonly string[], target: string): [string, string] | undefined {
  const theirs = tokensOf(foldLookalikes(target))
  if (mine.length !== theirs.length || mine.length < 2) return undefined
  const differing = mine.flatMap((word, i) => (word === theirs[i] ? [] : [i]))
  return differing.length === 1 ? [mine[differing[0]!]!, theirs[differing[0]!]!] : undefined
}

/** The character one of two words has beyond the other, when they differ by one. */
function differingCharacter(a: string, b: string): string {
  const [short, long] = a.length < b.length ? [a, b] : [b, a]
  let i = 0
  while (i < short.length && short[i] === long[i]) i++
  return long.length === short.length + 1 ? long[i]! : ''
}

/** How `candidate` (a key) differs from `target` (a key) by one edit, if it does. */
function oneEdit(candidate: string, target: string): SquatTechnique | undefined {
  if (candidate.length === target.length - 1) return 'omission'
  if (candidate.length === target.length + 1) {
    for (let i = 0; i < candidate.length; i++) {
      if (candidate.slice(0, i) + candidate.slice(i + 1) === target) {
        return candidate[i] === candidate[i - 1] || candidate[i] === candidate[i + 1] ? 'repetition' : 'insertion'
      }
    }
    return undefined
  }
  if (candidate.length !== target.length) return undefined
  const diffs: number[] = []
  for (let i = 0; i < candidate.length && diffs.length <= 2; i++) if (candidate[i] !== target[i]) diffs.push(i)
  if (diffs.length === 1) {
    const [a, b] = [candidate[diffs[0]!]!, target[diffs[0]!]!]
    // a key next to the right one, or one vowel for another (djanga, reqeust): the typos people make
    return keyboardAdjacent(a, b) || (VOWELS.test(a) && VOWELS.test(b)) ? 'keyboard' : 'substitution'
  }
  if (diffs.length === 2 && diffs[1] === diffs[0]! + 1 && candidate[diffs[0]!] === target[diffs[1]!] && candidate[diffs[1]!] === target[diffs[0]!]) return 'transposition'
  return undefined
}

/** Every popular name `name` imitates, strongest first. A name that is itself in the index imitates nothing. */
export function findSquats(ecosystem: EcosystemId, name: string, index: PopularIndex = bundledIndex(ecosystem), options: SquatOptions = {}): SquatMatch[] {
  if ((index.has(name) && !options.asNew) || options.excepted?.has('*')) return []
  const canonical = canonicalName(ecosystem, name)
  const identity = identityOf(ecosystem, name)
  const key = lookalikeKey(ecosystem, name)
  const foldedWords = tokensOf(foldLookalikes(canonical))
  const found = new Map<string, SquatMatch>()
  const consider = (target: IndexedName, technique: SquatTechnique, base = BASE[technique]) => {
    if (target.identity === identity || options.excepted?.has(target.name) || options.exempt?.(target.name)) return
    // a version number at the end (psycopg2, eventemitter3, es2016) names a sibling, not a typo
    if (key !== target.key && key.replace(/\d+$/, '') === target.key.replace(/\d+$/, '')) return
    let length = LENGTH_FREE.has(technique) ? Math.min(1, lengthFactor(target.key) * 2) : lengthFactor(target.key)
    if (ONE_EDIT.has(technique)) {
      // Judge the edit where it falls: in the one word two names do not share (node-mock-http / node-mocks-http), else in the whole key.
      const [mine, theirs] = editedWords(foldedWords, target.canonical) ?? [key, target.key]
      // plurals (futures, aiofiles, node-mocks-http) are usually their own packages: weaker evidence
      if (mine === `${theirs}s` || theirs === `${mine}s`) base = Math.min(base, 0.6)
      // a popular name that is this one with a letter added at an end (nprogress, pycryptodomex, dom-serializer) was named after it
      if (technique === 'omission' && (theirs.slice(1) === mine || theirs.slice(0, -1) === mine)) base = Math.min(base, BASE.insertion)
      // a digit dropped or added is a version or a "to" (html2text, bump2version), not a slip of the finger
      if ((technique === 'omission' || technique === 'insertion') && /\d/.test(differingCharacter(mine, theirs))) base = Math.min(base, BASE.insertion)
      // one letter of a short word names another thing (ecs/efs, amd/umd, git/get, asgi/wsgi), as short names do;
      // the other words matching, a word needs fewer letters than a whole name to make the slip deliberate
      if (mine !== key) length = Math.min(length, wordFactor(theirs))
    }
    // Separators are a naming convention (parse-url/parseurl, on-change/onchange): against all but the most-installed
    // names two spellings are usually two projects; against those (cross-env, babel-cli) a new one is a lure.
    if (technique === 'separator' && target.rank > CONVENTION_RANK) base = Math.min(base, BASE.scope)
    const strength = Math.round(base * length * popularityFactor(target.rank) * 100) / 100
    if (strength <= 0) return
    const previous = found.get(target.identity)
    if (previous && previous.strength >= strength) return
    found.set(target.identity, { name, target: target.name, rank: target.rank, technique, strength, explanation: `${name} ${WORDS[technique](target.name)}` })
  }

  const direct = (k: string, c: string, add: (target: IndexedName, technique: SquatTechnique) => void) => {
    // Same key: only separators, case, scope or look-alike letters differ.
    for (const target of index.byKey.get(k) ?? []) {
      const folded = foldLookalikes(c) !== c
      const scoped = ecosystem === 'npm' && name.startsWith('@') !== target.name.startsWith('@')
      add(target, folded ? 'homoglyph' : scoped ? 'scope' : 'separator')
    }
    // One edit apart (symmetric deletes): omission, repetition, insertion, substitution, transposition.
    const near = new Set<IndexedName>(index.byDeletion.get(k) ?? [])
    for (const d of deletions(k)) {
      for (const t of index.byKey.get(d) ?? []) near.add(t)
      for (const t of index.byDeletion.get(d) ?? []) near.add(t)
    }
    for (const target of near) {
      const technique = oneEdit(k, target.key)
      if (technique) add(target, technique)
    }
  }
  direct(key, canonical, (target, technique) => consider(target, technique))

  // The same words in another order.
  const words = tokensOf(canonical)
  if (words.length >= 2) for (const target of index.byWords.get([...words].sort().join(' ')) ?? []) consider(target, 'reorder')

  // A popular name, exact or one edit off, with words added before or after it: lodash-utils,
  // python-requests, discord.js-selfbot, matplatlib-plus; glued affixes too (httpxfaster, pytorch).
  const combos: { core: string; affixed: boolean }[] = []
  for (let cut = 1; cut < words.length; cut++) {
    combos.push({ core: foldLookalikes(words.slice(0, cut).join('')), affixed: words.slice(cut).every((w) => SQUAT_AFFIXES.has(w)) })
    combos.push({ core: foldLookalikes(words.slice(cut).join('')), affixed: words.slice(0, cut).every((w) => SQUAT_AFFIXES.has(w)) })
  }
  for (const affix of SQUAT_AFFIXES) {
    if (affix.length < 2 || key.length <= affix.length + 3) continue
    if (key.endsWith(affix)) combos.push({ core: key.slice(0, -affix.length), affixed: true })
    if (key.startsWith(affix)) combos.push({ core: key.slice(affix.length), affixed: true })
  }
  for (const { core, affixed } of combos) {
    const base = affixed ? 0.5 : BASE.combosquat
    for (const target of index.byKey.get(core) ?? []) if (target.rank <= 2000) consider(target, 'combosquat', base)
    // a misspelt popular name inside the combination counts a little less than a correct one
    if (affixed && core.length >= 5) direct(core, core, (target, technique) => target.rank <= 2000 && technique !== 'separator' && consider(target, 'combosquat', base * BASE[technique]))
  }
  return [...found.values()].sort((a, b) => b.strength - a.strength || a.rank - b.rank)
}

export const TYPOSQUAT_RULE = {
  id: 'typosquat',
  title: 'Name imitates a popular package',
  explanation:
    'The name is one small change away from a much-downloaded package (a letter left out, doubled, swapped or replaced by a look-alike, separators or scope moved, words reordered or added). Squatters rely on mistyped installs and hurried reviews. Check that the package is not pretending to be the other one; if the resemblance is innocent, the owner can appeal and an admin can add an exception.',
} as const

/** The signal for the strongest match: weight 50 (review) from STRONG_SQUAT up, less below it. */
export function squatSignal(match: SquatMatch): SignalRecord {
  const weight = match.strength >= STRONG_SQUAT ? 50 : Math.round(match.strength * 40)
  return {
    rule: TYPOSQUAT_RULE.id,
    severity: severityOf(weight),
    weight,
    context: true,
    message: `${match.explanation} (#${match.rank} by downloads; ${match.technique}, strength ${match.strength})`,
    title: TYPOSQUAT_RULE.title,
    explanation: TYPOSQUAT_RULE.explanation,
  }
}
