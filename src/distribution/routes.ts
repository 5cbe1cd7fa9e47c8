/**
 * The integrated registry: the read side of the distribution API under `/v2/`, pulling
 * manifests through from each tag's source with its namespace's credentials
 * (docs/integrated-registry.md), serving its caches to a namespace only through images it holds
 * a pull grant for (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches),
 * recording the pulls for pruning, and the `/admin/` route that drops cached content. Both
 * authenticate on their own and answer in the distribution error dialect (dialect.ts), which is
 * why they live in fastify contexts of their own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import parseRange from 'range-parser'
import type { Image, ImageStream } from '../api/index.js'
import type { Keyring } from '../credentials/index.js'
import { isDigest, repositoryPathProblem, type RegistryAllowList } from '../reference/index.js'
import { SizedLru } from '../lib/sized-lru.js'
import type { FetchedManifest, RegistryClient } from '../registry/index.js'
import { grantPull, hasPullGrant, isStoreError, objectKey, type Store } from '../storage/index.js'
import { acceptedTypes, negotiate } from './accept.js'
import { registerAdmin, type CachedDrop } from './admin.js'
import type { BlobCache, ByteRange } from './blob-cache.js'
import {
  answerRouterError,
  useRegistryDialect,
  type RegistryAuthenticator,
  type RegistryObserver,
  type RegistryUser,
} from './dialect.js'
import { denied, DistributionError, nameInvalid, nameUnknown } from './errors.js'
import { PullRecorder, type PullLogger } from './pull-records.js'
import {
  currentTags,
  parseManifestReference,
  resolveBlob,
  resolveManifest,
  type PullSource,
} from './resolve.js'

/** DistributionDeps are the registry's collaborators, picked by cmd/serve.ts. */
export interface DistributionDeps {
  readonly store: Store
  readonly client: RegistryClient
  /** The API server's authenticator: the registry accepts exactly the API's tokens. */
  readonly auth: RegistryAuthenticator
  /** Whether `user` may pull from `<namespace>/<stream>` (`get imagestreams/layers`). */
  readonly mayPull: (user: RegistryUser, namespace: string, stream: string) => Promise<boolean>
  /** Whether `user` may drop cached content (`delete images`, cluster scope). */
  readonly mayPrune: (user: RegistryUser) => Promise<boolean>
  /** The credentials for pulling through on behalf of `namespace`: its pull secrets first. */
  readonly keyringFor: (namespace: string) => Promise<Keyring>
  /** The local mirror of pulled blobs; without one every pull goes upstream. */
  readonly blobs?: BlobCache
  /** Told of every manifest and blob served, and whether it came from a cache. */
  readonly onServed?: (kind: 'manifest' | 'blob', from: 'cache' | 'upstream') => void
  /** Told who made each request and whether it was allowed, for the API server's audit log. */
  readonly observer?: RegistryObserver
  /** The clock of pull records and `Retry-After`; default Date.now. */
  readonly now?: () => number
  /**
   * The registries content may be pulled through from (`--allowed-registries-for-import`);
   * undefined allows every registry.
   */
  readonly allowedRegistries?: RegistryAllowList | undefined
}

/** Distribution is the mounted registry's handle on the work it does after answering. */
export interface Distribution {
  /** settled resolves once every pull record started so far is written (or given up). */
  settled(): Promise<void>
  /**
   * dropCached removes a digest's blob and manifest from the caches, as `DELETE
   * /admin/blobs/<digest>` does, for the server's own scheduled pruner.
   */
  dropCached(digest: string): Promise<CachedDrop>
}

/** MANIFEST_CACHE_BYTES bounds the manifests kept in memory (tens of thousands of typical ones). */
const MANIFEST_CACHE_BYTES = 32 * 2 ** 20

interface RepoParams {
  readonly namespace: string
  readonly stream: string
}

/** registerDistribution mounts `/v2/` and `/admin/` on the app; call it before `listen`. */
export function registerDistribution(app: FastifyInstance, deps: DistributionDeps): Distribution {
  const now = deps.now ?? Date.now
  // A manifest by digest never changes: once fetched (and verified) it is served from
  // memory, so a repeated pull does not reach the upstream, whose manifest GETs are what
  // Docker Hub counts against its pull limit. Weighed twice its bytes for the parsed form.
  const manifests = new SizedLru<string, FetchedManifest>({
    maxSize: MANIFEST_CACHE_BYTES,
    sizeOf: (m) => 2 * m.bytes.length,
  })
  const pulls = new PullRecorder({ store: deps.store, now, logger: app.log })
  // The router refuses over-long path segments before any context sees them; the API server
  // hands those under `/v2/` and `/admin/` back here to be answered in the dialect.
  app.registryRouterError = (request, reply) => answerRouterError(deps.auth, request, reply)
  const dropCached = async (digest: string): Promise<CachedDrop> => ({
    manifest: manifests.delete(digest),
    blob: (await deps.blobs?.delete(digest)) ?? false,
  })
  void app.register(
    (v2, _opts, done) => {
      const userOf = useRegistryDialect(v2, deps.auth, now, deps.observer)
      // After authentication, as distribution checks a name only for callers it knows.
      v2.addHook('preHandler', (request, _reply, done) => {
        const { namespace, stream } = request.params as Partial<RepoParams>
        const problem =
          namespace === undefined || stream === undefined
            ? undefined
            : repositoryPathProblem(`${namespace}/${stream}`)
        done(problem === undefined ? undefined : nameInvalid(problem))
      })

      /** authorizedStream reads the stream a request names, after checking the caller may pull from it. */
      const authorizedStream = async (request: FastifyRequest<{ Params: RepoParams }>) => {
        const { namespace, stream } = request.params
        const allowed = await deps.mayPull(userOf(request), namespace, stream)
        deps.observer?.authorized(request, allowed)
        if (!allowed) throw denied()
        try {
          return await deps.store.get<ImageStream>(objectKey('imagestreams', stream, namespace))
        } catch (err) {
          if (isStoreError(err, 'NotFound')) throw nameUnknown(`${namespace}/${stream}`)
          throw err
        }
      }
      const grantedTo = (namespace: string) => (image: string) =>
        hasPullGrant(deps.store, namespace, image)
      /** grantAfterPull records a namespace's grant; a failure costs only a later pull from the cache. */
      const grantAfterPull = async (namespace: string, image: string, log: PullLogger) => {
        try {
          await deps.store.transaction((tx) => grantPull(tx, namespace, image, 'Pull'))
        } catch (err) {
          log.warn({ err, namespace, image }, 'could not record a pull grant')
        }
      }
      const getImage = async (digest: string) => {
        try {
          return await deps.store.get<Image>(objectKey('images', digest))
        } catch (err) {
          if (isStoreError(err, 'NotFound')) return undefined
          throw err
        }
      }

      // Requests of one namespace for a manifest not kept yet share one upstream fetch: a new
      // tag pulled by many nodes at once costs the upstream one GET. The fetch follows no one
      // client's signal (one leaving would fail the others); the registry client's timeouts
      // bound it. Keyed by namespace too: each namespace pulls with its own credentials.
      const fetching = new Map<string, Promise<FetchedManifest>>()
      // The cache is shared: it serves a namespace only through an image it holds a grant for;
      // any other request goes upstream with the namespace's credentials, as if nothing were kept.
      const manifestOf = async (namespace: string, source: PullSource) => {
        const cached = source.granted ? manifests.get(source.digest) : undefined
        if (cached) return { fetched: cached, from: 'cache' as const }
        const key = `${namespace} ${source.digest}`
        let pending = fetching.get(key)
        if (!pending) {
          pending = upstream(deps, namespace, source)
            .then((repository) => repository.manifest(source.digest))
            .then((fetched) => {
              manifests.set(fetched.digest, fetched)
              return fetched
            })
            .finally(() => fetching.delete(key))
          fetching.set(key, pending)
        }
        return { fetched: await pending, from: 'upstream' as const }
      }

      // One handler for GET and HEAD: Node discards the body of a HEAD answer and keeps its
      // headers, Content-Length included, as a registry sends them.
      v2.route({
        method: ['GET', 'HEAD'],
        url: '/',
        handler: () => ({}),
      })
      v2.route<{ Params: RepoParams & { reference: string } }>({
        method: ['GET', 'HEAD'],
        url: '/:namespace/:stream/manifests/:reference',
        handler: async (request, reply) => {
          const ref = parseManifestReference(request.params.reference)
          const stream = await authorizedStream(request)
          const { namespace } = request.params
          const source = allowedSource(
            deps,
            await resolveManifest(stream, ref, getImage, grantedTo(namespace)),
          )
          let { fetched, from } = await manifestOf(namespace, source)
          // The image itself came from the upstream with the namespace's credentials: it has
          // shown it may read it, and its caches serve it from now on.
          if (!source.granted && fetched.digest === source.image) {
            await grantAfterPull(namespace, source.image, request.log)
          }
          const answer = negotiate(
            acceptedTypes(request.headers.accept),
            fetched,
            ref.kind === 'tag',
          )
          if (answer.kind === 'refused') {
            const detail = ref.kind === 'tag' ? { Tag: ref.tag } : ref.digest
            throw new DistributionError('MANIFEST_UNKNOWN', answer.message, detail)
          }
          if (answer.kind === 'child') {
            const child = { ...source, digest: answer.digest }
            ;({ fetched, from } = await manifestOf(namespace, child))
          }
          deps.onServed?.('manifest', from)
          // A pull of an image, and of the list it was reached through: a child picked from a
          // list for this client, or a child asked for by digest (docs/integrated-registry.md#pull-records).
          const list = answer.kind === 'child' ? source.digest : source.list
          pulls.record(
            list ? [fetched.digest, list] : [fetched.digest],
            `${namespace}/${request.params.stream}`,
          )
          return reply
            .header('content-type', fetched.mediaType)
            .header('docker-content-digest', fetched.digest)
            .header('etag', `"${fetched.digest}"`)
            .send(fetched.bytes)
        },
      })
      v2.route<{ Params: RepoParams & { digest: string } }>({
        method: ['GET', 'HEAD'],
        url: '/:namespace/:stream/blobs/:digest',
        handler: async (request, reply) => {
          const { digest } = request.params
          if (!isDigest(digest)) {
            throw new DistributionError('DIGEST_INVALID', 'provided digest is invalid', digest)
          }
          const stream = await authorizedStream(request)
          const signal = abortOnClose(reply)
          const { namespace } = request.params
          const resolved = await resolveBlob(
            stream,
            digest,
            getImage,
            grantedTo(namespace),
            async (child) => {
              const { manifest } = (await manifestOf(namespace, allowedSource(deps, child))).fetched
              return manifest.kind === 'image' ? [manifest.config, ...manifest.layers] : []
            },
          )
          const source = allowedSource(deps, resolved)
          const send = (from: 'cache' | 'upstream', size: number | undefined, body?: Readable) => {
            deps.onServed?.('blob', from)
            void reply.type('application/octet-stream').header('docker-content-digest', digest)
            if (size !== undefined) void reply.header('content-length', size)
            return reply.send(body)
          }
          // Only after resolveBlob: the cache is shared, the right to a blob is per stream, and
          // the cache serves it only through an image the namespace holds a grant for.
          const cached = source.granted ? deps.blobs?.size(digest) : undefined
          if (cached !== undefined) {
            // From disk a part can be served (a client resuming a download); a part of a blob
            // streamed from the upstream could not be verified, so only the cache offers it.
            void reply.header('accept-ranges', 'bytes')
            if (request.method === 'HEAD') return send('cache', cached)
            const range = requestedRange(request.headers.range, cached)
            if (range === 'unsatisfiable') {
              return reply.code(416).header('content-range', `bytes */${cached}`).send()
            }
            const hit = await deps.blobs?.read(digest, range)
            if (hit && range) {
              void reply
                .code(206)
                .header('content-range', `bytes ${range.start}-${range.end}/${cached}`)
              return send('cache', range.end - range.start + 1, hit.body)
            }
            if (hit) return send('cache', hit.size, hit.body)
            void reply.removeHeader('accept-ranges')
          }
          const repository = await upstream(deps, namespace, source)
          const descriptor = { digest, ...(source.size !== undefined && { size: source.size }) }
          if (request.method === 'HEAD') {
            return send('upstream', (await repository.blobHead(descriptor, { signal })).size)
          }
          // Streamed with backpressure; the verifying body errors (cutting the answer short)
          // on bytes that are not the blob, and a client that leaves aborts the upstream.
          const blob = await repository.blob(descriptor, { signal })
          const body = deps.blobs ? deps.blobs.capture(digest, blob.size, blob.body) : blob.body
          return send('upstream', blob.size, body)
        },
      })
      v2.route<{ Params: RepoParams }>({
        method: ['GET', 'HEAD'],
        url: '/:namespace/:stream/tags/list',
        handler: async (request) => {
          const stream = await authorizedStream(request)
          const { namespace, stream: name } = request.params
          return { name: `${namespace}/${name}`, tags: currentTags(stream) }
        },
      })
      done()
    },
    { prefix: '/v2' },
  )
  void app.register(
    (admin, _opts, done) => {
      const userOf = useRegistryDialect(admin, deps.auth, now, deps.observer)
      registerAdmin(admin, {
        mayPrune: async (user, request) => {
          const allowed = await deps.mayPrune(user)
          deps.observer?.authorized(request, allowed)
          return allowed
        },
        dropCached,
        userOf,
      })
      done()
    },
    { prefix: '/admin' },
  )
  return { settled: () => pulls.settled(), dropCached }
}

/**
 * requestedRange reads a Range header against a blob of `size` bytes: one byte range to serve, or
 * undefined to serve the whole blob (no header, one that is not understood, or several ranges,
 * which registries do not serve either), or 'unsatisfiable' (416).
 */
function requestedRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined
  const ranges = parseRange(size, header, { combine: true })
  if (ranges === -1) return 'unsatisfiable'
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined
  const [range] = ranges
  return range && { start: range.start, end: range.end }
}

/**
 * allowedSource refuses, before anything is read (the caches included), a source whose registry
 * the allow-list does not allow: DENIED with the import's refusal as the message
 * (docs/integrated-registry.md#allowed-registries).
 */
function allowedSource<T extends Pick<PullSource, 'registry' | 'insecure'>>(
  deps: DistributionDeps,
  source: T,
): T {
  const refused = deps.allowedRegistries?.admitImport(source, source.insecure)
  if (refused)
    throw new DistributionError('DENIED', refused.message, { registry: refused.registry })
  return source
}

/** upstream is the source repository of `source`, with the credentials of `namespace`. */
async function upstream(deps: DistributionDeps, namespace: string, source: PullSource) {
  return deps.client.repository({
    registry: source.registry,
    repository: source.repository,
    keyring: await deps.keyringFor(namespace),
    insecure: source.insecure,
  })
}

/** abortOnClose is a signal aborted when the client goes away before its answer is complete. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const abort = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort()
  })
  return abort.signal
}
