/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the subset kubectl and oc
 * produce (docs/kubernetes-api.md#patch-types), driven by the `x-kubernetes-patch-strategy` and
 * `x-kubernetes-patch-merge-key` extensions of our TypeBox schemas:
 * - maps merge recursively and `null` deletes a key;
 * - a list with strategy `merge` and a merge key merges element-wise by that key (new elements
 *   are appended); a `merge` list of scalars is a set union; every other list is replaced;
 * - directives: element `{"$patch": "delete", <key>: ...}`, list element `{"$patch": "replace"}`,
 *   map-level `"$patch": "replace" | "delete"`, `"$retainKeys"`,
 *   `"$setElementOrder/<list>"` and `"$deleteFromPrimitiveList/<list>"`.
 * Also used, without directives, for server-side apply (see apply.ts).
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

/** stripDirectives copies a value that enters the document without a counterpart (a new element or map). */
function stripDirectives(value: unknown, schema: PatchSchema | undefined): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, schema) ?? {}
  if (Array.isArray(value)) return mergeList([], value, listSchema(schema))
  return value
}

function strategyOf(schema: PatchSchema | undefined): { merge: boolean; key: string | undefined } {
  const strategy = schema?.['x-kubernetes-patch-strategy'] ?? ''
  return {
    merge: strategy.split(',').includes('merge'),
    key: schema?.['x-kubernetes-patch-merge-key'],
  }
}

function mergeList(
  original: unknown,
  patch: readonly unknown[],
  schema: PatchSchema | undefined,
): unknown[] {
  const items = schema?.items
  // A `{"$patch": "replace"}` element replaces the whole list with the other elements.
  if (patch.some((e) => isJsonObject(e) && e[PATCH] === 'replace')) {
    return patch
      .filter((e) => !(isJsonObject(e) && e[PATCH] === 'replace'))
      .map((e) => stripDirectives(e, items))
  }
  const { merge, key } = strategyOf(schema)
  const current: unknown[] = Array.isArray(original)
    ? original.map((e: unknown) => cloneJson(e))
    : []
  if (!merge) {
    return patch
      .filter((e) => !(isJsonObject(e) && e[PATCH] === 'delete'))
      .map((e) => stripDirectives(e, items))
  }
  if (key === undefined) {
    // A set of scalars: union, keeping the current order.
    const result = [...current]
    for (const e of patch) if (!result.some((c) => c === e)) result.push(cloneJson(e))
    return result
  }
  for (const element of patch) {
    if (!isJsonObject(element)) {
      throw badRequest(`a list merged by ${JSON.stringify(key)} may only contain objects`)
    }
    const id = element[key]
    const index = current.findIndex((c) => isJsonObject(c) && c[key] === id)
    if (element[PATCH] === 'delete') {
      if (index >= 0) current.splice(index, 1)
      continue
    }
    if (id === undefined) {
      throw badRequest(
        `map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`,
      )
    }
    if (index >= 0) {
      const merged = mergeMap(current[index] as JsonObject, element, items)
      if (merged === undefined) current.splice(index, 1)
      else current[index] = merged
    } else {
      current.push(stripDirectives(element, items))
    }
  }
  return current
}

/** reorder puts the elements named by `$setElementOrder` first, in that order; the rest follow. */
function reorder(list: unknown[], order: unknown, key: string | undefined): unknown[] {
  if (!Array.isArray(order)) return list
  const identity = (e: unknown): unknown => (key !== undefined && isJsonObject(e) ? e[key] : e)
  const wanted = order.map(identity)
  const listed = wanted.flatMap((id) => list.filter((e) => identity(e) === id))
  const rest = list.filter((e) => !wanted.includes(identity(e)))
  return [...listed, ...rest]
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
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(
      `unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`,
    )
  }
  const result: JsonObject = { ...original }
  const retain = patch[RETAIN_KEYS]
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest(`invalid ${RETAIN_KEYS} directive: must be a list`)
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key]
  }
  const orders: [string, unknown][] = []
  const deletions: [string, unknown][] = []
  for (const [key, value] of Object.entries(patch)) {
    checkKey(key)
    if (key === PATCH || key === RETAIN_KEYS) continue
    if (key.startsWith(SET_ELEMENT_ORDER)) {
      orders.push([key.slice(SET_ELEMENT_ORDER.length), value])
      continue
    }
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([key.slice(DELETE_FROM_PRIMITIVE_LIST.length), value])
      continue
    }
    const sub = propertySchema(schema, key)
    if (value === null) {
      delete result[key]
    } else if (isJsonObject(value)) {
      const merged = mergeMap(isJsonObject(result[key]) ? result[key] : {}, value, sub)
      if (merged === undefined) delete result[key]
      else result[key] = merged
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, listSchema(sub))
    } else {
      result[key] = value
    }
  }
  for (const [key, remove] of deletions) {
    const list = result[key]
    if (Array.isArray(list) && Array.isArray(remove)) {
      result[key] = list.filter((e) => !remove.includes(e))
    }
  }
  for (const [key, order] of orders) {
    const list = result[key]
    if (Array.isArray(list))
      result[key] = reorder(list, order, strategyOf(listSchema(propertySchema(schema, key))).key)
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
