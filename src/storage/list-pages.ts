/**
 * A full list read a page at a time, as a Kubernetes reflector lists with `limit` and
 * `continue`: a controller starting on a large store never holds every object at once, and the
 * process answers other work (such as `/readyz`) between pages instead of parsing everything in
 * one synchronous step.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { isStoreError, type Store, type StoredObject } from './store.js'

/** The page size of listInPages unless told: small enough that one page parses in milliseconds. */
export const LIST_PAGE_SIZE = 500

/** ListInPagesOptions tune listInPages. */
export interface ListInPagesOptions {
  /** Objects per page (default LIST_PAGE_SIZE). */
  readonly pageSize?: number
  /** Stops between pages: the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal
}

/**
 * listInPages hands every object of `resource` to `onPage`, a page at a time, all as of one
 * revision, and resolves to that revision's resourceVersion (where a watch carries on). When the
 * history the pages need is compacted meanwhile, it starts over at the current revision, as a
 * reflector relists: `onPage` may then see an object again, so it must be idempotent.
 */
export async function listInPages<T extends StoredObject = StoredObject>(
  store: Store,
  resource: string,
  onPage: (items: T[]) => Promise<void> | void,
  options: ListInPagesOptions = {},
): Promise<string> {
  const limit = options.pageSize ?? LIST_PAGE_SIZE
  for (;;) {
    let token: string | undefined
    let resourceVersion: string | undefined
    try {
      do {
        options.signal?.throwIfAborted()
        const page = await store.list<T>(resource, {
          limit,
          withoutRemainingCount: true,
          ...(token && { continue: token }),
        })
        resourceVersion ??= page.resourceVersion
        token = page.continue
        await onPage(page.items)
        // A macrotask between pages: pending I/O (requests, timers) runs before the next one.
        if (token) await yieldToEventLoop()
      } while (token)
      return resourceVersion
    } catch (err) {
      if (!(token && isStoreError(err, 'Expired'))) throw err
    }
  }
}

/** PagedList runs a full list, handing it to onPage a page at a time, and resolves to its resourceVersion. */
export type PagedList<T extends StoredObject = StoredObject> = (
  onPage: (items: T[]) => Promise<void> | void,
) => Promise<string>

/**
 * sharedList is one listInPages pass for `consumers` callers, as informers share one list: it
 * starts once every consumer has called it, hands each page to them all in turn, and resolves
 * to the same resourceVersion for each. Every one of the consumers must call it (once), or
 * none is served.
 */
export function sharedList<T extends StoredObject = StoredObject>(
  store: Store,
  resource: string,
  consumers: number,
  options: ListInPagesOptions = {},
): PagedList<T> {
  const handlers: ((items: T[]) => Promise<void> | void)[] = []
  let begin: () => void = () => undefined
  const begun = new Promise<void>((resolve) => (begin = resolve))
  const result = begun.then(() =>
    listInPages<T>(
      store,
      resource,
      async (items) => {
        for (const handler of handlers) await handler(items)
      },
      options,
    ),
  )
  return (onPage) => {
    if (handlers.length === consumers) {
      return Promise.reject(new Error(`the shared list of ${resource} has ${consumers} consumers`))
    }
    handlers.push(onPage)
    if (handlers.length === consumers) begin()
    return result
  }
}
