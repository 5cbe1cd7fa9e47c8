/**
 * A Store wrapper for race tests: `hold` stops the next matching write where a race would
 * interleave, until the test releases it, so a test can run a competing write in between
 * (an import re-referencing an Image while a prune's delete of it waits) without sleeping.
 */
import type {
  GuaranteedUpdateOptions,
  ListOptions,
  JsonListResult,
  ListResult,
  ObjectKey,
  Preconditions,
  SingletonLease,
  Store,
  StoreTransaction,
  StoredObject,
  UpdateFn,
  WatchEvent,
  WatchOptions,
  WatchStats,
} from '../store.js'
import type { ScheduleStore } from '../schedule.js'

/** GatedOp is a write a gate can hold. */
export type GatedOp = 'create' | 'update' | 'guaranteedUpdate' | 'delete'

/** GateMatch selects the write to hold; an absent name or namespace matches any. */
export interface GateMatch {
  readonly op: GatedOp
  readonly resource: string
  readonly name?: string
  readonly namespace?: string
}

/** GatedCall is the write a hold caught. */
export interface GatedCall {
  readonly op: GatedOp
  readonly key: ObjectKey
  /** The write came through a transaction handle: its transaction, and every writer, waits. */
  readonly inTransaction: boolean
}

/** Hold is one armed hold. */
export interface Hold {
  /** Resolves when a matching write arrives; it then waits for release. */
  readonly reached: Promise<GatedCall>
  /** Lets the caught write proceed; before one arrives, disarms the hold instead. */
  release(): void
}

interface Armed {
  readonly match: GateMatch
  readonly reach: (call: GatedCall) => void
  readonly released: Promise<void>
}

/**
 * GatedStore passes everything to the wrapped store, except that a write matching an armed hold
 * waits. create, update and delete wait before they reach the store (on the Store itself no
 * lock is held meanwhile); guaranteedUpdate waits after its function computed the next state
 * and before that is written, the read-modify-write window a concurrent write falls into.
 */
export class GatedStore implements Store {
  private readonly inner: Store
  private armed: Armed[] = []

  constructor(inner: Store) {
    this.inner = inner
  }

  get schedule(): ScheduleStore {
    return this.inner.schedule
  }

  /** hold arms a hold on the next write matching `match`; each hold catches one write. */
  hold(match: GateMatch): Hold {
    let reach!: (call: GatedCall) => void
    const reached = new Promise<GatedCall>((resolve) => (reach = resolve))
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const armed: Armed = { match, reach, released }
    this.armed.push(armed)
    return {
      reached,
      release: () => {
        this.armed = this.armed.filter((a) => a !== armed)
        release()
      },
    }
  }

  /** pass waits while an armed hold catches this write, else returns at once. */
  async pass(op: GatedOp, key: ObjectKey, inTransaction: boolean): Promise<void> {
    const armed = this.armed.find(
      ({ match }) =>
        match.op === op &&
        match.resource === key.resource &&
        (match.name === undefined || match.name === key.name) &&
        (match.namespace === undefined || match.namespace === key.namespace),
    )
    if (!armed) return
    this.armed = this.armed.filter((a) => a !== armed)
    armed.reach({ op, key, inTransaction })
    await armed.released
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.inner.get<T>(key)
  }

  getJson(key: ObjectKey): Promise<string> {
    return this.inner.getJson(key)
  }

  list<T extends StoredObject = StoredObject>(
    resource: string,
    options?: ListOptions,
  ): Promise<ListResult<T>> {
    return this.inner.list<T>(resource, options)
  }

  listJson(resource: string, options?: ListOptions): Promise<JsonListResult> {
    return this.inner.listJson(resource, options)
  }

  async create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    await this.pass('create', key, false)
    return this.inner.create(key, object)
  }

  async update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    await this.pass('update', key, false)
    return this.inner.update(key, object, preconditions)
  }

  guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options?: GuaranteedUpdateOptions,
  ): Promise<T> {
    return this.inner.guaranteedUpdate(key, gatedFn(this, key, fn, false), options)
  }

  async delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T> {
    await this.pass('delete', key, false)
    return this.inner.delete<T>(key, preconditions)
  }

  watch<T extends StoredObject = StoredObject>(
    resource: string,
    options: WatchOptions,
  ): Promise<AsyncIterableIterator<WatchEvent<T>>> {
    return this.inner.watch<T>(resource, options)
  }

  transaction<R>(fn: (tx: StoreTransaction) => Promise<R> | R): Promise<R> {
    return this.inner.transaction((tx) => fn(new GatedTransaction(tx, this)))
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision()
  }

  watchStats(): WatchStats {
    return this.inner.watchStats()
  }

  compact(): Promise<number> {
    return this.inner.compact()
  }

  ping(): Promise<void> {
    return this.inner.ping()
  }

  singleton(name: string, signal: AbortSignal): Promise<SingletonLease | undefined> {
    return this.inner.singleton(name, signal)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

// Holds after fn, before the write of what it computed.
function gatedFn<T extends StoredObject>(
  gate: GatedStore,
  key: ObjectKey,
  fn: UpdateFn<T>,
  inTransaction: boolean,
): UpdateFn<T> {
  return async (current) => {
    const next = await fn(current)
    await gate.pass('guaranteedUpdate', key, inTransaction)
    return next
  }
}

/** GatedTransaction is a transaction handle whose writes pass the gate. */
class GatedTransaction implements StoreTransaction {
  private readonly tx: StoreTransaction
  private readonly gate: GatedStore

  constructor(tx: StoreTransaction, gate: GatedStore) {
    this.tx = tx
    this.gate = gate
  }

  get<T extends StoredObject = StoredObject>(key: ObjectKey): Promise<T> {
    return this.tx.get<T>(key)
  }

  async create<T extends StoredObject>(key: ObjectKey, object: T): Promise<T> {
    await this.gate.pass('create', key, true)
    return this.tx.create(key, object)
  }

  async update<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    preconditions?: Preconditions,
  ): Promise<T> {
    await this.gate.pass('update', key, true)
    return this.tx.update(key, object, preconditions)
  }

  guaranteedUpdate<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    fn: UpdateFn<T>,
    options?: GuaranteedUpdateOptions,
  ): Promise<T> {
    return this.tx.guaranteedUpdate(key, gatedFn(this.gate, key, fn, true), options)
  }

  async delete<T extends StoredObject = StoredObject>(
    key: ObjectKey,
    preconditions?: Preconditions,
  ): Promise<T> {
    await this.gate.pass('delete', key, true)
    return this.tx.delete<T>(key, preconditions)
  }
}
