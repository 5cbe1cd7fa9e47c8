/**
 * Namespace deletion as the apiserver and its namespace controller do it (kubernetes
 * pkg/registry/core/namespace/storage/storage.go and pkg/controller/namespace): DELETE only
 * marks the namespace, setting metadata.deletionTimestamp and status.phase `Terminating`, and
 * answers it; from then on creates in it are refused (namespaces.ts). The NamespaceTerminator
 * then deletes every namespaced stored object in it, removes the `kubernetes` finalizer and
 * deletes the namespace once no finalizer is left; other finalizers keep it terminating until an
 * update removes them, which runs the terminator again. Contents with finalizers are marked,
 * not removed, and keep the namespace terminating until the update that removes their last
 * finalizer removes them and runs the terminator again (the namespace controller retries);
 * meanwhile the namespace's conditions say what is left (namespace-conditions.ts). A server
 * that stopped half-way resumes the namespaces it finds terminating when it starts.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Namespace } from '../../api/index.js'
import { isStoreError, objectKey, type ObjectKey, type Store } from '../../storage/index.js'
import { withDeletionConditions, type Remaining } from './namespace-conditions.js'
import { deleteContents, isTerminating, namespaceContents } from './namespaces.js'
import { NAMESPACE_FINALIZER } from './strategies/namespace.js'
import { rfc3339 } from '../../lib/rfc3339.js'

/** terminating is the namespace as the first DELETE leaves it; one already terminating is kept as it is. */
export function terminating(namespace: Namespace, now: number): Namespace {
  if (namespace.metadata.deletionTimestamp !== undefined) return namespace
  return {
    ...namespace,
    metadata: { ...namespace.metadata, deletionTimestamp: rfc3339(now) },
    status: { ...namespace.status, phase: 'Terminating' },
  }
}

/** NamespaceTerminator empties and removes terminating namespaces in the background. */
export class NamespaceTerminator {
  private readonly running = new Map<string, Promise<void>>()
  private readonly again = new Set<string>()
  private closed = false

  private readonly store: Store
  private readonly log: FastifyBaseLogger
  private readonly now: () => number

  /** `now` stamps the contents a deletion marks. */
  constructor(store: Store, log: FastifyBaseLogger, now: () => number) {
    this.store = store
    this.log = log
    this.now = now
  }

  /**
   * terminate empties a terminating namespace and deletes it once no finalizer is left; called
   * again while that runs (an update removed a finalizer meanwhile), it runs once more after.
   */
  terminate(name: string): void {
    if (this.closed) return
    if (this.running.has(name)) {
      this.again.add(name)
      return
    }
    const run = this.finalize(name)
      .catch((err: unknown) => {
        // A closing store ends the work; the next start resumes it.
        if (!isStoreError(err, 'StoreClosed'))
          this.log.error({ err, namespace: name }, 'namespace deletion failed')
      })
      .finally(() => {
        this.running.delete(name)
        if (this.again.delete(name)) this.terminate(name)
      })
    this.running.set(name, run)
  }

  /** resume starts the namespaces a previous run left terminating. */
  async resume(): Promise<void> {
    const list = await this.store.list<Namespace>('namespaces')
    for (const namespace of list.items) {
      if (isTerminating(namespace)) this.terminate(namespace.metadata.name ?? '')
    }
  }

  /** close starts nothing new and waits for the running work. */
  async close(): Promise<void> {
    this.closed = true
    while (this.running.size > 0) await Promise.all(this.running.values())
  }

  /** waitFor records in the namespace's conditions what still keeps it, as the controller does. */
  private async waitFor(key: ObjectKey, remaining: readonly Remaining[], now: string) {
    try {
      await this.store.guaranteedUpdate<Namespace>(key, (namespace) =>
        withDeletionConditions(namespace, remaining, now),
      )
    } catch (err) {
      if (!isStoreError(err, 'NotFound')) throw err
    }
  }

  private async finalize(name: string): Promise<void> {
    const key = objectKey('namespaces', name)
    // Called for any namespace an object left; only a terminating one is emptied.
    try {
      if (!isTerminating(await this.store.get<Namespace>(key))) return
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return
      throw err
    }
    // Creates are refused once the namespace terminates, but one admitted just before may land
    // after a listing: list again until nothing is left. Objects with finalizers stay, marked;
    // the update that removes their last finalizer runs this again.
    for (;;) {
      const contents = await namespaceContents(this.store, name)
      if (contents.length === 0) break
      const now = rfc3339(this.now())
      const left = await this.store.transaction((tx) => deleteContents(tx, contents, now))
      if (left.length === contents.length) return this.waitFor(key, left, now)
    }
    await this.store.transaction(async (tx) => {
      let namespace: Namespace
      try {
        namespace = await tx.get<Namespace>(key)
      } catch (err) {
        if (isStoreError(err, 'NotFound')) return
        throw err
      }
      const finalizers = namespace.spec?.finalizers ?? []
      const left = finalizers.filter((f) => f !== NAMESPACE_FINALIZER)
      if (left.length !== finalizers.length) {
        namespace = await tx.update(key, {
          ...namespace,
          spec: { ...namespace.spec, finalizers: left },
        })
      }
      if (left.length === 0 && (namespace.metadata.finalizers ?? []).length === 0) {
        await tx.delete(key)
      }
    })
  }
}
