/** A Clock for tests: time moves only when the test advances it, and timers fire then. */
import type { Clock } from '../store.js'

interface Timer {
  due: number
  readonly ms: number
  readonly tick: () => void
}

/** ManualClock starts at `start` (epoch ms) and fires `every` timers as advance() passes them. */
export class ManualClock implements Clock {
  private current: number
  private readonly timers = new Set<Timer>()

  constructor(start = Date.UTC(2026, 0, 2, 3, 4, 5)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  every(ms: number, tick: () => void): () => void {
    const timer: Timer = { due: this.current + ms, ms, tick }
    this.timers.add(timer)
    return () => this.timers.delete(timer)
  }

  /** timerCount is how many timers are registered (bookmark tickers stop with their watch). */
  get timerCount(): number {
    return this.timers.size
  }

  /** advance moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      let next: Timer | undefined
      for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due)) next = t
      if (!next) break
      this.current = next.due
      next.due += next.ms
      next.tick()
    }
    this.current = target
  }
}
