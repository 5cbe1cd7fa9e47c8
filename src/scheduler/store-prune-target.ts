/**
 * The pruner's port over the server's own store, for the scheduled pruner: the same reads and
 * writes `isctl adm prune images` makes through the API (docs/pruning.md#scheduled-pruning),
 * with the same guarantees: a stream's status is written only at the resourceVersion it was
 * planned from, and an Image is deleted only in a transaction that sees nothing referencing it.
 */
import type { Image, ImageStream } from '../api/index.js'
import { StreamConflict, type DeleteOutcome, type PruneTarget } from '../pruner/index.js'
import { isStoreError, objectKey, type Store } from '../storage/index.js'

/** StorePruneTargetDeps are the store and the integrated registry's cache eviction. */
export interface StorePruneTargetDeps {
  readonly store: Store
  /** Drops a blob or manifest from the integrated registry's caches; absent when it has none. */
  readonly dropCached?: (digest: string) => Promise<unknown>
}

/** storePruneTarget implements PruneTarget over a Store. */
export function storePruneTarget(deps: StorePruneTargetDeps): PruneTarget {
  const { store } = deps
  return {
    async listStreams(namespace) {
      const list = await store.list<ImageStream>('imagestreams', namespace ? { namespace } : {})
      return list.items
    },
    async listImages() {
      return (await store.list<Image>('images')).items
    },
    async getStream(namespace, name) {
      try {
        return await store.get<ImageStream>(objectKey('imagestreams', name, namespace))
      } catch (err) {
        if (isStoreError(err, 'NotFound')) return undefined
        throw err
      }
    },
    async updateStreamStatus(stream) {
      const key = objectKey('imagestreams', stream.metadata.name ?? '', stream.metadata.namespace)
      const expected = stream.metadata.resourceVersion ?? ''
      try {
        const current = await store.get<ImageStream>(key)
        if (current.metadata.resourceVersion !== expected) throw new StreamConflict(key.name)
        // Only status.tags changes, as through the status subresource; the update itself is
        // conditional, so a write landing between the read and it is a conflict too.
        const next: ImageStream = {
          ...current,
          status: { ...current.status, tags: stream.status?.tags ?? [] },
        }
        await store.update(key, next, { expectedResourceVersion: expected })
      } catch (err) {
        if (isStoreError(err, 'Conflict') || isStoreError(err, 'NotFound')) {
          throw new StreamConflict(key.name)
        }
        throw err
      }
    },
    async deleteImage(name): Promise<DeleteOutcome> {
      try {
        await store.delete(objectKey('images', name), { unreferenced: true })
        return 'deleted'
      } catch (err) {
        if (isStoreError(err, 'NotFound')) return 'not-found'
        if (isStoreError(err, 'Referenced')) return 'in-use'
        throw err
      }
    },
    async deleteBlob(digest) {
      await deps.dropCached?.(digest)
    },
  }
}
