/**
 * Reconciliation of the default policy on every start, as the apiserver's RBAC bootstrap does
 * (k8s.io/kubernetes pkg/registry/rbac/reconciliation): a missing default role or binding is
 * created, a default role missing some of its rules gets them appended, a default binding missing
 * subjects gets them added, and nothing a user added is removed. A role or binding annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` is left alone. Every namespace gets its
 * `system:image-pullers` RoleBinding when it has none.
 */
import { isDeepStrictEqual } from 'node:util'
import type { ClusterRole, ClusterRoleBinding, Namespace } from '../../api/index.js'
import { isStoreError, objectKey, type ObjectKey, type Store } from '../../storage/index.js'
import {
  AUTOUPDATE_ANNOTATION,
  DEFAULT_CLUSTER_ROLE_BINDINGS,
  DEFAULT_CLUSTER_ROLES,
  IMAGE_PULLERS_BINDING,
  imagePullersBinding,
} from './default-roles.js'
import { missingRules, policyRule } from './rbac-rules.js'

/** getOrUndefined reads an object, undefined when there is none. */
async function getOrUndefined<T extends ClusterRole | ClusterRoleBinding>(
  store: Store,
  key: ObjectKey,
): Promise<T | undefined> {
  try {
    return await store.get<T>(key)
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
}

/** createIfMissing creates an object unless one of that key exists (a concurrent start made it). */
async function createIfMissing(
  store: Store,
  key: ObjectKey,
  object: ClusterRole | ClusterRoleBinding,
): Promise<void> {
  try {
    await store.create(key, object)
  } catch (err) {
    if (!isStoreError(err, 'AlreadyExists')) throw err
  }
}

const autoupdates = (o: ClusterRole | ClusterRoleBinding) =>
  o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] !== 'false'

async function reconcileRole(store: Store, expected: ClusterRole): Promise<void> {
  const key = objectKey('clusterroles', expected.metadata.name ?? '')
  await store.guaranteedUpdate<ClusterRole>(key, (current) => {
    if (!autoupdates(current)) return undefined
    const missing = missingRules(current.rules ?? [], expected.rules ?? [])
    if (missing.length === 0) return undefined
    return { ...current, rules: [...(current.rules ?? []), ...missing.map(policyRule)] }
  })
}

async function reconcileBinding(store: Store, expected: ClusterRoleBinding): Promise<void> {
  const key = objectKey('clusterrolebindings', expected.metadata.name ?? '')
  const current = await getOrUndefined<ClusterRoleBinding>(store, key)
  if (current === undefined) return createIfMissing(store, key, expected)
  if (!autoupdates(current)) return
  if (!isDeepStrictEqual(current.roleRef, expected.roleRef)) {
    // roleRef is immutable: upstream deletes and recreates a binding that refers elsewhere.
    await store.delete(key)
    return createIfMissing(store, key, {
      ...expected,
      subjects: [...(current.subjects ?? []), ...(expected.subjects ?? [])].filter(
        (s, i, all) => all.findIndex((o) => isDeepStrictEqual(o, s)) === i,
      ),
    })
  }
  const have = current.subjects ?? []
  const missing = (expected.subjects ?? []).filter(
    (s) => !have.some((h) => isDeepStrictEqual(h, s)),
  )
  if (missing.length === 0) return
  await store.guaranteedUpdate<ClusterRoleBinding>(key, (latest) => ({
    ...latest,
    subjects: [...(latest.subjects ?? []), ...missing],
  }))
}

/** ensureImagePullers creates a namespace's `system:image-pullers` RoleBinding when it has none. */
export async function ensureImagePullers(store: Store, namespace: string): Promise<void> {
  try {
    await store.create(
      objectKey('rolebindings', IMAGE_PULLERS_BINDING, namespace),
      imagePullersBinding(namespace),
    )
  } catch (err) {
    if (!isStoreError(err, 'AlreadyExists')) throw err
  }
}

/** reconcileDefaultPolicy brings the default roles and bindings up to date; safe on every start. */
export async function reconcileDefaultPolicy(store: Store): Promise<void> {
  for (const role of DEFAULT_CLUSTER_ROLES) {
    const key = objectKey('clusterroles', role.metadata.name ?? '')
    if ((await getOrUndefined(store, key)) === undefined) await createIfMissing(store, key, role)
    else await reconcileRole(store, role)
  }
  for (const binding of DEFAULT_CLUSTER_ROLE_BINDINGS) await reconcileBinding(store, binding)
  const namespaces = await store.list<Namespace>('namespaces')
  for (const ns of namespaces.items) {
    if (ns.metadata.deletionTimestamp === undefined)
      await ensureImagePullers(store, ns.metadata.name ?? '')
  }
}
