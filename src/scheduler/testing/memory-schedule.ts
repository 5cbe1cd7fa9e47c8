/**
 * An in-memory ScheduleStore that follows the contract's doc comments (storage/schedule.ts),
 * for unit tests of the scheduler that need no database.
 */
import type {
  CheckOutcome,
  ScheduleEntry,
  ScheduleKey,
  ScheduleSpec,
  ScheduleStats,
  ScheduleStore,
} from '../../storage/schedule.js'

type Row = { -readonly [K in keyof ScheduleEntry]: ScheduleEntry[K] } & { leaseUntil: number }

const keyOf = (k: ScheduleKey) => `${k.namespace}\n${k.stream}\n${k.tag}`
const byDue = (a: Row, b: Row) => a.nextCheckAt - b.nextCheckAt || keyOf(a).localeCompare(keyOf(b))

/** MemoryScheduleStore keeps rows in a Map; every method is atomic because nothing awaits inside. */
export class MemoryScheduleStore implements ScheduleStore {
  readonly #rows = new Map<string, Row>()

  syncStream(
    namespace: string,
    stream: string,
    specs: readonly ScheduleSpec[],
    firstCheckAt: (spec: ScheduleSpec) => number,
  ): Promise<void> {
    const wanted = new Set(specs.map((s) => s.tag))
    for (const [key, row] of this.#rows) {
      if (row.namespace === namespace && row.stream === stream && !wanted.has(row.tag)) {
        this.#rows.delete(key)
      }
    }
    for (const spec of specs) {
      const key = keyOf({ namespace, stream, tag: spec.tag })
      const row = this.#rows.get(key)
      if (row && row.source === spec.source && row.intervalMs === spec.intervalMs) continue
      this.#rows.set(key, {
        namespace,
        stream,
        ...spec,
        nextCheckAt: firstCheckAt(spec),
        lastCheckAt: undefined,
        lastDigest: undefined,
        failures: 0,
        lastError: undefined,
        leaseUntil: 0,
      })
    }
    return Promise.resolve()
  }

  removeStream(namespace: string, stream: string): Promise<void> {
    for (const [key, row] of this.#rows) {
      if (row.namespace === namespace && row.stream === stream) this.#rows.delete(key)
    }
    return Promise.resolve()
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<ScheduleEntry[]> {
    const due = [...this.#rows.values()]
      .filter((r) => r.nextCheckAt <= now && r.leaseUntil <= now)
      .sort(byDue)
      .slice(0, limit)
    for (const row of due) row.leaseUntil = now + leaseMs
    return Promise.resolve(due.map(entry))
  }

  complete(key: ScheduleKey, outcome: CheckOutcome): Promise<void> {
    const row = this.#rows.get(keyOf(key))
    if (row) {
      row.nextCheckAt = outcome.nextCheckAt
      row.lastCheckAt = outcome.lastCheckAt
      row.lastDigest = outcome.lastDigest
      row.failures = outcome.failures
      row.lastError = outcome.lastError
      row.leaseUntil = 0
    }
    return Promise.resolve()
  }

  release(key: ScheduleKey): Promise<void> {
    const row = this.#rows.get(keyOf(key))
    if (row) row.leaseUntil = 0
    return Promise.resolve()
  }

  postpone(registry: string, until: number): Promise<number> {
    const moved = [...this.#rows.values()]
      .filter((r) => r.registry === registry && r.nextCheckAt < until)
      .sort(byDue)
    // One millisecond apart keeps their order without bunching them on one instant.
    moved.forEach((row, i) => (row.nextCheckAt = until + i))
    return Promise.resolve(moved.length)
  }

  spreadOverdue(now: number, spreadMs: number): Promise<number> {
    const overdue = [...this.#rows.values()].filter((r) => r.nextCheckAt < now).sort(byDue)
    overdue.forEach(
      (row, i) => (row.nextCheckAt = now + Math.floor((i * spreadMs) / overdue.length)),
    )
    return Promise.resolve(overdue.length)
  }

  list(namespace?: string, stream?: string): Promise<ScheduleEntry[]> {
    const rows = [...this.#rows.values()]
      .filter(
        (r) =>
          (namespace === undefined || r.namespace === namespace) &&
          (stream === undefined || r.stream === stream),
      )
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
    return Promise.resolve(rows.map(entry))
  }

  stats(now: number): Promise<ScheduleStats> {
    const due = [...this.#rows.values()].filter((r) => r.nextCheckAt <= now)
    const oldest = due.length > 0 ? Math.min(...due.map((r) => r.nextCheckAt)) : undefined
    return Promise.resolve({ depth: this.#rows.size, due: due.length, oldestDueAt: oldest })
  }
}

function entry(row: Row): ScheduleEntry {
  const { leaseUntil: _lease, ...rest } = row
  return { ...rest }
}
