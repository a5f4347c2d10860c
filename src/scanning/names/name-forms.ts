// Forms of a package name that look-alikes share: canonical spelling, a key with separators and look-alike letters folded, words.
import type { EcosystemId } from '../../core/ecosystem.ts'

/**
 * Latin look-alikes from other scripts (a subset of Unicode's confusables.txt, UTS #39, for the
 * letters package names use). Letters with diacritics are folded by NFKD instead.
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ɡ: 'g', ү: 'y', ь: 'b',
  // Greek
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  // Latin lookalikes that NFKD leaves alone
  ı: 'i', ȷ: 'j', ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ƅ: 'b', ɑ: 'a', ɩ: 'i', ʟ: 'l', ꞵ: 'b',
}

/** How the ecosystem spells a name for comparison: npm scopes as words, PEP 503 for PyPI, lower case everywhere. */
export function canonicalName(ecosystem: EcosystemId, name: string): string {
  const lower = name.normalize('NFKC').toLowerCase()
  if (ecosystem === 'npm') return lower.replace(/^@/, '').replace('/', '-')
  if (ecosystem === 'pypi') return lower.replace(/[-_.]+/g, '-')
  return lower
}

/** Folds look-alike letters to the Latin letter they imitate (and digits that pass for letters). */
export function foldLookalikes(text: string): string {
  let out = ''
  for (const ch of text.normalize('NFKD')) {
    if (/\p{M}/u.test(ch)) continue
    out += CONFUSABLES[ch] ?? ch
  }
  return out
}

/** The name as the ecosystem identifies a package (lower case; PEP 503 for PyPI): two spellings of one package share it. */
export function identityOf(ecosystem: EcosystemId, name: string): string {
  const lower = name.normalize('NFKC').toLowerCase()
  return ecosystem === 'pypi' ? lower.replace(/[-_.]+/g, '-') : lower
}

/** The key two names share when one imitates the other by separators, case, scope or look-alike letters. */
export function lookalikeKey(ecosystem: EcosystemId, name: string): string {
  return foldLookalikes(canonicalName(ecosystem, name)).replace(/[-_./]/g, '')
}

/** The words of a canonical name. */
export function tokensOf(canonical: string): string[] {
  return canonical.split(/[-_./]+/).filter(Boolean)
}

/** Every string one deletion away (the symmetric-delete trick: two names one edit apart share one of these). */
export function deletions(key: string): string[] {
  const out = new Set<string>()
  for (let i = 0; i < key.length; i++) out.add(key.slice(0, i) + key.slice(i + 1))
  return [...out]
}

const KEYBOARD_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm']

/** Keys next to each other on a QWERTY keyboard (same row, or the row above or below within one column). */
export function keyboardAdjacent(a: string, b: string): boolean {
  const at = (ch: string) => {
    for (let row = 0; row < KEYBOARD_ROWS.length; row++) {
      const col = KEYBOARD_ROWS[row]!.indexOf(ch)
      if (col >= 0) return { row, col }
    }
    return undefined
  }
  const pa = at(a)
  const pb = at(b)
  if (!pa || !pb || a === b) return false
  return Math.abs(pa.row - pb.row) <= 1 && Math.abs(pa.col - pb.col) <= 1
}
