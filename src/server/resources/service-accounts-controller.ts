/**
 * Keeps the ServiceAccounts every namespace has (`default`, `builder`, `deployer`): one deleted
 * is made again, with a new uid, so the tokens of the deleted one stay revoked; a namespace that
 * appears without them gets them. This is what OpenShift's service-account controller does
 * (kubernetes pkg/controller/serviceaccount/serviceaccounts_controller.go: it queues the
 * namespace of every deleted ServiceAccount and of every added or updated namespace, and
 * creates the missing accounts unless the namespace is terminating).
 */
import type { FastifyBaseLogger } from 'fastify'
import { setTimeout as delay } from 'node:timers/promises'
import type { Namespace, ServiceAccount } from '../../api/index.js'
import { isStoreError, type Store, type WatchEvent } from '../../storage/index.js'
import { ensureServiceAccounts } from './namespaces.js'
import { NAMESPACE_SERVICE_ACCOUNTS } from './served.js'

/** namespaceToSync is the namespace an event asks to check, if any. */
function namespaceToSync(
  resource: 'namespaces' | 'serviceaccounts',
  event: WatchEvent<Namespace | ServiceAccount>,
): string | undefined {
  if (event.type === 'BOOKMARK') return undefined
  const { name, namespace } = event.object.metadata
  if (resource === 'namespaces') return event.type === 'DELETED' ? undefined : name
  if (event.type !== 'DELETED' || !name || !NAMESPACE_SERVICE_ACCOUNTS.includes(name)) {
    return undefined
  }
  return namespace
}

/** ServiceAccountsController watches namespaces and ServiceAccounts until stopped. */
export class ServiceAccountsController {
  private readonly stopping = new AbortController()
  private running: Promise<void>[] = []

  private readonly store: Store
  private readonly log: FastifyBaseLogger

  constructor(store: Store, log: FastifyBaseLogger) {
    this.store = store
    this.log = log
  }

  /** start opens both watches (async for fastify's onReady hook, which wants a promise). */
  start(): Promise<void> {
    this.running = [this.follow('namespaces'), this.follow('serviceaccounts')]
    return Promise.resolve()
  }

  /** stop ends the watches and waits for them. */
  async stop(): Promise<void> {
    this.stopping.abort()
    await Promise.all(this.running)
  }

  private async follow(resource: 'namespaces' | 'serviceaccounts'): Promise<void> {
    const signal = this.stopping.signal
    while (!signal.aborted) {
      try {
        const events = await this.store.watch<Namespace | ServiceAccount>(resource, { signal })
        for await (const event of events) {
          const namespace = namespaceToSync(resource, event)
          if (namespace) await ensureServiceAccounts(this.store, namespace)
        }
      } catch (err) {
        if (signal.aborted || isStoreError(err, 'StoreClosed')) return
        this.log.error({ err, resource }, 'service account controller: watch failed')
      }
      await delay(1000, undefined, { signal }).catch(() => undefined)
    }
  }
}
