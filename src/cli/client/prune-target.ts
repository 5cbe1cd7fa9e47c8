/**
 * The pruner's PruneTarget over the public API, for `isctl adm prune images`: streams and Images
 * are listed in pages as oc lists Images (openshift/oc pkg/cli/admin/prune/images/images.go),
 * history is written through the `imagestreams/status` subresource conditionally on the
 * resourceVersion, Images are deleted with the server's reference guard, and blobs through the
 * integrated registry's `DELETE /admin/blobs/<digest>` on the same server (docs/pruning.md).
 */
import { REFERENCED_CAUSE } from '../../api/constants.js'
import type { Image, ImageStream } from '../../api/index.js'
import type { List } from '../../api/meta.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { StreamConflict, type DeleteOutcome, type PruneTarget } from '../../pruner/types.js'
import { ApiError } from './api-errors.js'
import type { ApiClient } from './api-client.js'
import { resourcePath } from './resource-path.js'

/** PruneClient is the part of the API client the target uses. */
export type PruneClient = Pick<ApiClient, 'request'>

/** LIST_PAGE_SIZE is oc's page size for listing Images (`metav1.ListOptions{Limit: 5000}`). */
export const LIST_PAGE_SIZE = 5000

const STREAMS = RESOURCE_META.imagestreams
const IMAGES = RESOURCE_META.images

function status(err: unknown): number | undefined {
  return err instanceof ApiError ? err.status : undefined
}

/** isReferenced: the answer is the server's refusal to delete an object something references. */
function isReferenced(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.details?.causes ?? []).some((c) => c.reason === REFERENCED_CAUSE)
  )
}

/**
 * listAll reads a collection page by page with `limit` and `continue`. When a continue token
 * has expired (410), the whole list is read again in one request, as client-go's pager does
 * (FullListIfExpired), so that a long listing never fails half-way.
 */
async function listAll<T>(client: PruneClient, path: string, pageSize: number): Promise<T[]> {
  const items: T[] = []
  let token: string | undefined
  for (;;) {
    let page: List<T>
    try {
      page = await client.request<List<T>>('GET', path, {
        query: { limit: String(pageSize), continue: token },
      })
    } catch (err) {
      if (token === undefined || status(err) !== 410) throw err
      return (await client.request<List<T>>('GET', path)).items
    }
    items.push(...page.items)
    token = page.metadata?.continue || undefined
    if (token === undefined) return items
  }
}

/** ApiPruneTarget is PruneTarget over HTTP; `pageSize` is for tests. */
export class ApiPruneTarget implements PruneTarget {
  readonly #client: PruneClient
  readonly #pageSize: number

  constructor(client: PruneClient, options: { pageSize?: number } = {}) {
    this.#client = client
    this.#pageSize = options.pageSize ?? LIST_PAGE_SIZE
  }

  /** listStreams lists every stream, or one namespace's. */
  listStreams(namespace?: string): Promise<ImageStream[]> {
    return listAll(this.#client, resourcePath(STREAMS, { namespace }), this.#pageSize)
  }

  /** listImages lists every Image. */
  listImages(): Promise<Image[]> {
    return listAll(this.#client, resourcePath(IMAGES), this.#pageSize)
  }

  /** getStream re-reads one stream; undefined when it is gone. */
  async getStream(namespace: string, name: string): Promise<ImageStream | undefined> {
    try {
      return await this.#client.request<ImageStream>(
        'GET',
        resourcePath(STREAMS, { namespace, name }),
      )
    } catch (err) {
      if (status(err) === 404) return undefined
      throw err
    }
  }

  /**
   * updateStreamStatus PUTs the stream to its status subresource; the server refuses it (409)
   * unless the resourceVersion is still current. A stream deleted meanwhile (404) is a conflict
   * too: the pruner re-reads it, finds it gone, and moves on.
   */
  async updateStreamStatus(stream: ImageStream): Promise<void> {
    const { namespace, name } = stream.metadata
    try {
      await this.#client.request(
        'PUT',
        resourcePath(STREAMS, { namespace, name, subresource: 'status' }),
        {
          body: stream,
        },
      )
    } catch (err) {
      const code = status(err)
      if (code === 409 || code === 404) {
        throw new StreamConflict(
          `image stream ${namespace}/${name} changed: ${(err as Error).message}`,
        )
      }
      throw err
    }
  }

  /** deleteImage deletes one Image; the server answers 409 while a stream or list references it. */
  async deleteImage(name: string): Promise<DeleteOutcome> {
    try {
      await this.#client.request('DELETE', resourcePath(IMAGES, { name }))
      return 'deleted'
    } catch (err) {
      const code = status(err)
      if (code === 404) return 'not-found'
      // The server refuses to delete an Image a stream or a list still references, with a
      // cause saying so (docs/kubernetes-api.md#image-deletes-and-references); any other
      // conflict is a failure.
      if (code === 409 && isReferenced(err)) return 'in-use'
      throw err
    }
  }

  /** deleteBlob drops a blob or cached manifest from the integrated registry; absent (404) is done. */
  async deleteBlob(digest: string): Promise<void> {
    try {
      await this.#client.request('DELETE', `/admin/blobs/${digest}`)
    } catch (err) {
      if (status(err) !== 404) throw err
    }
  }
}
