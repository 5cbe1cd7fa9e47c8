/** The SQLite backend's row shapes and prepared statements, one set per connection. */
import Database from 'better-sqlite3'
import type { ObjectEventType, ObjectKey } from '../store.js'

/** ObjectRow is an objects row as get reads it. */
export interface ObjectRow {
  readonly object: string
  readonly mod_revision: number
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
      'SELECT object, mod_revision FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
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
  }
}
