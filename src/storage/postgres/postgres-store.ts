/**
 * The Store on PostgreSQL (node-postgres), for several replicas sharing one database
 * (docs/storage-postgres.md). Every write transaction first locks the one revision row and
 * holds it until it commits: writers serialise there, as they do on SQLite's single writer,
 * and so revisions commit in the order they are taken and a rollback gives its revisions back.
 * Watches are fed from the events table by each instance's feed, woken by LISTEN/NOTIFY, so a
 * write through one replica reaches the watchers of every other. Within one process writes
 * also queue on a mutex, so that a waiting writer holds no pooled connection, and single writes
 * queued together commit together (group-commit.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { PoolClient } from 'pg'
import { decodeContinue } from '../continue-token.js'
import { labelsOf, parseSelection } from '../selection.js'
import type { Change } from '../selection.js'
import type { ScheduleStore } from '../schedule.js'
import {
  ExpiredError,
  InvalidResourceVersionError,
  NotFoundError,
  StoreClosedError,
  StoreUnavailableError,
  TooLargeResourceVersionError,
  TransactionMisuseError,
  isStoreError,
  resolveStoreOptions,
} from '../store.js'
import type {
  GuaranteedUpdateOptions,
  JsonListResult,
  ListOptions,
  ListResult,
  ObjectEventType,
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
import { AdvisoryLeases } from './advisory-leases.js'
import { Pool, rows } from './connection.js'
import type { ConnectionSettings } from './connection.js'
import { asStoreError } from './errors.js'
import { Feed } from './feed.js'
import { WriteGroups } from './group-commit.js'
import type { WriteFn } from './group-commit.js'
import { Listener } from './listener.js'
import type { ListenerTiming } from './listener.js'
import { migrate } from './migrations.js'
import { Mutex } from '../mutex.js'
import { PostgresScheduleStore } from './schedule-store.js'
import { readPage } from './snapshot.js'
import { WatchHub, Watcher } from './watcher.js'
import type { HistoryPage, HistorySource } from './watcher.js'
import { WriteOps, getRow, lockRevision, parse } from './write-ops.js'
import type { WriteContext } from './write-ops.js'

/** PostgresStoreOptions configure openPostgresStore. */
export interface PostgresStoreOptions extends StoreOptions {
  /** A libpq-style connection URL: `postgres://user@host:5432/database`. */
  readonly url: string
  /**
   * The schema holding the store's tables, created when missing; default `public`. Several
   * stores can share a database in schemas of their own. A plain lower-case identifier.
   */
  readonly schema?: string
  /** Connections in the pool, besides the LISTEN connection; default 10. */
  readonly poolSize?: number
  /** How long opening a connection may take before the operation fails; default 5000 ms. */
  readonly connectTimeoutMs?: number
  /** The application_name the connections show in pg_stat_activity; default `imagestreams`. */
  readonly applicationName?: string
  /** Bounds of the LISTEN connection's reconnection backoff; default 100 ms to 5 s. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number }
  /**
   * How often the LISTEN connection is checked with a query, and how long the answer may take
   * before the connection counts as lost; default 10 s.
   */
  readonly heartbeatMs?: number
}

const DEFAULT_MAX_RETRIES = 16
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/

/** openPostgresStore opens (creating or migrating) the store's schema in the database at url. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const resolved = resolveStoreOptions(options)
  const schema = options.schema ?? 'public'
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(`openPostgresStore: schema must match ${SCHEMA_NAME}, got ${schema}`)
  }
  const poolSize = options.poolSize ?? 10
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new RangeError(`openPostgresStore: poolSize must be a positive integer, got ${poolSize}`)
  }
  const settings: ConnectionSettings = {
    url: options.url,
    schema,
    applicationName: options.applicationName ?? 'imagestreams',
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
  }
  const pool = new Pool(settings, poolSize, resolved.onBackgroundError)
  const store = new PostgresStore(resolved, settings, pool, {
    initialMs: options.reconnect?.initialMs ?? 100,
    heartbeatMs: options.heartbeatMs ?? 10_000,
    maxMs: options.reconnect?.maxMs ?? 5_000,
  })
  try {
    await store.open()
  } catch (error) {
    await store.close().catch(() => undefined)
    throw error
  }
  return store
}

interface TransactionState {
  active: boolean
}

interface EventRow {
  readonly head: number
  readonly compacted: number
  readonly revision: number | null
  readonly resource: string
  readonly namespace: string
  readonly name: string
  readonly type: ObjectEventType
  readonly object: string
  readonly prev_object: string | null
}

/** PostgresTransaction is the handle a transaction function gets. */
class PostgresTransaction implements StoreTransaction {
  private readonly ops: WriteOps
  private readonly ctx: WriteContext
  private readonly state: TransactionState
  // The operations share one connection and the revision counter: one at a time.
  private readonly lock = new Mutex()

  constructor(ops: WriteOps, ctx: WriteContext, state: TransactionState) {
    this.ops = ops
    this.ctx = ctx
    this.state = state
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.run(async () => parse<T>((await this.ops.row(this.ctx, key)).object))
  }

  create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    return this.run(() => this.ops.create(this.ctx, key, object))
  }

  update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.run(() => this.ops.update(this.ctx, key, object, preconditions))
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
      const row = await this.run(() => this.ops.row(this.ctx, key))
      const next = await fn(parse<T>(row.object))
      if (next === undefined) return parse<T>(row.object)
      try {
        return await this.run(() =>
          this.ops.update(this.ctx, key, next, {
            expectedResourceVersion: String(row.mod_revision),
          }),
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
    return this.run(() => this.ops.delete<T>(this.ctx, key, preconditions))
  }

  private run<R>(fn: () => Promise<R>): Promise<R> {
    return this.lock.run(() => {
      if (!this.state.active) {
        throw new TransactionMisuseError(
          'the transaction has ended: its handle can no longer be used',
        )
      }
      return fn()
    })
  }
}

/** PostgresStore implements Store on one PostgreSQL schema. */
class PostgresStore implements Store {
  readonly schedule: ScheduleStore
  private readonly options: ResolvedStoreOptions
  private readonly pool: Pool
  private readonly ops: WriteOps
  private readonly hub = new WatchHub()
  private readonly feed: Feed
  private readonly listener: Listener
  private readonly schemaName: string
  private readonly channel: string
  private readonly groups: WriteGroups
  private readonly leases: AdvisoryLeases
  /** The transaction, if any, whose function the current code runs in (see transaction). */
  private readonly scope = new AsyncLocalStorage<TransactionState>()
  private readonly history: HistorySource = {
    readHistory: (resource, namespace, after, limit) =>
      this.readHistory(after, limit, resource, namespace),
    published: () => this.feed.published,
  }
  private stopCompaction: () => void = () => {}
  private closing: Promise<void> | undefined

  constructor(
    options: ResolvedStoreOptions,
    settings: ConnectionSettings,
    pool: Pool,
    timing: ListenerTiming,
  ) {
    this.options = options
    this.pool = pool
    this.ops = new WriteOps(options)
    this.schemaName = settings.schema
    this.channel = `imagestreams_events_${settings.schema}`
    this.feed = new Feed(
      0,
      (after, limit) => this.readHistory(after, limit),
      this.hub,
      (error) => this.feedFailed(error),
    )
    this.listener = new Listener(
      settings,
      this.channel,
      {
        notified: (revision) => this.feed.notified(revision),
        lost: (error) => {
          // Changes may be missed until the listener is back: every watch ends, and its
          // client lists again.
          this.hub.failAll(error)
          this.options.onBackgroundError(error)
        },
        restored: () => this.feed.poll(),
      },
      timing,
    )
    this.groups = new WriteGroups(new Mutex(), { locked: (fn) => this.locked(fn) })
    this.leases = new AdvisoryLeases(settings)
    this.schedule = new PostgresScheduleStore({
      write: (fn) => this.withWritable(() => this.pool.withClient(fn)),
      read: (fn) => this.withOpen(() => fn(this.pool.queryable)),
    })
  }

  /** open migrates the schema, starts listening and catches the feed up to the head. */
  async open(): Promise<void> {
    await this.pool.withClient(async (client) => {
      try {
        await migrate(client, this.schemaName, () => this.options.clock.now())
      } catch (error) {
        throw asStoreError(error)
      }
    })
    // Listening before reading the head: a write committed after the read is announced.
    await this.listener.start()
    const head = await this.locked(async (ctx) => {
      await this.ops.syncReferenceIndex(ctx)
      await this.ops.compact(ctx)
      return ctx.current
    })
    this.feed.startAt(head.result)
    this.stopCompaction = this.options.clock.every(this.options.compactIntervalMs, () => {
      if (this.closing) return
      this.compact().catch(this.options.onBackgroundError)
    })
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.withOpen(async () => {
      const row = await getRow(this.pool.queryable, key)
      if (!row) throw new NotFoundError(key)
      return parse<T>(row.object)
    })
  }

  getJson(key: ObjectKey): Promise<string> {
    return this.withOpen(async () => {
      const row = await getRow(this.pool.queryable, key)
      if (!row) throw new NotFoundError(key)
      return row.object
    })
  }

  async ping(): Promise<void> {
    await this.withOpen(() => rows(this.pool.queryable, 'SELECT 1'))
  }

  singleton(name: string, signal: AbortSignal): Promise<SingletonLease | undefined> {
    return this.withOpen(() => this.leases.take(name, signal))
  }

  list<T extends StoredObject = StoredObject>(
    resource: string,
    options: ListOptions = {},
  ): Promise<ListResult<T>> {
    return this.page(resource, options, (text, object) =>
      object === undefined ? parse<T>(text) : (object as T),
    )
  }

  listJson(resource: string, options: ListOptions = {}): Promise<JsonListResult> {
    return this.page(resource, options, (text) => text)
  }

  private page<I>(
    resource: string,
    options: ListOptions,
    item: (text: string, object: StoredObject | undefined) => I,
  ): Promise<Omit<ListResult, 'items'> & { items: I[] }> {
    return this.withOpen(() => {
      const selection = parseSelection(options)
      const limit =
        options.limit !== undefined && options.limit >= 1 ? Math.floor(options.limit) : undefined
      const position = options.continue ? decodeContinue(options.continue, resource) : undefined
      const request = {
        resource,
        selection,
        limit,
        position,
        count: !options.withoutRemainingCount,
      }
      return this.pool.snapshot((client) => readPage(client, request, item))
    })
  }

  create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    return this.write((ctx) => this.ops.create(ctx, key, object))
  }

  update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.write((ctx) => this.ops.update(ctx, key, object, preconditions))
  }

  async guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options: GuaranteedUpdateOptions = {},
  ): Promise<T> {
    this.assertWritable()
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
    // First attempt optimistic, without holding the revision lock: fn may take its time.
    const row = await this.withOpen(async () => {
      const found = await getRow(this.pool.queryable, key)
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
    // The retry holds the revision lock, so no replica can change the object between its read
    // and its write: one retry suffices.
    return this.transaction((tx) => tx.guaranteedUpdate(key, fn))
  }

  delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T> {
    return this.write((ctx) => this.ops.delete<T>(ctx, key, preconditions))
  }

  async transaction<R>(fn: (tx: StoreTransaction) => Promise<R> | R): Promise<R> {
    this.assertWritable()
    const state: TransactionState = { active: true }
    const { result, published } = await this.groups.run(async () => {
      try {
        return await this.locked((ctx) =>
          this.scope.run(state, async () => fn(new PostgresTransaction(this.ops, ctx, state))),
        )
      } finally {
        state.active = false
        // A context store keeps Node's promise hooks on for every promise in the process
        // while it is enabled: only while a transaction runs (the mutex allows one), so reads
        // between transactions pay nothing.
        this.scope.disable()
      }
    })
    await published
    return result
  }

  async watch<T extends StoredObject = StoredObject>(
    resource: string,
    options: WatchOptions,
  ): Promise<AsyncIterableIterator<WatchEvent<T>>> {
    this.assertOpen()
    const selection = parseSelection(options)
    const asked = parseResourceVersion(options.fromResourceVersion)
    if (!this.listener.listening) {
      throw new StoreUnavailableError({ cause: new Error('the LISTEN connection is down') })
    }
    const { current, compacted } = await this.withOpen(() => this.revisions())
    if (asked !== undefined && asked < compacted) throw new ExpiredError(asked, compacted, 'watch')
    if (asked !== undefined && asked > current) {
      throw new TooLargeResourceVersionError(asked, current)
    }
    const from = asked ?? current
    // Every revision up to `from` published: from here the hub's changes after it are new.
    await this.feed.reach(from)
    this.assertOpen()
    const watcher = new Watcher<T>({
      resource,
      selection,
      source: this.history,
      capacity: this.options.watchBufferSize,
      maxBytes: this.options.watchBufferBytes,
      onFallBehind: options.onFallBehind,
      from,
      live: from === this.feed.published,
      signal: options.signal,
      bookmarks: options.bookmarks
        ? { clock: this.options.clock, intervalMs: this.options.bookmarkIntervalMs }
        : undefined,
      onStop: (w) => this.hub.remove(w),
    })
    this.hub.add(watcher)
    if (options.signal.aborted) watcher.stop()
    return watcher
  }

  async currentRevision(): Promise<number> {
    return (await this.withOpen(() => this.revisions())).current
  }

  watchStats(): WatchStats {
    return this.hub.stats()
  }

  async compact(): Promise<number> {
    this.assertWritable()
    const { result } = await this.groups.run(() => this.locked((ctx) => this.ops.compact(ctx)))
    return result
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.stopCompaction()
      this.hub.stopAll()
      // Queued writes still run (they were accepted before close).
      this.closing = this.groups
        .run(() => Promise.all([this.listener.close(), this.leases.close()]))
        .then(() => this.pool.end())
    }
    return this.closing
  }

  private revisions(): Promise<{ current: number; compacted: number }> {
    return rows<{ current: number; compacted: number }>(
      this.pool.queryable,
      'SELECT current, compacted FROM revision WHERE id = 1',
    ).then(([row]) => row ?? { current: 0, compacted: 0 })
  }

  // Reads history after a revision, of one resource (and namespace) or of all, with the head
  // and compacted revisions of the same snapshot: one statement, so one snapshot.
  private async readHistory(
    after: number,
    limit: number,
    resource?: string,
    namespace?: string,
  ): Promise<HistoryPage> {
    const params: unknown[] = [after, limit]
    let filter = ''
    if (resource !== undefined) filter += ` AND resource = $${params.push(resource)}`
    if (namespace !== undefined) filter += ` AND namespace = $${params.push(namespace)}`
    const found = await rows<EventRow>(
      this.pool.queryable,
      'SELECT r.current AS head, r.compacted, e.revision, e.resource, e.namespace, e.name,' +
        ' e.type, e.object, e.prev_object FROM revision r LEFT JOIN LATERAL (' +
        ` SELECT * FROM events WHERE revision > $1${filter} ORDER BY revision LIMIT $2` +
        ') e ON true WHERE r.id = 1 ORDER BY e.revision',
      params,
    )
    const changes: Change[] = []
    for (const row of found) {
      const revision = row.revision
      if (revision === null) continue
      changes.push(
        this.hub.shared(revision, () => {
          const prev = row.prev_object ?? undefined
          return {
            revision,
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
    return { changes, head: found[0]?.head ?? 0, compacted: found[0]?.compacted ?? 0 }
  }

  private feedFailed(error: unknown): void {
    if (this.closing) return
    const failure = asStoreError(error)
    this.hub.failAll(failure instanceof Error ? failure : new Error(String(failure)))
    this.options.onBackgroundError(failure)
  }

  private assertOpen(): void {
    if (this.closing) throw new StoreClosedError()
  }

  private assertWritable(): void {
    this.assertOpen()
    if (this.scope.getStore()?.active) {
      throw new TransactionMisuseError(
        'a store write inside one of its own transactions would wait for that transaction: ' +
          'use the transaction handle',
      )
    }
  }

  private async withOpen<R>(fn: () => Promise<R>): Promise<R> {
    this.assertOpen()
    return fn()
  }

  private async withWritable<R>(fn: () => Promise<R>): Promise<R> {
    this.assertWritable()
    return fn()
  }

  private async write<R>(fn: WriteFn<R>): Promise<R> {
    this.assertWritable()
    return this.groups.write(fn)
  }

  /**
   * locked runs fn in a transaction holding the revision row's lock and commits it (with a
   * NOTIFY of its last revision when it wrote), or rolls it back if fn throws. Its changes go
   * to the feed right after the COMMIT, in the same synchronous step; `published` resolves
   * once the hub has them. Call it holding the mutex (WriteGroups).
   */
  private locked<R>(
    fn: (ctx: WriteContext) => Promise<R>,
  ): Promise<{ result: R; published: Promise<void> }> {
    return this.pool.withClient(async (client: PoolClient, discard: () => void) => {
      let result: R
      let ctx: WriteContext
      try {
        ctx = await lockRevision(client)
        result = await fn(ctx)
      } catch (error) {
        // A connection that cannot roll back is not given back to the pool.
        await client.query('ROLLBACK').catch(discard)
        throw error
      }
      const last = ctx.pending.at(-1)
      // NOTIFY is delivered at COMMIT, in commit order (PostgreSQL documentation, "NOTIFY").
      await rows(client, last ? `NOTIFY ${this.channel}, '${last.revision}'; COMMIT` : 'COMMIT')
      return { result, published: this.feed.committed(ctx.pending) }
    })
  }
}

function parseResourceVersion(resourceVersion: string | undefined): number | undefined {
  if (resourceVersion === undefined || resourceVersion === '') return undefined
  const from = /^\d{1,15}$/.test(resourceVersion) ? Number(resourceVersion) : NaN
  if (!Number.isSafeInteger(from)) throw new InvalidResourceVersionError(resourceVersion)
  return from
}
