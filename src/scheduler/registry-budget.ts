/**
 * Politeness per registry host (docs/imports.md#per-registry-budgets): at most `concurrency` checks
 * at once, a token bucket of `requestsPerSecond`, and a pause while the registry asked us to go
 * away (429 Retry-After). One registry being slow or paused never holds up another's checks.
 */

/** Clock is the scheduler's time source; tests drive it by hand. */
export interface Clock {
  now(): number
  /** sleep resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

/** RegistryBudgetOptions sets the per-registry limits. */
export interface RegistryBudgetOptions {
  readonly concurrency: number
  /** The token bucket's rate; Infinity for no budget. */
  readonly requestsPerSecond: number
  readonly clock: Clock
}

interface HostState {
  active: number
  readonly waiting: (() => void)[]
  tokens: number
  refilledAt: number
  pausedUntil: number
}

/** Slot is a held concurrency slot of one registry. */
export interface Slot {
  /** take spends `n` requests of the registry's budget, waiting for the bucket to refill. */
  take(n: number, signal: AbortSignal): Promise<void>
  release(): void
}

/** RegistryBudget hands out concurrency slots and request tokens per registry host. */
export class RegistryBudget {
  readonly #opts: RegistryBudgetOptions
  readonly #hosts = new Map<string, HostState>()

  constructor(opts: RegistryBudgetOptions) {
    if (opts.concurrency < 1 || !(opts.requestsPerSecond > 0)) {
      throw new RangeError('a registry budget needs a concurrency >= 1 and a positive rate')
    }
    this.#opts = opts
  }

  /** pausedUntil says until when `registry` is paused (undefined when it is not). */
  pausedUntil(registry: string): number | undefined {
    const until = this.#hosts.get(registry)?.pausedUntil ?? 0
    return until > this.#opts.clock.now() ? until : undefined
  }

  /** pause stops handing out slots of `registry` until `until`; a shorter pause never shortens a longer one. */
  pause(registry: string, until: number): void {
    const host = this.#host(registry)
    host.pausedUntil = Math.max(host.pausedUntil, until)
    // Waiters learn of the pause now instead of holding their rows until a slot frees.
    for (const wake of host.waiting.splice(0)) wake()
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
      take: (n, s) => this.#take(host, n, s),
      release: () => {
        if (released) return
        released = true
        host.active--
        host.waiting.shift()?.()
      },
    }
  }

  async #take(host: HostState, n: number, signal: AbortSignal): Promise<void> {
    const rate = this.#opts.requestsPerSecond
    if (rate === Infinity) return
    // One second's worth of requests may go out at once; beyond that the rate holds.
    const burst = Math.max(1, rate)
    for (;;) {
      const now = this.#opts.clock.now()
      host.tokens = Math.min(burst, host.tokens + ((now - host.refilledAt) * rate) / 1000)
      host.refilledAt = now
      // A request bigger than the bucket goes out once the bucket is full, so it cannot starve.
      const need = Math.min(n, burst)
      if (host.tokens >= need) {
        host.tokens -= n
        return
      }
      await this.#opts.clock.sleep(Math.ceil(((need - host.tokens) * 1000) / rate), signal)
    }
  }

  #host(registry: string): HostState {
    let host = this.#hosts.get(registry)
    if (!host) {
      host = {
        active: 0,
        waiting: [],
        tokens: Math.max(1, this.#opts.requestsPerSecond),
        refilledAt: this.#opts.clock.now(),
        pausedUntil: 0,
      }
      this.#hosts.set(registry, host)
    }
    return host
  }
}
