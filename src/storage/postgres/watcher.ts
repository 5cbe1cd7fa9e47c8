/**
 * Watchers of the PostgreSQL store. The store's feed (feed.ts) publishes every committed change,
 * in revision order, to the hub, which appends it to each live watcher of its resource and never
 * waits for a consumer.
 *
 * A watcher is live (fed by the hub) or catching up (reading the events table a page at a time
 * from the last revision it has considered, its cursor). It catches up when it replays from a
 * resourceVersion and when its buffer is full (in events or bytes), so a slow consumer costs one
 * bounded buffer and writers never wait for it. History reads are asynchronous here, unlike in
 * the embedded store, so the switch back to live is made exact another way: each page is read
 * with the head revision of its snapshot, and once a page reaches that head the watcher goes
 * live only if the feed has published nothing beyond it (else it reads again). From then on the
 * hub's changes up to the head, which the page already covered, are skipped by revision.
 */
import { deliveryFor, sharedEvent } from '../selection.js'
import type { Change, Delivery, Selection } from '../selection.js'
import { ExpiredError } from '../store.js'
import type { Clock, StoredObject, WatchEvent, WatchStats } from '../store.js'

/** HistoryPage is a page of history and the revisions of the snapshot it was read in. */
export interface HistoryPage {
  /** The changes after the asked revision, oldest first. */
  readonly changes: readonly Change[]
  /** The last committed revision in the read's snapshot. */
  readonly head: number
  /** The compacted revision in the read's snapshot. */
  readonly compacted: number
}

/** HistorySource is what a catching-up watcher reads. */
export interface HistorySource {
  /** readHistory returns the changes of a resource after a revision, oldest first. */
  readHistory(
    resource: string,
    namespace: string | undefined,
    after: number,
    limit: number,
  ): Promise<HistoryPage>
  /** published is the last revision the feed has handed to the hub. */
  published(): number
}

/** WatcherParams configure one watcher. */
export interface WatcherParams {
  readonly resource: string
  readonly selection: Selection
  readonly source: HistorySource
  /** Buffer bound, and the page size of history reads. */
  readonly capacity: number
  /** Buffer bound in bytes of the queued events' JSON. */
  readonly maxBytes: number
  /** Every change up to this revision is considered already. */
  readonly from: number
  /** Whether the hub's changes after `from` reach the watcher from the start. */
  readonly live: boolean
  readonly signal: AbortSignal
  /** Emit BOOKMARKs on this clock's ticks, if set. */
  readonly bookmarks: { readonly clock: Clock; readonly intervalMs: number } | undefined
  readonly onStop: (watcher: Watcher) => void
  /** Called each time the buffer is full and the watcher falls back to history. */
  readonly onFallBehind: (() => void) | undefined
}

interface Queued<T extends StoredObject> {
  readonly event: WatchEvent<T>
  readonly bytes: number
}

function jsonOf(change: Change, source: 'object' | 'prev'): string {
  return (source === 'prev' ? change.prev : change.object) ?? ''
}

/** Watcher is one watch: an async iterator of events in revision order. */
export class Watcher<T extends StoredObject = StoredObject> implements AsyncIterableIterator<
  WatchEvent<T>
> {
  readonly resource: string
  private readonly params: WatcherParams
  private readonly queue: Queued<T>[] = []
  private queuedBytes = 0
  private live: boolean
  /** Every change of the resource up to this revision has been queued or filtered out. */
  private cursor: number
  private failure: Error | undefined
  private done = false
  private bookmarkDue = false
  private wakeUp: (() => void) | undefined
  private readonly cleanups: (() => void)[] = []
  private pulling: Promise<unknown> = Promise.resolve()

  constructor(params: WatcherParams) {
    this.params = params
    this.resource = params.resource
    this.live = params.live
    this.cursor = params.from
    const onAbort = (): void => this.stop()
    params.signal.addEventListener('abort', onAbort, { once: true })
    this.cleanups.push(() => params.signal.removeEventListener('abort', onAbort))
    if (params.bookmarks) {
      this.cleanups.push(
        params.bookmarks.clock.every(params.bookmarks.intervalMs, () => {
          this.bookmarkDue = true
          this.wake()
        }),
      )
    }
  }

  /** deliver takes a published change of this watcher's resource; it never blocks. */
  deliver(change: Change): void {
    if (this.done || !this.live || change.revision <= this.cursor) return
    const delivery = deliveryFor(this.params.selection, change)
    if (delivery) {
      const bytes = jsonOf(change, delivery.source).length
      if (!this.fits(bytes)) {
        // Full: read this change and later ones from history instead.
        this.live = false
        this.cursor = change.revision - 1
        this.params.onFallBehind?.()
        return
      }
      this.enqueue(change, delivery, bytes)
    }
    this.cursor = change.revision
    if (delivery) this.wake()
  }

  /**
   * fallBehind makes a live watcher read history from its cursor: the feed found history it
   * had not published compacted, so the watcher may have missed changes (it ends Expired).
   */
  fallBehind(): void {
    if (this.done || !this.live) return
    this.live = false
    this.wake()
  }

  /** fail ends the watch with error once the consumer has taken the events already queued. */
  fail(error: Error): void {
    if (this.done || this.failure) return
    this.failure = error
    this.live = false
    this.wake()
  }

  /** bufferedBytes is the JSON size of the events queued for the consumer. */
  get bufferedBytes(): number {
    return this.queuedBytes
  }

  // One event always fits an empty queue, so an object larger than the byte bound still moves.
  private fits(bytes: number): boolean {
    if (this.queue.length === 0) return true
    return (
      this.queue.length < this.params.capacity && this.queuedBytes + bytes <= this.params.maxBytes
    )
  }

  private enqueue(change: Change, delivery: Delivery, bytes: number): void {
    this.queue.push({ event: sharedEvent<T>(change, delivery), bytes })
    this.queuedBytes += bytes
  }

  /** next yields the next event; calls are served one at a time, in order. */
  next(): Promise<IteratorResult<WatchEvent<T>, undefined>> {
    const result = this.pulling.then(() => this.pull())
    this.pulling = result.catch(() => undefined)
    return result
  }

  /** return ends the watch (a `for await` loop calls it on break). */
  return(): Promise<IteratorResult<WatchEvent<T>, undefined>> {
    this.stop()
    return Promise.resolve({ done: true, value: undefined })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  /** stop ends the watch: pending and later next() calls complete with done. */
  stop(): void {
    if (this.done) return
    this.done = true
    this.queue.length = 0
    this.queuedBytes = 0
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.params.onStop(this)
    this.wake()
  }

  private wake(): void {
    const wakeUp = this.wakeUp
    this.wakeUp = undefined
    wakeUp?.()
  }

  private async pull(): Promise<IteratorResult<WatchEvent<T>, undefined>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined }
      const head = this.queue.shift()
      if (head) {
        this.queuedBytes -= head.bytes
        return { done: false, value: head.event }
      }
      if (this.failure !== undefined) {
        const failure = this.failure
        this.stop()
        throw failure
      }
      if (!this.live) {
        await this.catchUp()
        continue
      }
      if (this.bookmarkDue) {
        this.bookmarkDue = false
        // Live with an empty queue: every change up to the later of these has been considered.
        const resourceVersion = String(Math.max(this.cursor, this.params.source.published()))
        return {
          done: false,
          value: { type: 'BOOKMARK', object: { metadata: { resourceVersion } } },
        }
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve
      })
    }
  }

  // Reads one page of history; see the module comment for how it goes live again.
  private async catchUp(): Promise<void> {
    const { source, capacity, selection } = this.params
    try {
      const page = await source.readHistory(
        this.resource,
        selection.namespace,
        this.cursor,
        capacity,
      )
      if (this.done || this.failure) return
      if (this.cursor < page.compacted) {
        throw new ExpiredError(this.cursor, page.compacted, 'watch')
      }
      let read = 0
      for (const change of page.changes) {
        const delivery = deliveryFor(selection, change)
        if (delivery) {
          const bytes = jsonOf(change, delivery.source).length
          // The rest of the page is read again on the next call.
          if (!this.fits(bytes)) break
          this.enqueue(change, delivery, bytes)
        }
        this.cursor = change.revision
        read++
      }
      const atHead = read === page.changes.length && page.changes.length < capacity
      if (atHead && source.published() <= page.head) {
        this.live = true
        this.cursor = Math.max(this.cursor, page.head)
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error))
    }
  }
}

/**
 * How many of the latest changes (and JSON bytes of them) the hub holds for watchers that
 * catch up over them, so that a crowd re-watching from one resourceVersion shares one Change
 * per revision, and so the events decoded from it.
 */
const RECENT_CHANGES = 256
const RECENT_BYTES = 2 * 1024 * 1024

function sizeOf(change: Change): number {
  return change.object.length + (change.prev?.length ?? 0)
}

/** WatchHub fans published changes out to the watchers of their resource. */
export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>()
  private readonly recent = new Map<number, Change>()
  private recentBytes = 0

  /** add registers a watcher. */
  add(watcher: Watcher): void {
    let set = this.byResource.get(watcher.resource)
    if (!set) this.byResource.set(watcher.resource, (set = new Set()))
    set.add(watcher)
  }

  /** remove unregisters a watcher (it calls this itself when it stops). */
  remove(watcher: Watcher): void {
    const set = this.byResource.get(watcher.resource)
    set?.delete(watcher)
    if (set?.size === 0) this.byResource.delete(watcher.resource)
  }

  /** publish hands a change to every watcher of its resource. */
  publish(change: Change): void {
    this.remember(change)
    const set = this.byResource.get(change.key.resource)
    if (set) for (const watcher of set) watcher.deliver(change)
  }

  /** shared returns the Change the hub holds for a revision, or read()'s, then held. */
  shared(revision: number, read: () => Change): Change {
    const held = this.recent.get(revision)
    if (held) return held
    const change = read()
    this.remember(change)
    return change
  }

  /** fallBehindAll sends every live watcher back to history (see Watcher.fallBehind). */
  fallBehindAll(): void {
    for (const set of this.byResource.values()) for (const watcher of set) watcher.fallBehind()
  }

  /** failAll ends every watch with error, after the events each has queued. */
  failAll(error: Error): void {
    for (const set of [...this.byResource.values()]) {
      for (const watcher of [...set]) watcher.fail(error)
    }
  }

  /** stopAll ends every watch (store close). */
  stopAll(): void {
    for (const set of [...this.byResource.values()]) for (const watcher of [...set]) watcher.stop()
  }

  /** stats counts the watchers and the bytes they hold queued. */
  stats(): WatchStats {
    let watchers = 0
    let bufferedBytes = 0
    for (const set of this.byResource.values()) {
      for (const watcher of set) {
        watchers++
        bufferedBytes += watcher.bufferedBytes
      }
    }
    return { watchers, bufferedBytes }
  }

  private remember(change: Change): void {
    if (this.recent.has(change.revision)) return
    this.recent.set(change.revision, change)
    this.recentBytes += sizeOf(change)
    for (const [revision, held] of this.recent) {
      if (this.recent.size <= RECENT_CHANGES && this.recentBytes <= RECENT_BYTES) break
      this.recent.delete(revision)
      this.recentBytes -= sizeOf(held)
    }
  }
}
