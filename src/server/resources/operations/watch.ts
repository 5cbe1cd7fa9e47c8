/**
 * watch of stored resources: `resourceVersion` "" or "0" first sends a synthetic ADDED for
 * every matching object (kubectl's single-object `get -w` drops the first event, expecting it),
 * otherwise replays the changes after it; then live events. An expired or future
 * resourceVersion or a bad selector is answered before the 200, as a Status. With a Table
 * Accept header, every event's object is a one-row Table. A client that stops reading is closed
 * once the store watcher's buffer fills (docs/kubernetes-api.md#watch). A store event is
 * presented and serialised once per way of showing it, whatever the number of watches.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { KindMap, KindName, ResourceInfo } from '../../../api/index.js'
import type { WatchEvent } from '../../../storage/index.js'
import type { ResourceContext } from '../context.js'
import { negotiate } from '../negotiation.js'
import { present } from '../present.js'
import { printerFor } from '../printers/index.js'
import type { ReadQuery } from '../query.js'
import { objectFieldsOf } from '../selectable-fields.js'
import { buildTable, type PrintableObject } from '../table.js'
import { sharedFrame, watchFrame, type WatchFrame, type WatchLine } from '../watch-frames.js'
import { SlowWatch, streamWatch, watchTimeoutMs } from '../watch-stream.js'
import { strategyContext } from './context.js'

/**
 * WatchView is how a watch shows the stored objects: another API's view of the same storage
 * (events.k8s.io/v1 of core Events) converts each object and names its own printer and kind.
 */
export interface WatchView<K extends KindName> {
  /** The Table printer's resource name. */
  readonly printer: string
  readonly kind: string
  readonly apiVersion: string
  /** convert turns an object as the stored resource serves it into the view's form. */
  convert(object: KindMap[K]): PrintableObject
}

/** serveWatch answers a watch request on a stored resource, or on a view of it. */
export async function serveWatch<K extends KindName>(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  query: ReadQuery,
  view?: WatchView<K>,
): Promise<void> {
  const representation = negotiate(request.headers.accept)
  const selection = {
    ...(namespace === undefined ? {} : { namespace }),
    ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
    ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
    ...objectFieldsOf(resource.plural),
  }
  const stop = new AbortController()
  const slow = new SlowWatch(stop)
  let initial: KindMap[K][] = []
  let from = query.resourceVersion
  if (from === undefined || from === '0') {
    const list = await ctx.store.list<KindMap[K]>(resource.plural, selection)
    initial = list.items
    from = list.resourceVersion
  }
  const iterator = await ctx.store.watch<KindMap[K]>(resource.plural, {
    ...selection,
    fromResourceVersion: from,
    bookmarks: query.allowWatchBookmarks,
    signal: stop.signal,
    onFallBehind: slow.fellBehind,
  })
  const sctx = strategyContext(ctx)
  const printer = printerFor(view?.printer ?? resource.plural)
  const encode = (event: WatchEvent<KindMap[K]>): WatchLine => {
    if (event.type === 'BOOKMARK') {
      const object = {
        kind: view?.kind ?? resource.kind,
        apiVersion: view?.apiVersion ?? resource.apiVersion,
        metadata: event.object.metadata,
      }
      return { type: 'BOOKMARK', object }
    }
    const served = present(resource, event.object, sctx)
    const object: PrintableObject = view ? view.convert(served) : served
    if (!representation.table) return { type: event.type, object }
    const table = buildTable(
      printer,
      [object],
      {
        resourceVersion: String(
          (object.metadata as { resourceVersion?: string }).resourceVersion ?? '',
        ),
      },
      { version: representation.version, includeObject: query.includeObject, now: ctx.now() },
    )
    return { type: event.type, object: table }
  }
  // Everything encode depends on besides the event. A Table's ages are then those of the first
  // watch that shows the event, at about the time every other one does.
  const shownAs = [
    view?.apiVersion ?? resource.apiVersion,
    view?.kind ?? resource.kind,
    representation.table ? `Table/${representation.version}/${query.includeObject}` : 'JSON',
  ].join('|')
  const frameOf = (event: WatchEvent<KindMap[K]>): WatchFrame =>
    // Bookmarks are made per watcher and carry nothing worth sharing.
    event.type === 'BOOKMARK'
      ? watchFrame(encode(event))
      : sharedFrame(ctx, event, shownAs, () => encode(event))
  // A plain iterator rather than an async generator: each event then costs this watch one
  // promise more than the store's, not a generator's queue and awaits, a thousand watches'
  // worth of them live at once as an event goes out.
  let sent = 0
  const frames: AsyncIterableIterator<WatchFrame> = {
    next: () =>
      sent < initial.length
        ? Promise.resolve({
            done: false,
            value: watchFrame(encode({ type: 'ADDED', object: initial[sent++]! })),
          })
        : iterator.next().then((r) => (r.done ? r : { done: false, value: frameOf(r.value) })),
    return: async () => {
      await iterator.return?.()
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
  await streamWatch(request, reply, frames, stop, watchTimeoutMs(query.timeoutSeconds), slow)
}
