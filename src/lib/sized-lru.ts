/**
 * A least-recently-used map bounded by the total size of its values rather than their count:
 * what a cache of blobs or manifests of very different sizes needs.
 */

/** SizedLruOptions configures a SizedLru. */
export interface SizedLruOptions<K, V> {
  readonly maxSize: number
  readonly sizeOf: (value: V) => number
  /** Called for each entry pushed out to make room (not for `delete`). */
  readonly onEvict?: (key: K, value: V) => void
}

/** SizedLru keeps the most recently used entries whose sizes add up to at most maxSize. */
export class SizedLru<K, V> {
  readonly #opts: SizedLruOptions<K, V>
  /** Least recently used first: a Map iterates in insertion order. */
  readonly #entries = new Map<K, V>()
  #size = 0

  constructor(opts: SizedLruOptions<K, V>) {
    this.#opts = opts
  }

  /** maxSize is the most the sizes of the values held may add up to. */
  get maxSize(): number {
    return this.#opts.maxSize
  }

  /** size is the sum of the sizes of the values held. */
  get size(): number {
    return this.#size
  }

  /** get returns the value of `key` and marks it the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  /** peek returns the value of `key` without changing its recency. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)
  }

  /**
   * set stores `value` as the most recently used, evicting the least recently used entries
   * until everything fits; a value larger than maxSize on its own is not stored. It returns
   * whether the value is held.
   */
  set(key: K, value: V): boolean {
    const size = this.#opts.sizeOf(value)
    if (size > this.#opts.maxSize) return false
    this.delete(key)
    this.#entries.set(key, value)
    this.#size += size
    for (const [oldKey, oldValue] of this.#entries) {
      if (this.#size <= this.#opts.maxSize) break
      this.delete(oldKey)
      this.#opts.onEvict?.(oldKey, oldValue)
    }
    return true
  }

  /** delete drops `key`, if held, and returns whether it was. */
  delete(key: K): boolean {
    const value = this.#entries.get(key)
    if (value === undefined) return false
    this.#entries.delete(key)
    this.#size -= this.#opts.sizeOf(value)
    return true
  }
}
