// The parser's nodes remember what they were told (type, end, parent, a field's child): the answers must be the tree's own.
import { describe, expect, it } from 'vitest'
import type { Node } from 'web-tree-sitter'
import { loadParser } from '../../src/scanning/languages/tree-sitter.ts'

const SOURCE = `import os, requests

class Client:
    def fetch(self, url, *, timeout=3):
        data = requests.get(url, timeout=timeout).text
        return [line.strip() for line in data.splitlines() if line]

def main(argv=None):
    lambda x: x + 1
    if os.environ.get('DEBUG'):
        print(Client().fetch('https://example.org'))
`

describe('tree-sitter nodes', () => {
  it('answer every read as the tree does, the first time and after', async () => {
    const parser = await loadParser('tree-sitter-python/tree-sitter-python.wasm')
    const tree = parser.parse(SOURCE)!
    // the tree cursor reads the tree through its own path, not through Node's getters
    const cursor = tree.walk()
    const seen: { node: Node; type: string; end: number; text: string; parentId: number | undefined }[] = []
    const parents: number[] = []
    for (;;) {
      const node = cursor.currentNode
      seen.push({ node, type: cursor.nodeType, end: cursor.endIndex, text: cursor.nodeText, parentId: parents.at(-1) })
      if (cursor.gotoFirstChild()) {
        parents.push(node.id)
        continue
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) break
        parents.pop()
      }
      if (parents.length === 0 && cursor.currentNode.id === tree.rootNode.id) break
    }
    expect(seen.length).toBeGreaterThan(100)
    for (const { node, type, end, text, parentId } of seen) {
      for (let round = 0; round < 2; round++) {
        expect(node.type).toBe(type)
        expect(node.endIndex).toBe(end)
        expect(node.text).toBe(text)
        expect(node.parent?.id).toBe(parentId)
      }
    }
    const def = seen.find((s) => s.type === 'function_definition')!.node
    expect(def.childForFieldName('name')?.text).toBe('fetch')
    expect(def.childForFieldName('name')).toBe(def.childForFieldName('name'))
    expect(def.childForFieldName('return_type')).toBeNull()
    expect(def.childForFieldName('return_type')).toBeNull()
    tree.delete()
  })
})
