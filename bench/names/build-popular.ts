// Builds the bundled popular-name lists (src/scanning/names/data/<ecosystem>.txt) from public download rankings.
//
//   node bin/run-ts.js bench/names/build-popular.ts \
//     --npm    <npm-high-impact package dir>          (npm pack npm-high-impact; its lib/top-download.js)
//     --pypi   <top-pypi-packages.min.json>           (github.com/hugovk/top-pypi-packages)
//     --rubygems <rubygems-1000.csv>                  (github.com/zimbatm/rubygems-top-1000)
//
// Each list keeps the order of its source (most downloaded first) and at most --top names (5000).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    npm: { type: 'string' },
    pypi: { type: 'string' },
    rubygems: { type: 'string' },
    top: { type: 'string', default: '5000' },
    out: { type: 'string', default: 'src/scanning/names/data' },
  },
})
const top = Number(values.top)

function write(ecosystem: string, header: string[], names: string[]): void {
  const unique = [...new Set(names.map((n) => n.trim()).filter(Boolean))].slice(0, top)
  const file = join(values.out!, `${ecosystem}.txt`)
  writeFileSync(file, `${header.map((h) => `# ${h}`).join('\n')}\n${unique.join('\n')}\n`)
  console.log(`${file}: ${unique.length} names`)
}

if (values.npm) {
  const pkg = JSON.parse(readFileSync(join(values.npm, 'package.json'), 'utf8')) as { version: string }
  const list = (file: string) => [...readFileSync(join(values.npm!, 'lib', file), 'utf8').matchAll(/^\s*'([^']+)',?$/gm)].map((m) => m[1]!)
  // Most downloaded (deep dependencies lead) and most depended on (the libraries people type): a name ranks by the better of the two.
  const rank = new Map<string, number>()
  for (const names of [list('top-download.js'), list('top-dependent.js')]) names.forEach((name, i) => rank.set(name, Math.min(rank.get(name) ?? Infinity, i + 1)))
  const names = [...rank.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name)
  write('npm', [`npm packages by weekly downloads and by dependents, each ranked by the better of the two: npm-high-impact@${pkg.version} (lib/top-download.js, lib/top-dependent.js; MIT licence, by Titus Wormer)`, 'built by bench/names/build-popular.ts'], names)
}

if (values.pypi) {
  const data = JSON.parse(readFileSync(values.pypi, 'utf8')) as { last_update: string; rows: { project: string; download_count: number }[] }
  write(
    'pypi',
    [`PyPI projects by downloads over 30 days, most downloaded first: hugovk/top-pypi-packages, updated ${data.last_update} (from PyPI's public download statistics)`, 'built by bench/names/build-popular.ts'],
    data.rows.sort((a, b) => b.download_count - a.download_count).map((r) => r.project),
  )
}

if (values.rubygems) {
  const rows = readFileSync(values.rubygems, 'utf8').split('\n').map((line) => line.split(',')[0]!)
  write('rubygems', ['gems by all-time downloads, most downloaded first: zimbatm/rubygems-top-1000 (a query of the rubygems.org database dump, March 2016; the newest public ranking reachable from here)', 'built by bench/names/build-popular.ts'], rows)
}
