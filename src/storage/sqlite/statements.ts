/** The SQLite backend's row shapes and prepared statements, one set per connection. */
import Database from 'better-sqlite3'
import type { ObjectEventType, ObjectKey } from '../store.js'

/** ObjectRow is an objects row as get reads it; `id` keys its object_refs rows. */
export interface ObjectRow {
  readonly id: number
  readonly object: string
  readonly mod_revision: number
}

/** KeyRow is an object key as object_refs and objects rows hold it. */
export interface KeyRow {
  readonly resource: string
  readonly namespace: string
  readonly name: string
}

/** PageRow is one object of a resource, as the reference index's rebuild pages through them. */
export interface PageRow {
  readonly id: number
  readonly namespace: string
  readonly name: string
  readonly object: string
}

/** RevisionRow is the revision counter row. */
export interface RevisionRow {
  readonly current: number
  readonly compacted: number
}

/** EventRow is an events row, as watchers replay it. */
export interface EventRow {
  readonly revision: number
  readonly resource: string
  readonly namespace: string
  readonly name: string
  readonly type: ObjectEventType
  readonly object: string
  readonly prev_object: string | null
}

/** SnapshotRow is one object of a snapshot list, by key. */
export interface SnapshotRow {
  readonly namespace: string
  readonly name: string
  readonly object: string
}

/** ChangedRow is the first change of a key after a snapshot revision. */
export interface ChangedRow {
  readonly namespace: string
  readonly name: string
  readonly type: ObjectEventType
  readonly prev_object: string | null
}

/** KeyParams are the bound parameters of a key lookup. */
export type KeyParams = [resource: string, namespace: string, name: string]

/** keyParams binds a key to the (resource, namespace, name) parameters. */
export function keyParams(key: ObjectKey): KeyParams {
  return [key.resource, key.namespace, key.name]
}

/** openConnection opens one connection with the store's pragmas. */
export function openConnection(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs })
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    db.pragma('foreign_keys = ON')
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/** Reads are the read statements, prepared once per connection. */
export class Reads {
  readonly getObject: Database.Statement<KeyParams, ObjectRow>
  readonly revision: Database.Statement<[], RevisionRow>
  private readonly db: Database.Database
  private readonly cache = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.db = db
    this.getObject = db.prepare(
      'SELECT id, object, mod_revision FROM objects' +
        ' WHERE resource = ? AND namespace = ? AND name = ?',
    )
    this.revision = db.prepare('SELECT current, compacted FROM revision WHERE id = 1')
  }

  // A handful of shapes (namespace and name filters on or off), each prepared once.
  prepared<P extends unknown[], R>(sql: string): Database.Statement<P, R> {
    let stmt = this.cache.get(sql)
    if (!stmt) this.cache.set(sql, (stmt = this.db.prepare(sql)))
    return stmt as Database.Statement<P, R>
  }
}

/** Writes are the statements of the writer connection. */
export class Writes extends Reads {
  readonly bump: Database.Statement<[], RevisionRow>
  readonly insertObject: Database.Statement<
    [string, string, string, string, number, number, string]
  >
  readonly updateObject: Database.Statement<[string, number, ...KeyParams]>
  readonly deleteObject: Database.Statement<KeyParams>
  readonly insertEvent: Database.Statement<
    [number, string, string, string, ObjectEventType, string, string | null, number]
  >
  readonly deleteEvents: Database.Statement<[number]>
  readonly setCompacted: Database.Statement<[number]>
  readonly lastEventBefore: Database.Statement<[number], { revision: number | null }>
  readonly insertRef: Database.Statement<[number, ...KeyParams]>
  readonly deleteRef: Database.Statement<[number, ...KeyParams]>
  readonly clearRefs: Database.Statement<[]>
  readonly referrerOf: Database.Statement<[...KeyParams, number], KeyRow>
  readonly objectsPage: Database.Statement<[string, string, string, number], PageRow>
  readonly getMeta: Database.Statement<[string], { value: string }>
  readonly setMeta: Database.Statement<[string, string]>

  constructor(db: Database.Database) {
    super(db)
    this.bump = db.prepare(
      'UPDATE revision SET current = current + 1 WHERE id = 1 RETURNING current, compacted',
    )
    this.insertObject = db.prepare(
      'INSERT INTO objects (resource, namespace, name, uid, create_revision, mod_revision, object)' +
        ' VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    this.updateObject = db.prepare(
      'UPDATE objects SET object = ?, mod_revision = ?' +
        ' WHERE resource = ? AND namespace = ? AND name = ?',
    )
    this.deleteObject = db.prepare(
      'DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
    )
    this.insertEvent = db.prepare(
      'INSERT INTO events (revision, resource, namespace, name, type, object, prev_object, created_at)' +
        ' VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.deleteEvents = db.prepare('DELETE FROM events WHERE revision <= ?')
    this.setCompacted = db.prepare('UPDATE revision SET compacted = ? WHERE id = 1')
    this.lastEventBefore = db.prepare(
      'SELECT MAX(revision) AS revision FROM events WHERE created_at <= ?',
    )
    this.insertRef = db.prepare(
      'INSERT OR IGNORE INTO object_refs (referrer, resource, namespace, name) VALUES (?, ?, ?, ?)',
    )
    this.deleteRef = db.prepare(
      'DELETE FROM object_refs WHERE referrer = ? AND resource = ? AND namespace = ? AND name = ?',
    )
    this.clearRefs = db.prepare('DELETE FROM object_refs')
    // One referrer is enough to refuse a delete, and names it in the error.
    this.referrerOf = db.prepare(
      'SELECT o.resource, o.namespace, o.name FROM object_refs r JOIN objects o ON o.id = r.referrer' +
        ' WHERE r.resource = ? AND r.namespace = ? AND r.name = ? AND r.referrer <> ? LIMIT 1',
    )
    // Keyset paging over the objects_key index: no OFFSET, and no statement left open while
    // the page's rows are written.
    this.objectsPage = db.prepare(
      'SELECT id, namespace, name, object FROM objects' +
        ' WHERE resource = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name LIMIT ?',
    )
    this.getMeta = db.prepare('SELECT value FROM store_meta WHERE key = ?')
    this.setMeta = db.prepare(
      'INSERT INTO store_meta (key, value) VALUES (?, ?)' +
        ' ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
  }
}
