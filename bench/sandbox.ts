// Benchmark: sandbox time and false positives on real packages with install scripts (the benign npm corpora's).
//   node bin/run-ts.js bench/sandbox.ts /work/corpora/benign-npm-a/packages /work/corpora/benign-npm-b/packages [--personas N] [--limit N]
//   node bin/run-ts.js bench/sandbox.ts --archives LIST     (LIST: one archive path per line, e.g. the static scan's misses
//                                                            from `gatehouse eval -v`, to see what the sandbox adds)
// Each package runs alone (its dependencies are not installed), under every persona, as the gate would run it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ECOSYSTEMS } from '../src/ecosystems.ts'
import { DEFAULT_ARCHIVE_LIMITS } from '../src/core/archive-limits.ts'
import { loadArtifact } from '../src/scanning/load-path.ts'
import { DEFAULT_SANDBOX_OPTIONS, PERSONAS, runSandbox, sandboxAvailability } from '../src/scanning/sandbox/runner.ts'
import { dynamicFindings } from '../src/scanning/sandbox/signals.ts'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { personas: { type: 'string', default: String(PERSONAS.length) }, limit: { type: 'string', default: '1000' }, archives: { type: 'string' } } })
const available = sandboxAvailability()
if (!available.ok) throw new Error(available.reason)

const samples: { dir: string; label: string }[] = []
if (values.archives) {
  for (const path of readFileSync(values.archives, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) samples.push({ dir: path, label: path.split('/').pop()! })
}
for (const root of positionals) {
  for (const line of readFileSync(join(root, 'labels.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const label = JSON.parse(line) as { name: string; version: string; path: string; install_scripts?: Record<string, string> }
    if (label.install_scripts && Object.keys(label.install_scripts).length > 0) samples.push({ dir: join(root, label.path), label: `${label.name}@${label.version}` })
  }
}
const options = { ...DEFAULT_SANDBOX_OPTIONS, personas: PERSONAS.slice(0, Number(values.personas)) }
const times: number[] = []
const flagged: string[] = []
const ruleHits: Record<string, number> = {}
for (const sample of samples.slice(0, Number(values.limit))) {
  const { artifact, eco } = await loadArtifact(sample.dir, ECOSYSTEMS, DEFAULT_ARCHIVE_LIMITS)
  const run = await runSandbox(eco, artifact, options)
  const { signals } = dynamicFindings(run)
  times.push(run.ms)
  const weight = signals.reduce((n, s) => n + s.weight, 0)
  for (const s of signals) ruleHits[s.rule] = (ruleHits[s.rule] ?? 0) + 1
  const exits = run.runs[0]?.steps.map((s) => `${s.label}:${s.timedOut ? 'timeout' : s.exitCode}`).join(' ') ?? ''
  console.log(`${sample.label.padEnd(40)} ${String(run.ms).padStart(6)} ms  ${weight >= 50 ? 'HOLD' : 'ok  '}  ${exits}${signals.length ? `\n    ${signals.map((s) => `${s.rule}: ${s.message}`).join('\n    ')}` : ''}`)
  if (weight >= 50) flagged.push(sample.label)
}
const sorted = [...times].sort((a, b) => a - b)
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
console.log(`\n${times.length} packages, ${options.personas.length} persona(s) each: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms per package`)
console.log(`held by sandbox evidence alone (≥ 50): ${flagged.length}/${times.length}${flagged.length ? ` — ${flagged.join(', ')}` : ''}`)
console.log(`(runs: ${samples.length > times.length ? `first ${times.length} of ${samples.length}` : `all ${times.length}`})`)
console.log(`signals: ${JSON.stringify(ruleHits)}`)
