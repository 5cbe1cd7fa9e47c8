/**
 * Strategic merge patch (`application/strategic-merge-patch+json`,
 * docs/kubernetes-api.md#patch-types), following the apiserver's implementation
 * (k8s.io/apimachinery pkg/util/strategicpatch/patch.go) for what kubectl and oc send, driven
 * by the `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` extensions of our
 * TypeBox schemas (the same the OpenAPI documents publish, so the patch kubectl computes from
 * them is merged by the same keys here):
 * - maps merge recursively and `null` deletes a key; a map field with strategy `replace` is
 *   replaced whole;
 * - a list with strategy `merge` and a merge key merges element-wise by that key; a `merge`
 *   list of scalars is a set union; every other list is replaced;
 * - directives: element `{"$patch": "delete", <key>: ...}` and `{"$patch": "replace"}`,
 *   map-level `"$patch": "replace" | "delete"`, `"$retainKeys"`, `"$setElementOrder/<list>"`
 *   and `"$deleteFromPrimitiveList/<list>"`;
 * - a merged list is ordered as the apiserver orders it: the patch's (or `$setElementOrder`'s)
 *   elements in that order, with the elements only the server had kept in their relative order
 *   and interleaved by their former positions. This is what keeps tags another client added
 *   when `kubectl apply` deletes and adds others.
 */
import type { TSchema } from 'typebox'
import { badRequest } from '../../status.js'
import { cloneJson, FORBIDDEN_KEYS, isJsonObject, type JsonObject } from './json-value.js'

// The JSON Schema subset our schemas use, with the patch extensions.
interface PatchSchema {
  readonly properties?: Readonly<Record<string, PatchSchema>>
  readonly additionalProperties?: boolean | PatchSchema
  readonly items?: PatchSchema
  readonly anyOf?: readonly PatchSchema[]
  readonly type?: string
  readonly 'x-kubernetes-patch-strategy'?: string
  readonly 'x-kubernetes-patch-merge-key'?: string
}

const PATCH = '$patch'
const RETAIN_KEYS = '$retainKeys'
const SET_ELEMENT_ORDER = '$setElementOrder/'
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/'

function objectVariant(schema: PatchSchema | undefined): PatchSchema | undefined {
  if (schema?.anyOf === undefined) return schema
  return schema.anyOf.find((s) => s.type === 'object' || s.properties !== undefined)
}

function propertySchema(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  const s = objectVariant(schema)
  if (s === undefined) return undefined
  const property = s.properties?.[key]
  if (property !== undefined && Object.hasOwn(s.properties ?? {}, key)) return property
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined
}

function listSchema(schema: PatchSchema | undefined): PatchSchema | undefined {
  if (schema?.anyOf === undefined) return schema
  return schema.anyOf.find((s) => s.type === 'array' || s.items !== undefined)
}

function checkKey(key: string): void {
  if (FORBIDDEN_KEYS.has(key))
    throw badRequest(`the patch may not contain the key ${JSON.stringify(key)}`)
}

/** A field's patch strategy: `merge` (lists), `replace` (maps), with its merge key. */
interface Strategy {
  readonly merge: boolean
  readonly replace: boolean
  readonly key: string | undefined
}

function strategyOf(schema: PatchSchema | undefined): Strategy {
  // `retainKeys` may accompany another strategy (`merge,retainKeys`); it only matters to
  // clients, which send the `$retainKeys` directive themselves.
  const strategies = (schema?.['x-kubernetes-patch-strategy'] ?? '').split(',')
  return {
    merge: strategies.includes('merge'),
    replace: strategies.includes('replace'),
    key: schema?.['x-kubernetes-patch-merge-key'],
  }
}

function show(value: unknown): string {
  return JSON.stringify(value)
}

/** stripDirectives copies a value that enters the document without a counterpart (a new element or map). */
function stripDirectives(value: unknown, schema: PatchSchema | undefined): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, schema) ?? {}
  if (Array.isArray(value)) return mergeList([], value, listSchema(schema), false)
  return value
}

/** identity is what an element is known by in a list: its merge key's value, or itself. */
function identity(element: unknown, key: string | undefined): unknown {
  return key !== undefined && isJsonObject(element) ? element[key] : element
}

function indexIn(list: readonly unknown[], element: unknown, key: string | undefined): number {
  const id = identity(element, key)
  return list.findIndex((e) => identity(e, key) === id)
}

/** sortBy orders `items` by their position in `order`; items not in it keep their place after. */
function sortBy(items: readonly unknown[], order: readonly unknown[], key: string | undefined) {
  const position = (e: unknown) => {
    const i = indexIn(order, e, key)
    return i < 0 ? Number.MAX_SAFE_INTEGER : i
  }
  return items
    .map((e, i) => ({ e, i, p: position(e) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map(({ e }) => e)
}

/**
 * normalizeOrder lays out a merged list: the elements the patch names (`wanted`) in the order
 * of `wanted`, and between them the elements only the server had, in their order in `server`;
 * a server-only element goes before the first patch element that came after it on the server.
 */
function normalizeOrder(
  merged: readonly unknown[],
  wanted: readonly unknown[],
  server: readonly unknown[],
  key: string | undefined,
): unknown[] {
  const named = (e: unknown) => indexIn(wanted, e, key) >= 0
  const fromPatch = sortBy(
    merged.filter((e) => named(e)),
    wanted,
    key,
  )
  const serverOnly = sortBy(
    merged.filter((e) => !named(e)),
    server,
    key,
  )
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++])
    else if (i >= serverOnly.length) out.push(fromPatch[j++])
    else {
      const left = indexIn(server, serverOnly[i], key)
      const right = indexIn(server, fromPatch[j], key)
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++])
      else out.push(fromPatch[j++])
    }
  }
  return out
}

/**
 * ListMerge is a merged list before it is put in order: `merged` holds the server's elements
 * (less deletions, in their order; the first `server` of them) followed by the new ones, and
 * `wanted` the elements the patch set. `final` lists need no ordering: a replaced list is the
 * patch's, a deletion from a list of scalars keeps the server's order.
 */
interface ListMerge {
  readonly merged: unknown[]
  readonly server: number
  readonly wanted: readonly unknown[]
  readonly key: string | undefined
  readonly final: boolean
}

/** mergeElements merges a patch list into the original list of a field described by `schema`. */
function mergeElements(
  original: unknown,
  patch: readonly unknown[],
  schema: PatchSchema | undefined,
  deleteList: boolean,
): ListMerge {
  const items = schema?.items
  const { merge, key } = strategyOf(schema)
  const current: unknown[] = Array.isArray(original)
    ? original.map((e: unknown) => cloneJson(e))
    : []
  const final = (list: unknown[]): ListMerge => ({
    merged: list,
    server: 0,
    wanted: [],
    key,
    final: true,
  })
  if (!merge && !deleteList) {
    // A replaced list: `{"$patch": "replace"}` markers and deletions have nothing to act on.
    return final(
      patch.filter((e) => !(isJsonObject(e) && PATCH in e)).map((e) => stripDirectives(e, items)),
    )
  }
  if (!patch.some(isJsonObject) && !current.some(isJsonObject)) {
    if (deleteList) return final(current.filter((e) => !patch.includes(e)))
    const union = [...current]
    for (const e of patch) if (!union.includes(e)) union.push(e)
    return { merged: union, server: current.length, wanted: patch, key: undefined, final: false }
  }
  if (key === undefined) throw badRequest('cannot merge lists of objects without a merge key')
  let merged = current
  const plain: JsonObject[] = []
  let replace = false
  for (const element of patch) {
    if (!isJsonObject(element)) {
      throw badRequest(`a list merged by ${JSON.stringify(key)} may only contain objects`)
    }
    const directive = element[PATCH]
    if (directive === undefined) plain.push(element)
    else if (directive === 'delete') {
      if (!(key in element)) {
        throw badRequest(`map: ${show(element)} does not contain declared merge key: ${key}`)
      }
      merged = merged.filter((e) => identity(e, key) !== element[key])
    } else if (directive === 'replace') replace = true
    else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch')
    } else throw badRequest(`unknown patch type: ${show(directive)} in map: ${show(element)}`)
  }
  if (replace) return final(plain.map((e) => stripDirectives(e, items)))
  const server = merged.length
  for (const element of plain) {
    if (!(key in element)) {
      throw badRequest(`map: ${show(element)} does not contain declared merge key: ${key}`)
    }
    const index = indexIn(merged, element, key)
    if (index < 0) merged.push(stripDirectives(element, items))
    else merged[index] = mergeMap(merged[index] as JsonObject, element, items) ?? {}
  }
  return { merged, server, wanted: plain, key, final: false }
}

/**
 * mergeList merges a patch list into the original list and orders the result: the patch's
 * elements in its order, the server's other elements placed by their former positions.
 */
function mergeList(
  original: unknown,
  patch: readonly unknown[],
  schema: PatchSchema | undefined,
  deleteList: boolean,
): unknown[] {
  const m = mergeElements(original, patch, schema, deleteList)
  if (m.final) return m.merged
  return normalizeOrder(m.merged, m.wanted, m.merged.slice(0, m.server), m.key)
}

/**
 * checkElementOrder refuses a `$setElementOrder` list that leaves out an element the patch list
 * sets, or names them in another order (the apiserver's validatePatchWithSetOrderList).
 */
function checkElementOrder(list: unknown, order: readonly unknown[], key: string | undefined) {
  if (!Array.isArray(list) || order.length === 0) return
  const set = list.filter((e) => !(isJsonObject(e) && PATCH in e))
  let next = 0
  for (const element of set) {
    const id = identity(element, key)
    while (next < order.length && identity(order[next], key) !== id) next++
    if (next === order.length) {
      throw badRequest(
        `The order in patch list:\n${show(list)}\n doesn't match $setElementOrder list:\n${show(order)}\n`,
      )
    }
    next++
  }
}

/** retainKeys applies `$retainKeys`: the patch may only set listed keys, the rest of the original goes. */
function retainKeys(result: JsonObject, patch: JsonObject): void {
  const retain = patch[RETAIN_KEYS]
  if (retain === undefined) return
  if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys')
  for (const [key, value] of Object.entries(patch)) {
    if (key === RETAIN_KEYS || value === null) continue
    if (key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue
    if (!retain.includes(key)) throw badRequest('invalid patch format of retainKeys')
  }
  for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key]
}

/** mergeMap merges a patch map into an original map; undefined means "delete this map". */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  schema: PatchSchema | undefined,
): JsonObject | undefined {
  const directive = patch[PATCH]
  if (directive === 'delete') return undefined
  if (directive === 'replace') {
    const { [PATCH]: _replace, ...rest } = patch
    return mergeMap({}, rest, schema)
  }
  if (directive !== undefined) {
    throw badRequest(`unknown patch type: ${show(directive)} in map: ${show(patch)}`)
  }
  const result: JsonObject = { ...original }
  retainKeys(result, patch)
  const ordered = new Set<string>()
  // `$setElementOrder/<list>` comes with (or without) the list it orders: merge both at once.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue
    const field = key.slice(SET_ELEMENT_ORDER.length)
    checkKey(field)
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list')
    const sub = listSchema(propertySchema(schema, field))
    const { key: mergeKey } = strategyOf(sub)
    const list = patch[field]
    checkElementOrder(list, order, mergeKey)
    const before = result[field]
    let merged: unknown[]
    if (Array.isArray(list)) {
      // The server's order here includes the new elements (after the server's own), as the
      // apiserver's does: a server-only element then stays ahead of elements added after it.
      const m = mergeElements(before, list, sub, false)
      const server = m.final ? (Array.isArray(before) ? before : []) : m.merged
      merged = normalizeOrder(m.merged, order, server, mergeKey)
    } else if (Array.isArray(before)) merged = normalizeOrder(before, order, before, mergeKey)
    else continue
    result[field] = merged
    ordered.add(field)
  }
  for (const [key, value] of Object.entries(patch)) {
    checkKey(key)
    if (key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER)) continue
    if (ordered.has(key)) continue
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length)
      checkKey(field)
      if (!Array.isArray(value)) throw badRequest('invalid patch format of primitive list')
      const list = result[field]
      if (Array.isArray(list)) {
        result[field] = mergeList(list, value, listSchema(propertySchema(schema, field)), true)
      }
      continue
    }
    const sub = propertySchema(schema, key)
    if (value === null) {
      delete result[key]
    } else if (isJsonObject(value)) {
      const current = result[key]
      const merged =
        isJsonObject(current) && !strategyOf(sub).replace
          ? mergeMap(current, value, sub)
          : mergeMap({}, value, sub)
      if (merged === undefined) delete result[key]
      else result[key] = merged
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, listSchema(sub), false)
    } else {
      result[key] = value
    }
  }
  return result
}

/** applyStrategicMergePatch merges `patch` into `original` by the rules of `schema`; neither is changed. */
export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: TSchema,
): unknown {
  if (!isJsonObject(patch)) {
    throw badRequest('a strategic merge patch must be a JSON object')
  }
  const root = isJsonObject(original) ? original : {}
  // mergeMap shares unchanged subtrees with the original: copy once so callers may mutate.
  return cloneJson(mergeMap(root, patch, schema as PatchSchema) ?? {})
}
