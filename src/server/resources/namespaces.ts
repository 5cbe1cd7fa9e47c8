/**
 * Namespace lifecycle: objects may only be created in a namespace that exists (the apiserver's
 * NamespaceLifecycle admission: 404 `namespaces "x" not found`) and is not terminating (403);
 * every namespace gets its ServiceAccounts and the `system:image-pullers` RoleBinding
 * (docs/access-control.md#namespace-bindings), in the transaction that creates it; a deleted
 * namespace is emptied and removed by namespace-termination.ts, once the finalizers of what it
 * holds are gone; `default` exists from the start
 * and may not be deleted.
 */
import {
  applyDefaults,
  hasFinalizers,
  markedForDeletion,
  RESOURCES,
  type Namespace,
  type ObjectMeta,
  type RoleBinding,
  type ServiceAccount,
} from '../../api/index.js'
import {
  isStoreError,
  objectKey,
  PULL_GRANTS,
  type ObjectKey,
  type Store,
  type StoreTransaction,
} from '../../storage/index.js'
import { IMAGE_PULLERS_BINDING, imagePullersBinding } from '../auth/default-roles.js'
import { forbidden, notFound, type GroupResource } from '../status.js'
import type { Remaining } from './namespace-conditions.js'
import {
  DEFAULT_NAMESPACE,
  NAMESPACE_SERVICE_ACCOUNTS,
  NAMESPACED_STORED_RESOURCES,
} from './served.js'
import { NAMESPACE_FINALIZER } from './strategies/namespace.js'

/**
 * ensureNamespaceExists throws the apiserver's 404 when `namespace` does not exist. Given what
 * is being created, it also refuses new content in a terminating namespace with the 403 of the
 * apiserver's NamespaceLifecycle admission (apiserver pkg/admission/plugin/namespace/lifecycle).
 */
export async function ensureNamespaceExists(
  store: Store,
  namespace: string,
  creating?: { readonly resource: GroupResource; readonly name: string },
): Promise<void> {
  let found: Namespace
  try {
    found = await store.get<Namespace>(objectKey('namespaces', namespace))
  } catch (err) {
    if (isStoreError(err, 'NotFound'))
      throw notFound({ group: '', resource: 'namespaces' }, namespace)
    throw err
  }
  if (creating === undefined || !isTerminating(found)) return
  throw forbidden(
    creating.resource,
    creating.name,
    `unable to create new content in namespace ${namespace} because it is being terminated`,
    [
      {
        reason: 'NamespaceTerminating',
        message: `namespace ${namespace} is being terminated`,
        field: 'metadata.namespace',
      },
    ],
  )
}

/** isTerminating says whether a namespace's deletion has begun. */
export function isTerminating(namespace: Namespace): boolean {
  return (
    namespace.metadata.deletionTimestamp !== undefined || namespace.status?.phase === 'Terminating'
  )
}

/** namespaceServiceAccount is one of the ServiceAccounts every namespace gets. */
function namespaceServiceAccount(namespace: string, name: string): ServiceAccount {
  return { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name, namespace } }
}

/** createServiceAccounts makes the namespace's `default`, `builder` and `deployer` ServiceAccounts that are missing. */
async function createServiceAccounts(tx: StoreTransaction, namespace: string): Promise<void> {
  for (const name of NAMESPACE_SERVICE_ACCOUNTS) {
    await createIfMissing(
      tx,
      objectKey('serviceaccounts', name, namespace),
      namespaceServiceAccount(namespace, name),
    )
  }
}

/** createNamespaceContents makes what every namespace starts with: its ServiceAccounts and image pullers. */
async function createNamespaceContents(tx: StoreTransaction, name: string): Promise<void> {
  await createServiceAccounts(tx, name)
  await createIfMissing(
    tx,
    objectKey('rolebindings', IMAGE_PULLERS_BINDING, name),
    imagePullersBinding(name),
  )
}

/** createNamespace stores a namespace and what it starts with in one transaction. */
export async function createNamespace(store: Store, namespace: Namespace): Promise<Namespace> {
  const name = namespace.metadata.name ?? ''
  return store.transaction(async (tx) => {
    const created = await tx.create(objectKey('namespaces', name), namespace)
    await createNamespaceContents(tx, name)
    return created
  })
}

/**
 * ensureServiceAccounts makes the ServiceAccounts a namespace lacks, unless it is gone or
 * terminating (its contents are being deleted); read and writes in one transaction, so a
 * namespace deleted meanwhile gets nothing.
 */
export async function ensureServiceAccounts(store: Store, namespace: string): Promise<void> {
  await store.transaction(async (tx) => {
    let found: Namespace
    try {
      found = await tx.get<Namespace>(objectKey('namespaces', namespace))
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return
      throw err
    }
    if (!isTerminating(found)) await createServiceAccounts(tx, namespace)
  })
}

async function createIfMissing<T extends ServiceAccount | Namespace | RoleBinding>(
  tx: StoreTransaction,
  key: ObjectKey,
  object: T,
): Promise<void> {
  try {
    await tx.create(key, object)
  } catch (err) {
    if (!isStoreError(err, 'AlreadyExists')) throw err
  }
}

/** checkNamespaceDeletable refuses to delete `default`, as kube refuses its system namespaces. */
export function checkNamespaceDeletable(name: string): void {
  if (name !== DEFAULT_NAMESPACE) return
  throw forbidden({ group: '', resource: 'namespaces' }, name, 'this namespace may not be deleted')
}

/**
 * namespaceContents lists the keys of every stored object in a namespace, the server's own
 * pull grants included (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
 */
export async function namespaceContents(store: Store, namespace: string): Promise<ObjectKey[]> {
  const keys: ObjectKey[] = []
  for (const plural of [...NAMESPACED_STORED_RESOURCES.map((r) => r.plural), PULL_GRANTS]) {
    const list = await store.list(plural, { namespace })
    for (const item of list.items) keys.push(objectKey(plural, item.metadata.name ?? '', namespace))
  }
  return keys
}

// `<resource>.<group>` of each namespaced stored resource, as the namespace controller names them.
const QUALIFIED = new Map(
  NAMESPACED_STORED_RESOURCES.map((r) => [r.plural, `${r.plural}.${r.group}`]),
)

/**
 * deleteContents deletes the given objects inside a transaction, as the namespace controller
 * deletes them: one with finalizers is marked (docs/kubernetes-api.md#update-and-delete) and
 * stays until they are removed; ones already gone are skipped. Returns the ones left.
 */
export async function deleteContents(
  tx: StoreTransaction,
  keys: readonly ObjectKey[],
  now: string,
): Promise<Remaining[]> {
  const left: Remaining[] = []
  for (const key of keys) {
    try {
      const current = await tx.get<{ metadata: ObjectMeta }>(key)
      if (!hasFinalizers(current)) {
        await tx.delete(key)
        continue
      }
      const marked = markedForDeletion(current, now)
      if (marked !== current) await tx.update(key, marked)
      left.push({
        resource: QUALIFIED.get(key.resource) ?? key.resource,
        finalizers: current.metadata.finalizers ?? [],
      })
    } catch (err) {
      if (!isStoreError(err, 'NotFound')) throw err
    }
  }
  return left
}

/**
 * ensureDefaults creates the `default` namespace when missing, and the ServiceAccounts every
 * namespace has where they are missing (a namespace made before `builder` and `deployer` were);
 * safe to call on every start.
 */
export async function ensureDefaults(store: Store): Promise<void> {
  const namespace = applyDefaults('Namespace', {
    kind: RESOURCES.namespaces.kind,
    apiVersion: RESOURCES.namespaces.apiVersion,
    metadata: { name: DEFAULT_NAMESPACE },
    spec: { finalizers: [NAMESPACE_FINALIZER] },
    status: { phase: 'Active' },
  })
  await store.transaction(async (tx) => {
    await createIfMissing(tx, objectKey('namespaces', DEFAULT_NAMESPACE), namespace)
    await createNamespaceContents(tx, DEFAULT_NAMESPACE)
  })
  const namespaces = await store.list<Namespace>('namespaces')
  for (const ns of namespaces.items) await ensureServiceAccounts(store, ns.metadata.name ?? '')
}
