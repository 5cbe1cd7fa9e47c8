/**
 * Values walked by their schema, as structured-merge-diff's typed package does
 * (typed/tofieldset.go, compare.go, merge.go, remove.go), over parsed JSON and our TypeBox
 * schemas. A schema node is a scalar, a list or a map (struct or `additionalProperties`):
 * - lists are atomic unless `x-kubernetes-list-type` says `set` or `map` (with
 *   `x-kubernetes-list-map-keys`), or the patch strategy is `merge` (kube-openapi's rule:
 *   with a merge key, a list map keyed by it; without one, a set);
 * - maps and structs are granular unless `x-kubernetes-map-type: atomic`;
 * - fields the schema does not describe (Type.Unknown, preserved unknown fields) are
 *   "deduced" from the value: maps granular, lists atomic.
 * An absent field is `undefined`; JSON `null` is a value.
 */
import { FieldSet } from './field-set.js'
import {
  fieldElement,
  keyElement,
  pathString,
  serializeElement,
  type Path,
  type PathElement,
} from './path.js'
import { cloneJson } from '../../../lib/clone-json.js'

/** SchemaNode is the JSON Schema subset of our kinds' schemas, with the Kubernetes extensions. */
export interface SchemaNode {
  readonly type?: string
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: boolean | SchemaNode
  readonly items?: SchemaNode
  readonly anyOf?: readonly SchemaNode[]
  readonly 'x-kubernetes-list-type'?: string
  readonly 'x-kubernetes-list-map-keys'?: readonly string[]
  readonly 'x-kubernetes-map-type'?: string
  readonly 'x-kubernetes-patch-strategy'?: string
  readonly 'x-kubernetes-patch-merge-key'?: string
}

/** TypedValueError is a value that does not fit its schema's list rules (duplicate or missing keys). */
export class TypedValueError extends Error {
  override readonly name = 'TypedValueError'
}

type JsonMap = Record<string, unknown>

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

interface ListAtom {
  readonly kind: 'list'
  readonly atomic: boolean
  readonly keys: readonly string[]
  readonly element: SchemaNode | undefined
}

interface MapAtom {
  readonly kind: 'map'
  readonly atomic: boolean
  readonly fields: Readonly<Record<string, SchemaNode>>
  readonly element: SchemaNode | undefined
}

type Atom = { readonly kind: 'scalar' } | ListAtom | MapAtom

const SCALAR: Atom = { kind: 'scalar' }
const DEDUCED_LIST: ListAtom = { kind: 'list', atomic: true, keys: [], element: undefined }
const DEDUCED_MAP: MapAtom = { kind: 'map', atomic: false, fields: {}, element: undefined }

function isArraySchema(s: SchemaNode): boolean {
  return s.type === 'array' || s.items !== undefined
}

function isObjectSchema(s: SchemaNode): boolean {
  return s.type === 'object' || s.properties !== undefined || s.additionalProperties !== undefined
}

/** arrayVariant is the list schema of a node (a union's list member). */
function arrayVariant(s: SchemaNode | undefined): SchemaNode | undefined {
  if (s === undefined) return undefined
  if (s.anyOf !== undefined) return s.anyOf.find(isArraySchema)
  return isArraySchema(s) ? s : undefined
}

/** objectVariant is the map schema of a node (a union's object member). */
function objectVariant(s: SchemaNode | undefined): SchemaNode | undefined {
  if (s === undefined) return undefined
  if (s.anyOf !== undefined) return s.anyOf.find(isObjectSchema)
  return isObjectSchema(s) ? s : undefined
}

function listAtom(s: SchemaNode): ListAtom {
  const element = s.items
  const listType = s['x-kubernetes-list-type']
  if (listType === 'atomic') return { kind: 'list', atomic: true, keys: [], element }
  if (listType === 'set') return { kind: 'list', atomic: false, keys: [], element }
  if (listType === 'map') {
    return { kind: 'list', atomic: false, keys: s['x-kubernetes-list-map-keys'] ?? [], element }
  }
  const strategy = (s['x-kubernetes-patch-strategy'] ?? '').split(',')
  if (strategy.includes('merge')) {
    const key = s['x-kubernetes-patch-merge-key']
    return { kind: 'list', atomic: false, keys: key === undefined ? [] : [key], element }
  }
  return { kind: 'list', atomic: true, keys: [], element }
}

function mapAtom(s: SchemaNode): MapAtom {
  const extra = s.additionalProperties
  return {
    kind: 'map',
    atomic: s['x-kubernetes-map-type'] === 'atomic',
    fields: s.properties ?? {},
    element: typeof extra === 'object' ? extra : undefined,
  }
}

/** resolve finds how a value is walked: by its schema, or deduced from the value itself. */
function resolve(schema: SchemaNode | undefined, value: unknown): Atom {
  if (Array.isArray(value)) {
    const s = arrayVariant(schema)
    return s === undefined ? DEDUCED_LIST : listAtom(s)
  }
  if (isMap(value)) {
    const s = objectVariant(schema)
    return s === undefined ? DEDUCED_MAP : mapAtom(s)
  }
  if (value === null || value === undefined) {
    const list = arrayVariant(schema)
    if (list !== undefined) return listAtom(list)
    const map = objectVariant(schema)
    if (map !== undefined) return mapAtom(map)
  }
  return SCALAR
}

/** fieldSchema is the schema of a map's field and whether the struct declares it. */
function fieldSchema(
  atom: MapAtom,
  name: string,
): { schema: SchemaNode | undefined; declared: boolean } {
  if (Object.hasOwn(atom.fields, name)) return { schema: atom.fields[name], declared: true }
  return { schema: atom.element, declared: false }
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'list' : 'map'
}

/** itemElement is the path element of a list item: its key, its value (a set) or its index. */
function itemElement(atom: ListAtom, item: unknown, index: number): PathElement {
  if (atom.atomic) return { index }
  if (atom.keys.length === 0) {
    if (typeof item === 'object' && item !== null) {
      throw new TypedValueError(
        `associative list without keys has an element that's a ${describe(item)} type`,
      )
    }
    return { value: item }
  }
  if (item === null)
    throw new TypedValueError('associative list with keys may not have a null element')
  if (!isMap(item)) {
    throw new TypedValueError('associative list with keys may not have non-map elements')
  }
  return keyElement(
    atom.keys.map((k) => {
      if (!Object.hasOwn(item, k)) {
        throw new TypedValueError(
          `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
        )
      }
      return [k, item[k]] as const
    }),
  )
}

/** itemElements indexes a list: each item's element, failing on a bad item with its position. */
function itemElements(atom: ListAtom, list: readonly unknown[], path: Path): PathElement[] {
  return list.map((item, i) => {
    try {
      return itemElement(atom, item, i)
    } catch (err) {
      if (!(err instanceof TypedValueError)) throw err
      throw new TypedValueError(`${pathString(path)}: element ${i}: ${err.message}`)
    }
  })
}

/** safeElements indexes a list for reading: items that cannot be indexed are skipped (null). */
function safeElements(atom: ListAtom, list: readonly unknown[]): (PathElement | null)[] {
  return list.map((item, i) => {
    try {
      return itemElement(atom, item, i)
    } catch {
      return null
    }
  })
}

const id = (e: PathElement): string => serializeElement(e)

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a)
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    )
  }
  return false
}

/** toFieldSet is the set of fields a value sets (upstream ToFieldSet): leaves, list items, map entries. */
export function toFieldSet(value: unknown, schema: SchemaNode | undefined): FieldSet {
  const set = new FieldSet()
  walkSet(value, schema, [], set)
  return set
}

function walkSet(value: unknown, schema: SchemaNode | undefined, path: Path, set: FieldSet): void {
  const atom = resolve(schema, value)
  if (atom.kind === 'scalar') {
    set.insert(path)
    return
  }
  if (atom.atomic) {
    set.insert(path)
    return
  }
  if (atom.kind === 'list') {
    if (!Array.isArray(value)) return
    const elements = safeElements(atom, value)
    const seen = new Set<string>()
    const duplicates = new Set<string>()
    for (const e of elements) {
      if (e === null) continue
      if (seen.has(id(e))) {
        if (!duplicates.has(id(e))) set.insert([...path, e])
        duplicates.add(id(e))
      }
      seen.add(id(e))
    }
    value.forEach((item: unknown, i) => {
      const e = elements[i]
      if (e === null || e === undefined || duplicates.has(id(e))) return
      walkSet(item, atom.element, [...path, e], set)
      set.insert([...path, e])
    })
    return
  }
  if (!isMap(value)) return
  for (const [key, child] of Object.entries(value)) {
    const { schema: sub, declared } = fieldSchema(atom, key)
    const childPath = [...path, fieldElement(key)]
    walkSet(child, sub, childPath, set)
    if (child === null || (isMap(child) && Object.keys(child).length === 0) || !declared) {
      set.insert(childPath)
    }
  }
}

/** Comparison holds the fields `rhs` adds, changes and removes relative to `lhs`. */
export interface Comparison {
  readonly added: FieldSet
  readonly modified: FieldSet
  readonly removed: FieldSet
}

/** compare diffs two values of one schema (upstream Compare). */
export function compare(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined): Comparison {
  const c = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() }
  compareAt(lhs, rhs, schema, [], c)
  return c
}

// Whether two values are equal and hold no undefined anywhere: the comparison of such values
// adds, changes and removes nothing, so an unchanged part (a status an update leaves alone) is
// compared by one plain walk instead of field by field.
function unchanged(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false
  if (typeof a !== 'object' || a === null) return a === b
  if (typeof b !== 'object' || b === null) return false
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => unchanged(x, b[i]))
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a)
  const rb = b as JsonMap
  return (
    ka.length === Object.keys(rb).length &&
    ka.every((k) => Object.hasOwn(rb, k) && unchanged((a as JsonMap)[k], rb[k]))
  )
}

const NO_KEYS: readonly string[] = []

// The keys of either map, `a`'s first: the order the fields are compared in.
function unionKeys(a: readonly string[], b: readonly string[]): readonly string[] {
  if (a.length === 0) return b
  if (b.length === 0) return a
  return [...new Set([...a, ...b])]
}

// `path` is one array for the whole comparison, each level pushing its element and popping it
// afterwards: FieldSet.insert keeps the elements, not the array, and a create compares every
// field of the object.
function compareAt(
  lhs: unknown,
  rhs: unknown,
  schema: SchemaNode | undefined,
  path: PathElement[],
  c: Comparison,
): void {
  if (unchanged(lhs, rhs)) return
  const atom = resolve(schema, rhs === undefined || rhs === null ? lhs : rhs)
  let leaf = atom.kind === 'scalar'
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : undefined
    const r = Array.isArray(rhs) ? rhs : undefined
    const mismatch = (lhs != null && l === undefined) || (rhs != null && r === undefined)
    if (mismatch || atom.atomic || ((l?.length ?? 0) === 0 && (r?.length ?? 0) === 0)) leaf = true
    else compareItems(atom, l ?? [], r ?? [], path, c)
  } else if (atom.kind === 'map') {
    const l = isMap(lhs) ? lhs : undefined
    const r = isMap(rhs) ? rhs : undefined
    const mismatch = (lhs != null && l === undefined) || (rhs != null && r === undefined)
    const lk = l === undefined ? NO_KEYS : Object.keys(l)
    const rk = r === undefined ? NO_KEYS : Object.keys(r)
    if (mismatch || atom.atomic || (lk.length === 0 && rk.length === 0)) leaf = true
    else {
      for (const key of unionKeys(lk, rk)) {
        path.push(fieldElement(key))
        compareAt(
          l !== undefined && Object.hasOwn(l, key) ? l[key] : undefined,
          r !== undefined && Object.hasOwn(r, key) ? r[key] : undefined,
          fieldSchema(atom, key).schema,
          path,
          c,
        )
        path.pop()
      }
    }
  }
  if (lhs === undefined) c.added.insert(path)
  else if (rhs === undefined) c.removed.insert(path)
  else if (leaf && !jsonEqual(lhs, rhs)) c.modified.insert(path)
}

function group(
  atom: ListAtom,
  list: readonly unknown[],
  order: PathElement[],
  seen: Map<string, PathElement>,
): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>()
  safeElements(atom, list).forEach((e, i) => {
    if (e === null) return
    const k = id(e)
    if (!seen.has(k)) {
      seen.set(k, e)
      order.push(e)
    }
    const items = out.get(k)
    if (items === undefined) out.set(k, [list[i]])
    else items.push(list[i])
  })
  return out
}

function compareItems(
  atom: ListAtom,
  lhs: readonly unknown[],
  rhs: readonly unknown[],
  path: PathElement[],
  c: Comparison,
): void {
  const order: PathElement[] = []
  const seen = new Map<string, PathElement>()
  const left = group(atom, lhs, order, seen)
  const right = group(atom, rhs, order, seen)
  for (const e of order) {
    const l = left.get(id(e)) ?? []
    const r = right.get(id(e)) ?? []
    path.push(e)
    if (l.length <= 1 && r.length <= 1) {
      compareAt(l[0], r[0], atom.element, path, c)
    } else if (l.length >= 2 && r.length >= 2) {
      if (!jsonEqual(l, r)) c.modified.insert(path)
    } else if (l.length >= 2) {
      if (r.length !== 0) compareAt(undefined, r[0], atom.element, path, c)
      c.removed.insert(path)
    } else {
      if (l.length !== 0) compareAt(l[0], undefined, atom.element, path, c)
      c.added.insert(path)
    }
    path.pop()
  }
}

/** merge applies `rhs` over `lhs` by the schema (upstream Merge): granular parts merge, leaves take rhs. */
export function merge(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined): unknown {
  return cloneJson(mergeAt(lhs, rhs, schema, []))
}

function mergeAt(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined, path: Path): unknown {
  const atom = resolve(schema, rhs === undefined || rhs === null ? lhs : rhs)
  const leaf = rhs !== undefined ? rhs : lhs
  if (atom.kind === 'scalar') return leaf
  if (atom.kind === 'list') {
    const l = Array.isArray(lhs) ? lhs : undefined
    const r = Array.isArray(rhs) ? rhs : undefined
    const mismatch = (lhs != null && l === undefined) || (rhs != null && r === undefined)
    if (mismatch || atom.atomic || ((l?.length ?? 0) === 0 && (r?.length ?? 0) === 0)) return leaf
    const out = mergeItems(atom, l ?? [], r ?? [], path)
    return out.length > 0 ? out : undefined
  }
  const l = isMap(lhs) ? lhs : undefined
  const r = isMap(rhs) ? rhs : undefined
  const mismatch = (lhs != null && l === undefined) || (rhs != null && r === undefined)
  const empty = Object.keys(l ?? {}).length === 0 && Object.keys(r ?? {}).length === 0
  if (mismatch || atom.atomic || empty) return leaf
  const out: JsonMap = {}
  for (const key of new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})])) {
    const merged = mergeAt(
      l !== undefined && Object.hasOwn(l, key) ? l[key] : undefined,
      r !== undefined && Object.hasOwn(r, key) ? r[key] : undefined,
      fieldSchema(atom, key).schema,
      [...path, fieldElement(key)],
    )
    if (merged !== undefined) out[key] = merged
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/**
 * mergeItems merges two associative lists by their keys in upstream's order: items of both
 * follow the applied order, items only the live object has stay where they were.
 */
function mergeItems(
  atom: ListAtom,
  lhs: readonly unknown[],
  rhs: readonly unknown[],
  path: Path,
): unknown[] {
  const rhsPEs = itemElements(atom, rhs, path)
  const observedRHS = new Map<string, unknown>()
  rhsPEs.forEach((e, i) => {
    if (observedRHS.has(id(e))) {
      throw new TypedValueError(`${pathString(path)}: duplicate entries for key ${pathString([e])}`)
    }
    observedRHS.set(id(e), rhs[i])
  })
  const lhsPEs = itemElements(atom, lhs, path)
  const observedLHS = new Map<string, unknown>()
  // An item the live list repeats is not merged with the applied one (upstream: made null).
  lhsPEs.forEach((e, i) => observedLHS.set(id(e), observedLHS.has(id(e)) ? null : lhs[i]))
  const shared = rhsPEs.filter((e) => observedLHS.has(id(e)))
  let nextShared = shared.shift()
  const mergedRHS = new Set<string>()
  const out: unknown[] = []
  const push = (e: PathElement, l: unknown, r: unknown): void => {
    const merged = mergeAt(l, r, atom.element, [...path, e])
    if (merged !== undefined) out.push(merged)
  }
  let lI = 0
  let rI = 0
  while (lI < lhsPEs.length || rI < rhsPEs.length) {
    if (lI < lhsPEs.length && rI < rhsPEs.length) {
      const e = lhsPEs[lI]!
      if (id(e) === id(rhsPEs[rI]!)) {
        mergedRHS.add(id(e))
        push(e, observedLHS.get(id(e)), observedRHS.get(id(e)))
        lI++
        rI++
        nextShared = shared.shift()
        continue
      }
      if (observedRHS.has(id(e)) && nextShared !== undefined && id(nextShared) !== id(e)) {
        lI++
        continue
      }
    }
    if (lI < lhsPEs.length) {
      const e = lhsPEs[lI]!
      if (!observedRHS.has(id(e))) {
        push(e, lhs[lI], undefined)
        lI++
        continue
      } else if (mergedRHS.has(id(e))) {
        lI++
      }
    }
    if (rI < rhsPEs.length) {
      const e = rhsPEs[rI]!
      mergedRHS.add(id(e))
      push(e, observedLHS.get(id(e)), observedRHS.get(id(e)))
      rI++
      if (nextShared !== undefined && id(nextShared) === id(e)) nextShared = shared.shift()
    }
  }
  return out
}

/** removeItems returns the value without the paths of `set` (upstream RemoveItems); undefined when nothing is left. */
export function removeItems(
  value: unknown,
  set: FieldSet,
  schema: SchemaNode | undefined,
): unknown {
  return removeAt(value, set, schema)
}

function removeAt(value: unknown, set: FieldSet, schema: SchemaNode | undefined): unknown {
  const atom = resolve(schema, value)
  if (atom.kind === 'scalar') return value
  if (atom.kind === 'list') {
    if (!Array.isArray(value) || value.length === 0 || atom.atomic) return undefined
    const elements = safeElements(atom, value)
    const out: unknown[] = []
    value.forEach((item: unknown, i) => {
      const e = elements[i]
      if (e === null || e === undefined) {
        out.push(item)
        return
      }
      if (set.has([e])) return
      const sub = set.child(e)
      const kept = sub.empty() ? item : removeAt(item, sub, atom.element)
      if (kept !== undefined) out.push(kept)
    })
    return out.length > 0 ? out : undefined
  }
  if (!isMap(value) || Object.keys(value).length === 0 || atom.atomic) return undefined
  const out: JsonMap = {}
  for (const [key, child] of Object.entries(value)) {
    const e = fieldElement(key)
    if (set.has([e])) continue
    const sub = set.child(e)
    const kept = sub.empty() ? child : removeAt(child, sub, fieldSchema(atom, key).schema)
    if (kept !== undefined) out[key] = kept
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** ensureNamedFieldsAreMembers adds every declared struct field with children as a member (upstream, for pruning). */
export function ensureNamedFieldsAreMembers(
  set: FieldSet,
  schema: SchemaNode | undefined,
): FieldSet {
  const out = new FieldSet()
  for (const m of set.memberElements()) out.insert([m])
  const object = objectVariant(schema)
  const atom = object === undefined ? undefined : mapAtom(object)
  const list = arrayVariant(schema)
  for (const { element, set: sub } of set.childEntries()) {
    let childSchema: SchemaNode | undefined
    if ('field' in element) {
      if (atom !== undefined && Object.hasOwn(atom.fields, element.field)) out.insert([element])
      childSchema = atom === undefined ? undefined : fieldSchema(atom, element.field).schema
    } else if ('key' in element) {
      childSchema = list?.items
    }
    for (const p of ensureNamedFieldsAreMembers(sub, childSchema).paths([element])) out.insert(p)
  }
  return out
}

/** equalValues is structural equality of JSON values. */
export function equalValues(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b)
}
