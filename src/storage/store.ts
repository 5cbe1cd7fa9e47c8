/**
 * The Store: persistence for Kubernetes-style JSON objects on the kine/etcd model. One global
 * revision counter gives every write its resourceVersion; lists page with continue tokens over
 * a snapshot; watches replay a window of history and then follow live changes
 * (docs/architecture.md#storage, docs/kubernetes-api.md#watch).
 *
 * The store is deliberately generic over JSON objects and imports nothing from src/api, although
 * the dependency rules would allow it (docs/architecture.md#dependency-direction): it only needs
 * `metadata` (name, namespace, labels, uid, resourceVersion, creationTimestamp), so API types can
 * change without touching storage, and every resource (imagestreams, images, secrets, namespaces,
 * ...) goes through one code path. Validation and defaulting belong to the server's strategies, not
 * here.
 */
import type { ObjectFields } from './field-selector.js'
import type { ScheduleStore } from './schedule.js'

/** ObjectMeta is the part of metav1.ObjectMeta the store reads or fills in. */
export interface ObjectMeta {
  name?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** StoredObject is any Kubernetes-style JSON object: the store only looks at its metadata. */
export interface StoredObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
}

/** ObjectKey names one object: namespace is '' for cluster-scoped resources. */
export interface ObjectKey {
  /** Plural resource name: 'imagestreams', 'images', 'secrets', 'namespaces', ... */
  readonly resource: string
  readonly namespace: string
  readonly name: string
}

/** objectKey builds an ObjectKey; namespace defaults to '' (cluster-scoped). */
export function objectKey(resource: string, name: string, namespace = ''): ObjectKey {
  return { resource, namespace, name }
}

/** formatKey renders a key for messages: `images/sha256:...` or `imagestreams/ns/name`. */
export function formatKey(key: ObjectKey): string {
  return key.namespace === ''
    ? `${key.resource}/${key.name}`
    : `${key.resource}/${key.namespace}/${key.name}`
}

/** Selection narrows a list or watch; an empty or absent namespace means every namespace. */
export interface SelectionOptions {
  readonly namespace?: string
  /** Kubernetes label selector: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
  readonly labelSelector?: string
  /** Field selector over `metadata.name`, `metadata.namespace` and `fields` (`=`, `==`, `!=`). */
  readonly fieldSelector?: string
  /** The resource's own selectable fields, for field selectors beyond name and namespace. */
  readonly fields?: ObjectFields
}

/** ListOptions are the parameters of Store.list. */
export interface ListOptions extends SelectionOptions {
  /** Page size; absent or <= 0 returns everything. */
  readonly limit?: number
  /** Token from a previous page's `continue`: the rest of that list, as of its snapshot. */
  readonly continue?: string
  /**
   * Leaves remainingItemCount out, which saves counting the rest of the list for every page:
   * for a caller that reads every page anyway.
   */
  readonly withoutRemainingCount?: boolean
}

/** ListResult is one page of a list, ordered by namespace then name. */
export interface ListResult<T extends StoredObject = StoredObject> {
  readonly items: T[]
  /** The snapshot revision every item is read at (the first page's current revision). */
  readonly resourceVersion: string
  /** Present when more items match: pass it back as ListOptions.continue. */
  readonly continue?: string
  /** Items after this page, when the list has no label or field selector (as the apiserver). */
  readonly remainingItemCount?: number
}

/** JsonListResult is a page of a list whose items are the stored JSON documents, unparsed. */
export type JsonListResult = Omit<ListResult, 'items'> & { readonly items: string[] }

/** Preconditions are optional compare-and-swap guards on update and delete. */
export interface Preconditions {
  /** Fail with Conflict unless the stored object is at exactly this resourceVersion. */
  readonly expectedResourceVersion?: string
  /**
   * Fail with Referenced, writing nothing, while another object references the key
   * (StoreOptions.references), checked in the write's own transaction: a delete, or the update
   * that marks an object with finalizers for deletion instead.
   */
  readonly unreferenced?: boolean
}

/**
 * ReferenceExtractor returns the keys one object references (duplicates and keys of objects
 * that do not exist are fine). It must be a pure function of the object.
 */
export type ReferenceExtractor = (object: StoredObject) => readonly ObjectKey[]

/** GuaranteedUpdateOptions bound the read-modify-write retries of guaranteedUpdate. */
export interface GuaranteedUpdateOptions {
  /** Retries after a Conflict before giving up with it; default 16. */
  readonly maxRetries?: number
}

/**
 * UpdateFn computes the next state from the current one, or undefined for "no change". It may
 * run more than once (after a conflict) and must not write to the store itself.
 */
export type UpdateFn<T extends StoredObject> = (
  current: T,
) => T | undefined | Promise<T | undefined>

/** WatchOptions are the parameters of Store.watch. */
export interface WatchOptions extends SelectionOptions {
  /**
   * Replay every change after this resourceVersion, then follow live changes. Absent or '':
   * live changes only (the server synthesises the initial ADDED events from a list itself, and
   * maps the apiserver's `resourceVersion=0` to that case).
   */
  readonly fromResourceVersion?: string
  /** Emit a BOOKMARK carrying the current revision every StoreOptions.bookmarkIntervalMs. */
  readonly bookmarks?: boolean
  /** Ends the watch: the iterator then completes without an error. */
  readonly signal: AbortSignal
  /**
   * Called each time the watcher's buffer is full and it falls behind the live changes (it then
   * reads them from history): its consumer is not keeping up.
   */
  readonly onFallBehind?: () => void
}

/** WatchStats are what a store's open watchers hold. */
export interface WatchStats {
  /** Open watchers. */
  readonly watchers: number
  /** Bytes of the events they hold queued for their consumers, as serialized JSON. */
  readonly bufferedBytes: number
}

/** ObjectEventType is the type of a change event. */
export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

/** BookmarkObject is a BOOKMARK's object: only the revision the watcher has caught up to. */
export interface BookmarkObject {
  metadata: { resourceVersion: string }
}

/**
 * WatchEvent is one watch notification. A DELETED event carries the last state with the new
 * resourceVersion; an object that stops matching the selector arrives as DELETED and one that
 * starts matching as ADDED, as the apiserver's watch cache does. Every watcher a change reaches
 * the same way gets the same event object, decoded once: consumers treat it as read-only (and
 * may cache what they derive from it by its identity).
 */
export type WatchEvent<T extends StoredObject = StoredObject> =
  | { readonly type: ObjectEventType; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: BookmarkObject }

/** StoreReader reads single objects. */
export interface StoreReader {
  /** get returns the object at key, or throws NotFound. */
  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T>
}

/** StoreWriter holds the write operations, shared by the Store and its transactions. */
export interface StoreWriter {
  /**
   * create stores a new object and returns it with uid, creationTimestamp and resourceVersion
   * set by the store; AlreadyExists if the key is taken. metadata.name and metadata.namespace
   * must agree with the key.
   */
  create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T>
  /**
   * update replaces the object (uid and creationTimestamp are kept from the stored one). An
   * object equal to the stored one apart from resourceVersion is a no-op: same resourceVersion,
   * no revision, no event (kubectl's `patched (no change)`).
   */
  update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T>
  /** guaranteedUpdate reads, applies fn and writes with compare-and-swap, retrying on Conflict. */
  guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options?: GuaranteedUpdateOptions,
  ): Promise<T>
  /** delete removes the object and returns its last state with the deletion's resourceVersion. */
  delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T>
}

/**
 * StoreTransaction is the view a transaction function gets: reads see the transaction's own
 * writes; nothing is visible to others, and no event is published, until it commits.
 */
export interface StoreTransaction extends StoreReader, StoreWriter {}

/**
 * Store is the persistence interface every backend (SQLite, PostgreSQL) implements
 * and `runStoreConformance` checks. Every method is async, although better-sqlite3 is not, so
 * that a networked backend fits the same interface.
 */
export interface Store extends StoreReader, StoreWriter {
  /** list returns the matching objects of a resource ordered by namespace, name, one page at a time. */
  list<T extends StoredObject = StoredObject>(
    resource: string,
    options?: ListOptions,
  ): Promise<ListResult<T>>
  /**
   * listJson returns the same page as list with each item as its stored JSON document, so that
   * a server can send it without parsing and serialising it again.
   */
  listJson(resource: string, options?: ListOptions): Promise<JsonListResult>
  /**
   * getJson returns the object at key as its stored JSON document (what get parses), or throws
   * NotFound, so that a server can send it without parsing and serialising it again.
   */
  getJson(key: ObjectKey): Promise<string>
  /**
   * watch starts a watch. It is async so that Expired, TooLargeResourceVersion and
   * InvalidSelector surface before a server commits to a 200 response; afterwards the iterator
   * yields events in revision order and throws Expired only if a watcher that fell behind needs
   * history that has been compacted.
   */
  watch<T extends StoredObject = StoredObject>(
    resource: string,
    options: WatchOptions,
  ): Promise<AsyncIterableIterator<WatchEvent<T>>>
  /**
   * transaction runs fn with a transactional view: all of its writes commit together (each
   * with its own, increasing revision) or none do if fn throws. Events are published after the
   * commit. Do network I/O before, not inside: writers queue behind an open transaction.
   */
  transaction<R>(fn: (tx: StoreTransaction) => Promise<R> | R): Promise<R>
  /** currentRevision returns the revision of the last committed write (0 for an empty store). */
  currentRevision(): Promise<number>
  /** watchStats counts the open watchers and the bytes they hold queued. */
  watchStats(): WatchStats
  /**
   * compact drops watch history outside the window now and returns the compacted revision
   * (history before it is gone). Backends also compact on their own.
   */
  compact(): Promise<number>
  /** schedule is the due-queue of scheduled tag checks, kept beside the objects. */
  readonly schedule: ScheduleStore
  /**
   * ping answers whether the backend serves requests now: it resolves once a trivial read
   * succeeds, and rejects with StoreUnavailable when the backend cannot be reached (a database
   * server that is down), or StoreClosed after close. A store is migrated before its open
   * resolves, so a store that answers ping is ready. It costs one round trip: callers that
   * report health poll it, never per request (docs/architecture.md#health).
   */
  ping(): Promise<void>
  /**
   * singleton takes the named exclusive lease, for work that must run in one place at a time
   * across every store instance sharing the data (scheduled pruning on several replicas). It
   * does not wait for a holder: it resolves undefined when the name is held, by this store
   * instance or another, or when `signal` is already aborted. A granted lease is held until
   * release() or close(); its `signal` aborts when the lease ends, including when the backend
   * loses it (a dropped database connection), so the holder stops the work it guards.
   * An embedded backend has one process per data set: only this instance's own holders
   * compete. A networked one uses a lock the database server keeps per connection.
   */
  singleton(name: string, signal: AbortSignal): Promise<SingletonLease | undefined>
  /** close stops every watch (they complete), waits for running writes and releases the backend. */
  close(): Promise<void>
}

/** SingletonLease is a granted Store.singleton lease. */
export interface SingletonLease {
  /** Aborted when the lease ends: released, the store closed, or the backend lost it. */
  readonly signal: AbortSignal
  /** release gives the lease up (a second call does nothing). */
  release(): Promise<void>
}

/** Clock is the store's time source: timestamps, history age and bookmark ticks. */
export interface Clock {
  /** now returns milliseconds since the epoch. */
  now(): number
  /** every calls tick every `ms` milliseconds until the returned function is called. */
  every(ms: number, tick: () => void): () => void
}

/** systemClock is the real clock; its timers never keep the process alive. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  every(ms: number, tick: () => void): () => void {
    const handle = setInterval(tick, ms)
    handle.unref()
    return () => clearInterval(handle)
  },
})

/** CompactionOptions bound the watch history (the events table). */
export interface CompactionOptions {
  /** Keep at most this many of the latest revisions; default 10,000. */
  readonly maxRevisions?: number
  /** Keep no event older than this; default one hour (limits how long deleted data lingers). */
  readonly maxAgeMs?: number
  /** How often age-based compaction runs; default one minute. */
  readonly intervalMs?: number
}

/** StoreOptions are the tunables every backend accepts (a backend adds its own, e.g. `path`). */
export interface StoreOptions {
  /** Default systemClock; tests pass a ManualClock. */
  readonly clock?: Clock
  readonly compaction?: CompactionOptions
  /**
   * Events buffered per watcher before it falls back to reading history (default 1,000):
   * a slow consumer costs memory up to this bound and never blocks writers.
   */
  readonly watchBufferSize?: number
  /**
   * Bytes of events (as serialized JSON) buffered per watcher before it falls back to reading
   * history (default 16 MiB): the same fallback as watchBufferSize, for large objects.
   */
  readonly watchBufferBytes?: number
  /** Interval between BOOKMARK events of watches that ask for them; default 60 seconds. */
  readonly bookmarkIntervalMs?: number
  /** Receives errors of background work (timed compaction) that no caller is waiting for. */
  readonly onBackgroundError?: (error: unknown) => void
  /**
   * The reference index, by plural resource: the keys each object of that resource references.
   * Every write of such an object updates the index in its own transaction, and a delete with
   * `unreferenced` consults it. A backend builds the index from the stored objects when it opens
   * data written with another declaration (other resources, or extractors of other source text).
   */
  readonly references?: Readonly<Record<string, ReferenceExtractor>>
}

/** ResolvedStoreOptions are StoreOptions with every default filled in. */
export interface ResolvedStoreOptions {
  readonly clock: Clock
  readonly maxRevisions: number
  readonly maxAgeMs: number
  readonly compactIntervalMs: number
  readonly watchBufferSize: number
  readonly watchBufferBytes: number
  readonly bookmarkIntervalMs: number
  readonly onBackgroundError: (error: unknown) => void
  readonly references: Readonly<Record<string, ReferenceExtractor>>
}

/** resolveStoreOptions fills in defaults and rejects values that cannot work. */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`store option ${name} must be a positive integer, got ${v}`)
    }
    return v
  }
  return {
    clock: options.clock ?? systemClock,
    maxRevisions: positive('compaction.maxRevisions', options.compaction?.maxRevisions, 10_000),
    maxAgeMs: positive('compaction.maxAgeMs', options.compaction?.maxAgeMs, 3_600_000),
    compactIntervalMs: positive('compaction.intervalMs', options.compaction?.intervalMs, 60_000),
    watchBufferSize: positive('watchBufferSize', options.watchBufferSize, 1_000),
    watchBufferBytes: positive('watchBufferBytes', options.watchBufferBytes, 16 * 1024 * 1024),
    bookmarkIntervalMs: positive('bookmarkIntervalMs', options.bookmarkIntervalMs, 60_000),
    onBackgroundError: options.onBackgroundError ?? (() => {}),
    references: options.references ?? {},
  }
}

/** StoreErrorCode lists every stable code a store error can carry. */
export type StoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Referenced'
  | 'InvalidObject'
  | 'InvalidSelector'
  | 'InvalidContinue'
  | 'InvalidResourceVersion'
  | 'Expired'
  | 'TooLargeResourceVersion'
  | 'TransactionMisuse'
  | 'StoreClosed'
  | 'StorageFull'
  | 'Unavailable'
  | 'UnsupportedSchema'

/** StoreError is the base of every error the store throws; branch on `code`, never the message. */
export class StoreError extends Error {
  readonly code: StoreErrorCode
  /** The object the error concerns, when there is one. */
  readonly key: ObjectKey | undefined

  constructor(code: StoreErrorCode, message: string, key?: ObjectKey, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.key = key
  }
}

/** isStoreError narrows an unknown error to a StoreError, optionally of one code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code)
}

/** NotFoundError: no object at the key. */
export class NotFoundError extends StoreError {
  constructor(key: ObjectKey) {
    super('NotFound', `${formatKey(key)} not found`, key)
  }
}

/** AlreadyExistsError: create found an object at the key. */
export class AlreadyExistsError extends StoreError {
  constructor(key: ObjectKey) {
    super('AlreadyExists', `${formatKey(key)} already exists`, key)
  }
}

/** ConflictError: a resourceVersion precondition did not hold. */
export class ConflictError extends StoreError {
  /** The resourceVersion the caller expected. */
  readonly expected: string
  /** The resourceVersion the object is at. */
  readonly actual: string

  constructor(key: ObjectKey, expected: string, actual: string) {
    super(
      'Conflict',
      `${formatKey(key)} has been modified (resourceVersion ${actual}, expected ${expected}); ` +
        'apply your changes to the latest version and try again',
      key,
    )
    this.expected = expected
    this.actual = actual
  }
}

/**
 * ReferencedError: a delete with the `unreferenced` precondition found another object
 * referencing the key (a conflict with the state of the store, like ConflictError); nothing was
 * written.
 */
export class ReferencedError extends StoreError {
  /** One object that references the key (there may be more). */
  readonly referrer: ObjectKey

  constructor(key: ObjectKey, referrer: ObjectKey) {
    super('Referenced', `${formatKey(key)} is still referenced by ${formatKey(referrer)}`, key)
    this.referrer = referrer
  }
}

/** InvalidObjectError: the object's metadata disagrees with its key or is malformed. */
export class InvalidObjectError extends StoreError {
  constructor(key: ObjectKey, problem: string) {
    super('InvalidObject', `invalid object for ${formatKey(key)}: ${problem}`, key)
  }
}

/** InvalidSelectorError: a label or field selector does not parse or uses an unsupported field. */
export class InvalidSelectorError extends StoreError {
  /** Which selector: label or field. */
  readonly selectorKind: 'label' | 'field'
  /** The selector exactly as given. */
  readonly selector: string

  constructor(selectorKind: 'label' | 'field', selector: string, problem: string) {
    super(
      'InvalidSelector',
      `invalid ${selectorKind} selector ${JSON.stringify(selector)}: ${problem}`,
    )
    this.selectorKind = selectorKind
    this.selector = selector
  }
}

/** InvalidContinueError: a continue token is malformed or belongs to another resource. */
export class InvalidContinueError extends StoreError {
  constructor(problem: string, options?: ErrorOptions) {
    super('InvalidContinue', `invalid continue token: ${problem}`, undefined, options)
  }
}

/** InvalidResourceVersionError: a resourceVersion that is not a revision number. */
export class InvalidResourceVersionError extends StoreError {
  /** The resourceVersion exactly as given. */
  readonly resourceVersion: string

  constructor(resourceVersion: string) {
    super('InvalidResourceVersion', `invalid resource version ${JSON.stringify(resourceVersion)}`)
    this.resourceVersion = resourceVersion
  }
}

/**
 * ExpiredError: the history a watch or continue token needs has been compacted (HTTP 410 Gone,
 * reason Expired). The client must list again.
 */
export class ExpiredError extends StoreError {
  /** The revision the caller asked to read from. */
  readonly requested: number
  /** History up to and including this revision is gone. */
  readonly compacted: number

  constructor(requested: number, compacted: number, what: 'watch' | 'continue') {
    super(
      'Expired',
      what === 'watch'
        ? `too old resource version: ${requested} (${compacted})`
        : `the continue token is too old: its list snapshot (resource version ${requested}) has ` +
            `been compacted (${compacted}); start a new list without it`,
    )
    this.requested = requested
    this.compacted = compacted
  }
}

/** TooLargeResourceVersionError: a watch asked to start after a revision the store has not reached. */
export class TooLargeResourceVersionError extends StoreError {
  readonly requested: number
  readonly current: number

  constructor(requested: number, current: number) {
    super(
      'TooLargeResourceVersion',
      `too large resource version: ${requested}, current: ${current}`,
    )
    this.requested = requested
    this.current = current
  }
}

/**
 * TransactionMisuseError: a transaction handle used after its transaction ended, or a Store
 * write issued from inside a transaction of the same store (which would wait for itself).
 */
export class TransactionMisuseError extends StoreError {
  constructor(problem: string) {
    super('TransactionMisuse', problem)
  }
}

/** StoreClosedError: an operation on a closed store. */
export class StoreClosedError extends StoreError {
  constructor() {
    super('StoreClosed', 'the store is closed')
  }
}

/**
 * StorageFullError: a write found the disk (or the database's size limit) full. Nothing of it
 * was written; what was stored before is intact, and writes succeed again once there is space.
 */
export class StorageFullError extends StoreError {
  constructor(options?: ErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : ''
    super('StorageFull', `the store is out of disk space${detail}`, undefined, options)
  }
}

/**
 * StoreUnavailableError: the store could not reach its database (connection refused or lost, the
 * server shutting down). The operation failed as a whole and may be retried; a write that fails
 * this way may or may not have committed, as with any lost connection, so a retry should be a
 * compare-and-swap. The cause is the driver's error.
 */
export class StoreUnavailableError extends StoreError {
  constructor(options?: ErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : ''
    super('Unavailable', `the store's database is unavailable${detail}`, undefined, options)
  }
}

/** UnsupportedSchemaError: the database was written by a newer version of this program. */
export class UnsupportedSchemaError extends StoreError {
  constructor(found: number, supported: number) {
    super(
      'UnsupportedSchema',
      `database schema version ${found} is newer than this program supports (${supported}); ` +
        'upgrade imagestreams',
    )
  }
}
