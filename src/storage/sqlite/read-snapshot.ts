/**
 * One read transaction shared by the reads of one event-loop turn. Each read in a transaction
 * of its own makes SQLite take and drop a WAL read lock (two fcntl calls) and stat the file
 * (docs/architecture.md#storage), which costs a point read several times the lookup itself;
 * the GETs answered in one turn share those instead.
 *
 * The snapshot never hides a commit of this process: the store ends it before its writer begins
 * and right after each COMMIT, so any read after a write sees it. Another process's commit is
 * seen from the next turn on, as if the turn's reads had all been made at its first; the
 * data-dir lock keeps other writers away anyway.
 */
import type Database from 'better-sqlite3'

/** ReadSnapshot is the read connection's transaction of the current turn, if any. */
export class ReadSnapshot {
  private readonly db: Database.Database
  private readonly begin: Database.Statement
  private readonly commit: Database.Statement
  private open = false

  constructor(db: Database.Database) {
    this.db = db
    this.begin = db.prepare('BEGIN')
    this.commit = db.prepare('COMMIT')
  }

  /** enter opens the turn's read transaction unless it is open; it ends with the turn. */
  enter(): void {
    if (this.open) return
    this.begin.run()
    this.open = true
    setImmediate(this.end)
  }

  /** end closes the read transaction, if open: the next read sees every commit made before it. */
  readonly end = (): void => {
    if (!this.open) return
    this.open = false
    if (this.db.inTransaction) this.commit.run()
  }
}
