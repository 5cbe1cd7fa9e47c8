/**
 * Politeness per registry host (docs/imports.md#per-registry-budgets): at most `concurrency`
 * checks at once in this process, a token bucket of `requestsPerSecond` and a pause while the
 * registry asked us to go away (429 Retry-After). The bucket and the pause live in the store, so
 * replicas sharing it share the rate and honour each other's pauses; each replica takes tokens a
 * tenth of a second's worth at a time, so most requests cost no round trip. One registry being
 * slow or paused never holds up another's checks.
 */
import type { ScheduleStore, TokenBucket } from '../storage/index.js'

/** Clock is the scheduler's time source; tests drive it by hand. */
export interface Clock {
  now(): number
  /** sleep resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

/** BudgetStore is the part of the schedule store that holds the shared buckets and pauses. */
export type BudgetStore = Pick<ScheduleStore, 'takeTokens' | 'pauseRegistry'>

/** RegistryBudgetOptions sets the per-registry limits. */
export interface RegistryBudgetOptions {
  /** Checks of one registry at once, in this process. */
  readonly concurrency: number
  /** The token bucket's rate, shared by every replica on the store; Infinity for no budget. */
  readonly requestsPerSecond: number
  readonly clock: Clock
  readonly store: BudgetStore
}

interface HostState {
  active: number
  readonly waiting: (() => void)[]
  /** Tokens taken from the shared bucket and not spent yet. */
  tokens: number
  /** The take from the shared bucket under way: the host's other takes wait for it. */
  refilling: Promise<void> | undefined
  /** When the shared bucket, found dry, holds a batch again. */
  dryUntil: number
  /** The latest pause this process knows of. */
  pausedUntil: number
}

/** Slot is a held concurrency slot of one registry. */
export interface Slot {
  /**
   * take spends `n` requests of the registry's budget, waiting for the bucket to refill; false
   * when the registry is paused (by any replica), so the caller leaves the row for later.
   */
  take(n: number, signal: AbortSignal): Promise<boolean>
  release(): void
}

/** RegistryBudget hands out concurrency slots and request tokens per registry host. */
export class RegistryBudget {
  readonly #opts: RegistryBudgetOptions
  readonly #bucket: TokenBucket
  /** Tokens taken from the store at once: a tenth of a second's worth, at least one request. */
  readonly #batch: number
  readonly #hosts = new Map<string, HostState>()

  constructor(opts: RegistryBudgetOptions) {
    if (opts.concurrency < 1 || !(opts.requestsPerSecond > 0)) {
      throw new RangeError('a registry budget needs a concurrency >= 1 and a positive rate')
    }
    this.#opts = opts
    const rate = opts.requestsPerSecond
    // One second's worth of requests may go out at once; beyond that the rate holds.
    this.#bucket = { rate, burst: Math.max(1, rate) }
    this.#batch = Math.max(1, Math.ceil(rate / 10))
  }

  /** pausedUntil says until when `registry` is paused, as far as this process knows (undefined when it is not). */
  pausedUntil(registry: string): number | undefined {
    const until = this.#hosts.get(registry)?.pausedUntil ?? 0
    return until > this.#opts.clock.now() ? until : undefined
  }

  /**
   * pause stops handing out slots and tokens of `registry` until `until`, here at once and in
   * every replica at its next take from the store; a shorter pause never shortens a longer one.
   */
  async pause(registry: string, until: number): Promise<void> {
    this.#paused(this.#host(registry), until)
    await this.#opts.store.pauseRegistry(registry, until)
  }

  /**
   * acquire waits for a concurrency slot of `registry`; undefined when the registry is (or
   * becomes, while waiting) paused, so the caller leaves the row for later.
   */
  async acquire(registry: string, signal: AbortSignal): Promise<Slot | undefined> {
    const host = this.#host(registry)
    for (;;) {
      signal.throwIfAborted()
      if (host.pausedUntil > this.#opts.clock.now()) return undefined
      if (host.active < this.#opts.concurrency) break
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason as Error)
        signal.addEventListener('abort', onAbort, { once: true })
        host.waiting.push(() => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        })
      })
    }
    host.active++
    let released = false
    return {
      take: (n, s) => this.#take(registry, host, n, s),
      release: () => {
        if (released) return
        released = true
        host.active--
        host.waiting.shift()?.()
      },
    }
  }

  async #take(registry: string, host: HostState, n: number, signal: AbortSignal): Promise<boolean> {
    if (this.#bucket.rate === Infinity) return true
    for (;;) {
      signal.throwIfAborted()
      const now = this.#opts.clock.now()
      if (host.pausedUntil > now) return false
      if (host.tokens >= n) {
        host.tokens -= n
        return true
      }
      if (host.refilling) {
        await host.refilling
      } else if (host.dryUntil > now) {
        // The shared bucket ran dry: every take of the host waits for the next batch, none asks again.
        await this.#opts.clock.sleep(host.dryUntil - now, signal)
      } else {
        host.refilling = this.#refill(registry, host, n, now)
        try {
          await host.refilling
        } finally {
          host.refilling = undefined
        }
      }
    }
  }

  /**
   * #refill takes a batch from the shared bucket; when it ran short, the host waits until the
   * bucket holds the batch, so a dry bucket costs a round trip per batch, not per request.
   */
  async #refill(registry: string, host: HostState, n: number, now: number): Promise<void> {
    const need = n - host.tokens
    const want = Math.max(need, this.#batch)
    const grant = await this.#opts.store.takeTokens(registry, want, now, this.#bucket)
    if (grant.pausedUntil > now) return this.#paused(host, grant.pausedUntil)
    host.tokens += grant.granted
    if (grant.granted < need) {
      const missing = want - grant.granted - grant.tokens
      host.dryUntil = now + Math.ceil((missing * 1000) / this.#bucket.rate)
    }
  }

  #paused(host: HostState, until: number): void {
    host.pausedUntil = Math.max(host.pausedUntil, until)
    // The registry asked to be left alone: tokens held for it are not spent after the pause.
    host.tokens = 0
    // Waiters learn of the pause now instead of holding their rows until a slot frees.
    for (const wake of host.waiting.splice(0)) wake()
  }

  #host(registry: string): HostState {
    let host = this.#hosts.get(registry)
    if (!host) {
      host = {
        active: 0,
        waiting: [],
        tokens: 0,
        refilling: undefined,
        dryUntil: 0,
        pausedUntil: 0,
      }
      this.#hosts.set(registry, host)
    }
    return host
  }
}
