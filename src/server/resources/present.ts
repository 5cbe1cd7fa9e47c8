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
