// Finds the samples of an evaluation corpus: archives or unpacked packages, named by a labels.jsonl when present.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { EcosystemId } from '../core/ecosystem.ts'
import { ecosystemOfArchive } from './load-path.ts'
import { REVIEW_FINDINGS, type ReviewFinding } from './evaluate.ts'

export interface Sample {
  readonly path: string
  /** The path within its corpus folder: the same on every machine. */
  readonly id: string
  readonly ecosystem?: EcosystemId
  /** Newest plausible date of the sample (labels' `date`), used to split tuning data from held-out data. */
  readonly date?: string
  /** The campaign (labels' `cluster`) the sample belongs to: samples of one campaign are near-duplicates. */
  readonly campaign?: string
}

const MARKERS = ['package.json', 'setup.py', 'pyproject.toml', 'setup.cfg', 'PKG-INFO']

/**
 * A corpus directory either has a labels.jsonl (one JSON object per line with `file` or `path`
 * relative to it, optional `ecosystem` and `date`), or is walked for archives and package folders.
 */
export function listSamples(root: string): Sample[] {
  const labels = join(root, 'labels.jsonl')
  if (existsSync(labels)) {
    return readFileSync(labels, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const label = JSON.parse(line) as { file?: string; path?: string; ecosystem?: string; date?: string | null; cluster?: string }
        const file = label.file ?? label.path
        if (!file) throw new Error(`${labels}: a line names no file or path`)
        const ecosystem = label.ecosystem === 'pypi' || label.ecosystem === 'npm' || label.ecosystem === 'rubygems' ? label.ecosystem : undefined
        return { path: join(root, file), id: file, ...(ecosystem ? { ecosystem } : {}), ...(label.date ? { date: label.date } : {}), ...(label.cluster ? { campaign: label.cluster } : {}) }
      })
  }
  const found: Sample[] = []
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name)
      const st = statSync(full)
      if (st.isFile() && ecosystemOfArchive(full)) found.push({ path: full, id: relative(root, full) })
      else if (st.isDirectory() && name !== 'node_modules') {
        if (MARKERS.some((m) => existsSync(join(full, m)))) found.push({ path: full, id: relative(root, full) })
        else walk(full, depth + 1)
      }
    }
  }
  walk(root, 0)
  return found
}

/**
 * A fixed random `n` of the samples: those whose id hashes lowest with the seed, so every machine and run
 * draws the same ones, and a larger `n` draws those of a smaller one and more.
 */
export function drawSamples<T extends { readonly id: string }>(samples: readonly T[], n: number, seed: string): T[] {
  const rank = (s: T) => createHash('sha256').update(`${seed}\u0000${s.id}`).digest('hex')
  return samples
    .map((s) => ({ s, r: rank(s) }))
    .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
    .slice(0, n)
    .map((x) => x.s)
}

/**
 * Reviewers' findings on samples (bench/corpora's `*-review.tsv` and `*-audit.tsv`): one sample per line,
 * tab-separated — its id (the path within its corpus folder, as labels.jsonl names it), the finding, when the code
 * would run, and the reason. Lines starting with `#` are comments. Several files are read as one, a second opinion
 * beside the first: a sample is set apart as harmless only when every reviewer who read it found it so, so where one
 * finds it harmful it is harmful (as any doubtful case is); where two find different harmless kinds, the first named
 * stands. A file that judges one sample twice, differently, is an error.
 */
export function readReviews(files: readonly string[]): Map<string, ReviewFinding> {
  const reviews = new Map<string, ReviewFinding>()
  for (const file of files) {
    const own = new Map<string, { finding: ReviewFinding; line: number }>()
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '' || line.startsWith('#')) return
        const [id, finding] = line.split('\t')
        if (!id || !REVIEW_FINDINGS.includes(finding as ReviewFinding)) throw new Error(`${file}:${i + 1}: expected "<sample id>\\t<${REVIEW_FINDINGS.join('|')}>\\t…"`)
        const twice = own.get(id)
        if (twice && twice.finding !== finding) throw new Error(`${file}:${i + 1}: ${id} is found ${finding} here and ${twice.finding} on line ${twice.line}`)
        own.set(id, { finding: finding as ReviewFinding, line: i + 1 })
      })
    for (const [id, { finding }] of own) {
      const earlier = reviews.get(id)
      if (earlier === undefined || finding === 'harmful') reviews.set(id, finding)
    }
  }
  return reviews
}
