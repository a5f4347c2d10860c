// False alarms of the typosquat check: each of the top names of an ecosystem judged as if it were new against all the others.
//
//   node bin/run-ts.js bench/names/typosquat-fp.ts [--examples 15]
import { parseArgs } from 'node:util'
import type { EcosystemId } from '../../src/core/ecosystem.ts'
import { bundledIndex } from '../../src/scanning/names/popular-index.ts'
import { STRONG_SQUAT, findSquats } from '../../src/scanning/names/typosquat.ts'

const { values } = parseArgs({ options: { examples: { type: 'string', default: '15' } } })
for (const ecosystem of ['npm', 'pypi', 'rubygems'] as EcosystemId[]) {
  const started = performance.now()
  const index = bundledIndex(ecosystem)
  const built = performance.now() - started
  const names = index.entries().map((e) => e.name)
  let strong = 0
  let weak = 0
  const examples: string[] = []
  const lookups: number[] = []
  for (const name of names) {
    const t = performance.now()
    const [best] = findSquats(ecosystem, name, index, { asNew: true })
    lookups.push(performance.now() - t)
    if (!best) continue
    if (best.strength >= STRONG_SQUAT) {
      strong++
      if (examples.length < Number(values.examples)) examples.push(`${name} → ${best.target} (${best.technique} ${best.strength})`)
    } else weak++
  }
  lookups.sort((a, b) => a - b)
  const at = (q: number) => lookups[Math.min(lookups.length - 1, Math.floor(q * lookups.length))]!.toFixed(3)
  console.log(`${ecosystem}: ${names.length} popular names judged as new; strong match (≥ ${STRONG_SQUAT}, held for review) ${strong} (${((strong / names.length) * 100).toFixed(2)}%), weaker evidence ${weak}`)
  console.log(`  index built in ${built.toFixed(0)} ms; lookup p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`)
  for (const e of examples) console.log(`  ${e}`)
}
