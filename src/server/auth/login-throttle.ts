/**
 * Failed password logins per user name, to slow down guessing: after `maxFailures` failures
 * within `windowMs`, the name is refused for `lockoutMs` whatever the password. OpenShift's
 * oauth-server has no such limit of its own (docs/access-control.md#users-and-login).
 */

/** LoginThrottleOptions tune the throttle; the defaults are 5 failures a minute, then a minute's pause. */
export interface LoginThrottleOptions {
  readonly maxFailures?: number
  readonly windowMs?: number
  readonly lockoutMs?: number
  readonly now?: () => number
}

interface Failures {
  /** Times of the failures within the window, oldest first. */
  times: number[]
  lockedUntil: number
}

/** Names tracked at most: beyond it the oldest are forgotten, so random names cannot fill memory. */
const MAX_TRACKED = 10_000

/** LoginThrottle counts failed logins by user name (known or not, so it tells nothing about which exist). */
export class LoginThrottle {
  readonly #max: number
  readonly #window: number
  readonly #lockout: number
  readonly #now: () => number
  readonly #byUser = new Map<string, Failures>()

  constructor(options: LoginThrottleOptions = {}) {
    this.#max = options.maxFailures ?? 5
    this.#window = options.windowMs ?? 60_000
    this.#lockout = options.lockoutMs ?? 60_000
    this.#now = options.now ?? Date.now
  }

  /** lockedFor is how many milliseconds `user` is still refused; 0 when it may try. */
  lockedFor(user: string): number {
    const f = this.#byUser.get(user)
    return f ? Math.max(0, f.lockedUntil - this.#now()) : 0
  }

  /** failed records a failure; true when it starts a lockout. */
  failed(user: string): boolean {
    const now = this.#now()
    const f = this.#byUser.get(user) ?? { times: [], lockedUntil: 0 }
    this.#byUser.delete(user)
    f.times = f.times.filter((t) => t > now - this.#window)
    f.times.push(now)
    let started = false
    if (f.times.length >= this.#max && f.lockedUntil <= now) {
      f.lockedUntil = now + this.#lockout
      f.times = []
      started = true
    }
    this.#byUser.set(user, f)
    if (this.#byUser.size > MAX_TRACKED) {
      const oldest = this.#byUser.keys().next().value
      if (oldest !== undefined) this.#byUser.delete(oldest)
    }
    return started
  }

  /** succeeded forgets the user's failures. */
  succeeded(user: string): void {
    this.#byUser.delete(user)
  }
}
