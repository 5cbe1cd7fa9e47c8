/**
 * Finalizers and deletion as the apiserver's generic registry handles them for kinds without
 * graceful deletion (apiserver pkg/registry/generic/registry/store.go): a delete of an object
 * with `metadata.finalizers` only marks it (markAsDeleting), and the update that leaves a marked
 * object without finalizers removes it (ShouldDeleteDuringUpdate);
 * docs/kubernetes-api.md#update-and-delete.
 */
/** DeletionMeta is the part of metav1.ObjectMeta deletion reads and writes. */
export interface DeletionMeta {
  generation?: number
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  finalizers?: string[]
}

interface WithMeta {
  readonly metadata: DeletionMeta
}

/** hasFinalizers says whether an object still waits for a finalizer. */
export function hasFinalizers(object: WithMeta): boolean {
  return (object.metadata.finalizers ?? []).length > 0
}

/** isBeingDeleted says whether a delete has marked the object. */
export function isBeingDeleted(object: WithMeta): boolean {
  return object.metadata.deletionTimestamp !== undefined
}

/**
 * markedForDeletion is upstream's markAsDeleting: a first mark sets deletionTimestamp to `now`
 * (RFC 3339) and bumps a generation the object has; deletionGracePeriodSeconds becomes 0. An
 * object already marked comes back as it is, so a second delete writes nothing.
 */
export function markedForDeletion<T extends { metadata: object }>(object: T, now: string): T {
  const meta: DeletionMeta = object.metadata
  if (meta.deletionTimestamp !== undefined && meta.deletionGracePeriodSeconds === 0) return object
  const marked: DeletionMeta = { ...meta, deletionGracePeriodSeconds: 0 }
  if (meta.deletionTimestamp === undefined) {
    marked.deletionTimestamp = now
    if (meta.generation !== undefined && meta.generation > 0) {
      marked.generation = meta.generation + 1
    }
  }
  return { ...object, metadata: marked }
}

/**
 * deletesOnUpdate is upstream's ShouldDeleteDuringUpdate: an update that leaves no finalizer on
 * an object a delete marked (with no grace period left) removes the object instead of writing it.
 */
export function deletesOnUpdate(next: WithMeta, prev: WithMeta): boolean {
  if (hasFinalizers(next) || !isBeingDeleted(prev)) return false
  const grace = prev.metadata.deletionGracePeriodSeconds
  return grace === undefined || grace === 0
}
