/**
 * Objects as clients see them: `kind` and `apiVersion` first (stored list items may lack them),
 * and the fields the server computes on read (an ImageStream's dockerImageRepository).
 */
import type { KindMap, KindName, ResourceInfo } from '../../api/index.js'
import { strategyFor, type StrategyContext } from './strategies/index.js'

/** present returns the object as served; the argument is not changed. */
export function present<K extends KindName>(
  resource: ResourceInfo<K>,
  object: KindMap[K],
  ctx: StrategyContext,
): KindMap[K] {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object
  const typed = { kind: resource.kind, apiVersion: resource.apiVersion, ...rest } as KindMap[K]
  return strategyFor(resource.kind).decorate(typed, ctx)
}

/** ServedHead is the head every served text of a kind starts with, and how stored texts may. */
interface ServedHead {
  /** `{"kind":…,"apiVersion":…,` as served. */
  readonly head: string
  /** The same members in the other order, as stored texts may start. */
  readonly swapped: string
}

const heads = new WeakMap<ResourceInfo, ServedHead>()

function servedHeadOf(resource: ResourceInfo): ServedHead {
  let known = heads.get(resource)
  if (known === undefined) {
    const kind = `"kind":${JSON.stringify(resource.kind)}`
    const apiVersion = `"apiVersion":${JSON.stringify(resource.apiVersion)}`
    known = { head: `{${kind},${apiVersion},`, swapped: `{${apiVersion},${kind},` }
    heads.set(resource, known)
  }
  return known
}

/**
 * presentJsonPieces returns the text of JSON.stringify(present(...)) of a stored JSON document
 * as pieces to write one after the other: slices of the stored text itself when the kind's
 * strategy can decorate a text that starts with kind and apiVersion (in either order), else
 * the text of the parsed and presented object.
 */
export function presentJsonPieces<K extends KindName>(
  resource: ResourceInfo<K>,
  stored: string,
  ctx: StrategyContext,
): string[] {
  const { head, swapped } = servedHeadOf(resource)
  const from = stored.startsWith(head)
    ? head.length
    : stored.startsWith(swapped)
      ? swapped.length
      : -1
  const pieces = from < 0 ? undefined : strategyFor(resource.kind).decorateJson?.(stored, from, ctx)
  if (pieces === undefined) {
    return [JSON.stringify(present(resource, JSON.parse(stored) as KindMap[K], ctx))]
  }
  pieces.unshift(head)
  return pieces
}

/** presentJson returns the text of JSON.stringify(present(...)) of a stored JSON document. */
export function presentJson<K extends KindName>(
  resource: ResourceInfo<K>,
  stored: string,
  ctx: StrategyContext,
): string {
  return presentJsonPieces(resource, stored, ctx).join('')
}
