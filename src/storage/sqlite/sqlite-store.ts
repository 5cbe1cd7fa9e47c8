/**
 * The embedded Store on better-sqlite3: WAL, synchronous=FULL, one writer connection and one
 * read-only connection. Writes are serialised by an in-process mutex (SQLite has one writer
 * anyway) so that a transaction can stay open across the awaits of its function while readers,
 * on their own connection, keep seeing only committed state. Every write takes the next
 * revision from the `revision` row and appends an events row in the same SQLite transaction;
 * after COMMIT, in the same synchronous step, the changes go to the watch hub. Single writes
 * that arrive in the same turn of the event loop commit together (group-commit.ts).
 *
 * One process owns the database file: watch fan-out is in memory, so writes from another
 * process would not reach this process's watchers.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import { decodeContinue, type ContinuePosition } from '../continue-token.js'
import { labelsOf, parseSelection } from '../selection.js'
import type { Change, Selection } from '../selection.js'
import type { ScheduleStore } from '../schedule.js'
import { LocalSingletons } from '../local-singletons.js'
import {
  ExpiredError,
  InvalidResourceVersionError,
  NotFoundError,
  StorageFullError,
  StoreClosedError,
  TooLargeResourceVersionError,
  TransactionMisuseError,
  isStoreError,
  resolveStoreOptions,
} from '../store.js'
import type {
  GuaranteedUpdateOptions,
  ListOptions,
  JsonListResult,
  ListResult,
  ObjectKey,
  Preconditions,
  ResolvedStoreOptions,
  SingletonLease,
  Store,
  StoreOptions,
  StoreTransaction,
  StoredObject,
  UpdateFn,
  WatchEvent,
  WatchOptions,
  WatchStats,
} from '../store.js'
import { GroupCommit } from './group-commit.js'
import type { WriteFn } from './group-commit.js'
import { migrate } from './migrations.js'
import { Mutex } from '../mutex.js'
import { SqliteScheduleStore } from './schedule-store.js'
import { listJsonPage, listPage } from './snapshot.js'
import { ReadSnapshot } from './read-snapshot.js'
import { Reads, Writes, keyParams, openConnection } from './statements.js'
import type { EventRow } from './statements.js'
import { WatchHub, Watcher } from './watcher.js'
import type { HistorySource } from './watcher.js'
import { WriteOps, parse } from './write-ops.js'

/** SqliteStoreOptions configure openSqliteStore. */
export interface SqliteStoreOptions extends StoreOptions {
  /** The database file; it and its directory are created when missing. */
  readonly path: string
  /** How long a statement waits for another connection's lock; default 5000 ms. */
  readonly busyTimeoutMs?: number
  /**
   * Called when writes start failing for want of space (with the error) and when one succeeds
   * again (undefined): what `/readyz` reports (docs/kubernetes-api.md#a-full-disk).
   */
  readonly onSpaceChange?: (full: StorageFullError | undefined) => void
  /**
   * Test seam: receives a function that runs a PRAGMA on the writer connection. SQLite's
   * max_page_count is per connection, so this is how a test fills the store without root.
   */
  readonly writerPragma?: (pragma: (source: string) => unknown) => void
  /**
   * Resources whose objects `get` serves from memory once read (few, small, read by most
   * requests and seldom written: namespaces). The copies are exact: a write of one drops it
   * in the same synchronous step as its COMMIT, before anything else can read.
   */
  readonly cachedResources?: readonly string[]
}

/** openSqliteStore opens (creating or migrating) the database at options.path. */
export function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  return attempt(() => new SqliteStore(options))
}

const DEFAULT_MAX_RETRIES = 16

/** asStorageFull turns SQLite's SQLITE_FULL (disk or max_page_count full) into StorageFullError. */
function asStorageFull(error: unknown): unknown {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_FULL'
    ? new StorageFullError({ cause: error })
    : error
}

// Names a key in the object cache, whatever characters its parts hold.
function cacheKey(key: ObjectKey): string {
  return JSON.stringify([key.resource, key.namespace, key.name])
}

// Runs fn now and turns a synchronous throw into a rejection: every Store method is async.
function attempt<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()))
}

interface TransactionState {
  active: boolean
}

/** SqliteTransaction is the handle a transaction function gets. */
class SqliteTransaction implements StoreTransaction {
  private readonly ops: WriteOps
  private readonly state: TransactionState
  private readonly pending: Change[]

  constructor(ops: WriteOps, state: TransactionState, pending: Change[]) {
    this.ops = ops
    this.state = state
    this.pending = pending
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.run(() => parse<T>(this.ops.row(key).object))
  }

  create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    return this.run(() => this.ops.create(key, object, this.pending))
  }

  update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.run(() => this.ops.update(key, object, preconditions, this.pending))
  }

  // Nothing outside the transaction writes meanwhile; a conflict can only come from the
  // transaction's own concurrent calls, so retrying is still right.
  async guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options: GuaranteedUpdateOptions = {},
  ): Promise<T> {
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
    for (let attempt = 0; ; attempt++) {
      const row = await this.run(() => this.ops.row(key))
      const next = await fn(parse<T>(row.object))
      if (next === undefined) return parse<T>(row.object)
      try {
        return await this.run(() =>
          this.ops.update(
            key,
            next,
            { expectedResourceVersion: String(row.mod_revision) },
            this.pending,
          ),
        )
      } catch (error) {
        if (!isStoreError(error, 'Conflict') || attempt >= maxRetries) throw error
      }
    }
  }

  delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.run(() => this.ops.delete<T>(key, preconditions, this.pending))
  }

  private run<R>(fn: () => R): Promise<R> {
    if (!this.state.active) {
      return Promise.reject(
        new TransactionMisuseError('the transaction has ended: its handle can no longer be used'),
      )
    }
    return attempt(fn)
  }
}

/** SqliteStore implements Store on one SQLite database file. */
class SqliteStore implements Store {
  readonly schedule: ScheduleStore
  private readonly options: ResolvedStoreOptions
  private readonly writer: Database.Database
  private readonly reader: Database.Database
  private readonly writes: Writes
  private readonly reads: Reads
  /** The reader's transaction of the current turn (see read-snapshot.ts). */
  private readonly snapshot: ReadSnapshot
  private readonly ops: WriteOps
  private readonly hub = new WatchHub()
  private readonly lock = new Mutex()
  private readonly singletons = new LocalSingletons()
  private readonly groups: GroupCommit
  /** The transaction, if any, whose function the current code runs in (see transaction). */
  private readonly scope = new AsyncLocalStorage<TransactionState>()
  private readonly stopCompaction: () => void
  private readonly history: HistorySource = {
    readHistory: (resource, namespace, after, limit) =>
      this.readHistory(resource, namespace, after, limit),
    compactedRevision: () => this.compactedRevision(),
    currentRevision: () => this.revision,
  }
  /** The last committed revision, advanced right after each COMMIT. */
  private revision: number
  private closing: Promise<void> | undefined
  /** Whether the last write failed for want of space. */
  private full = false
  private readonly onSpaceChange: SqliteStoreOptions['onSpaceChange']
  private readonly cachedResources: ReadonlySet<string>
  /** The committed JSON of the objects of cachedResources read so far, by cacheKey. */
  private readonly cached = new Map<string, string>()

  constructor(options: SqliteStoreOptions) {
    this.options = resolveStoreOptions(options)
    this.onSpaceChange = options.onSpaceChange
    this.cachedResources = new Set(options.cachedResources)
    const { path } = options
    if (path === '' || path === ':memory:' || path.startsWith('file:')) {
      // Two connections must see one database, which an in-memory database is not.
      throw new RangeError(
        `openSqliteStore needs a database file path, got ${JSON.stringify(path)}`,
      )
    }
    mkdirSync(dirname(path), { recursive: true })
    const busy = options.busyTimeoutMs ?? 5_000
    this.writer = openConnection(path, busy)
    options.writerPragma?.((source) => this.writer.pragma(source))
    let reader: Database.Database | undefined
    try {
      migrate(this.writer, () => this.options.clock.now())
      reader = openConnection(path, busy)
      reader.pragma('query_only = ON')
      this.reader = reader
      this.writes = new Writes(this.writer)
      this.reads = new Reads(reader)
      this.snapshot = new ReadSnapshot(reader)
      this.ops = new WriteOps(this.writes, this.options)
      this.groups = new GroupCommit(this.writer, this.lock, {
        alone: (fn) => this.writeAlone(fn),
        beginning: () => this.snapshot.end(),
        beforeCommit: () => this.ops.trimHistory(),
        committed: (changes, wrote) => {
          this.snapshot.end()
          if (wrote) this.committed()
          for (const pending of changes) this.published(pending)
        },
      })
      this.schedule = new SqliteScheduleStore(this.writer, reader, {
        // Queue rows take no revision, so their writes have no changes to publish.
        write: (fn) => this.write(() => fn()),
        read: (fn) => this.read(fn),
      })
      this.revision = this.reads.revision.get()?.current ?? 0
      this.writeTransaction(() => this.ops.syncReferenceIndex())
      // By count only: finding the history past its age reads every event row (10,000 rows of
      // JSON documents by default), most of the start-up of a large store; the timer below
      // does that a compaction interval later.
      this.writeTransaction(() => this.ops.trimHistory())
    } catch (error) {
      reader?.close()
      this.writer.close()
      throw error
    }
    this.stopCompaction = this.options.clock.every(this.options.compactIntervalMs, () => {
      if (this.closing) return
      this.compact().catch(this.options.onBackgroundError)
    })
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.read(() => parse<T>(this.storedText(key)))
  }

  getJson(key: ObjectKey): Promise<string> {
    return this.read(() => this.storedText(key))
  }

  // The committed text at key: from the cache for cachedResources, else read.
  private storedText(key: ObjectKey): string {
    if (!this.cachedResources.has(key.resource)) return this.readObject(key)
    const at = cacheKey(key)
    let json = this.cached.get(at)
    if (json === undefined) this.cached.set(at, (json = this.readObject(key)))
    return json
  }

  private readObject(key: ObjectKey): string {
    const row = this.reads.getObject.get(...keyParams(key))
    if (!row) throw new NotFoundError(key)
    return row.object
  }

  list<T extends StoredObject = StoredObject>(
    resource: string,
    options: ListOptions = {},
  ): Promise<ListResult<T>> {
    return this.readPage(resource, options, listPage<T>)
  }

  listJson(resource: string, options: ListOptions = {}): Promise<JsonListResult> {
    return this.readPage(resource, options, listJsonPage)
  }

  private readPage<R>(
    resource: string,
    options: ListOptions,
    page: (
      reads: Reads,
      resource: string,
      selection: Selection,
      limit: number | undefined,
      position: ContinuePosition | undefined,
      options: { count: boolean },
    ) => R,
  ): Promise<R> {
    return this.read(() => {
      const selection = parseSelection(options)
      const limit =
        options.limit !== undefined && options.limit >= 1 ? Math.floor(options.limit) : undefined
      const position = options.continue ? decodeContinue(options.continue, resource) : undefined
      // One read transaction: every statement sees the same committed state.
      return this.reader.transaction(() =>
        page(this.reads, resource, selection, limit, position, {
          count: !options.withoutRemainingCount,
        }),
      )()
    })
  }

  create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    return this.write((pending) => this.ops.create(key, object, pending))
  }

  update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.write((pending) => this.ops.update(key, object, preconditions, pending))
  }

  async guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options: GuaranteedUpdateOptions = {},
  ): Promise<T> {
    this.assertWritable()
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
    // First attempt optimistic, without holding the writer: fn may take its time.
    const row = await this.read(() => {
      const found = this.reads.getObject.get(...keyParams(key))
      if (!found) throw new NotFoundError(key)
      return found
    })
    const next = await fn(parse<T>(row.object))
    if (next === undefined) return parse<T>(row.object)
    try {
      return await this.update(key, next, { expectedResourceVersion: String(row.mod_revision) })
    } catch (error) {
      if (!isStoreError(error, 'Conflict') || maxRetries < 1) throw error
    }
    // The retry holds the writer, so nothing in this process can change the object between
    // its read and its write: one retry always suffices here (a networked backend loops).
    return this.transaction((tx) => tx.guaranteedUpdate(key, fn))
  }

  delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.write((pending) => this.ops.delete<T>(key, preconditions, pending))
  }

  transaction<R>(fn: (tx: StoreTransaction) => Promise<R> | R): Promise<R> {
    return attempt(() => this.assertWritable()).then(() =>
      this.locked(async () => {
        const state: TransactionState = { active: true }
        const pending: Change[] = []
        const tx = new SqliteTransaction(this.ops, state, pending)
        this.snapshot.end()
        this.writer.exec('BEGIN IMMEDIATE')
        let result: R
        try {
          result = await this.scope.run(state, () => fn(tx))
          if (pending.length > 0) this.ops.trimHistory()
          this.writer.exec('COMMIT')
          this.snapshot.end()
        } catch (error) {
          if (this.writer.inTransaction) this.writer.exec('ROLLBACK')
          throw this.failed(error)
        } finally {
          state.active = false
          // A context store keeps Node's promise hooks on for every promise in the process
          // while it is enabled: only while a transaction runs (the mutex allows one), so
          // reads between transactions pay nothing. Contexts left over from this transaction
          // carry an inactive state, so forgetting them changes no answer.
          this.scope.disable()
        }
        this.committed()
        this.published(pending)
        return result
      }),
    )
  }

  watch<T extends StoredObject = StoredObject>(
    resource: string,
    options: WatchOptions,
  ): Promise<AsyncIterableIterator<WatchEvent<T>>> {
    return this.read(() => {
      const selection = parseSelection(options)
      const from = this.watchStart(options.fromResourceVersion)
      const watcher = new Watcher<T>({
        resource,
        selection,
        source: this.history,
        capacity: this.options.watchBufferSize,
        maxBytes: this.options.watchBufferBytes,
        onFallBehind: options.onFallBehind,
        from,
        signal: options.signal,
        bookmarks: options.bookmarks
          ? { clock: this.options.clock, intervalMs: this.options.bookmarkIntervalMs }
          : undefined,
        onStop: (w) => this.hub.remove(w),
      })
      this.hub.add(watcher)
      if (options.signal.aborted) watcher.stop()
      return watcher
    })
  }

  currentRevision(): Promise<number> {
    return this.read(() => this.revision)
  }

  watchStats(): WatchStats {
    return this.hub.stats()
  }

  ping(): Promise<void> {
    return this.read(() => void this.reads.revision.get())
  }

  // One process owns the database file (the data-dir lock), so this instance's own holders
  // are the only ones to keep apart.
  singleton(name: string, signal: AbortSignal): Promise<SingletonLease | undefined> {
    return this.read(() => this.singletons.tryTake(name, signal))
  }

  compact(): Promise<number> {
    return attempt(() => this.assertWritable()).then(() =>
      this.locked(() => this.writeTransaction(() => this.ops.compact())),
    )
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.stopCompaction()
      this.hub.stopAll()
      this.singletons.closeAll()
      // Queued writes still run (they were accepted before close); then checkpoint so the
      // database is one self-contained file again.
      this.closing = this.locked(() => {
        this.snapshot.end()
        this.reader.close()
        this.writer.pragma('wal_checkpoint(TRUNCATE)')
        this.writer.close()
      })
    }
    return this.closing
  }

  // Serves catching-up watchers from the events table.
  private readHistory(
    resource: string,
    namespace: string | undefined,
    after: number,
    limit: number,
  ): Change[] {
    const rows =
      namespace === undefined
        ? this.reads
            .prepared<[string, number, number], EventRow>(
              'SELECT revision, resource, namespace, name, type, object, prev_object FROM events' +
                ' WHERE resource = ? AND revision > ? ORDER BY revision LIMIT ?',
            )
            .all(resource, after, limit)
        : this.reads
            .prepared<[string, string, number, number], EventRow>(
              'SELECT revision, resource, namespace, name, type, object, prev_object FROM events' +
                ' WHERE resource = ? AND namespace = ? AND revision > ? ORDER BY revision LIMIT ?',
            )
            .all(resource, namespace, after, limit)
    return rows.map((row) =>
      this.hub.shared(row.revision, () => {
        const prev = row.prev_object ?? undefined
        return {
          revision: row.revision,
          key: { resource: row.resource, namespace: row.namespace, name: row.name },
          type: row.type,
          object: row.object,
          prev,
          labels: labelsOf(parse<StoredObject>(row.object)),
          prevLabels: prev === undefined ? undefined : labelsOf(parse<StoredObject>(prev)),
        }
      }),
    )
  }

  private compactedRevision(): number {
    return this.reads.revision.get()?.compacted ?? 0
  }

  private assertWritable(): void {
    if (this.closing) throw new StoreClosedError()
    if (this.scope.getStore()?.active) {
      throw new TransactionMisuseError(
        'a store write inside one of its own transactions would wait for that transaction: ' +
          'use the transaction handle',
      )
    }
  }

  private read<R>(fn: () => R): Promise<R> {
    return attempt(() => {
      if (this.closing) throw new StoreClosedError()
      this.snapshot.enter()
      return fn()
    })
  }

  private write<R>(fn: WriteFn<R>): Promise<R> {
    return attempt(() => this.assertWritable()).then(() => this.groups.write(fn))
  }

  // Anything but a single write takes the lock through here: it closes the open group, so
  // writes called after it wait for it, in call order.
  private locked<R>(fn: () => R | Promise<R>): Promise<R> {
    this.groups.seal()
    return this.lock.run(fn)
  }

  private writeAlone<R>(fn: WriteFn<R>): R {
    const pending: Change[] = []
    const result = this.writeTransaction(() => {
      const value = fn(pending)
      if (pending.length > 0) this.ops.trimHistory()
      return value
    })
    this.published(pending)
    return result
  }

  private writeTransaction<R>(fn: () => R): R {
    this.snapshot.end()
    this.writer.exec('BEGIN IMMEDIATE')
    try {
      const result = fn()
      this.writer.exec('COMMIT')
      this.snapshot.end()
      this.committed()
      return result
    } catch (error) {
      // SQLite rolls back by itself after some errors (SQLITE_FULL, ...).
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK')
      throw this.failed(error)
    }
  }

  // A write failing for want of space is reported once, until one succeeds again.
  private failed(error: unknown): unknown {
    const mapped = asStorageFull(error)
    if (mapped instanceof StorageFullError && !this.full) {
      this.full = true
      this.onSpaceChange?.(mapped)
    }
    return mapped
  }

  private committed(): void {
    if (!this.full) return
    this.full = false
    this.onSpaceChange?.(undefined)
  }

  // Called right after COMMIT, in the same synchronous step (see watcher.ts).
  private published(pending: readonly Change[]): void {
    const last = pending.at(-1)
    if (last) this.revision = last.revision
    for (const change of pending) {
      if (this.cachedResources.has(change.key.resource)) this.cached.delete(cacheKey(change.key))
      this.hub.publish(change)
    }
  }

  private watchStart(fromResourceVersion: string | undefined): number | undefined {
    if (fromResourceVersion === undefined || fromResourceVersion === '') return undefined
    const from = /^\d{1,15}$/.test(fromResourceVersion) ? Number(fromResourceVersion) : NaN
    if (!Number.isSafeInteger(from)) throw new InvalidResourceVersionError(fromResourceVersion)
    const compacted = this.compactedRevision()
    if (from < compacted) throw new ExpiredError(from, compacted, 'watch')
    if (from > this.revision) throw new TooLargeResourceVersionError(from, this.revision)
    return from
  }
}
