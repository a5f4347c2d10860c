// What a dependency the sandbox lacks exports (npm-stand-ins.ts writes a package for each, under /gh/node_modules):
// an object that accepts any use and does nothing. Any property is another stand-in; calling or constructing makes
// one; it is not a thenable (`await` gives it back), it iterates as empty and reads as an empty string.
'use strict'

function standIn(name) {
  const members = new Map()
  const target = function () {}
  const proxy = new Proxy(target, {
    get(t, key) {
      if (key === 'then' || key === '__esModule') return undefined
      if (key === Symbol.toPrimitive) return (hint) => (hint === 'number' ? 0 : '')
      if (key === Symbol.iterator) return function* () {}
      if (key === Symbol.asyncIterator) return async function* () {}
      if (key === 'toString' || key === 'valueOf' || key === 'toJSON') return () => ''
      if (typeof key === 'symbol') return t[key]
      if (!members.has(key)) members.set(key, standIn(`${name}.${key}`))
      return members.get(key)
    },
    apply: () => standIn(`${name}()`),
    // `class Bot extends require('telegraf').Telegraf`: the subclass keeps its own methods
    construct: (t, args, newTarget) => (newTarget === proxy ? standIn(`new ${name}`) : Object.create(newTarget.prototype)),
  })
  return proxy
}

module.exports = { standIn }
