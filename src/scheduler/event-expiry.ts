/**
 * Events expire, as kube-apiserver's do after `--event-ttl` (default one hour): a periodic sweep
 * deletes the Events last seen longer ago than the TTL, so the store keeps a bounded window of
 * them whatever the request rate, and no request pays for it. "Last seen" is the
 * latest of an Event's creation, `lastTimestamp`, `eventTime` and `series.lastObservedTime`, so
 * a repeating event lives on while it repeats (kube renews an Event's TTL on every write).
 */
import type { Event } from '../api/index.js'
import { isStoreError, objectKey, systemClock, type Clock, type Store } from '../storage/index.js'
import type { EventRecorderLogger } from './event-recorder.js'

/** DEFAULT_EVENT_TTL_MS is kube-apiserver's default `--event-ttl`: one hour. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60_000

/**
 * sweepIntervalMs is how often the sweep runs for a TTL: every minute, or every half TTL when
 * that is shorter (an Event outlives its TTL by at most the interval), but not more than once a
 * second, as each sweep lists every Event.
 */
export function sweepIntervalMs(ttlMs: number): number {
  return Math.min(60_000, Math.max(1000, ttlMs / 2))
}

/** EventExpiryOptions configure the sweep. */
export interface EventExpiryOptions {
  readonly store: Store
  readonly logger: EventRecorderLogger
  /** How long an Event is kept after it was last seen (default one hour). */
  readonly ttlMs?: number
  /** How often the sweep runs (default sweepIntervalMs of the TTL). */
  readonly intervalMs?: number
  /** Time and the sweep's timer; tests pass a ManualClock. */
  readonly clock?: Clock
}

/** lastSeen is when an Event last happened, in milliseconds; NaN when it carries no time at all. */
export function lastSeen(event: Event): number {
  const times = [
    event.metadata.creationTimestamp,
    event.lastTimestamp,
    event.eventTime,
    event.series?.lastObservedTime,
  ]
  return Math.max(
    ...times.map((t) => (t === undefined ? NaN : Date.parse(t))).filter((t) => !Number.isNaN(t)),
  )
}

/** EventExpiry deletes expired Events until stopped. */
export class EventExpiry {
  readonly #opts: EventExpiryOptions
  readonly #clock: Clock
  readonly #ttlMs: number
  #cancel: (() => void) | undefined
  #running: Promise<number> = Promise.resolve(0)

  constructor(opts: EventExpiryOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? systemClock
    this.#ttlMs = opts.ttlMs ?? DEFAULT_EVENT_TTL_MS
  }

  /** start sweeps every intervalMs in the background. */
  start(): void {
    this.#cancel = this.#clock.every(this.#opts.intervalMs ?? sweepIntervalMs(this.#ttlMs), () => {
      this.#running = this.sweep().catch((err: unknown) => {
        this.#opts.logger.warn({ err: String(err) }, 'deleting expired events failed')
        return 0
      })
    })
  }

  /** stop ends the sweeps and waits for a running one. */
  async stop(): Promise<void> {
    this.#cancel?.()
    await this.#running
  }

  /** sweep deletes every Event last seen before now minus the TTL; returns how many. */
  async sweep(): Promise<number> {
    const cutoff = this.#clock.now() - this.#ttlMs
    const { items } = await this.#opts.store.list<Event>('events')
    const expired = items.filter((e) => !(lastSeen(e) >= cutoff))
    if (expired.length === 0) return 0
    return this.#opts.store.transaction(async (tx) => {
      let deleted = 0
      for (const event of expired) {
        const key = objectKey('events', event.metadata.name ?? '', event.metadata.namespace ?? '')
        try {
          // Only the version read: an Event written since then was seen again.
          await tx.delete(key, { expectedResourceVersion: event.metadata.resourceVersion })
          deleted++
        } catch (err) {
          if (!isStoreError(err, 'NotFound') && !isStoreError(err, 'Conflict')) throw err
        }
      }
      return deleted
    })
  }
}
