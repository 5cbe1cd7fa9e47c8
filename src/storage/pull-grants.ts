/**
 * Pull grants (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches): a record
 * per namespace and image digest saying that the namespace has shown it may read the image, by
 * importing it with its own credentials, by a tag whose source the tagging identity could read,
 * or by pulling it through from the upstream. The integrated registry serves cached content to
 * a namespace only through an image the namespace holds a grant for. Grants are written by the
 * server alone, before (or with) the stream write that names the image, and are never served
 * by the API; they go with their namespace.
 */
import {
  isStoreError,
  objectKey,
  type ObjectKey,
  type StoreReader,
  type StoreWriter,
} from './store.js'

/** PULL_GRANTS is the store resource of pull grants: internal, served by no API route. */
export const PULL_GRANTS = 'pullgrants'

/** How a namespace showed it may read an image. */
export type PullGrantReason = 'Import' | 'Tag' | 'Pull'

/** PullGrant is the stored record: its name is the image digest, its namespace the grantee. */
export interface PullGrant {
  kind: 'PullGrant'
  metadata: { name: string; namespace: string }
  reason: PullGrantReason
}

/** pullGrantKey is the store key of the grant of `digest` to `namespace`. */
export function pullGrantKey(namespace: string, digest: string): ObjectKey {
  return objectKey(PULL_GRANTS, digest, namespace)
}

/** hasPullGrant says whether `namespace` holds a grant for the image `digest`. */
export async function hasPullGrant(
  reader: StoreReader,
  namespace: string,
  digest: string,
): Promise<boolean> {
  if (digest === '') return false
  try {
    await reader.get(pullGrantKey(namespace, digest))
    return true
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return false
    throw err
  }
}

/**
 * grantPull records that `namespace` may read the image `digest`, unless it already holds a
 * grant. Run it in a transaction (or pass one): a namespace that is gone or terminating gets
 * none, so a grant cannot outlive the namespace and pass to a namespace created later under
 * the same name. Returns whether the namespace holds the grant afterwards.
 */
export async function grantPull(
  tx: StoreReader & Pick<StoreWriter, 'create'>,
  namespace: string,
  digest: string,
  reason: PullGrantReason,
): Promise<boolean> {
  if (digest === '') return false
  if (await hasPullGrant(tx, namespace, digest)) return true
  try {
    const owner = await tx.get(objectKey('namespaces', namespace))
    if (owner.metadata.deletionTimestamp !== undefined) return false
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return false
    throw err
  }
  const grant: PullGrant = { kind: 'PullGrant', metadata: { name: digest, namespace }, reason }
  try {
    await tx.create(pullGrantKey(namespace, digest), grant)
  } catch (err) {
    if (!isStoreError(err, 'AlreadyExists')) throw err
  }
  return true
}
