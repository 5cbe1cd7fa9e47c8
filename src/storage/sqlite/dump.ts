/**
 * Reading an SQLite store's rows as a StoreDump (storage/store-dump.ts), for `isctl serve
 * migrate`. The file is opened read-only and read in one transaction, which in WAL mode is a
 * snapshot: a write committed meanwhile is either wholly in the dump or not at all.
 */
import Database from 'better-sqlite3'
import { DumpError } from '../store-dump.js'
import type { DumpEvent, DumpObject, DumpScheduleRow, StoreDump } from '../store-dump.js'
import { LATEST_SCHEMA } from './migrations.js'

/**
 * exportSqliteDump reads every row of the store at `path` without writing to it; refuses a
 * database whose schema is not the one this program writes (open it once with `isctl serve`).
 */
export function exportSqliteDump(path: string): StoreDump {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    return db.transaction(() => {
      // A file that is no store at all has no schema_migrations table to read.
      const versioned = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        .get()
      const version = versioned
        ? db
            .prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')
            .get()?.v
        : undefined
      if (version !== LATEST_SCHEMA) {
        throw new DumpError(
          'SourceSchema',
          `${path} has schema version ${version ?? 'none'}, this program reads ${LATEST_SCHEMA}; ` +
            'start isctl serve on it once to bring it up to date',
        )
      }
      const revision = db
        .prepare<[], { current: number; compacted: number }>(
          'SELECT current, compacted FROM revision WHERE id = 1',
        )
        .get() ?? { current: 0, compacted: 0 }
      const objects = db
        .prepare<[], DumpObject>(
          'SELECT resource, namespace, name, uid, create_revision AS createRevision,' +
            ' mod_revision AS modRevision, object FROM objects ORDER BY id',
        )
        .all()
      const events = db
        .prepare<[], DumpEvent>(
          'SELECT revision, resource, namespace, name, type, object, prev_object AS prevObject,' +
            ' created_at AS createdAt FROM events ORDER BY revision',
        )
        .all()
      const schedule = db
        .prepare<[], DumpScheduleRow>(
          'SELECT namespace, stream, tag, source, registry, interval_ms AS intervalMs,' +
            ' next_check_at AS nextCheckAt, last_check_at AS lastCheckAt,' +
            ' last_digest AS lastDigest, failures, last_error AS lastError,' +
            ' lease_until AS leaseUntil FROM schedule',
        )
        .all()
      return { revision, objects, events, schedule }
    })()
  } finally {
    db.close()
  }
}
