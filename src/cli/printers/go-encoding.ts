/**
 * Go's encodings as kubectl prints objects with them: encoding/json (`MarshalIndent` with four
 * spaces, HTML-safe escapes, map keys in byte order) and sigs.k8s.io/yaml (go-yaml v2: YAML 1.1
 * quoting, its own key order, unindented sequences).
 */
import { stringify } from 'yaml'

/** Node is a JSON value whose objects keep the order they are to be printed in. */
export type Node = null | boolean | number | string | Node[] | Map<string, Node>

/** byteOrder compares strings by their UTF-8 bytes, as Go sorts map keys. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** goJsonString is Go's (1.22+) encoding/json string: JSON.stringify's, HTML-safe. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

/** unstructuredNode lays out a decoded JSON value as Go prints a map: keys in byte order. */
export function unstructuredNode(value: unknown): Node {
  if (value === null || typeof value !== 'object') return value as Node
  if (Array.isArray(value)) return value.map(unstructuredNode)
  const obj = value as Record<string, unknown>
  return new Map(
    Object.keys(obj)
      .sort(byteOrder)
      .filter((k) => obj[k] !== undefined)
      .map((k) => [k, unstructuredNode(obj[k])]),
  )
}

/** goJson is Go's json.MarshalIndent with four spaces, for an ordered node. */
export function goJson(node: Node, indent = ''): string {
  if (node === null || typeof node !== 'object') {
    return typeof node === 'string' ? goJsonString(node) : JSON.stringify(node)
  }
  const inner = `${indent}    `
  if (Array.isArray(node)) {
    if (node.length === 0) return '[]'
    return `[\n${node.map((v) => inner + goJson(v, inner)).join(',\n')}\n${indent}]`
  }
  if (node.size === 0) return '{}'
  const fields = [...node].map(([k, v]) => `${inner}${goJsonString(k)}: ${goJson(v, inner)}`)
  return `{\n${fields.join(',\n')}\n${indent}}`
}

/** goYamlKeyLess is go-yaml v2's key order (sigs.k8s.io/yaml): non-letters first, digit runs by value. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a]
  const br = [...b]
  const isLetter = (c: string) => /\p{L}/u.test(c)
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i]!)
    const bl = isLetter(br[i]!)
    if (al && bl) return ar[i]! < br[i]!
    if (al || bl) return bl
    let an = 0
    let bn = 0
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1
          bn = 1
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai])
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi])
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i]! < br[i]!
  }
  return ar.length < br.length
}

const OMAP_TAG = 'tag:yaml.org,2002:omap'

function yamlSorted(node: Node): Node {
  if (Array.isArray(node)) return node.map(yamlSorted)
  if (!(node instanceof Map)) return node
  const keys = [...node.keys()].sort((a, b) =>
    goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0,
  )
  return new Map(keys.map((k) => [k, yamlSorted(node.get(k)!)]))
}

/** goYaml renders a node as kubectl's `-o yaml`: YAML 1.1 quoting, go-yaml key order, unindented lists. */
export function goYaml(node: Node): string {
  return stringify(yamlSorted(node), {
    version: '1.1',
    indentSeq: false,
    lineWidth: 0,
    // YAML 1.1 would write an ordered Map as `!!omap`; here the order is only the print order.
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== OMAP_TAG),
  })
}
