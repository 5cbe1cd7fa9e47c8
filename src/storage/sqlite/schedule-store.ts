/**
 * The SQLite backend's due-queue of scheduled checks (storage/schedule.ts) in the `schedule`
 * table. Writes go through the store's writer mutex and are each one SQLite transaction, but
 * take no revision and publish no event; reads use the read-only connection.
 */
import type Database from 'better-sqlite3'
import type {
  CheckOutcome,
  ScheduleEntry,
  ScheduleKey,
  ScheduleSpec,
  ScheduleStats,
  ScheduleStore,
  TokenBucket,
  TokenGrant,
} from '../schedule.js'
import { UNSEEN_BUCKET, takeFrom, type BucketRow } from '../token-bucket.js'
import { DUE_ORDER, SCHEDULE_COLUMNS, compareDue, scheduleEntry } from '../schedule-rows.js'
import type { ScheduleRow } from '../schedule-rows.js'

/** ScheduleAccess is how the queue runs its work: serialised writer transactions, or reads. */
export interface ScheduleAccess {
  /** write runs fn in a writer transaction, after every earlier write. */
  write<R>(fn: () => R): Promise<R>
  /** read runs fn on the read-only connection. */
  read<R>(fn: () => R): Promise<R>
}

type StreamParams = [namespace: string, stream: string]
type TagParams = [namespace: string, stream: string, tag: string]

/** The writer connection's statements. */
class ScheduleWrites {
  readonly streamRows: Database.Statement<
    StreamParams,
    Pick<ScheduleRow, 'tag' | 'source' | 'registry' | 'interval_ms'>
  >
  /** Inserts a fresh row, or replaces one whose spec changed: every check column resets. */
  readonly put: Database.Statement<[...TagParams, string, string, number, number]>
  readonly setRegistry: Database.Statement<[string, ...TagParams]>
  readonly deleteTag: Database.Statement<TagParams>
  readonly deleteStream: Database.Statement<StreamParams>
  readonly claim: Database.Statement<[{ now: number; until: number; limit: number }], ScheduleRow>
  readonly complete: Database.Statement<
    [number, number, string | null, number, string | null, ...TagParams]
  >
  readonly release: Database.Statement<TagParams>
  readonly postpone: Database.Statement<[{ registry: string; until: number }]>
  readonly spread: Database.Statement<[{ now: number; spread: number }]>
  readonly bucket: Database.Statement<[string], BucketRow>
  readonly putBucket: Database.Statement<[string, number, number, number]>
  readonly pause: Database.Statement<[string, number]>

  constructor(db: Database.Database) {
    this.streamRows = db.prepare(
      'SELECT tag, source, registry, interval_ms FROM schedule WHERE namespace = ? AND stream = ?',
    )
    this.put = db.prepare(
      'INSERT OR REPLACE INTO schedule' +
        ' (namespace, stream, tag, source, registry, interval_ms, next_check_at)' +
        ' VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    this.setRegistry = db.prepare(
      'UPDATE schedule SET registry = ? WHERE namespace = ? AND stream = ? AND tag = ?',
    )
    this.deleteTag = db.prepare(
      'DELETE FROM schedule WHERE namespace = ? AND stream = ? AND tag = ?',
    )
    this.deleteStream = db.prepare('DELETE FROM schedule WHERE namespace = ? AND stream = ?')
    // One statement: the inner SELECT walks schedule_due from the front and the UPDATE leases
    // what it found. RETURNING comes back in no particular order.
    this.claim = db.prepare(
      'UPDATE schedule SET lease_until = @until WHERE rowid IN (' +
        ' SELECT rowid FROM schedule WHERE next_check_at <= @now AND lease_until <= @now' +
        ' ORDER BY next_check_at LIMIT @limit)' +
        ` RETURNING ${SCHEDULE_COLUMNS}`,
    )
    // lease_until > 0: a row that syncStream reset while its check ran is for another source
    // or interval now, and must not take that check's outcome.
    this.complete = db.prepare(
      'UPDATE schedule SET next_check_at = ?, last_check_at = ?, last_digest = ?, failures = ?,' +
        ' last_error = ?, lease_until = 0' +
        ' WHERE namespace = ? AND stream = ? AND tag = ? AND lease_until > 0',
    )
    this.release = db.prepare(
      'UPDATE schedule SET lease_until = 0 WHERE namespace = ? AND stream = ? AND tag = ?',
    )
    // Offsets of 1 ms by rank keep the moved rows in their order.
    this.postpone = db.prepare(
      'WITH moved AS (SELECT rowid AS id, ROW_NUMBER() OVER (ORDER BY ' +
        DUE_ORDER +
        ') - 1 AS i FROM schedule WHERE registry = @registry AND next_check_at < @until)' +
        ' UPDATE schedule SET next_check_at = @until + moved.i FROM moved' +
        ' WHERE schedule.rowid = moved.id',
    )
    this.spread = db.prepare(
      'WITH moved AS (SELECT rowid AS id, ROW_NUMBER() OVER (ORDER BY ' +
        DUE_ORDER +
        ') - 1 AS i, COUNT(*) OVER () AS n FROM schedule WHERE next_check_at < @now)' +
        ' UPDATE schedule SET next_check_at = @now + moved.i * @spread / moved.n FROM moved' +
        ' WHERE schedule.rowid = moved.id',
    )
    this.bucket = db.prepare(
      'SELECT tokens, refilled_at AS refilledAt, paused_until AS pausedUntil' +
        ' FROM registry_budgets WHERE registry = ?',
    )
    this.putBucket = db.prepare(
      'INSERT OR REPLACE INTO registry_budgets (registry, tokens, refilled_at, paused_until)' +
        ' VALUES (?, ?, ?, ?)',
    )
    // A registry not seen yet gets an empty bucket refilled at the epoch: its first take finds it full.
    this.pause = db.prepare(
      'INSERT INTO registry_budgets (registry, tokens, refilled_at, paused_until) VALUES (?, 0, 0, ?)' +
        ' ON CONFLICT (registry) DO UPDATE SET paused_until = MAX(paused_until, excluded.paused_until)',
    )
  }
}

/** The read-only connection's statements. */
class ScheduleReads {
  readonly depth: Database.Statement<[], { depth: number }>
  readonly due: Database.Statement<[number], { due: number; oldest: number | null }>
  private readonly db: Database.Database
  private readonly lists = new Map<string, Database.Statement<string[], ScheduleRow>>()

  constructor(db: Database.Database) {
    this.db = db
    this.depth = db.prepare('SELECT COUNT(*) AS depth FROM schedule')
    this.due = db.prepare(
      'SELECT COUNT(*) AS due, MIN(next_check_at) AS oldest FROM schedule WHERE next_check_at <= ?',
    )
  }

  // Four shapes (namespace and stream filters on or off), each prepared once.
  list(namespace: string, stream: string): ScheduleRow[] {
    const filters: [string, string][] = []
    if (namespace !== '') filters.push(['namespace = ?', namespace])
    if (stream !== '') filters.push(['stream = ?', stream])
    const where = filters.length === 0 ? '' : ` WHERE ${filters.map(([f]) => f).join(' AND ')}`
    const sql = `SELECT ${SCHEDULE_COLUMNS} FROM schedule${where} ORDER BY namespace, stream, tag`
    let stmt = this.lists.get(sql)
    if (!stmt) this.lists.set(sql, (stmt = this.db.prepare(sql)))
    return stmt.all(...filters.map(([, value]) => value))
  }
}

interface PendingCompletion {
  readonly key: ScheduleKey
  readonly outcome: CheckOutcome
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}

/** SqliteScheduleStore implements ScheduleStore on the store's `schedule` table. */
export class SqliteScheduleStore implements ScheduleStore {
  private readonly writes: ScheduleWrites
  private readonly reads: ScheduleReads
  private readonly reader: Database.Database
  private readonly access: ScheduleAccess
  private pending: PendingCompletion[] = []

  constructor(writer: Database.Database, reader: Database.Database, access: ScheduleAccess) {
    this.writes = new ScheduleWrites(writer)
    this.reads = new ScheduleReads(reader)
    this.reader = reader
    this.access = access
  }

  syncStream(
    namespace: string,
    stream: string,
    specs: readonly ScheduleSpec[],
    firstCheckAt: (spec: ScheduleSpec) => number,
  ): Promise<void> {
    return this.access.write(() => {
      const existing = new Map(this.writes.streamRows.all(namespace, stream).map((r) => [r.tag, r]))
      const wanted = new Set<string>()
      for (const spec of specs) {
        if (wanted.has(spec.tag)) throw new RangeError(`duplicate scheduled tag ${spec.tag}`)
        wanted.add(spec.tag)
        const row = existing.get(spec.tag)
        if (!row || row.source !== spec.source || row.interval_ms !== spec.intervalMs) {
          this.writes.put.run(
            namespace,
            stream,
            spec.tag,
            spec.source,
            spec.registry,
            spec.intervalMs,
            firstCheckAt(spec),
          )
        } else if (row.registry !== spec.registry) {
          // Same source, new registry name (host folding changed): the check state still holds.
          this.writes.setRegistry.run(spec.registry, namespace, stream, spec.tag)
        }
      }
      for (const tag of existing.keys()) {
        if (!wanted.has(tag)) this.writes.deleteTag.run(namespace, stream, tag)
      }
    })
  }

  removeStream(namespace: string, stream: string): Promise<void> {
    return this.access.write(() => {
      this.writes.deleteStream.run(namespace, stream)
    })
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<ScheduleEntry[]> {
    return this.access.write(() => {
      if (limit < 1) return []
      const rows = this.writes.claim.all({ now, until: now + leaseMs, limit: Math.floor(limit) })
      return rows.map(scheduleEntry).sort(compareDue)
    })
  }

  /**
   * complete joins the completions that arrive in the same turn of the event loop into one
   * transaction (group commit): each commit waits for the disk, and a scheduler finishing
   * hundreds of checks a second would otherwise spend most of its time, on the main thread, in
   * one fsync per check. Every caller's promise settles with its group's transaction.
   */
  complete(key: ScheduleKey, outcome: CheckOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, outcome, resolve, reject })
      if (this.pending.length === 1) setImmediate(() => this.flushCompletions())
    })
  }

  private flushCompletions(): void {
    const group = this.pending
    this.pending = []
    this.access
      .write(() => {
        for (const { key, outcome } of group) {
          this.writes.complete.run(
            outcome.nextCheckAt,
            outcome.lastCheckAt,
            outcome.lastDigest ?? null,
            outcome.failures,
            outcome.lastError ?? null,
            key.namespace,
            key.stream,
            key.tag,
          )
        }
      })
      .then(
        () => group.forEach((c) => c.resolve()),
        (err: unknown) => group.forEach((c) => c.reject(err)),
      )
  }

  release(key: ScheduleKey): Promise<void> {
    return this.access.write(() => {
      this.writes.release.run(key.namespace, key.stream, key.tag)
    })
  }

  postpone(registry: string, until: number): Promise<number> {
    return this.access.write(() => this.writes.postpone.run({ registry, until }).changes)
  }

  spreadOverdue(now: number, spreadMs: number): Promise<number> {
    return this.access.write(() => this.writes.spread.run({ now, spread: spreadMs }).changes)
  }

  takeTokens(
    registry: string,
    want: number,
    now: number,
    bucket: TokenBucket,
  ): Promise<TokenGrant> {
    return this.access.write(() => {
      const { row, grant } = takeFrom(
        this.writes.bucket.get(registry) ?? UNSEEN_BUCKET,
        want,
        now,
        bucket,
      )
      this.writes.putBucket.run(registry, row.tokens, row.refilledAt, row.pausedUntil)
      return grant
    })
  }

  pauseRegistry(registry: string, until: number): Promise<void> {
    return this.access.write(() => {
      this.writes.pause.run(registry, until)
    })
  }

  list(namespace = '', stream = ''): Promise<ScheduleEntry[]> {
    return this.access.read(() => this.reads.list(namespace, stream).map(scheduleEntry))
  }

  stats(now: number): Promise<ScheduleStats> {
    return this.access.read(() =>
      // One read transaction: both counts see the same committed state.
      this.reader.transaction(() => {
        const depth = this.reads.depth.get()?.depth ?? 0
        const due = this.reads.due.get(now)
        return {
          depth,
          due: due?.due ?? 0,
          ...(due?.oldest == null ? {} : { oldestDueAt: due.oldest }),
        }
      })(),
    )
  }
}
