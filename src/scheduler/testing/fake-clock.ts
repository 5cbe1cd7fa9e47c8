/** A Clock for scheduler tests: time moves only when the test advances it. */
import type { Clock } from '../registry-budget.js'

interface Sleeper {
  readonly at: number
  readonly resolve: () => void
}

/** FakeClock starts at `start` ms; advance() moves time and wakes sleepers whose time came. */
export class FakeClock implements Clock {
  #now: number
  #sleepers: Sleeper[] = []

  constructor(start = Date.UTC(2026, 0, 2, 3, 4, 5)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.#now + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
        reject(signal.reason as Error)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#sleepers.push(sleeper)
    })
  }

  /** sleeping is how many sleeps are pending. */
  get sleeping(): number {
    return this.#sleepers.length
  }

  /** advance moves time forward by `ms` and wakes every sleeper due by then. */
  advance(ms: number): void {
    this.#now += ms
    const due = this.#sleepers.filter((s) => s.at <= this.#now)
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.#now)
    for (const s of due) s.resolve()
  }
}
