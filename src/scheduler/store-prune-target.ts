/**
 * The pruner's port over the server's own store, for the scheduled pruner: the same reads and
 * writes `isctl adm prune images` makes through the API (docs/pruning.md#scheduled-pruning),
 * with the same guarantees: a stream's status is written only at the resourceVersion it was
 * planned from, and an Image is deleted (or, with finalizers, marked) only in a transaction that
 * sees nothing referencing it.
 */
import { setImmediate } from 'node:timers/promises'
import { hasFinalizers, markedForDeletion, type Image, type ImageStream } from '../api/index.js'
import { StreamConflict, type DeleteOutcome, type PruneTarget } from '../pruner/index.js'
import {
  isStoreError,
  objectKey,
  type ListOptions,
  type Store,
  type StoredObject,
} from '../storage/index.js'

/** StorePruneTargetDeps are the store and the integrated registry's cache eviction. */
export interface StorePruneTargetDeps {
  readonly store: Store
  /** Drops a blob or manifest from the integrated registry's caches; absent when it has none. */
  readonly dropCached?: (digest: string) => Promise<unknown>
}

/**
 * LIST_PAGE is how many objects one read takes: the pruner runs on the server's event loop, and
 * one read of every Image at once would hold every other request for seconds.
 */
const LIST_PAGE = 1000

/** listInPages reads a whole list in pages of one snapshot, yielding to other work between pages. */
async function listInPages<T extends StoredObject>(
  store: Store,
  resource: string,
  options: ListOptions,
): Promise<T[]> {
  const items: T[] = []
  let next: string | undefined
  do {
    const page = await store.list<T>(resource, {
      ...options,
      limit: LIST_PAGE,
      ...(next !== undefined && { continue: next }),
    })
    items.push(...page.items)
    next = page.continue
    await setImmediate()
  } while (next !== undefined)
  return items
}

/** Re-reads after the Image changed between a delete's read and its write. */
const DELETE_RETRIES = 16

/** storePruneTarget implements PruneTarget over a Store. */
export function storePruneTarget(deps: StorePruneTargetDeps): PruneTarget {
  const { store } = deps
  return {
    listStreams: (namespace) =>
      listInPages<ImageStream>(store, 'imagestreams', namespace ? { namespace } : {}),
    listImages: () => listInPages<Image>(store, 'images', {}),
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
      const key = objectKey('images', name)
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
      for (let attempt = 0; ; attempt++) {
        try {
          // As a DELETE through the API: an Image with finalizers is marked, not removed
          // (docs/kubernetes-api.md#update-and-delete), and counts as deleted, as `oc adm
          // prune` counts it. The write is of the version read, so finalizers added meanwhile
          // are seen on the next read.
          const image = await store.get<Image>(key)
          const preconditions = {
            expectedResourceVersion: image.metadata.resourceVersion ?? '',
            unreferenced: true,
          }
          if (!hasFinalizers(image)) await store.delete(key, preconditions)
          else {
            const marked = markedForDeletion(image, now)
            if (marked !== image) await store.update(key, marked, preconditions)
          }
          return 'deleted'
        } catch (err) {
          if (isStoreError(err, 'NotFound')) return 'not-found'
          if (isStoreError(err, 'Referenced')) return 'in-use'
          if (!isStoreError(err, 'Conflict') || attempt >= DELETE_RETRIES) throw err
        }
      }
    },
    async deleteBlob(digest) {
      await deps.dropCached?.(digest)
    },
  }
}
