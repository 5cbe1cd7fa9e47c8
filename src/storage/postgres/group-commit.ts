/**
 * Group commit: the store's single writes that queue for the revision lock together share one
 * transaction, and so one round of BEGIN, lock, NOTIFY and COMMIT (and one wait for the
 * server's disk), as the embedded store groups the writes of one turn of the event loop. What a
 * caller can observe stays as if the writes had come one after another in call order:
 * - revisions follow the order of the calls, and every caller is answered once the group's
 *   COMMIT is done and its changes are with the local watchers;
 * - a write the store refuses (taken name, conflict, reference, invalid object) checks before it
 *   writes anything, so it fails alone and the others commit;
 * - anything else (a database error) rolls the group back and runs its writes again one by one,
 *   each in a transaction of its own, except a lost connection, which fails them all: the group
 *   may have committed, and writing it again could apply it twice.
 * A group closes when its turn on the lock comes, or when anything else queues for the lock
 * (run), so a write called after a transaction waits for it.
 */
import type { Mutex } from '../mutex.js'
import { isStoreError } from '../store.js'
import type { StoreErrorCode } from '../store.js'
import type { WriteContext } from './write-ops.js'

/** WriteFn is one write in a locked transaction. */
export type WriteFn<R> = (ctx: WriteContext) => Promise<R>

/** GroupHost runs a function in one transaction holding the revision lock. */
export interface GroupHost {
  /** locked commits fn's writes; `published` resolves once its changes are with the watchers. */
  locked<R>(fn: WriteFn<R>): Promise<{ result: R; published: Promise<void> }>
}

/** The most writes one group holds: a longer queue forms the next group. */
const MAX_GROUP = 256

/** The refusals a write makes before it writes anything. */
const REFUSALS: readonly StoreErrorCode[] = [
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Referenced',
  'InvalidObject',
]

interface Pending {
  readonly fn: WriteFn<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown }

function isRefusal(error: unknown): boolean {
  return isStoreError(error) && REFUSALS.includes(error.code)
}

/** WriteGroups queues single writes on the store's mutex in groups. */
export class WriteGroups {
  private readonly lock: Mutex
  private readonly host: GroupHost
  private open: Pending[] | undefined

  constructor(lock: Mutex, host: GroupHost) {
    this.lock = lock
    this.host = host
  }

  /** write queues one write; it joins the open group, or opens one. */
  write<R>(fn: WriteFn<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let group = this.open
      if (!group) {
        const opened: Pending[] = []
        group = this.open = opened
        void this.lock.run(() => {
          if (this.open === opened) this.open = undefined
          return this.commit(opened)
        })
      }
      group.push({ fn, resolve: (value) => resolve(value as R), reject })
      if (group.length >= MAX_GROUP) this.open = undefined
    })
  }

  /** run closes the open group and runs fn on the mutex after it. */
  run<R>(fn: () => R | Promise<R>): Promise<R> {
    this.open = undefined
    return this.lock.run(fn)
  }

  // Never rejects: every outcome goes to its caller.
  private async commit(group: readonly Pending[]): Promise<void> {
    let committed: { result: Settled[]; published: Promise<void> }
    try {
      committed = await this.host.locked(async (ctx) => {
        const settled: Settled[] = []
        for (const write of group) {
          try {
            settled.push({ ok: true, value: await write.fn(ctx) })
          } catch (error) {
            if (!isRefusal(error)) throw error
            settled.push({ ok: false, error })
          }
        }
        return settled
      })
    } catch (error) {
      if (group.length === 1 || isStoreError(error, 'Unavailable')) {
        for (const write of group) write.reject(error)
        return
      }
      for (const write of group) await this.alone(write)
      return
    }
    const { result, published } = committed
    void published.then(() => {
      result.forEach((outcome, i) => {
        const write = group[i]
        if (!write) return
        if (outcome.ok) write.resolve(outcome.value)
        else write.reject(outcome.error)
      })
    })
  }

  private async alone(write: Pending): Promise<void> {
    try {
      const { result, published } = await this.host.locked(write.fn)
      void published.then(() => write.resolve(result))
    } catch (error) {
      write.reject(error)
    }
  }
}
