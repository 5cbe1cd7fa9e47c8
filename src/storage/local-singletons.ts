/**
 * LocalSingletons: the in-process half of Store.singleton. It grants each name to one holder
 * of this store instance at a time and ends every lease at close. An embedded backend needs
 * nothing more (one process owns the data); a networked one also takes a lock the database
 * server keeps, once this has granted the name locally (docs/architecture.md#several-replicas).
 */
import type { SingletonLease } from './store.js'

/** LocalSingletons tracks the leases one store instance has granted. */
export class LocalSingletons {
  readonly #held = new Map<string, AbortController>()
  #closed = false

  /** tryTake grants `name` if no holder has it and `signal` is not aborted; else undefined. */
  tryTake(
    name: string,
    signal: AbortSignal,
    onRelease?: () => Promise<void>,
  ): SingletonLease | undefined {
    if (this.#closed || signal.aborted || this.#held.has(name)) return undefined
    const ended = new AbortController()
    this.#held.set(name, ended)
    let released: Promise<void> | undefined
    return {
      signal: ended.signal,
      release: () => {
        released ??= this.#end(name, ended, onRelease)
        return released
      },
    }
  }

  /** closeAll ends every lease (their signals abort) and grants no more. */
  closeAll(): void {
    this.#closed = true
    for (const ended of this.#held.values()) ended.abort()
    this.#held.clear()
  }

  async #end(name: string, ended: AbortController, onRelease?: () => Promise<void>): Promise<void> {
    if (this.#held.get(name) === ended) this.#held.delete(name)
    ended.abort()
    await onRelease?.()
  }
}
