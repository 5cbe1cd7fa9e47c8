/**
 * The registry's admin route for pruning (docs/integrated-registry.md#deleting-cached-content):
 * `DELETE /admin/blobs/<digest>` drops what the registry keeps of a digest, the blob file of
 * its blob cache and the manifest of its manifest cache, as OpenShift's registry offers
 * `DELETE /admin/blobs/<digest>` to its pruner (openshift/image-registry
 * pkg/dockerregistry/server/admin.go). Only callers who may `delete images` may use it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isDigest } from '../reference/index.js'
import type { RegistryUser } from './dialect.js'
import { blobUnknown, denied, DistributionError } from './errors.js'

/** CachedDrop says what dropping a digest found: its blob file, its cached manifest. */
export interface CachedDrop {
  readonly blob: boolean
  readonly manifest: boolean
}

/** AdminDeps are what the admin route reads and drops. */
export interface AdminDeps {
  /** Whether `user` may delete registry content (`delete images`, cluster scope), asked for `request`. */
  readonly mayPrune: (user: RegistryUser, request: FastifyRequest) => Promise<boolean>
  /** Drops the cached blob and manifest of a digest, saying which were held. */
  readonly dropCached: (digest: string) => Promise<CachedDrop>
  readonly userOf: (request: FastifyRequest) => RegistryUser
}

/** registerAdmin adds the admin routes to `admin`, a context mounted at `/admin`. */
export function registerAdmin(admin: FastifyInstance, deps: AdminDeps): void {
  admin.route<{ Params: { digest: string } }>({
    method: 'DELETE',
    url: '/blobs/:digest',
    handler: async (request, reply) => {
      // Authorised before the digest is read: a stranger learns nothing, not even that it is malformed.
      if (!(await deps.mayPrune(deps.userOf(request), request))) throw denied()
      const { digest } = request.params
      if (!isDigest(digest)) {
        throw new DistributionError('DIGEST_INVALID', 'provided digest is invalid', digest)
      }
      const { blob, manifest } = await deps.dropCached(digest)
      if (!manifest && !blob) throw blobUnknown(digest)
      request.log.info({ digest, blob, manifest }, 'dropped cached registry content')
      return reply.code(202).send()
    },
  })
}
