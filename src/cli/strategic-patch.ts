/**
 * The three-way strategic merge patch client-side `apply` sends, as apimachinery's
 * `strategicpatch.CreateThreeWayMergePatch` builds it: the changes and additions from the live
 * object to the new configuration, plus the deletions from the last applied configuration to
 * the new one, so that fields other clients set stay. Lists whose schema says `merge` with a
 * merge key are diffed element by element (deleted elements as `$patch: delete`, the new order
 * as `$setElementOrder/<list>`); `merge` lists of scalars as sets
 * (`$deleteFromPrimitiveList/<list>`); every other list is replaced whole.
 */
import { isDeepStrictEqual } from 'node:util'

/** PatchMeta tells how a field merges: its strategy and merge key, and its children's. */
export interface PatchMeta {
  readonly strategy: string | undefined
  readonly mergeKey: string | undefined
  field(name: string): PatchMeta
  items(): PatchMeta
}

/** NO_META merges maps and replaces lists: what a schema-less field gets. */
export const NO_META: PatchMeta = {
  strategy: undefined,
  mergeKey: undefined,
  field: () => NO_META,
  items: () => NO_META,
}

type JsonMap = Record<string, unknown>

interface DiffOptions {
  readonly ignoreDeletions: boolean
  readonly ignoreChangesAndAdditions: boolean
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'list'
  if (v === null) return 'null'
  return typeof v
}

function diffMaps(
  original: JsonMap,
  modified: JsonMap,
  meta: PatchMeta,
  opts: DiffOptions,
): JsonMap {
  const patch: JsonMap = {}
  for (const [key, mod] of Object.entries(modified)) {
    const sub = meta.field(key)
    if (!Object.hasOwn(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = mod
      continue
    }
    const orig = original[key]
    if (kindOf(orig) !== kindOf(mod)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = mod
      continue
    }
    if (isMap(orig) && isMap(mod)) {
      if (sub.strategy === 'replace') {
        if (!opts.ignoreChangesAndAdditions && !isDeepStrictEqual(orig, mod)) patch[key] = mod
        continue
      }
      const p = diffMaps(orig, mod, sub, opts)
      if (Object.keys(p).length > 0) patch[key] = p
      continue
    }
    if (Array.isArray(orig) && Array.isArray(mod)) {
      diffListField(patch, key, orig, mod, sub, opts)
      continue
    }
    if (!opts.ignoreChangesAndAdditions && !isDeepStrictEqual(orig, mod)) patch[key] = mod
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.hasOwn(modified, key)) patch[key] = null
  }
  return patch
}

function diffListField(
  patch: JsonMap,
  key: string,
  orig: unknown[],
  mod: unknown[],
  meta: PatchMeta,
  opts: DiffOptions,
): void {
  if (meta.strategy?.split(',').includes('merge') !== true) {
    if (!opts.ignoreChangesAndAdditions && !isDeepStrictEqual(orig, mod)) patch[key] = mod
    return
  }
  const scalars = [...orig, ...mod].every((v) => !isMap(v) && !Array.isArray(v))
  if (scalars) {
    const added = opts.ignoreChangesAndAdditions ? [] : mod.filter((v) => !orig.includes(v))
    const deleted = opts.ignoreDeletions ? [] : orig.filter((v) => !mod.includes(v))
    if (added.length > 0) patch[key] = added
    if (deleted.length > 0) patch[`$deleteFromPrimitiveList/${key}`] = deleted
    if (
      (!opts.ignoreDeletions && deleted.length > 0) ||
      (!opts.ignoreChangesAndAdditions && !isDeepStrictEqual(orig, mod))
    )
      patch[`$setElementOrder/${key}`] = mod
    return
  }
  const mergeKey = meta.mergeKey ?? ''
  const keyOf = (v: unknown) => (isMap(v) ? v[mergeKey] : undefined)
  const items = meta.items()
  const changed: unknown[] = []
  for (const m of mod) {
    const o = orig.find((x) => isDeepStrictEqual(keyOf(x), keyOf(m)))
    if (o === undefined) {
      if (!opts.ignoreChangesAndAdditions) changed.push(m)
      continue
    }
    const p = isMap(o) && isMap(m) ? diffMaps(o, m, items, opts) : {}
    if (Object.keys(p).length > 0) changed.push({ ...p, [mergeKey]: keyOf(m) })
  }
  const deleted = opts.ignoreDeletions
    ? []
    : orig
        .filter((o) => !mod.some((m) => isDeepStrictEqual(keyOf(o), keyOf(m))))
        .map((o) => ({ [mergeKey]: keyOf(o), $patch: 'delete' }))
  const list = [...changed, ...deleted]
  if (list.length > 0) patch[key] = list
  const orderSame = isDeepStrictEqual(
    orig.filter((o) => mod.some((m) => isDeepStrictEqual(keyOf(o), keyOf(m)))).map(keyOf),
    mod.filter((m) => orig.some((o) => isDeepStrictEqual(keyOf(o), keyOf(m)))).map(keyOf),
  )
  if (
    (!opts.ignoreChangesAndAdditions && (list.length > 0 || !orderSame)) ||
    (!opts.ignoreDeletions && list.length > 0)
  )
    patch[`$setElementOrder/${key}`] = mod.map((m) => ({ [mergeKey]: keyOf(m) }))
}

/**
 * mergePatches lays the additions over the deletions: nested maps merge, and lists with a merge
 * key merge element by element, so each element appears once.
 */
function mergePatches(deletions: JsonMap, delta: JsonMap, meta: PatchMeta): JsonMap {
  const out: JsonMap = { ...deletions }
  for (const [key, value] of Object.entries(delta)) {
    const existing = out[key]
    const sub = meta.field(key)
    if (isMap(existing) && isMap(value)) out[key] = mergePatches(existing, value, sub)
    else if (Array.isArray(existing) && Array.isArray(value) && !key.startsWith('$')) {
      out[key] = mergeLists(existing, value, sub)
    } else out[key] = value
  }
  return out
}

function mergeLists(deletions: unknown[], delta: unknown[], meta: PatchMeta): unknown[] {
  const mergeKey = meta.mergeKey
  if (mergeKey === undefined) return [...delta, ...deletions]
  const merged = delta.map((d) => {
    const match = deletions.find(
      (x) => isMap(x) && isMap(d) && isDeepStrictEqual(x[mergeKey], d[mergeKey]),
    )
    return isMap(match) && isMap(d) ? mergePatches(match, d, meta.items()) : d
  })
  const rest = deletions.filter(
    (x) => !delta.some((d) => isMap(x) && isMap(d) && isDeepStrictEqual(x[mergeKey], d[mergeKey])),
  )
  return [...merged, ...rest]
}

/**
 * threeWayMergePatch is the patch that takes `current` (the live object) to `modified` (the new
 * configuration) without undoing what others changed, `original` being the configuration applied
 * last (undefined when there is none).
 */
export function threeWayMergePatch(
  original: JsonMap | undefined,
  modified: JsonMap,
  current: JsonMap,
  meta: PatchMeta,
): JsonMap {
  const delta = diffMaps(current, modified, meta, {
    ignoreDeletions: true,
    ignoreChangesAndAdditions: false,
  })
  const deletions = diffMaps(original ?? {}, modified, meta, {
    ignoreDeletions: false,
    ignoreChangesAndAdditions: true,
  })
  return mergePatches(deletions, delta, meta)
}
