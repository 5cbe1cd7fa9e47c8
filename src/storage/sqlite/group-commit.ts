/**
 * Group commit: the store's single writes that arrive in one turn of the event loop share one
 * SQLite transaction, and so one wait for the disk at its COMMIT (synchronous=FULL makes every
 * COMMIT an fsync, taken on the main thread). Each write still answers only once its group's
 * COMMIT is durable, and everything a caller can observe stays as if the writes had come one
 * after another in call order:
 * - each write runs in its own savepoint, so one refused by the store (a conflict, a taken name)
 *   leaves the others in, as its own transaction would have;
 * - revisions follow the order of the calls, and the changes go to the watchers right after
 *   the COMMIT, in that order;
 * - anything else that goes wrong (a full disk, a failed COMMIT) rolls the group back and runs
 *   each of its writes alone, in order, as if each had come by itself.
 * The group holds its place in the writer's lock from its first write on, so a transaction
 * called later waits for it; a group closes when anything else queues for the lock, so a write
 * called after that transaction waits for it too.
 */
import type Database from 'better-sqlite3'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Change } from '../selection.js'
import { isStoreError } from '../store.js'
import type { Mutex } from '../mutex.js'

/** WriteFn is one write: it runs inside a writer transaction and records its changes in `pending`. */
export type WriteFn<R> = (pending: Change[]) => R

/** GroupCommitHost is what the store lends the groups. */
export interface GroupCommitHost {
  /** alone runs one write in its own transaction and publishes its changes after the COMMIT. */
  alone<R>(fn: WriteFn<R>): R
  /** beginning is called before a group's transaction begins. */
  beginning(): void
  /** beforeCommit runs in a group's transaction after its writes, when any of them changed something. */
  beforeCommit(): void
  /**
   * committed is called right after a group's COMMIT with each write's changes in order;
   * `wrote` tells whether any of its writes succeeded (a group of refusals changes nothing).
   */
  committed(changes: readonly (readonly Change[])[], wrote: boolean): void
}

interface Queued {
  readonly fn: WriteFn<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

/** GroupCommit queues the store's single writes into groups that commit together. */
export class GroupCommit {
  private readonly db: Database.Database
  private readonly lock: Mutex
  private readonly host: GroupCommitHost
  private readonly savepoint: Database.Statement
  private readonly release: Database.Statement
  private readonly rollbackTo: Database.Statement
  /** The group later writes join, until it starts or something else queues for the lock. */
  private open: Queued[] | undefined

  constructor(db: Database.Database, lock: Mutex, host: GroupCommitHost) {
    this.db = db
    this.lock = lock
    this.host = host
    this.savepoint = db.prepare('SAVEPOINT group_write')
    this.release = db.prepare('RELEASE group_write')
    this.rollbackTo = db.prepare('ROLLBACK TO group_write')
  }

  /** write queues fn into the open group (or a new one) and settles after the group's COMMIT. */
  write<R>(fn: WriteFn<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queued: Queued = { fn, resolve: resolve as (value: unknown) => void, reject }
      if (this.open) {
        this.open.push(queued)
        return
      }
      const group = [queued]
      this.open = group
      this.lock
        .run(async () => {
          // The rest of this turn's writes (requests read from the same poll) join meanwhile.
          await nextTurn()
          if (this.open === group) this.seal()
          this.commit(group)
        })
        .catch((error: unknown) => group.forEach((w) => w.reject(error)))
    })
  }

  /** seal closes the open group: writes from now on queue behind whatever takes the lock next. */
  seal(): void {
    this.open = undefined
  }

  private commit(group: readonly Queued[]): void {
    this.host.beginning()
    const outcomes = group.length > 1 ? this.together(group) : undefined
    group.forEach((w, i) => {
      const outcome = outcomes?.[i] ?? this.alone(w.fn)
      if (outcome.ok) w.resolve(outcome.value)
      else w.reject(outcome.error)
    })
  }

  private alone(fn: WriteFn<unknown>): Outcome {
    try {
      return { ok: true, value: this.host.alone(fn) }
    } catch (error) {
      return { ok: false, error }
    }
  }

  // The group in one transaction, or undefined when it did not commit as one.
  private together(group: readonly Queued[]): Outcome[] | undefined {
    const outcomes: Outcome[] = []
    const changes: Change[][] = []
    try {
      this.db.exec('BEGIN IMMEDIATE')
      for (const { fn } of group) {
        const pending: Change[] = []
        this.savepoint.run()
        try {
          const value = fn(pending)
          this.release.run()
          outcomes.push({ ok: true, value })
          changes.push(pending)
        } catch (error) {
          // A store refusal is that write's answer; anything else is run again alone.
          if (!isStoreError(error) || !this.db.inTransaction) throw error
          this.rollbackTo.run()
          this.release.run()
          outcomes.push({ ok: false, error })
        }
      }
      if (changes.some((c) => c.length > 0)) this.host.beforeCommit()
      this.db.exec('COMMIT')
    } catch {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      return undefined
    }
    this.host.committed(changes, changes.length > 0)
    return outcomes
  }
}
