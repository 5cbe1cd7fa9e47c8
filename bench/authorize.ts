/**
 * Workload 6: the RBAC authorizer with 1,000 bindings (600 RoleBindings over 100 namespaces, 400
 * ClusterRoleBindings, for users, groups and service accounts). Reports the cost of one
 * decision for a user whose rules are cached, the cost of compiling them after a policy change,
 * and an image stream GET through the whole server (inject) as a user RBAC decides for against
 * the same GET as the admin, whose `system:masters` group skips the rules: the difference is
 * what authorization adds to a request.
 */
import { performance } from 'node:perf_hooks'
import type { RoleBinding } from '../src/api/index.js'
import { objectKey } from '../src/storage/index.js'
import { startRbacAuthorizer } from '../src/server/auth/rbac-authorizer.js'
import { startFixture } from '../src/server/resources/testing/fixture.js'
import { median, round } from './stats.js'

const NAMESPACES = 100
const ROLE_BINDINGS = 600
const CLUSTER_ROLE_BINDINGS = 400
const DECISIONS = 20_000
const GETS = 2_000
const ROUNDS = 8
const ALICE = 'alice-bench-token'
const RBAC = 'rbac.authorization.k8s.io'

const roleRef = (name: string) => ({ apiGroup: RBAC, kind: 'ClusterRole', name })

/** runAuthorize measures the authorizer and what it adds to an API GET. */
export async function runAuthorize(): Promise<Record<string, unknown>> {
  const alice = { name: 'alice', groups: ['team-7', 'system:authenticated'] }
  const f = await startFixture({}, undefined, {}, { users: { [ALICE]: alice } })
  try {
    await f.createNamespace('team-a')
    for (let i = 0; i < NAMESPACES; i++) {
      await f.store.create(objectKey('namespaces', `ns-${i}`), { metadata: { name: `ns-${i}` } })
    }
    for (let i = 0; i < ROLE_BINDINGS; i++) {
      const namespace = i === 0 ? 'team-a' : `ns-${i % NAMESPACES}`
      const subject =
        i === 0
          ? { kind: 'User', apiGroup: RBAC, name: 'alice' }
          : i % 3 === 0
            ? { kind: 'ServiceAccount', name: `sa-${i}`, namespace }
            : { kind: 'User', apiGroup: RBAC, name: `user-${i}` }
      const created = await f.store.create<RoleBinding>(
        objectKey('rolebindings', `b-${i}`, namespace),
        {
          metadata: { name: `b-${i}`, namespace },
          roleRef: roleRef(i % 2 ? 'view' : 'edit'),
          subjects: [subject],
        },
      )
      await f.synced('rolebindings', created.metadata.resourceVersion ?? '')
    }
    for (let i = 0; i < CLUSTER_ROLE_BINDINGS; i++) {
      await f.store.create(objectKey('clusterrolebindings', `cb-${i}`), {
        metadata: { name: `cb-${i}` },
        roleRef: roleRef(i % 2 ? 'registry-viewer' : 'system:image-puller'),
        subjects: [{ kind: 'Group', apiGroup: RBAC, name: `team-${i}` }],
      })
    }
    await f.store.create(objectKey('imagestreams', 'app', 'team-a'), {
      metadata: { name: 'app', namespace: 'team-a' },
    })
    // A fresh authorizer reads the policy as it now is.
    const authorizer = await startRbacAuthorizer(f.store)
    const attrs = {
      kind: 'resource',
      verb: 'get',
      group: 'image.openshift.io',
      resource: 'imagestreams',
      namespace: 'team-a',
      name: 'app',
    } as const
    if (!(await authorizer.authorize(alice, attrs)).allowed) throw new Error('alice is not allowed')

    const cached: number[] = []
    const cold: number[] = []
    const asAlice: number[] = []
    const asAdmin: number[] = []
    const get = (token?: string) =>
      f.request({
        method: 'GET',
        url: '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams/app',
        ...(token === undefined ? {} : { token }),
      })
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now()
      for (let i = 0; i < DECISIONS; i++) await authorizer.authorize(alice, attrs)
      cached.push(((performance.now() - start) * 1000) / DECISIONS)
      // A user seen for the first time compiles its rules from every binding.
      start = performance.now()
      for (let i = 0; i < 200; i++) {
        await authorizer.authorize({ name: `new-${round}-${i}`, groups: alice.groups }, attrs)
      }
      cold.push(((performance.now() - start) * 1000) / 200)
      // Alternating which goes first keeps warm-up and garbage from favouring either.
      const order = [
        [asAdmin, undefined],
        [asAlice, ALICE],
      ] as const
      for (const [times, token] of round % 2 ? [...order].reverse() : order) {
        start = performance.now()
        for (let i = 0; i < GETS; i++) {
          const res = await get(token)
          if (res.statusCode !== 200) throw new Error(`GET: ${res.statusCode} ${res.body}`)
        }
        times.push(((performance.now() - start) * 1000) / GETS)
      }
    }
    authorizer.close()
    const admin = median(asAdmin)
    const user = median(asAlice)
    return {
      workload: 'authorize',
      bindings: ROLE_BINDINGS + CLUSTER_ROLE_BINDINGS,
      decisionCachedMicros: round(median(cached), 2),
      decisionFirstForUserMicros: round(median(cold), 1),
      getAsAdminMicros: round(admin, 1),
      getAsRbacUserMicros: round(user, 1),
      rbacShareOfGet: round((user - admin) / admin, 3),
    }
  } finally {
    await f.close()
  }
}
