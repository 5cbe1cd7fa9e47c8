/** get and list of stored resources. */
import type { KindMap, KindName, List, ResourceInfo } from '../../../api/index.js'
import { objectKey, type ListOptions, type ListResult } from '../../../storage/index.js'
import type { ResourceContext } from '../context.js'
import { present, presentJson, presentJsonPieces } from '../present.js'
import type { ReadQuery } from '../query.js'
import { objectFieldsOf } from '../selectable-fields.js'
import type { StrategyContext } from '../strategies/index.js'
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

/**
 * getJsonObject reads one object as getObject does, as the JSON text of the object as served,
 * made from the stored text without parsing it where the kind allows.
 */
export async function getJsonObject(
  ctx: ResourceContext,
  resource: ResourceInfo,
  namespace: string | undefined,
  name: string,
): Promise<string> {
  const stored = await ctx.store.getJson(objectKey(resource.plural, name, namespace ?? ''))
  return presentJson(resource, stored, strategyContext(ctx))
}

// The strategy context of one list: its registry hostname is worked out once, not per object.
function listContext(ctx: ResourceContext): StrategyContext {
  let host: string | undefined
  const registryHostname = () => (host ??= ctx.settings.registryHostname())
  return { ...strategyContext(ctx), settings: { ...ctx.settings, registryHostname } }
}

/** ListSelection is the part of a read query that selects objects. */
export type ListSelection = Pick<
  ReadQuery,
  'labelSelector' | 'fieldSelector' | 'limit' | 'continue'
>

function storeListOptions(
  resource: ResourceInfo,
  namespace: string | undefined,
  query: ListSelection,
): ListOptions {
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
    ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.continue === undefined ? {} : { continue: query.continue }),
    ...objectFieldsOf(resource.plural),
  }
}

/** ListHead is a list's kind, apiVersion and list metadata. */
export interface ListHead {
  readonly kind: string
  readonly apiVersion: string
  readonly metadata: NonNullable<List<unknown>['metadata']>
}

function listHead(resource: ResourceInfo, page: Omit<ListResult, 'items'>): ListHead {
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
  }
}

/** listObjects reads one page of a list as served, with its list metadata. */
export async function listObjects<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  query: ListSelection,
): Promise<ListHead & { items: KindMap[K][] }> {
  const page = await ctx.store.list<KindMap[K]>(
    resource.plural,
    storeListOptions(resource, namespace, query),
  )
  const sctx = listContext(ctx)
  return {
    ...listHead(resource, page),
    items: page.items.map((item) => present(resource, item, sctx)),
  }
}

/**
 * listJsonObjects reads one page of a list as listObjects does, each item the JSON text of the
 * object as served in pieces, made from the stored text without parsing it where the kind
 * allows.
 */
export async function listJsonObjects(
  ctx: ResourceContext,
  resource: ResourceInfo,
  namespace: string | undefined,
  query: ListSelection,
): Promise<ListHead & { items: string[][] }> {
  const page = await ctx.store.listJson(
    resource.plural,
    storeListOptions(resource, namespace, query),
  )
  const sctx = listContext(ctx)
  return {
    ...listHead(resource, page),
    items: page.items.map((t) => presentJsonPieces(resource, t, sctx)),
  }
}

/**
 * STREAM_PAGE is how many objects an unpaged list reads, presents and serialises per turn of
 * the event loop: small enough that other requests wait a few milliseconds, not the whole list.
 */
export const STREAM_PAGE = 250

/** StreamedList is a whole list as served, its items arriving in batches. */
export interface StreamedList<T> {
  readonly kind: string
  readonly apiVersion: string
  readonly metadata: { readonly resourceVersion: string }
  readonly batches: AsyncIterable<readonly T[]>
}

type StoredPage<T> = Omit<ListResult, 'items'> & { readonly items: readonly T[] }

// The pages of a whole list from its first, read `from` each continue token, yielding to the
// event loop between pages.
function streamPages<T, I>(
  resource: ResourceInfo,
  first: StoredPage<T>,
  read: (from: string) => Promise<StoredPage<T>>,
  served: (item: T) => I,
): StreamedList<I> {
  async function* batches(): AsyncGenerator<I[]> {
    for (let page = first; ;) {
      yield page.items.map(served)
      if (page.continue === undefined) return
      await new Promise<void>((resolve) => setImmediate(resolve))
      page = await read(page.continue)
    }
  }
  return {
    kind: resource.listKind,
    apiVersion: resource.apiVersion,
    metadata: { resourceVersion: first.resourceVersion },
    batches: batches(),
  }
}

/**
 * streamObjects reads a whole list (no limit) page by page at the first page's snapshot, as
 * continue tokens do, so the items are the ones an unpaged read would have returned; between
 * pages it yields to the event loop. A list that outlives the store's history window fails
 * with Expired part-way (the body is then cut short).
 */
export async function streamObjects<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  query: Omit<ListSelection, 'limit'>,
  pageSize = STREAM_PAGE,
): Promise<StreamedList<KindMap[K]>> {
  const read = (from: string | undefined) =>
    ctx.store.list<KindMap[K]>(
      resource.plural,
      storeListOptions(resource, namespace, { ...query, limit: pageSize, continue: from }),
    )
  const sctx = listContext(ctx)
  return streamPages(resource, await read(query.continue), read, (item: KindMap[K]) =>
    present(resource, item, sctx),
  )
}

/** streamJsonObjects streams a whole list as streamObjects does, as listJsonObjects serves items. */
export async function streamJsonObjects(
  ctx: ResourceContext,
  resource: ResourceInfo,
  namespace: string | undefined,
  query: Omit<ListSelection, 'limit'>,
  pageSize = STREAM_PAGE,
): Promise<StreamedList<string>> {
  const read = (from: string | undefined) =>
    ctx.store.listJson(
      resource.plural,
      storeListOptions(resource, namespace, { ...query, limit: pageSize, continue: from }),
    )
  const sctx = listContext(ctx)
  return streamPages(resource, await read(query.continue), read, (text: string) =>
    presentJson(resource, text, sctx),
  )
}
