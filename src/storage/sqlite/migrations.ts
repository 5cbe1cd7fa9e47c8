/**
 * The SQLite schema as versioned migrations, applied in order at open, each in its own
 * transaction and recorded in schema_migrations. Never edit a released migration: append one.
 * Later migrations add the indexed tables the scheduler and the delete guard query (the
 * `schedule` due-queue, the `registry_budgets` token buckets, the `object_refs` reference index) without touching the JSON documents.
 */
import type Database from 'better-sqlite3'
import { UnsupportedSchemaError } from '../store.js'

/** Migration is one schema step. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/** MIGRATIONS is the schema history, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, events and the revision counter',
    sql: `
      -- One row: the global revision (every write takes the next) and the compacted revision
      -- (history up to it is gone). Updated inside each write transaction, so writers
      -- serialise on it and revisions commit in order (docs/architecture.md#storage).
      CREATE TABLE revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        current INTEGER NOT NULL,
        compacted INTEGER NOT NULL
      );
      INSERT INTO revision (id, current, compacted) VALUES (1, 0, 0);

      -- The latest state of every object. The key columns are indexed; the JSON document
      -- carries metadata.resourceVersion = mod_revision.
      CREATE TABLE objects (
        id INTEGER PRIMARY KEY,
        resource TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        uid TEXT NOT NULL,
        create_revision INTEGER NOT NULL,
        mod_revision INTEGER NOT NULL,
        object TEXT NOT NULL
      );
      CREATE UNIQUE INDEX objects_key ON objects (resource, namespace, name);
      CREATE INDEX objects_uid ON objects (uid);

      -- Watch history: one row per revision, kept for the compaction window. prev_object is
      -- the state before the change: selector transitions and snapshot lists read it.
      CREATE TABLE events (
        revision INTEGER PRIMARY KEY,
        resource TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
        object TEXT NOT NULL,
        prev_object TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX events_resource ON events (resource, revision);
      CREATE INDEX events_key ON events (resource, namespace, name, revision);
    `,
  },
  {
    version: 2,
    name: 'the scheduled-check due-queue',
    sql: `
      -- One row per scheduled spec tag (storage/schedule.ts). Plain rows, not API objects: no
      -- revision and no events. Times are ms since the epoch; lease_until 0 means not leased.
      CREATE TABLE schedule (
        namespace TEXT NOT NULL,
        stream TEXT NOT NULL,
        tag TEXT NOT NULL,
        source TEXT NOT NULL,
        registry TEXT NOT NULL,
        interval_ms INTEGER NOT NULL,
        next_check_at INTEGER NOT NULL,
        last_check_at INTEGER,
        last_digest TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        lease_until INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (namespace, stream, tag)
      );
      -- claimDue walks this in due order and filters leases from the index alone, so the
      -- leased rows at the front of the queue cost no table reads.
      CREATE INDEX schedule_due ON schedule (next_check_at, lease_until);
      CREATE INDEX schedule_registry ON schedule (registry, next_check_at);
    `,
  },
  {
    version: 3,
    name: 'the reference index',
    sql: `
      -- Which keys each object references, as StoreOptions.references declares them: written in
      -- the transaction of every write of a declaring resource, read by deletes that must find
      -- their key unreferenced. A target need not exist. Rows go with their referrer.
      CREATE TABLE object_refs (
        referrer INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
        resource TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (referrer, resource, namespace, name)
      ) WITHOUT ROWID;
      CREATE INDEX object_refs_target ON object_refs (resource, namespace, name);

      -- Small facts about the database's derived data: 'references' holds the fingerprint of the
      -- declaration object_refs was built with (absent: never built, as for no declaration).
      CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'the list index',
    sql: `
      -- Paged lists select and count the objects after a key at a snapshot revision
      -- (storage/sqlite/snapshot.ts). With mod_revision in the index the count of the remaining
      -- objects reads index entries only, and the page tests the revision before reading a row.
      CREATE INDEX objects_list ON objects (resource, namespace, name, mod_revision);
    `,
  },
  {
    version: 5,
    name: 'the registry token buckets',
    sql: `
      -- One row per registry host the scheduler has sent requests to: its token bucket (tokens
      -- as of refilled_at) and until when it asked to be left alone (429 Retry-After), read and
      -- written by ScheduleStore.takeTokens and pauseRegistry. Times are ms since the epoch.
      CREATE TABLE registry_budgets (
        registry TEXT PRIMARY KEY,
        tokens REAL NOT NULL,
        refilled_at INTEGER NOT NULL,
        paused_until INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
]

/** LATEST_SCHEMA is the version this program writes. */
export const LATEST_SCHEMA = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0)

/** migrate brings the database to LATEST_SCHEMA; refuses a database from a newer program. */
export function migrate(db: Database.Database, now: () => number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`)
  const applied = db.prepare<[], { v: number | null }>(
    'SELECT MAX(version) AS v FROM schema_migrations',
  )
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  )
  const version = (): number => applied.get()?.v ?? 0
  const found = version()
  if (found > LATEST_SCHEMA) throw new UnsupportedSchemaError(found, LATEST_SCHEMA)
  for (const m of MIGRATIONS) {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    db.transaction(() => {
      if (version() >= m.version) return
      db.exec(m.sql)
      record.run(m.version, m.name, new Date(now()).toISOString())
    }).immediate()
  }
}
