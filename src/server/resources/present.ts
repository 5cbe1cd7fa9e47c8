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

// The served text's head, when the stored text starts with kind and apiVersion in either order.
function servedHead(resource: ResourceInfo, stored: string): string | undefined {
  const kind = `"kind":${JSON.stringify(resource.kind)}`
  const apiVersion = `"apiVersion":${JSON.stringify(resource.apiVersion)}`
  const head = `{${kind},${apiVersion},`
  if (stored.startsWith(head)) return stored
  const swapped = `{${apiVersion},${kind},`
  return stored.startsWith(swapped) ? head + stored.slice(swapped.length) : undefined
}

/**
 * presentJson returns the text of JSON.stringify(present(...)) of a stored JSON document: from
 * the stored text itself when the kind's strategy can decorate a text, else by parsing it.
 */
export function presentJson<K extends KindName>(
  resource: ResourceInfo<K>,
  stored: string,
  ctx: StrategyContext,
): string {
  const head = servedHead(resource, stored)
  const decorated =
    head === undefined ? undefined : strategyFor(resource.kind).decorateJson?.(head, ctx)
  return decorated ?? JSON.stringify(present(resource, JSON.parse(stored) as KindMap[K], ctx))
}
