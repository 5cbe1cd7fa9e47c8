/**
 * The PostgreSQL backend's due-queue of scheduled checks (storage/schedule.ts) in the `schedule`
 * table. Rows take no revision and publish no event, so queue writes do not take the revision
 * row's lock: several replicas work the queue at once, and claimDue's `FOR UPDATE SKIP LOCKED`
 * makes each due row go to one claimer (docs/storage-postgres.md#the-due-queue).
 */
import type { PoolClient } from 'pg'
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
import { DUE_ORDER, SCHEDULE_COLUMNS, compareDue, scheduleEntry } from '../schedule-rows.js'
import type { ScheduleRow } from '../schedule-rows.js'
import { changed, rows } from './connection.js'
import type { Queryable } from './connection.js'

const KEY = 'namespace = $1 AND stream = $2 AND tag = $3'

// takeTokens' parameters: $1 registry, $2 want, $3 now, $4 rate, $5 burst. The bucket row `b`
// refilled up to now (never back: another replica's clock may lag), and what it grants.
const REFILLED =
  'LEAST($5::float8, b.tokens + GREATEST(0, $3::bigint - b.refilled_at) * $4::float8 / 1000)'
const GRANT = `CASE WHEN b.paused_until > $3::bigint THEN 0 ELSE LEAST($2::bigint, FLOOR(${REFILLED})::bigint) END`
// One statement, so the row lock of ON CONFLICT DO UPDATE makes each take see the last one's
// result: replicas taking at once queue on the row rather than spend the same tokens. A new
// registry's bucket starts full.
const TAKE_TOKENS =
  'INSERT INTO registry_budgets AS b (registry, tokens, refilled_at, paused_until, granted)' +
  ' VALUES ($1, $5::float8 - LEAST($2::bigint, FLOOR($5::float8)), $3::bigint, 0,' +
  ' LEAST($2::bigint, FLOOR($5::float8)::bigint))' +
  ` ON CONFLICT (registry) DO UPDATE SET tokens = ${REFILLED} - ${GRANT},` +
  ` refilled_at = GREATEST(b.refilled_at, $3::bigint), granted = ${GRANT}` +
  ' RETURNING granted, tokens, paused_until'

/** ScheduleAccess is how the queue reaches the database. */
export interface ScheduleAccess {
  /** write runs fn with a connection, refusing inside a store transaction or after close. */
  write<R>(fn: (client: PoolClient) => Promise<R>): Promise<R>
  /** read runs fn with the pool, refusing after close. */
  read<R>(fn: (on: Queryable) => Promise<R>): Promise<R>
}

async function inTransaction<R>(client: PoolClient, fn: () => Promise<R>): Promise<R> {
  await rows(client, 'BEGIN')
  try {
    const result = await fn()
    await rows(client, 'COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/** PostgresScheduleStore implements ScheduleStore on the store's `schedule` table. */
export class PostgresScheduleStore implements ScheduleStore {
  private readonly access: ScheduleAccess

  constructor(access: ScheduleAccess) {
    this.access = access
  }

  syncStream(
    namespace: string,
    stream: string,
    specs: readonly ScheduleSpec[],
    firstCheckAt: (spec: ScheduleSpec) => number,
  ): Promise<void> {
    return this.access.write(async (client) => {
      const wanted = new Set<string>()
      for (const spec of specs) {
        if (wanted.has(spec.tag)) throw new RangeError(`duplicate scheduled tag ${spec.tag}`)
        wanted.add(spec.tag)
      }
      await inTransaction(client, async () => {
        // Locks the stream's rows: a concurrent sync of the same stream waits for this one.
        const existing = new Map(
          (
            await rows<Pick<ScheduleRow, 'tag' | 'source' | 'registry' | 'interval_ms'>>(
              client,
              'SELECT tag, source, registry, interval_ms FROM schedule' +
                ' WHERE namespace = $1 AND stream = $2 FOR UPDATE',
              [namespace, stream],
            )
          ).map((r) => [r.tag, r]),
        )
        for (const spec of specs) {
          const row = existing.get(spec.tag)
          if (!row || row.source !== spec.source || row.interval_ms !== spec.intervalMs) {
            // A new row, or one whose spec changed: every check column and the lease reset.
            await rows(
              client,
              'INSERT INTO schedule (namespace, stream, tag, source, registry, interval_ms, next_check_at)' +
                ' VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (namespace, stream, tag) DO UPDATE' +
                ' SET source = excluded.source, registry = excluded.registry,' +
                ' interval_ms = excluded.interval_ms, next_check_at = excluded.next_check_at,' +
                ' last_check_at = NULL, last_digest = NULL, failures = 0, last_error = NULL,' +
                ' lease_until = 0',
              [
                namespace,
                stream,
                spec.tag,
                spec.source,
                spec.registry,
                spec.intervalMs,
                firstCheckAt(spec),
              ],
            )
          } else if (row.registry !== spec.registry) {
            // Same source, new registry name (host folding changed): the check state still holds.
            await rows(client, `UPDATE schedule SET registry = $4 WHERE ${KEY}`, [
              namespace,
              stream,
              spec.tag,
              spec.registry,
            ])
          }
        }
        const gone = [...existing.keys()].filter((tag) => !wanted.has(tag))
        if (gone.length > 0) {
          await rows(
            client,
            'DELETE FROM schedule WHERE namespace = $1 AND stream = $2 AND tag = ANY($3::text[])',
            [namespace, stream, gone],
          )
        }
      })
    })
  }

  removeStream(namespace: string, stream: string): Promise<void> {
    return this.access.write(async (client) => {
      await rows(client, 'DELETE FROM schedule WHERE namespace = $1 AND stream = $2', [
        namespace,
        stream,
      ])
    })
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<ScheduleEntry[]> {
    return this.access.write(async (client) => {
      if (limit < 1) return []
      // SKIP LOCKED passes over rows another claimer is leasing right now; a row it leased and
      // committed meanwhile is re-checked against lease_until and left out (PostgreSQL's
      // "SELECT ... FOR UPDATE" under READ COMMITTED).
      const claimed = await rows<ScheduleRow>(
        client,
        'UPDATE schedule SET lease_until = $2 WHERE (namespace, stream, tag) IN (' +
          ' SELECT namespace, stream, tag FROM schedule' +
          ` WHERE next_check_at <= $1 AND lease_until <= $1 ORDER BY ${DUE_ORDER} LIMIT $3` +
          ` FOR UPDATE SKIP LOCKED) RETURNING ${SCHEDULE_COLUMNS}`,
        [now, now + leaseMs, Math.floor(limit)],
      )
      return claimed.map(scheduleEntry).sort(compareDue)
    })
  }

  complete(key: ScheduleKey, outcome: CheckOutcome): Promise<void> {
    return this.access.write(async (client) => {
      // lease_until > 0: a row that syncStream reset while its check ran is for another source
      // or interval now, and must not take that check's outcome.
      await rows(
        client,
        'UPDATE schedule SET next_check_at = $4, last_check_at = $5, last_digest = $6,' +
          ` failures = $7, last_error = $8, lease_until = 0 WHERE ${KEY} AND lease_until > 0`,
        [
          key.namespace,
          key.stream,
          key.tag,
          outcome.nextCheckAt,
          outcome.lastCheckAt,
          outcome.lastDigest ?? null,
          outcome.failures,
          outcome.lastError ?? null,
        ],
      )
    })
  }

  release(key: ScheduleKey): Promise<void> {
    return this.access.write(async (client) => {
      await rows(client, `UPDATE schedule SET lease_until = 0 WHERE ${KEY}`, [
        key.namespace,
        key.stream,
        key.tag,
      ])
    })
  }

  postpone(registry: string, until: number): Promise<number> {
    // Offsets of 1 ms by rank keep the moved rows in their order.
    return this.access.write((client) =>
      changed(
        client,
        'WITH moved AS (SELECT namespace, stream, tag,' +
          ` ROW_NUMBER() OVER (ORDER BY ${DUE_ORDER}) - 1 AS i` +
          ' FROM schedule WHERE registry = $1 AND next_check_at < $2)' +
          ' UPDATE schedule s SET next_check_at = $2 + moved.i FROM moved' +
          ' WHERE s.namespace = moved.namespace AND s.stream = moved.stream AND s.tag = moved.tag',
        [registry, until],
      ),
    )
  }

  spreadOverdue(now: number, spreadMs: number): Promise<number> {
    return this.access.write((client) =>
      changed(
        client,
        'WITH moved AS (SELECT namespace, stream, tag,' +
          ` ROW_NUMBER() OVER (ORDER BY ${DUE_ORDER}) - 1 AS i, COUNT(*) OVER () AS n` +
          ' FROM schedule WHERE next_check_at < $1)' +
          ' UPDATE schedule s SET next_check_at = $1 + moved.i * $2::bigint / moved.n FROM moved' +
          ' WHERE s.namespace = moved.namespace AND s.stream = moved.stream AND s.tag = moved.tag',
        [now, spreadMs],
      ),
    )
  }

  takeTokens(
    registry: string,
    want: number,
    now: number,
    bucket: TokenBucket,
  ): Promise<TokenGrant> {
    return this.access.write(async (client) => {
      const [row] = await rows<{ granted: number; tokens: number; paused_until: number }>(
        client,
        TAKE_TOKENS,
        [registry, want, now, bucket.rate, bucket.burst],
      )
      if (!row) throw new Error('takeTokens: the upsert returned no row')
      return { granted: row.granted, tokens: row.tokens, pausedUntil: row.paused_until }
    })
  }

  pauseRegistry(registry: string, until: number): Promise<void> {
    return this.access.write(async (client) => {
      // A registry not seen yet gets an empty bucket refilled at the epoch: its first take finds it full.
      await rows(
        client,
        'INSERT INTO registry_budgets AS b (registry, tokens, refilled_at, paused_until, granted)' +
          ' VALUES ($1, 0, 0, $2, 0) ON CONFLICT (registry) DO UPDATE' +
          ' SET paused_until = GREATEST(b.paused_until, excluded.paused_until)',
        [registry, until],
      )
    })
  }

  list(namespace = '', stream = ''): Promise<ScheduleEntry[]> {
    return this.access.read(async (on) => {
      const filters: string[] = []
      const params: string[] = []
      if (namespace !== '') filters.push(`namespace = $${params.push(namespace)}`)
      if (stream !== '') filters.push(`stream = $${params.push(stream)}`)
      const where = filters.length === 0 ? '' : ` WHERE ${filters.join(' AND ')}`
      const found = await rows<ScheduleRow>(
        on,
        `SELECT ${SCHEDULE_COLUMNS} FROM schedule${where} ORDER BY namespace, stream, tag`,
        params,
      )
      return found.map(scheduleEntry)
    })
  }

  stats(now: number): Promise<ScheduleStats> {
    return this.access.read(async (on) => {
      // One statement: both counts see the same committed state.
      const [row] = await rows<{ depth: number; due: number; oldest: number | null }>(
        on,
        'SELECT COUNT(*) AS depth, COUNT(*) FILTER (WHERE next_check_at <= $1) AS due,' +
          ' MIN(next_check_at) FILTER (WHERE next_check_at <= $1) AS oldest FROM schedule',
        [now],
      )
      return {
        depth: row?.depth ?? 0,
        due: row?.due ?? 0,
        ...(row?.oldest == null ? {} : { oldestDueAt: row.oldest }),
      }
    })
  }
}
