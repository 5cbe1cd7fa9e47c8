/**
 * Loading a StoreDump (storage/store-dump.ts) into an empty PostgreSQL store, and reading one
 * back, for `isctl serve migrate` (docs/storage-postgres.md#migrating-from-sqlite). The load is
 * one transaction holding the revision row, as every write does: a server on the database
 * meanwhile waits, and a failure leaves the database as it was.
 */
import { DumpError } from '../store-dump.js'
import type { DumpEvent, DumpObject, DumpScheduleRow, StoreDump } from '../store-dump.js'
import { Pool, rows } from './connection.js'
import type { ConnectionSettings, Queryable } from './connection.js'
import { migrate } from './migrations.js'
import { SCHEMA_NAME } from './postgres-store.js'

/** DumpTarget names the database (and schema) a dump goes to or comes from. */
export interface DumpTarget {
  /** A libpq-style connection URL: `postgres://user@host:5432/database`. */
  readonly url: string
  /** The store's schema; default `public`. */
  readonly schema?: string
  /** How long opening the connection may take; default 5000 ms. */
  readonly connectTimeoutMs?: number
}

// Rows per INSERT: keeps each statement's parameters to a few megabytes of text.
const CHUNK = 500

function settingsOf(target: DumpTarget): ConnectionSettings {
  const schema = target.schema ?? 'public'
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(`dump target: schema must match ${SCHEMA_NAME}, got ${schema}`)
  }
  return {
    url: target.url,
    schema,
    applicationName: 'imagestreams-migrate',
    connectTimeoutMs: target.connectTimeoutMs ?? 5_000,
  }
}

async function withPool<R>(target: DumpTarget, fn: (pool: Pool) => Promise<R>): Promise<R> {
  // An idle connection that drops fails the next statement, which reports it.
  const pool = new Pool(settingsOf(target), 1, () => undefined)
  try {
    return await fn(pool)
  } finally {
    await pool.end()
  }
}

async function insertChunks<T>(
  on: Queryable,
  all: readonly T[],
  sql: string,
  columns: readonly ((row: T) => unknown)[],
): Promise<void> {
  for (let start = 0; start < all.length; start += CHUNK) {
    const chunk = all.slice(start, start + CHUNK)
    await rows(
      on,
      sql,
      columns.map((column) => chunk.map(column)),
    )
  }
}

/**
 * importPostgresDump creates or migrates the store's schema and loads `dump` into it in one
 * transaction; refuses (writing nothing) a store that has any object, event, due-queue row or
 * revision. The reference index is rebuilt by the first server that opens the store.
 */
export function importPostgresDump(target: DumpTarget, dump: StoreDump): Promise<void> {
  const { schema } = settingsOf(target)
  return withPool(target, (pool) =>
    pool.withClient(async (client) => {
      await migrate(client, schema, Date.now)
      await rows(client, 'BEGIN')
      try {
        const [found] = await rows<{ current: number; n: number }>(
          client,
          'SELECT current, (SELECT COUNT(*) FROM objects) + (SELECT COUNT(*) FROM events)' +
            ' + (SELECT COUNT(*) FROM schedule) AS n FROM revision WHERE id = 1 FOR UPDATE',
        )
        if (found === undefined || found.current !== 0 || found.n !== 0) {
          throw new DumpError(
            'TargetNotEmpty',
            `the target store (schema ${schema}) is not empty: it has revision ` +
              `${found?.current ?? 'unknown'} and ${found?.n ?? 'unknown'} rows; ` +
              'migrate into a new database',
          )
        }
        await insertChunks<DumpObject>(
          client,
          dump.objects,
          'INSERT INTO objects (resource, namespace, name, uid, create_revision, mod_revision, object)' +
            ' SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],' +
            ' $6::bigint[], $7::text[])',
          [
            (o) => o.resource,
            (o) => o.namespace,
            (o) => o.name,
            (o) => o.uid,
            (o) => o.createRevision,
            (o) => o.modRevision,
            (o) => o.object,
          ],
        )
        await insertChunks<DumpEvent>(
          client,
          dump.events,
          'INSERT INTO events (revision, resource, namespace, name, type, object, prev_object, created_at)' +
            ' SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],' +
            ' $6::text[], $7::text[], $8::bigint[])',
          [
            (e) => e.revision,
            (e) => e.resource,
            (e) => e.namespace,
            (e) => e.name,
            (e) => e.type,
            (e) => e.object,
            (e) => e.prevObject,
            (e) => e.createdAt,
          ],
        )
        await insertChunks<DumpScheduleRow>(
          client,
          dump.schedule,
          'INSERT INTO schedule (namespace, stream, tag, source, registry, interval_ms,' +
            ' next_check_at, last_check_at, last_digest, failures, last_error, lease_until)' +
            ' SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],' +
            ' $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::integer[], $11::text[],' +
            ' $12::bigint[])',
          [
            (s) => s.namespace,
            (s) => s.stream,
            (s) => s.tag,
            (s) => s.source,
            (s) => s.registry,
            (s) => s.intervalMs,
            (s) => s.nextCheckAt,
            (s) => s.lastCheckAt,
            (s) => s.lastDigest,
            (s) => s.failures,
            (s) => s.lastError,
            (s) => s.leaseUntil,
          ],
        )
        await rows(client, 'UPDATE revision SET current = $1, compacted = $2 WHERE id = 1', [
          dump.revision.current,
          dump.revision.compacted,
        ])
        await rows(client, 'COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    }),
  )
}

/** exportPostgresDump reads every row of the store in one read-only snapshot. */
export function exportPostgresDump(target: DumpTarget): Promise<StoreDump> {
  return withPool(target, (pool) =>
    pool.snapshot(async (client) => {
      const [revision] = await rows<{ current: number; compacted: number }>(
        client,
        'SELECT current, compacted FROM revision WHERE id = 1',
      )
      const objects = await rows<DumpObject>(
        client,
        'SELECT resource, namespace, name, uid, create_revision AS "createRevision",' +
          ' mod_revision AS "modRevision", object FROM objects ORDER BY id',
      )
      const events = await rows<DumpEvent>(
        client,
        'SELECT revision, resource, namespace, name, type, object, prev_object AS "prevObject",' +
          ' created_at AS "createdAt" FROM events ORDER BY revision',
      )
      const schedule = await rows<DumpScheduleRow>(
        client,
        'SELECT namespace, stream, tag, source, registry, interval_ms AS "intervalMs",' +
          ' next_check_at AS "nextCheckAt", last_check_at AS "lastCheckAt",' +
          ' last_digest AS "lastDigest", failures, last_error AS "lastError",' +
          ' lease_until AS "leaseUntil" FROM schedule',
      )
      return { revision: revision ?? { current: 0, compacted: 0 }, objects, events, schedule }
    }),
  )
}
