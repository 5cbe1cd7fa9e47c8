/** get and list of stored resources. */
import type { KindMap, KindName, List, ResourceInfo } from '../../../api/index.js'
import { objectKey } from '../../../storage/index.js'
import type { ResourceContext } from '../context.js'
import { present } from '../present.js'
import type { ReadQuery } from '../query.js'
import { objectFieldsOf } from '../selectable-fields.js'
import { strategyContext } from './context.js'

/** getObject reads one object as served; NotFound propagates as the store's error. */
export async function getObject<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  name: string,
): Promise<KindMap[K]> {
  const stored = await ctx.store.get<KindMap[K]>(objectKey(resource.plural, name, namespace ?? ''))
  return present(resource, stored, strategyContext(ctx))
}

/** ListSelection is the part of a read query that selects objects. */
export type ListSelection = Pick<
  ReadQuery,
  'labelSelector' | 'fieldSelector' | 'limit' | 'continue'
>

/** listObjects reads one page of a list as served, with its list metadata. */
export async function listObjects<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  query: ListSelection,
): Promise<
  List<KindMap[K]> & {
    kind: string
    apiVersion: string
    metadata: NonNullable<List<unknown>['metadata']>
  }
> {
  const page = await ctx.store.list<KindMap[K]>(resource.plural, {
    ...(namespace === undefined ? {} : { namespace }),
    ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
    ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.continue === undefined ? {} : { continue: query.continue }),
    ...objectFieldsOf(resource.plural),
  })
  const sctx = strategyContext(ctx)
  return {
    kind: resource.listKind,
    apiVersion: resource.apiVersion,
    metadata: {
      resourceVersion: page.resourceVersion,
      ...(page.continue === undefined ? {} : { continue: page.continue }),
      ...(page.remainingItemCount === undefined
        ? {}
        : { remainingItemCount: page.remainingItemCount }),
    },
    items: page.items.map((item) => present(resource, item, sctx)),
  }
}
