// Benchmark: the text scan (`scanText`) over the code files of packages, the part of a static scan that
// grows with a package's size (minified bundles over the parse budget are only scanned as text).
// Usage: node bin/run-ts.js bench/text-scan.ts [--min-kb 200] [--rounds 3] [--patterns] PACKAGE_DIR...
// Prints CPU time per round (the best round counts) and MB/s; --patterns also times each indicator
// pattern alone over the same text, as the scan gives it (blocks of lines, windows of long lines).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Language } from '../src/scanning/facts.ts'
import { TEXT_PATTERNS } from '../src/scanning/indicators.ts'
import { FactSink, scanText, textPieces } from '../src/scanning/languages/source-file.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'min-kb': { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    patterns: { type: 'boolean', default: false },
  },
})
const MIN_BYTES = Number(values['min-kb']) * 1024
const ROUNDS = Number(values.rounds)
const CODE = new Set(['.js', '.mjs', '.cjs', '.py', '.sh'])

function* codeFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* codeFiles(path)
    else if (entry.isFile() && CODE.has(extname(entry.name)) && statSync(path).size >= MIN_BYTES) yield path
  }
}

const files = positionals.flatMap((dir) => [...codeFiles(dir)]).map((path) => ({ path, source: readFileSync(path, 'utf8') }))
const chars = files.reduce((n, f) => n + f.source.length, 0)
console.log(`${files.length} files of ${values['min-kb']} KB or more, ${(chars / 1e6).toFixed(1)} M characters`)

const cpuMs = (run: () => void): number => {
  const start = process.cpuUsage()
  run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}
const best = (run: () => void): number => Math.min(...Array.from({ length: ROUNDS }, () => cpuMs(run)))

const language = (path: string): Language => (path.endsWith('.py') ? 'python' : path.endsWith('.sh') ? 'shell' : 'javascript')
let found = 0
const total = best(() => {
  found = 0
  for (const f of files) {
    const sink = new FactSink(f.path, language(f.path), f.source)
    scanText(sink)
    found += sink.indicators.length
  }
})
console.log(`scanText: ${total.toFixed(0)} ms CPU (best of ${ROUNDS}), ${(chars / 1e3 / total).toFixed(1)} MB/s, ${found} indicators`)

if (values.patterns) {
  const pieces = files.flatMap((f) => [...textPieces(f.source)].map((p) => p.text))
  for (const [name, pattern] of Object.entries(TEXT_PATTERNS)) {
    const ms = best(() => {
      for (const piece of pieces) {
        pattern.lastIndex = 0
        pattern.test(piece)
      }
    })
    console.log(`  ${name.padEnd(24)} ${ms.toFixed(0).padStart(6)} ms`)
  }
}
