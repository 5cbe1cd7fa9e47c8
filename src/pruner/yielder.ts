/**
 * Cooperative yielding for long pure computations: a plan over tens of thousands of streams runs
 * inside the server too, where holding the event loop for seconds would stall every request
 * (docs/pruning.md#planning-inside-the-server).
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** SLICE_MS is how long a computation may run before it lets the event loop turn. */
export const SLICE_MS = 5

/** Yielder hands the event loop back every `sliceMs` of work, and stops when its signal aborts. */
export class Yielder {
  readonly #sliceMs: number
  readonly #signal: AbortSignal | undefined
  #sliceStart = performance.now()

  constructor(signal?: AbortSignal, sliceMs = SLICE_MS) {
    this.#signal = signal
    this.#sliceMs = sliceMs
  }

  /** due reports whether the current slice is used up; cheap enough to ask per unit of work. */
  due(): boolean {
    return performance.now() - this.#sliceStart >= this.#sliceMs
  }

  /** yield lets the event loop turn (timers, I/O) and starts a new slice; throws when aborted. */
  async yield(): Promise<void> {
    this.#signal?.throwIfAborted()
    await nextTurn()
    this.#signal?.throwIfAborted()
    this.#sliceStart = performance.now()
  }
}

/** SORT_RUN is how many items are sorted at once: a few milliseconds of work. */
const SORT_RUN = 2048

/**
 * sortYielding is a stable sort that yields between runs and merges, for arrays whose one-go
 * sort would hold the event loop for tens of milliseconds.
 */
export async function sortYielding<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  yielder: Yielder,
): Promise<T[]> {
  let runs: T[][] = []
  for (let i = 0; i < items.length; i += SORT_RUN) {
    if (yielder.due()) await yielder.yield()
    runs.push(items.slice(i, i + SORT_RUN).sort(compare))
  }
  while (runs.length > 1) {
    const merged: T[][] = []
    for (let i = 0; i < runs.length; i += 2) {
      if (yielder.due()) await yielder.yield()
      const right = runs[i + 1]
      merged.push(right === undefined ? runs[i]! : merge(runs[i]!, right, compare))
    }
    runs = merged
  }
  return runs[0] ?? []
}

function merge<T>(left: readonly T[], right: readonly T[], compare: (a: T, b: T) => number): T[] {
  const out = new Array<T>(left.length + right.length)
  let l = 0
  let r = 0
  let o = 0
  // Ties take the left item, which came first: the sort stays stable.
  while (l < left.length && r < right.length) {
    out[o++] = compare(right[r]!, left[l]!) < 0 ? right[r++]! : left[l++]!
  }
  while (l < left.length) out[o++] = left[l++]!
  while (r < right.length) out[o++] = right[r++]!
  return out
}
