// The popular names a new package may imitate: bundled download rankings per ecosystem, indexed for fast look-alike lookups.
import { readFileSync } from 'node:fs'
import type { EcosystemId } from '../../core/ecosystem.ts'
import { canonicalName, deletions, identityOf, lookalikeKey, tokensOf } from './name-forms.ts'

export interface PopularName {
  /** The name as the ecosystem spells it. */
  readonly name: string
  /** 1 = most downloaded. */
  readonly rank: number
}

export interface IndexedName extends PopularName {
  /** Which package it is (identityOf). */
  readonly identity: string
  readonly canonical: string
  readonly key: string
}

/** Names indexed by look-alike key, by one-character deletions of it, and by their sorted words. */
export class PopularIndex {
  readonly byKey = new Map<string, IndexedName[]>()
  readonly byDeletion = new Map<string, IndexedName[]>()
  readonly byWords = new Map<string, IndexedName[]>()
  /** Rank by identity. */
  private readonly ranks = new Map<string, number>()
  readonly size: number

  constructor(
    readonly ecosystem: EcosystemId,
    entries: readonly PopularName[],
  ) {
    for (const entry of entries) {
      const identity = identityOf(ecosystem, entry.name)
      if (this.ranks.has(identity)) continue
      this.ranks.set(identity, entry.rank)
      const canonical = canonicalName(ecosystem, entry.name)
      const indexed: IndexedName = { ...entry, identity, canonical, key: lookalikeKey(ecosystem, entry.name) }
      push(this.byKey, indexed.key, indexed)
      for (const d of deletions(indexed.key)) push(this.byDeletion, d, indexed)
      const words = tokensOf(canonical)
      if (words.length >= 2) push(this.byWords, [...words].sort().join(' '), indexed)
    }
    this.size = this.ranks.size
  }

  has(name: string): boolean {
    return this.ranks.has(identityOf(this.ecosystem, name))
  }

  /** 1 = most downloaded; undefined when the name is not in the index. */
  rankOf(name: string): number | undefined {
    return this.ranks.get(identityOf(this.ecosystem, name))
  }

  /** This index plus more names (the registry's own most downloaded packages), ranked after the bundled ones they do not repeat. */
  with(extra: readonly PopularName[]): PopularIndex {
    if (extra.length === 0) return this
    return new PopularIndex(this.ecosystem, [...this.entries(), ...extra])
  }

  /** The same index without some names: how the false-positive benchmark asks "would this popular name look like a squat if it were new?". */
  without(names: ReadonlySet<string>): PopularIndex {
    return new PopularIndex(
      this.ecosystem,
      this.entries().filter((e) => !names.has(e.name)),
    )
  }

  entries(): PopularName[] {
    const all = new Map<string, PopularName>()
    for (const list of this.byKey.values()) for (const e of list) all.set(e.identity, { name: e.name, rank: e.rank })
    return [...all.values()].sort((a, b) => a.rank - b.rank)
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

const bundled = new Map<EcosystemId, PopularIndex>()

/** The bundled ranking of an ecosystem (src/scanning/names/data/<ecosystem>.txt), loaded once per process. */
export function bundledIndex(ecosystem: EcosystemId): PopularIndex {
  let index = bundled.get(ecosystem)
  if (!index) {
    const text = readFileSync(new URL(`./data/${ecosystem}.txt`, import.meta.url), 'utf8')
    const names = text.split('\n').filter((line) => line && !line.startsWith('#'))
    index = new PopularIndex(ecosystem, names.map((name, i) => ({ name, rank: i + 1 })))
    bundled.set(ecosystem, index)
  }
  return index
}
