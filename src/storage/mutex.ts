/** A promise-chain mutex: a backend's single writer in the process (SQLite has one writer anyway). */

/** Mutex runs functions one at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve()

  /** run waits for every earlier call to settle, then runs fn. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(fn)
    // The next caller waits for this one to settle, whatever its outcome.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}
