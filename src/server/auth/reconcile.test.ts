/**
 * Reconciliation of the default policy on a real SQLite store: defaults made once, missing rules
 * and subjects put back, a user's own additions kept, `autoupdate: "false"` respected, image
 * pullers for namespaces that lack them; and the authorizer following changes as they are written.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from '../../api/index.js'
import { objectKey, type Store } from '../../storage/index.js'
import { openSqliteStore } from '../../storage/sqlite/index.js'
import { DEFAULT_CLUSTER_ROLES, DEFAULT_CLUSTER_ROLE_BINDINGS } from './default-roles.js'
import type { UserInfo } from './index.js'
import { startRbacAuthorizer } from './rbac-authorizer.js'
import { reconcileDefaultPolicy } from './reconcile.js'

let dir: string
let store: Store

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'imagestreams-rbac-'))
  store = await openSqliteStore({ path: join(dir, 'store.db') })
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const view = () => store.get<ClusterRole>(objectKey('clusterroles', 'view'))

void describe('reconcileDefaultPolicy', () => {
  void it('creates every default role and binding once', async () => {
    await reconcileDefaultPolicy(store)
    const roles = await store.list('clusterroles')
    assert.deepEqual(
      roles.items.map((r) => r.metadata.name).sort(),
      DEFAULT_CLUSTER_ROLES.map((r) => r.metadata.name).sort(),
    )
    const bindings = await store.list('clusterrolebindings')
    assert.equal(bindings.items.length, DEFAULT_CLUSTER_ROLE_BINDINGS.length)
    const revision = await store.currentRevision()
    await reconcileDefaultPolicy(store)
    assert.equal(await store.currentRevision(), revision, 'a second start writes nothing')
  })

  void it('puts back a rule removed from a default role, keeping the rules a user added', async () => {
    await reconcileDefaultPolicy(store)
    const stored = await view()
    const extra = { verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }
    await store.update(objectKey('clusterroles', 'view'), {
      ...stored,
      rules: [...(stored.rules ?? []).slice(1), extra],
    })
    await reconcileDefaultPolicy(store)
    const kept = [...(stored.rules ?? []).slice(1), extra]
    const rules = (await view()).rules ?? []
    assert.deepEqual(
      rules.slice(0, kept.length),
      kept,
      'the rules as the user left them come first',
    )
    // The removed rule (get, list, watch on five image resources) is appended broken down.
    assert.equal(rules.length - kept.length, 15)
    assert.ok(rules.slice(kept.length).every((r) => r.verbs?.length === 1))
  })

  void it('leaves a role annotated autoupdate "false" alone', async () => {
    await reconcileDefaultPolicy(store)
    const stored = await view()
    await store.update(objectKey('clusterroles', 'view'), {
      ...stored,
      metadata: {
        ...stored.metadata,
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' },
      },
      rules: [],
    })
    await reconcileDefaultPolicy(store)
    assert.deepEqual((await view()).rules, [])
  })

  void it('adds missing subjects to a default binding and keeps the others', async () => {
    await reconcileDefaultPolicy(store)
    const key = objectKey('clusterrolebindings', 'cluster-admin')
    const stored = await store.get<ClusterRoleBinding>(key)
    const ops = { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }
    await store.update(key, { ...stored, subjects: [ops] })
    await reconcileDefaultPolicy(store)
    assert.deepEqual((await store.get<ClusterRoleBinding>(key)).subjects, [
      ops,
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' },
    ])
  })

  void it('gives namespaces without one their system:image-pullers binding', async () => {
    await store.create(objectKey('namespaces', 'old'), { metadata: { name: 'old' } })
    await reconcileDefaultPolicy(store)
    const binding = await store.get<RoleBinding>(
      objectKey('rolebindings', 'system:image-pullers', 'old'),
    )
    assert.equal(binding.subjects?.[0]?.name, 'system:serviceaccounts:old')
  })
})

void describe('startRbacAuthorizer follows the store', () => {
  const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] }
  const list = {
    kind: 'resource',
    verb: 'list',
    group: 'image.openshift.io',
    resource: 'imagestreams',
    namespace: 'team-a',
  } as const

  void it('grants on a new binding and revokes on its deletion', async () => {
    await reconcileDefaultPolicy(store)
    const authorizer = await startRbacAuthorizer(store)
    try {
      assert.equal((await authorizer.authorize(alice, list)).allowed, false)
      const key = objectKey('rolebindings', 'alice', 'team-a')
      const created = await store.create<RoleBinding>(key, {
        metadata: { name: 'alice', namespace: 'team-a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      })
      await authorizer.synced('rolebindings', created.metadata.resourceVersion ?? '')
      assert.equal((await authorizer.authorize(alice, list)).allowed, true)
      const deleted = await store.delete(key)
      await authorizer.synced('rolebindings', deleted.metadata.resourceVersion ?? '')
      assert.deepEqual(await authorizer.authorize(alice, list), { allowed: false, reason: '' })
    } finally {
      authorizer.close()
    }
  })

  void it('lists afresh when a watch fails, and misses nothing', async () => {
    await reconcileDefaultPolicy(store)
    const failures: string[] = []
    let failed = false
    // The first rolebindings watch fails as one whose history was compacted while it lagged.
    const failing: Store = Object.create(store, {
      watch: {
        value: async (resource: string, options: Parameters<Store['watch']>[1]) => {
          const events = await store.watch(resource, options)
          if (resource !== 'rolebindings' || failed) return events
          failed = true
          return (async function* () {
            yield* []
            await new Promise((resolve) => setTimeout(resolve, 50))
            throw new Error('expired')
          })()
        },
      },
    }) as Store
    const authorizer = await startRbacAuthorizer(failing, {
      onWatchError: (resource, err) => failures.push(`${resource}: ${String(err)}`),
    })
    try {
      const key = objectKey('rolebindings', 'alice', 'team-a')
      const created = await store.create<RoleBinding>(key, {
        metadata: { name: 'alice', namespace: 'team-a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      })
      await authorizer.synced('rolebindings', created.metadata.resourceVersion ?? '')
      assert.equal((await authorizer.authorize(alice, list)).allowed, true)
      assert.deepEqual(failures, ['rolebindings: Error: expired'])
    } finally {
      authorizer.close()
    }
  })

  void it('sees a rule removed from a bound role', async () => {
    await reconcileDefaultPolicy(store)
    await store.create(objectKey('clusterrolebindings', 'alice'), {
      metadata: { name: 'alice' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    })
    const authorizer = await startRbacAuthorizer(store)
    try {
      assert.equal((await authorizer.authorize(alice, list)).allowed, true)
      const stored = await view()
      const updated = await store.update(objectKey('clusterroles', 'view'), {
        ...stored,
        rules: (stored.rules ?? []).filter((r) => !r.resources?.includes('imagestreams')),
      })
      await authorizer.synced('clusterroles', updated.metadata.resourceVersion ?? '')
      assert.equal((await authorizer.authorize(alice, list)).allowed, false)
    } finally {
      authorizer.close()
    }
  })
})
