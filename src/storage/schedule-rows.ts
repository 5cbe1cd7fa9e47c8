/**
 * The `schedule` table's row shape, shared by both backends' due-queues (the columns and their
 * meaning are the same in SQLite and PostgreSQL; docs/imports.md#the-due-queue).
 */
import type { ScheduleEntry } from './schedule.js'

/** ScheduleRow is a row of the `schedule` table as a driver returns it. */
export interface ScheduleRow {
  readonly namespace: string
  readonly stream: string
  readonly tag: string
  readonly source: string
  readonly registry: string
  readonly interval_ms: number
  readonly next_check_at: number
  readonly last_check_at: number | null
  readonly last_digest: string | null
  readonly failures: number
  readonly last_error: string | null
}

/** SCHEDULE_COLUMNS are the columns a ScheduleRow is read from. */
export const SCHEDULE_COLUMNS =
  'namespace, stream, tag, source, registry, interval_ms, next_check_at, last_check_at,' +
  ' last_digest, failures, last_error'

/** DUE_ORDER is "due order" in SQL: ties in next_check_at break by key, so orders are deterministic. */
export const DUE_ORDER = 'next_check_at, namespace, stream, tag'

/** scheduleEntry is the entry a row holds, optional fields left out when NULL. */
export function scheduleEntry(row: ScheduleRow): ScheduleEntry {
  return {
    namespace: row.namespace,
    stream: row.stream,
    tag: row.tag,
    source: row.source,
    registry: row.registry,
    intervalMs: row.interval_ms,
    nextCheckAt: row.next_check_at,
    ...(row.last_check_at === null ? {} : { lastCheckAt: row.last_check_at }),
    ...(row.last_digest === null ? {} : { lastDigest: row.last_digest }),
    failures: row.failures,
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  }
}

/** compareDue orders entries in due order, as DUE_ORDER does in SQL. */
export function compareDue(a: ScheduleEntry, b: ScheduleEntry): number {
  const byKey = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0)
  return (
    a.nextCheckAt - b.nextCheckAt ||
    byKey(a.namespace, b.namespace) ||
    byKey(a.stream, b.stream) ||
    byKey(a.tag, b.tag)
  )
}
