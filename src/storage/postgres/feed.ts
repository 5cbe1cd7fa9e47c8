/**
 * The feed: how one store instance learns of every committed change, its own and other
 * replicas', and hands them to its watch hub in revision order (docs/storage-postgres.md).
 *
 * It keeps `published`, the last revision handed over, and reads the events table after it
 * whenever it is told of a later revision: by a NOTIFY carrying the revision, or by its own
 * store after a COMMIT. Writers hold the revision row's lock until they commit, so a revision
 * becomes visible only after every earlier one: reading `revision > published` in revision
 * order can never pass over a transaction that commits later. The only way a revision can be
 * missing from the table is compaction, and then the watchers that may need it read history
 * themselves and end with Expired.
 */
import type { Change } from '../selection.js'
import type { HistoryPage } from './watcher.js'
import type { WatchHub } from './watcher.js'

/** How many events the feed reads per query. */
const PAGE = 500

interface Waiter {
  readonly revision: number
  readonly resolve: () => void
}

/** FeedRead reads the events of every resource after a revision, with the snapshot's revisions. */
export type FeedRead = (after: number, limit: number) => Promise<HistoryPage>

/** Feed publishes committed changes to a hub in revision order. */
export class Feed {
  private current: number
  private readonly read: FeedRead
  private readonly hub: WatchHub
  private readonly onError: (error: unknown) => void
  private waiters: Waiter[] = []
  private running = false
  private dirty = false

  constructor(published: number, read: FeedRead, hub: WatchHub, onError: (error: unknown) => void) {
    this.current = published
    this.read = read
    this.hub = hub
    this.onError = onError
  }

  /** published is the last revision handed to the hub. */
  get published(): number {
    return this.current
  }

  /**
   * startAt moves the feed to `revision` without publishing the history before it: for the
   * store's open, before any watcher exists.
   */
  startAt(revision: number): void {
    this.current = Math.max(this.current, revision)
    this.settle()
  }

  /** notified takes a revision another connection announced as committed. */
  notified(revision: number): void {
    if (revision > this.current) this.poll()
  }

  /**
   * committed takes the changes of a transaction this store just committed, in revision order,
   * and resolves once they are published. When nothing else is pending before them they are
   * published at once, without reading them back.
   */
  committed(changes: readonly Change[]): Promise<void> {
    const first = changes[0]
    const last = changes.at(-1)
    if (!first || !last) return Promise.resolve()
    if (first.revision === this.current + 1) {
      for (const change of changes) this.publish(change)
      this.settle()
      return Promise.resolve()
    }
    return this.reach(last.revision)
  }

  /** reach resolves once every revision up to `revision` is published (or the feed failed). */
  reach(revision: number): Promise<void> {
    if (this.current >= revision) return Promise.resolve()
    const done = new Promise<void>((resolve) => this.waiters.push({ revision, resolve }))
    this.poll()
    return done
  }

  /** poll reads the events after `published` now, or again once the running read ends. */
  poll(): void {
    this.dirty = true
    if (this.running) return
    this.running = true
    void this.loop().finally(() => {
      this.running = false
    })
  }

  private async loop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false
      let more = true
      while (more) {
        let page: HistoryPage
        try {
          page = await this.read(this.current, PAGE)
        } catch (error) {
          // Nobody can wait for what the feed cannot read: the store ends its watches.
          this.release()
          this.onError(error)
          return
        }
        more = this.apply(page)
      }
    }
  }

  // Publishes a page's changes not published meanwhile; returns whether more may follow.
  private apply(page: HistoryPage): boolean {
    const full = page.changes.length >= PAGE
    const fresh = page.changes.filter((c) => c.revision > this.current)
    const first = fresh[0]
    // A page reaching its snapshot's head without the revisions before it: compacted away.
    const gap = first ? first.revision > this.current + 1 : !full && page.head > this.current
    if (gap) this.hub.fallBehindAll()
    for (const change of fresh) this.publish(change)
    if (!first && gap) this.current = page.head
    this.settle()
    return full
  }

  private publish(change: Change): void {
    this.current = change.revision
    this.hub.publish(change)
  }

  private settle(): void {
    if (this.waiters.length === 0) return
    const waiting: Waiter[] = []
    for (const waiter of this.waiters) {
      if (waiter.revision <= this.current) waiter.resolve()
      else waiting.push(waiter)
    }
    this.waiters = waiting
  }

  private release(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.resolve()
  }
}
