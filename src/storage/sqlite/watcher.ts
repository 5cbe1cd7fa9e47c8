/**
 * In-memory watch fan-out for the single-process SQLite store. Writers hand each committed
 * change to the hub synchronously after COMMIT; the hub appends it to every watcher of the
 * resource and never waits for a consumer.
 *
 * A watcher is either live (fed by the hub) or catching up (reading the events table page by
 * page, from the last revision it has considered). It starts catching up when it replays from a
 * resourceVersion, and falls back to catching up when its buffer is full (in events or in bytes):
 * a slow consumer then costs one bounded buffer, writers are never blocked, and the consumer still receives every
 * event in order, unless it falls so far behind that the history it needs has been compacted,
 * when it ends with Expired and the client re-lists. Switching from catching up to live happens
 * in the same synchronous step as reading the last page, and writers publish in the same
 * synchronous step as their COMMIT, so no change is missed or delivered twice.
 *
 * Watchers that get a change the same way share one event object (selection.ts sharedEvent),
 * decoded on first read; a queue holds references to shared events, and its byte bound counts
 * each event's JSON in full, so a stalled watcher stays within its bound whatever it shares.
 */
import { ExpiredError } from '../store.js'
import type { Clock, StoredObject, WatchEvent, WatchStats } from '../store.js'
import { deliveryFor, sharedEvent } from '../selection.js'
import type { Change, Delivery, Selection } from '../selection.js'

/** HistorySource is what a catching-up watcher reads: the committed history. */
export interface HistorySource {
  /** readHistory returns the changes of a resource after a revision, oldest first. */
  readHistory(
    resource: string,
    namespace: string | undefined,
    after: number,
    limit: number,
  ): Change[]
  /** compactedRevision is the revision up to which history is gone. */
  compactedRevision(): number
  /** currentRevision is the last committed revision. */
  currentRevision(): number
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
  /** Replay after this revision; undefined: live from now. */
  readonly from: number | undefined
  readonly signal: AbortSignal
  /** Emit BOOKMARKs on this clock's ticks, if set. */
  readonly bookmarks: { readonly clock: Clock; readonly intervalMs: number } | undefined
  readonly onStop: (watcher: Watcher) => void
  /** Called each time the buffer is full and the watcher falls back to history. */
  readonly onFallBehind: (() => void) | undefined
}

/** Queued is an event (shared with the other watchers) with the size of its JSON. */
interface Queued<T extends StoredObject> {
  readonly event: WatchEvent<T>
  readonly bytes: number
}

/** jsonOf is the JSON text a delivery decodes. */
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
  /** Bytes of the queued events' JSON, bounded by params.maxBytes. */
  private queuedBytes = 0
  private live: boolean
  /** Every change up to this revision has been queued or filtered out. */
  private cursor: number
  private failure: Error | undefined
  private done = false
  private bookmarkDue = false
  private wakeUp: (() => void) | undefined
  private readonly cleanups: (() => void)[] = []
  /** The last next() call's result, and how many calls have yet to settle. */
  private pulling: Promise<unknown> = Promise.resolve()
  private pending = 0

  constructor(params: WatcherParams) {
    this.params = params
    this.resource = params.resource
    this.live = params.from === undefined
    this.cursor = params.from ?? params.source.currentRevision()
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

  /** deliver takes a committed change of this watcher's resource; it never blocks. */
  deliver(change: Change): void {
    if (this.done || !this.live) return
    const delivery = deliveryFor(this.params.selection, change)
    if (delivery) {
      const bytes = jsonOf(change, delivery.source).length
      if (!this.fits(bytes)) {
        // Full: stop buffering and read this change and later ones from history instead.
        // Every earlier revision has been published already, so history is needed only from
        // this change on (an older cursor could report Expired for nothing).
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

  /**
   * next yields the next event; calls are served one at a time, in order. A call made while
   * none is pending (a `for await` loop's every call) pulls at once, with no chain of promises
   * to order it: a thousand watchers each hold their pending call from one event to the next.
   */
  next(): Promise<IteratorResult<WatchEvent<T>, undefined>> {
    const idle = this.pending === 0
    this.pending++
    const result = idle ? this.pull() : this.pulling.then(this.pullNext, this.pullNext)
    this.pulling = result
    return result
  }

  private readonly pullNext = (): Promise<IteratorResult<WatchEvent<T>, undefined>> => this.pull()

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
    try {
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
          this.catchUp()
          continue
        }
        if (this.bookmarkDue) {
          this.bookmarkDue = false
          // Live with an empty queue: every committed change up to now has been considered.
          const resourceVersion = String(this.params.source.currentRevision())
          return {
            done: false,
            value: { type: 'BOOKMARK', object: { metadata: { resourceVersion } } },
          }
        }
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve
        })
      }
    } finally {
      this.pending--
    }
  }

  // Reads one page of history. Runs synchronously: see the module comment for why that
  // makes the switch to live exact.
  private catchUp(): void {
    const { source, capacity, selection } = this.params
    try {
      const compacted = source.compactedRevision()
      if (this.cursor < compacted) throw new ExpiredError(this.cursor, compacted, 'watch')
      const changes = source.readHistory(this.resource, selection.namespace, this.cursor, capacity)
      let read = 0
      for (const change of changes) {
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
      if (read === changes.length && changes.length < capacity) {
        // At the head of history: nothing later is committed yet (writers publish in the same
        // step as COMMIT), so from here the hub delivers.
        this.live = true
        this.cursor = Math.max(this.cursor, source.currentRevision())
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error))
    }
  }
}

/**
 * How many of the latest changes (and JSON bytes of them) the hub holds for watchers that
 * catch up over them: a crowd re-watching from the same resourceVersion (clients reconnecting
 * after a restart) then shares one Change per revision, and so the events decoded and
 * serialised from it, rather than one per watcher.
 */
const RECENT_CHANGES = 256
const RECENT_BYTES = 2 * 1024 * 1024

function sizeOf(change: Change): number {
  return change.object.length + (change.prev?.length ?? 0)
}

/** WatchHub fans committed changes out to the watchers of their resource. */
export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>()
  private readonly recent = new Map<number, Change>()
  private recentBytes = 0

  /** add registers a watcher for live changes. */
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

  /** publish hands a committed change to every watcher of its resource. */
  publish(change: Change): void {
    this.remember(change)
    const set = this.byResource.get(change.key.resource)
    if (set) for (const watcher of set) watcher.deliver(change)
  }

  /**
   * shared returns the Change of a history row: the one the hub holds for that revision, or
   * `read()`'s, then held for the next watcher that reads the same row.
   */
  shared(revision: number, read: () => Change): Change {
    const held = this.recent.get(revision)
    if (held) return held
    const change = read()
    this.remember(change)
    return change
  }

  // Holds the change, dropping the oldest held ones beyond the bounds.
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

  /** stopAll ends every watch (store close). */
  stopAll(): void {
    for (const set of [...this.byResource.values()]) for (const watcher of [...set]) watcher.stop()
  }
}
