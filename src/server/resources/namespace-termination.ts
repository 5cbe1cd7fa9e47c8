/**
 * Namespace deletion as the apiserver and its namespace controller do it (kubernetes
 * pkg/registry/core/namespace/storage/storage.go and pkg/controller/namespace): DELETE only
 * marks the namespace, setting metadata.deletionTimestamp and status.phase `Terminating`, and
 * answers it; from then on creates in it are refused (namespaces.ts). The NamespaceTerminator
 * then deletes every namespaced stored object in it, removes the `kubernetes` finalizer and
 * deletes the namespace once no finalizer is left; other finalizers keep it terminating until an
 * update removes them, which runs the terminator again. A server that stopped half-way resumes
 * the namespaces it finds terminating when it starts.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Namespace } from '../../api/index.js'
import { isStoreError, objectKey, type Store } from '../../storage/index.js'
import { deleteContents, isTerminating, namespaceContents } from './namespaces.js'
import { NAMESPACE_FINALIZER } from './strategies/namespace.js'
import { rfc3339 } from './strategies/types.js'

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

  constructor(store: Store, log: FastifyBaseLogger) {
    this.store = store
    this.log = log
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

  private async finalize(name: string): Promise<void> {
    // Creates are refused once the namespace terminates, but one admitted just before may land
    // after a listing: list again until nothing is left.
    for (;;) {
      const contents = await namespaceContents(this.store, name)
      if (contents.length === 0) break
      await this.store.transaction((tx) => deleteContents(tx, contents))
    }
    const key = objectKey('namespaces', name)
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
