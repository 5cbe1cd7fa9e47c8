/**
 * Recording Kubernetes Events without slowing what reports them, as client-go's event recorder
 * does (k8s.io/client-go tools/record): `record` only queues; a timer writes the queue in one
 * store transaction. An event equal to one already recorded (same object, type, reason, message
 * and source: client-go's aggregation key) does not make a new object: the stored one gets its
 * `count` raised and its `lastTimestamp` moved, so a tag failing every backoff step is one Event
 * counting its failures.
 */
import type { Event, ObjectReference } from '../api/index.js'
import { isStoreError, objectKey, type Store, type StoreTransaction } from '../storage/index.js'

/** EventSpec is one occurrence a component reports. */
export interface EventSpec {
  /** The object the event is about; for imports, the ImageStream. */
  readonly involvedObject: ObjectReference & { readonly namespace: string; readonly name: string }
  readonly type: 'Normal' | 'Warning'
  /** A short UpperCamelCase reason, `ImportFailed`. */
  readonly reason: string
  readonly message: string
  /** The reporting component (`source.component`, `reportingComponent`). */
  readonly component: string
}

/** EventSink takes events; recording never blocks, fails or throws for the caller. */
export interface EventSink {
  record(event: EventSpec): void
}

/** NO_EVENTS is the sink of tests and tools that record nothing. */
export const NO_EVENTS: EventSink = { record: () => undefined }

/** EventRecorderLogger is where write failures go; events are best-effort, as in client-go. */
export interface EventRecorderLogger {
  warn(context: Record<string, unknown>, message: string): void
}

/** EventRecorderOptions configure a recorder. */
export interface EventRecorderOptions {
  readonly store: Store
  /** The reporting host (`source.host`, `reportingInstance`). */
  readonly host: string
  readonly logger: EventRecorderLogger
  /** How long an event waits in the queue before it is written (default 1 s). */
  readonly flushDelayMs?: number
  /** Distinct queued events beyond which new ones are dropped until the next write (default 1,000). */
  readonly maxQueued?: number
  /** Aggregation keys remembered with the name of their stored Event (default 4,096, as client-go). */
  readonly maxRemembered?: number
  /** Milliseconds since the epoch; tests pin it. */
  readonly now?: () => number
}

interface Queued {
  readonly spec: EventSpec
  count: number
  first: number
  last: number
}

/** aggregationKey is client-go's getEventKey: source, object, type, reason and message. */
export function aggregationKey(spec: EventSpec, host: string): string {
  const o = spec.involvedObject
  return JSON.stringify([
    spec.component,
    host,
    o.kind ?? '',
    o.namespace,
    o.name,
    o.fieldPath ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
    spec.type,
    spec.reason,
    spec.message,
  ])
}

/** metav1.Time: whole seconds in UTC. */
function time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** EventRecorder queues events and writes them in batches until closed. */
export class EventRecorder implements EventSink {
  readonly #opts: EventRecorderOptions
  readonly #now: () => number
  #queue = new Map<string, Queued>()
  /** Aggregation key -> name of the stored Event, least recently used first. */
  readonly #names = new Map<string, string>()
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()
  #dropped = 0
  #closed = false

  constructor(opts: EventRecorderOptions) {
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  /** record queues one occurrence; a write follows within flushDelayMs. */
  record(spec: EventSpec): void {
    if (this.#closed) return
    const key = aggregationKey(spec, this.#opts.host)
    const now = this.#now()
    const queued = this.#queue.get(key)
    if (queued) {
      queued.count++
      queued.last = now
    } else if (this.#queue.size >= (this.#opts.maxQueued ?? 1000)) {
      this.#dropped++
      return
    } else {
      this.#queue.set(key, { spec, count: 1, first: now, last: now })
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.#opts.flushDelayMs ?? 1000)
      this.#timer.unref()
    }
  }

  /** flush writes what is queued now (in one transaction) and resolves when it is stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#queue
    this.#queue = new Map()
    const dropped = this.#dropped
    this.#dropped = 0
    // Writes run one after another, so a key's second batch finds the first batch's Event.
    this.#writing = this.#writing.then(async () => {
      if (dropped > 0) {
        this.#opts.logger.warn({ dropped }, 'too many distinct events at once; some were dropped')
      }
      if (batch.size === 0) return
      try {
        await this.#opts.store.transaction((tx) => this.#write(tx, batch))
      } catch (err) {
        this.#opts.logger.warn({ err: String(err), events: batch.size }, 'recording events failed')
      }
    })
    return this.#writing
  }

  /** close writes what is queued and records nothing more. */
  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
  }

  async #write(tx: StoreTransaction, batch: ReadonlyMap<string, Queued>): Promise<void> {
    const namespaces = new Map<string, boolean>()
    const exists = async (namespace: string): Promise<boolean> => {
      let known = namespaces.get(namespace)
      if (known === undefined) {
        known = await tx.get(objectKey('namespaces', namespace)).then(
          // A terminating namespace takes no new content, events included.
          (ns) => ns.metadata.deletionTimestamp === undefined,
          (err: unknown) => {
            if (isStoreError(err, 'NotFound')) return false
            throw err
          },
        )
        namespaces.set(namespace, known)
      }
      return known
    }
    for (const [key, queued] of batch) {
      const namespace = queued.spec.involvedObject.namespace
      // A namespace deleted (or being deleted) since the report keeps no events.
      if (!(await exists(namespace))) continue
      const name = this.#names.get(key)
      const updated = name !== undefined && (await this.#increment(tx, namespace, name, queued))
      this.#remember(key, updated ? name : await this.#create(tx, queued))
    }
  }

  /** #increment adds the occurrences to the stored Event; false when it is gone (expired). */
  async #increment(
    tx: StoreTransaction,
    namespace: string,
    name: string,
    queued: Queued,
  ): Promise<boolean> {
    const key = objectKey('events', name, namespace)
    try {
      const stored = await tx.get<Event>(key)
      await tx.update<Event>(key, {
        ...stored,
        count: (stored.count ?? 1) + queued.count,
        lastTimestamp: time(queued.last),
      })
      return true
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return false
      throw err
    }
  }

  async #create(tx: StoreTransaction, queued: Queued): Promise<string> {
    const { spec } = queued
    const { namespace, name } = spec.involvedObject
    // client-go's name: the object's name and the time in nanoseconds, in hex.
    let nanos = BigInt(queued.first) * 1_000_000n
    for (;;) {
      const eventName = `${name}.${nanos.toString(16)}`
      const event: Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: eventName, namespace },
        involvedObject: spec.involvedObject,
        reason: spec.reason,
        message: spec.message,
        source: { component: spec.component, host: this.#opts.host },
        firstTimestamp: time(queued.first),
        lastTimestamp: time(queued.last),
        count: queued.count,
        type: spec.type,
        reportingComponent: spec.component,
        reportingInstance: this.#opts.host,
      }
      try {
        await tx.create(objectKey('events', eventName, namespace), event)
        return eventName
      } catch (err) {
        if (!isStoreError(err, 'AlreadyExists')) throw err
        nanos++
      }
    }
  }

  #remember(key: string, name: string): void {
    this.#names.delete(key)
    this.#names.set(key, name)
    if (this.#names.size > (this.#opts.maxRemembered ?? 4096)) {
      const oldest = this.#names.keys().next().value
      if (oldest !== undefined) this.#names.delete(oldest)
    }
  }
}
