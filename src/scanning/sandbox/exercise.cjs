// Runs inside the sandbox as the package's user: requires the files named on its command line and calls what
// they export to a user's program — exported functions, classes (constructed, then their methods called) and
// the functions of an exported object — with placeholder arguments. A payload that waits in an exported function
// runs here, under the same trace as install and load. The calls run in a worker thread; one that does not end
// in time (a busy loop included) costs its worker, and the next call starts in a fresh one.
//   node exercise.cjs FILE...
'use strict'
const fs = require('node:fs')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')

const CALL_MS = 2000
const MAX_CALLS = 48
const BUDGET_MS = 14000
const INPUT = '/tmp/gatehouse-input.txt'
// Values a caller would pass, by parameter name; anything else gets a short string.
const PLACEHOLDERS = [
  [/^(url|uri|endpoint|link|webhook|href)$|Url$|Uri$/, 'https://example.com/'],
  [/^(path|file|dir|folder|filename|filepath)$|Path$|File$|Dir$/, INPUT],
  [/^(host|hostname|server|domain)$|Host$/, 'example.com'],
  [/^port$|Port$/, 8080],
  [/^(n|count|num|size|length|limit|timeout|index|amount|max|min)$/, 1],
  [/^(cb|callback|done|next|fn|handler|listener)$|Callback$|Handler$/, () => {}],
  [/^(opts|options|config|settings|params)$|Options$/, {}],
]

/** Parameter names from a function's source (best effort: destructured and defaulted parameters count as one). */
function parameterNames(fn) {
  let source
  try {
    source = Function.prototype.toString.call(fn)
  } catch {
    return []
  }
  const arrow = /^(?:async\s*)?([A-Za-z_$][\w$]*)\s*=>/.exec(source)
  if (arrow) return [arrow[1]]
  const open = source.indexOf('(')
  if (open < 0) return []
  let depth = 0
  let end = open
  for (; end < source.length; end++) {
    if ('([{'.includes(source[end])) depth++
    else if (')]}'.includes(source[end]) && --depth === 0) break
  }
  const names = []
  depth = 0
  let current = ''
  for (const ch of source.slice(open + 1, end)) {
    if ('([{'.includes(ch)) depth++
    if (')]}'.includes(ch)) depth--
    if (ch === ',' && depth === 0) {
      names.push(current)
      current = ''
    } else current += ch
  }
  if (current.trim()) names.push(current)
  // parameters with defaults are left to their defaults
  return names.map((n) => n.trim()).filter((n) => n && !n.includes('=') && !n.startsWith('...'))
}

function placeholders(fn) {
  const names = parameterNames(fn)
  const count = Math.max(typeof fn.length === 'number' ? fn.length : 0, names.length)
  return Array.from({ length: count }, (_, i) => {
    const name = (names[i] || '').replace(/^[{[].*/, '')
    for (const [pattern, value] of PLACEHOLDERS) if (pattern.test(name)) return value
    return /^[{[]/.test(names[i] || '') ? {} : 'hello'
  })
}

const isClass = (fn) => {
  try {
    return /^class\b/.test(Function.prototype.toString.call(fn))
  } catch {
    return false
  }
}

/** What a user's program could call, in a stable order: [description, thunk]. */
/**
 * A module's exports: require for CommonJS, import() for an ES module (its namespace: named exports and default).
 * Where require() loads ES modules itself (Node.js 20.19 on), one with a top-level await still needs import().
 */
const ESM_ONLY = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE'])
async function load(file) {
  try {
    return require(file)
  } catch (err) {
    if (!err || !ESM_ONLY.has(err.code)) throw err
    return { ...(await import(require('node:url').pathToFileURL(file).href)) }
  }
}

async function callables(files) {
  const out = []
  const seen = new Set()
  const add = (where, value) => {
    if (typeof value !== 'function' || seen.has(value)) return
    seen.add(value)
    if (isClass(value)) {
      out.push([`new ${where}`, () => {
        const instance = new value(...placeholders(value))
        const methods = Object.getOwnPropertyNames(value.prototype).filter((m) => m !== 'constructor' && !m.startsWith('_')).sort()
        return methods.reduce((prev, m) => {
          const method = instance[m]
          return typeof method === 'function' ? Promise.resolve(prev).then(() => { const before = resources(); return settle(method.apply(instance, placeholders(method)), before) }) : prev
        }, undefined)
      }])
    } else out.push([where, () => value(...placeholders(value))])
  }
  for (const file of files) {
    let exported
    try {
      exported = await load(file)
    } catch {
      continue
    }
    add(file, exported)
    if (exported && (typeof exported === 'object' || typeof exported === 'function')) {
      let keys = []
      try {
        keys = Object.keys(exported).sort()
      } catch {}
      for (const key of keys) {
        if (key.startsWith('_')) continue
        let value
        try {
          value = exported[key]
        } catch {
          continue
        }
        add(`${file}#${key}`, value)
      }
    }
  }
  return out
}

const resources = () => process.getActiveResourcesInfo().length

/**
 * Awaits what a call returned, and what it started in the background (requests, sockets, timers: the resources
 * the event loop holds beyond those it held before), for at most the call's time.
 */
async function settle(result, before) {
  const deadline = Date.now() + CALL_MS
  if (result && typeof result.then === 'function') {
    await Promise.race([Promise.resolve(result).catch(() => {}), new Promise((r) => setTimeout(r, CALL_MS).unref())])
  }
  while (Date.now() < deadline && process.getActiveResourcesInfo().length > before) await new Promise((r) => setTimeout(r, 20).unref())
}

if (isMainThread) {
  const files = process.argv.slice(2)
  fs.writeFileSync(INPUT, 'hello\n')
  const started = Date.now()
  let next = 0
  const spawnWorker = () => {
    if (next >= MAX_CALLS || Date.now() - started > BUDGET_MS) return finish()
    const worker = new Worker(__filename, { workerData: { files, from: next } })
    let timer
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => worker.terminate(), CALL_MS + 500)
    }
    arm()
    worker.on('message', (m) => {
      if (m.calling !== undefined) {
        next = m.calling + 1
        arm()
      } else if (m.done) {
        next = MAX_CALLS
      }
    })
    worker.on('error', () => {})
    worker.on('exit', () => {
      clearTimeout(timer)
      spawnWorker()
    })
  }
  // late callbacks of what the calls started get a moment, then the step ends
  const finish = () => setTimeout(() => process.exit(0), 500)
  spawnWorker()
} else {
  const { files, from } = workerData
  ;(async () => {
    const list = await callables(files)
    for (let i = from; i < Math.min(list.length, MAX_CALLS); i++) {
      parentPort.postMessage({ calling: i })
      const before = resources()
      try {
        await settle(list[i][1](), before)
      } catch {}
    }
    parentPort.postMessage({ done: true })
    // let timers and sockets the calls opened run out for a moment
    setTimeout(() => process.exit(0), 1000)
  })()
}
