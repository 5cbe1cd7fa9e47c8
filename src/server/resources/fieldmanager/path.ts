/**
 * Field paths as structured-merge-diff names them (sigs.k8s.io/structured-merge-diff
 * fieldpath/element.go, serialize-pe.go): a path is a list of elements, each a struct or map
 * field, a list-map key, a set value or a list index. Elements have a total order (fields, then
 * keys, then values, then indexes), print as `.name`, `[name="v1"]`, `[="x"]`, `[0]` in conflict
 * messages, and serialize as `f:name`, `k:{"name":"v1"}`, `v:"x"`, `i:0` in `fieldsV1`.
 */

/** KeyField is one field of a list-map key: its name and value. */
export type KeyField = readonly [name: string, value: unknown]

/** PathElement selects a child: a field, a list-map item by key, a set item by value, or an index. */
export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly KeyField[] }
  | { readonly value: unknown }
  | { readonly index: number }

/** Path is a sequence of elements from the object's root. */
export type Path = readonly PathElement[]

/** fieldElement names a struct or map field. */
export function fieldElement(name: string): PathElement {
  return { field: name }
}

/** keyElement selects a list-map item; the fields are sorted by name, as upstream keeps them. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  return { key: [...fields].sort((a, b) => compareStrings(a[0], b[0])) }
}

function rank(e: PathElement): number {
  if ('field' in e) return 0
  if ('key' in e) return 1
  if ('value' in e) return 2
  return 3
}

/** compareStrings orders strings by code unit, as Go's strings.Compare orders bytes for these names. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0
  if (typeof v === 'string') return 1
  if (typeof v === 'boolean') return 2
  if (Array.isArray(v)) return 3
  if (v !== null && typeof v === 'object') return 4
  return 5
}

/** compareValues is upstream's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a)
  const rb = valueRank(b)
  if (ra !== rb) return ra < rb ? -1 : 1
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b)
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1
  }
  if (ra === 4) {
    const ea = Object.entries(a as object).sort((x, y) => compareStrings(x[0], y[0]))
    const eb = Object.entries(b as object).sort((x, y) => compareStrings(x[0], y[0]))
    return compareKeys(ea, eb)
  }
  return 0
}

function compareKeys(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0
    if (i >= a.length) return -1
    if (i >= b.length) return 1
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1])
    if (c !== 0) return c
  }
}

/** compareElements is the order of elements within a set. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra < rb ? -1 : 1
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field)
  if ('key' in a && 'key' in b) return compareKeys(a.key, b.key)
  if ('index' in a && 'index' in b) return a.index < b.index ? -1 : a.index > b.index ? 1 : 0
  return compareValues((a as { value: unknown }).value, (b as { value: unknown }).value)
}

/** goJson renders a value as Go's encoding/json does (HTML characters escaped). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) =>
    c === '\u2028'
      ? '\\u2028'
      : c === '\u2029'
        ? '\\u2029'
        : `\\u00${c.charCodeAt(0).toString(16)}`,
  )
}

/** valueString prints a value as upstream's value.ToString: strings quoted, maps as `k=v` runs. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return goJson(v)
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`
  if (typeof v === 'object') {
    return Object.entries(v)
      .map(([k, x]) => `${k}=${valueString(x)}`)
      .join('')
  }
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : 'null'
}

/** elementString prints an element as conflict messages show it. */
export function elementString(e: PathElement): string {
  if ('field' in e) return `.${e.field}`
  if ('key' in e) return `[${e.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`
  if ('value' in e) return `[=${valueString(e.value)}]`
  return `[${e.index}]`
}

/** pathString prints a path as conflict messages show it: `.spec.tags[name="v1"].from.name`. */
export function pathString(path: Path): string {
  return path.map(elementString).join('')
}

/** serializeElement is an element's key in `fieldsV1`. */
export function serializeElement(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`
  if ('key' in e) return `k:{${e.key.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',')}}`
  if ('value' in e) return `v:${goJson(e.value)}`
  return `i:${e.index}`
}

/** ParsedElement is a parsed `fieldsV1` key: an element, or undefined for a type a later version may add. */
export type ParsedElement = PathElement | undefined

/** parseElement reads a `fieldsV1` key; unknown types are skipped (as upstream does), malformed ones throw. */
export function parseElement(s: string): ParsedElement {
  if (s.length < 2) throw new Error('key must be 2 characters long')
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`)
  const body = s.slice(2)
  switch (s.charAt(0)) {
    case 'f':
      return { field: body }
    case 'v':
      return { value: JSON.parse(body) as unknown }
    case 'k': {
      const parsed = JSON.parse(body) as unknown
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(`key element is not an object: ${s}`)
      }
      return keyElement(Object.entries(parsed))
    }
    case 'i': {
      if (!/^-?[0-9]+$/.test(body)) throw new Error(`invalid index: ${s}`)
      return { index: Number(body) }
    }
    default:
      return undefined
  }
}
