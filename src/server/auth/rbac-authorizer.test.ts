/**
 * The RBAC authorizer across a store outage: its watches end with the store's connection, the
 * relists fail while the store cannot be reached, and once it answers the authorizer follows
 * roles and bindings again, as an informer would.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { objectKey, type Store, type WatchEvent, type WatchOptions } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { StoreUnavailableError } from '../../storage/store.js'
import { startRbacAuthorizer, type RbacAuthorizer } from './rbac-authorizer.js'

/** An outage of a store: while cut, lists and new watches fail and open watches end failing. */
interface Outage {
  readonly store: Store
  cut(): void
  restore(): void
}

function outageOf(store: Store): Outage {
  let down = false
  const breaks = new Set<(error: Error) => void>()
  const watch = async (
    resource: string,
    options: WatchOptions,
  ): Promise<AsyncIterableIterator<WatchEvent>> => {
    if (down) throw new StoreUnavailableError()
    const inner = await store.watch(resource, options)
    let fail: (error: Error) => void = () => undefined
    const failed = new Promise<never>((_, reject) => (fail = reject))
    failed.catch(() => undefined)
    breaks.add(fail)
    const iterator: AsyncIterableIterator<WatchEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      next: () => Promise.race([inner.next(), failed]),
      return: async () => {
        breaks.delete(fail)
        return (await inner.return?.()) ?? { done: true, value: undefined }
      },
    }
    return iterator
  }
  return {
    store: new Proxy(store, {
      get(target, prop) {
        if (prop === 'watch') return watch
        if (prop === 'list' && down) return () => Promise.reject(new StoreUnavailableError())
        const value: unknown = Reflect.get(target, prop, target)
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value
      },
    }),
    cut() {
      down = true
      for (const fail of breaks) fail(new StoreUnavailableError())
      breaks.clear()
    },
    restore() {
      down = false
    },
  }
}

describe('RBAC authorizer across a store outage', () => {
  let dir: string
  let store: Store
  let authorizer: RbacAuthorizer | undefined

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-rbac-outage-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
  })
  after(async () => {
    authorizer?.close()
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('follows roles and bindings again once the store answers', async () => {
    const outage = outageOf(store)
    const failures = new Map<string, number>()
    authorizer = await startRbacAuthorizer(outage.store, {
      onWatchError: (resource) => failures.set(resource, (failures.get(resource) ?? 0) + 1),
    })
    const alice = { name: 'alice', groups: ['system:authenticated'] }
    const listStreams = {
      kind: 'resource',
      verb: 'list',
      group: 'image.openshift.io',
      resource: 'imagestreams',
      namespace: 'team',
    } as const
    assert.equal((await authorizer.authorize(alice, listStreams)).allowed, false)

    outage.cut()
    // Each kind's watch failed, and then a relist during the outage.
    const retried = () => ['roles', 'rolebindings'].every((r) => (failures.get(r) ?? 0) >= 2)
    for (let i = 0; !retried(); i++) {
      assert.ok(i < 1000, `relists during the outage: ${JSON.stringify([...failures])}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    outage.restore()

    await store.create(objectKey('roles', 'reader', 'team'), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'reader', namespace: 'team' },
      rules: [{ apiGroups: ['image.openshift.io'], resources: ['imagestreams'], verbs: ['list'] }],
    })
    await store.create(objectKey('rolebindings', 'alice-reads', 'team'), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice-reads', namespace: 'team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    })
    for (let i = 0; !(await authorizer.authorize(alice, listStreams)).allowed; i++) {
      assert.ok(i < 1500, 'the binding made after the outage never took effect')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })
})
