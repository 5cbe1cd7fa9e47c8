/** The strategy of each kind stored by the generic handlers. */
import type { KindName } from '../../../api/index.js'
import { imageStrategy } from './image.js'
import { imageStreamStrategy } from './imagestream.js'
import { namespaceStrategy } from './namespace.js'
import { passThrough, type Strategy } from './types.js'

// Update and delete answers follow the upstream registries: OpenShift's image and image stream
// strategies refuse unconditional updates (openshift-apiserver pkg/image/apiserver/registry/
// {image,imagestream}/strategy.go); of the core kinds, only the service account and namespace
// stores return the deleted object (kubernetes pkg/registry/core/*/storage/storage.go), the rest
// answer a Success Status. An Image goes only once no stream history and no manifest list names
// it (docs/kubernetes-api.md#image-deletes-and-references).
const STRATEGIES: { readonly [K in KindName]?: Strategy<K> } = {
  ImageStream: { ...imageStreamStrategy, allowUnconditionalUpdate: false },
  Image: { ...imageStrategy, allowUnconditionalUpdate: false, deleteOnlyUnreferenced: true },
  Namespace: { ...namespaceStrategy, returnDeletedObject: true },
  ServiceAccount: { ...passThrough<'ServiceAccount'>(), returnDeletedObject: true },
}

/** strategyFor returns a kind's strategy; kinds without server-owned fields pass through. */
export function strategyFor<K extends KindName>(kind: K): Strategy<K> {
  // The map's type pairs every kind with its own strategy; indexing by a generic K loses that.
  const strategy: Strategy<K> | undefined = STRATEGIES[kind]
  return strategy ?? passThrough<K>()
}

export { dockerImageRepository, tagRefChanged } from './imagestream.js'
export type { AccessCheck, Strategy, StrategyContext } from './types.js'
