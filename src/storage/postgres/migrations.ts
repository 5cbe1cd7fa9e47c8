/**
 * The PostgreSQL schema as versioned migrations, applied at open in one transaction under a
 * transaction-scoped advisory lock, so that replicas starting together apply each step once:
 * the others wait for the lock and then find the steps recorded (docs/storage-postgres.md).
 * Never edit a released migration: append one.
 */
import type { PoolClient } from 'pg'
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
    name: 'objects, events, the revision counter, the due-queue and the reference index',
    sql: `
      -- One row: the global revision (every write takes the next) and the compacted revision
      -- (history up to it is gone). A write locks this row before its first statement and holds
      -- it until it commits, so revisions commit in the order they are taken and a rolled-back
      -- write gives its revisions back: the events table never has a hole.
      CREATE TABLE revision (
        id integer PRIMARY KEY CHECK (id = 1),
        current bigint NOT NULL,
        compacted bigint NOT NULL
      );
      INSERT INTO revision (id, current, compacted) VALUES (1, 0, 0);

      -- The latest state of every object, as the JSON text the store wrote (lists send it
      -- unchanged). Keys collate as bytes ("C"), the order continue tokens and the snapshot
      -- merge rely on; mod_revision is in the key index so paged lists and their counts read
      -- the index alone.
      CREATE TABLE objects (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        resource text COLLATE "C" NOT NULL,
        namespace text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        uid text NOT NULL,
        create_revision bigint NOT NULL,
        mod_revision bigint NOT NULL,
        object text NOT NULL
      );
      CREATE UNIQUE INDEX objects_key ON objects (resource, namespace, name) INCLUDE (mod_revision);
      CREATE INDEX objects_uid ON objects (uid);

      -- Watch history: one row per revision for the compaction window. prev_object is the
      -- state before the change, for selector transitions and snapshot lists.
      CREATE TABLE events (
        revision bigint PRIMARY KEY,
        resource text COLLATE "C" NOT NULL,
        namespace text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        type text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
        object text NOT NULL,
        prev_object text,
        created_at bigint NOT NULL
      );
      CREATE INDEX events_resource ON events (resource, revision);
      CREATE INDEX events_key ON events (resource, namespace, name, revision);
      CREATE INDEX events_created ON events (created_at);

      -- The due-queue of scheduled tag checks: plain rows, no revision, no events. Times are
      -- ms since the epoch; lease_until 0 means not leased.
      CREATE TABLE schedule (
        namespace text COLLATE "C" NOT NULL,
        stream text COLLATE "C" NOT NULL,
        tag text COLLATE "C" NOT NULL,
        source text NOT NULL,
        registry text NOT NULL,
        interval_ms bigint NOT NULL,
        next_check_at bigint NOT NULL,
        last_check_at bigint,
        last_digest text,
        failures integer NOT NULL DEFAULT 0,
        last_error text,
        lease_until bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (namespace, stream, tag)
      );
      CREATE INDEX schedule_due ON schedule (next_check_at, lease_until);
      CREATE INDEX schedule_registry ON schedule (registry, next_check_at);

      -- Which keys each object references (StoreOptions.references), written in the
      -- transaction of every write of a declaring resource; rows go with their referrer.
      CREATE TABLE object_refs (
        referrer bigint NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
        resource text COLLATE "C" NOT NULL,
        namespace text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        PRIMARY KEY (referrer, resource, namespace, name)
      );
      CREATE INDEX object_refs_target ON object_refs (resource, namespace, name);

      -- Small facts about derived data: 'references' is the fingerprint of the declaration
      -- object_refs was built with.
      CREATE TABLE store_meta (
        key text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'the registry token buckets',
    sql: `
      -- One row per registry host the schedulers of all replicas send requests to: its token
      -- bucket (tokens as of refilled_at) and until when it asked to be left alone (429
      -- Retry-After), read and written by one statement per take (docs/storage-postgres.md).
      -- granted is what the last take handed out: RETURNING sees only the new row, and the grant
      -- is computed from the old one. Times are ms since the epoch.
      CREATE TABLE registry_budgets (
        registry text PRIMARY KEY,
        tokens double precision NOT NULL,
        refilled_at bigint NOT NULL,
        paused_until bigint NOT NULL,
        granted bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'the due-queue indexed in claim order',
    sql: `
      -- claimDue takes due rows in due order (next_check_at, then the key): an index in that
      -- order lets it stop after its batch, where the old one made every claim sort all due
      -- rows. Without lease_until in any index, a claim or release (which sets lease_until
      -- alone) can update its row in place.
      CREATE INDEX schedule_due_order ON schedule (next_check_at, namespace, stream, tag);
      DROP INDEX schedule_due;
    `,
  },
]

/** LATEST_SCHEMA is the version this program writes. */
export const LATEST_SCHEMA = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0)

/**
 * migrate brings `schema` to LATEST_SCHEMA (creating it) in one transaction holding an
 * advisory lock keyed by the schema's name; refuses a schema written by a newer program. The
 * client's search_path must name the schema.
 */
export async function migrate(
  client: PoolClient,
  schema: string,
  now: () => number,
): Promise<void> {
  await client.query('BEGIN')
  try {
    // Transaction-scoped: released by COMMIT or ROLLBACK, also if the connection drops.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`imagestreams:${schema}`])
    // CREATE SCHEMA IF NOT EXISTS would need the CREATE privilege on the database even when the
    // schema exists: a role that owns only its schema must be able to open the store.
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      schema,
    ])
    if (rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`)
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at text NOT NULL
    )`)
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM schema_migrations',
    )
    const found = rows[0]?.v ?? 0
    if (found > LATEST_SCHEMA) throw new UnsupportedSchemaError(found, LATEST_SCHEMA)
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue
      await client.query(m.sql)
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [m.version, m.name, new Date(now()).toISOString()],
      )
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
