/**
 * The registry client: per-repository handles that resolve tags (HEAD first), fetch manifests
 * and configs by digest with verification and size caps, and list tags, authenticating with
 * every matching credential in turn (docs/registry-protocol.md, docs/credentials.md).
 */
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { Credential, CredentialSource, Keyring } from '../credentials/index.js'
import { EMPTY_KEYRING, credentialFingerprint, describeSource } from '../credentials/index.js'
import { isDigest, parseDigest, repositoryName } from '../reference/index.js'
import { verifyingStream, type MinRate } from './blob-stream.js'
import {
  AuthError,
  DigestMismatchError,
  RateLimitedError,
  RegistryClientError,
  TransportError,
  type CredentialAttempt,
  type Diagnostic,
  type ErrorContext,
} from './errors.js'
import {
  ManifestParseError,
  parseImageConfig,
  parseManifest,
  type Descriptor,
  type ImageConfig,
  type Manifest,
} from './manifest.js'
import { MANIFEST_ACCEPT, isImageConfigType, simplifyContentType } from './media-types.js'
import type { Agents } from './transport/agents.js'
import { parseChallenges, pickChallenge, scopesOf, type Challenge } from './transport/challenge.js'
import { Endpoints, type Endpoint } from './transport/endpoint.js'
import {
  HttpTransport,
  SILENT_LOGGER,
  describeNetworkError,
  discard,
  header,
  type HttpResponse,
  type Logger,
  type ResponseObserver,
} from './transport/http.js'
import { redactUrl } from '../lib/redact-url.js'
import { DEFAULT_RETRY, type RetryPolicy } from './transport/retry.js'
import { TokenSource, basicAuthorization, type TokenRequest } from './transport/token.js'
import { errorCode, isRetryableNetworkError, parseRetryAfter } from './transport/retry.js'
import { nextPageURL } from './transport/link.js'
import { parseTagPage } from './tag-list.js'

/**
 * ClientLimits caps what one response may make us hold in memory
 * (docs/registry-protocol.md#size-caps-and-digest-verification).
 */
export interface ClientLimits {
  /** Manifest or index body (default 4 MiB). */
  readonly manifestBytes: number
  /** Image config blob (default 4 MiB). */
  readonly configBytes: number
  /** One tags/list page (default 8 MiB). */
  readonly tagPageBytes: number
  /** Tags kept from a listing (default 100,000). */
  readonly maxTags: number
  /** Pages followed in a listing (default 1,000). */
  readonly maxPages: number
}

/** RegistryClientOptions configures a client; only `agents` is required. */
export interface RegistryClientOptions {
  /** Dispatchers made by the composition root (createAgents). */
  readonly agents: Agents
  readonly retry?: Partial<RetryPolicy>
  /** Absolute deadline of one HTTP attempt (default 60 s). */
  readonly attemptDeadlineMs?: number
  /** The least a streamed blob body must deliver while it is read (default BLOB_MIN_RATE). */
  readonly blobMinRate?: MinRate
  readonly limits?: Partial<ClientLimits>
  /** How long a ping result is reused (default 10 min). */
  readonly endpointTtlMs?: number
  readonly logger?: Logger
  readonly now?: () => number
  /** Observes every HTTP response (for request metrics by registry, method and status). */
  readonly onResponse?: ResponseObserver
}

/** RepositoryTarget names a repository and how to reach it. */
export interface RepositoryTarget {
  /** Canonical registry (`docker.io`, `127.0.0.1:5000`). */
  readonly registry: string
  readonly repository: string
  /** Credentials to try, most specific first (default none: anonymous). */
  readonly keyring?: Keyring
  /** Skip TLS verification and fall back to HTTP on a transport failure. */
  readonly insecure?: boolean
}

/** CallOptions go on every call: cancellation. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/** FetchedManifest is a verified manifest: its digest is the hash of `bytes`. */
export interface FetchedManifest {
  readonly digest: string
  readonly mediaType: string
  readonly bytes: Buffer
  readonly manifest: Manifest
}

/** ResolvedTag is where a tag points now. */
export interface ResolvedTag {
  readonly digest: string
  readonly mediaType: string
  /** How it was learned: HEAD (cheap) or GET (the host's HEAD is unreliable). */
  readonly via: 'HEAD' | 'GET'
  /** The manifest, when resolving needed a GET anyway. */
  readonly fetched?: FetchedManifest
}

/** FetchedConfig is a verified image config blob. */
export interface FetchedConfig {
  readonly digest: string
  readonly bytes: Buffer
  readonly config: ImageConfig
}

/** BlobStream is a blob being read: its bytes stream through `body`, verified on the way. */
export interface BlobStream {
  /** The blob's length: the descriptor's, else the registry's Content-Length. */
  readonly size: number | undefined
  /** The Content-Type the registry sent, if any. */
  readonly mediaType?: string
  /**
   * The bytes, read as the reader asks for them; it errors with DigestMismatchError when they
   * are not the blob. Destroying it (or aborting the call's signal) aborts the upstream request.
   */
  readonly body: Readable
}

/** BlobInfo is what a HEAD of a blob says. */
export interface BlobInfo {
  readonly size: number | undefined
  readonly digest: string
}

/**
 * BLOB_MIN_RATE: a streamed blob must deliver 64 KiB in every 10 s its reader waits for it
 * (docs/integrated-registry.md#stalled-upstreams). The body idle timeout (30 s) ends an upstream
 * that goes silent, but one dripping a byte a second never idles and would hold the puller, a
 * connection and a cache file for as long as the blob takes; 64 KiB in 10 s (about 52 kbit/s)
 * is far below any registry or object store that is working, and 10 s rides out a pause of the
 * upstream or its network without cutting a transfer that would have gone on.
 */
export const BLOB_MIN_RATE: MinRate = { bytes: 64 * 1024, windowMs: 10_000 }

const DEFAULT_LIMITS: ClientLimits = {
  manifestBytes: 4 * 1024 * 1024,
  configBytes: 4 * 1024 * 1024,
  tagPageBytes: 8 * 1024 * 1024,
  maxTags: 100_000,
  maxPages: 1000,
}

/** createRegistryClient builds a client; share one per process so caches and pools are shared. */
export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  return new RegistryClient(opts)
}

/** RegistryClient holds what is shared across repositories: pools, pings, tokens, host quirks. */
export class RegistryClient {
  /** @internal */ readonly http: HttpTransport
  /** @internal */ readonly endpoints: Endpoints
  /** @internal */ readonly tokens: TokenSource
  /** @internal */ readonly limits: ClientLimits
  /** @internal */ readonly logger: Logger
  /** @internal */ readonly blobMinRate: MinRate
  /** Hosts whose HEAD answers cannot be trusted; they are resolved with GET. */
  readonly headUnreliable = new Set<string>()

  constructor(opts: RegistryClientOptions) {
    this.logger = opts.logger ?? SILENT_LOGGER
    this.http = new HttpTransport({
      agents: opts.agents,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      attemptDeadlineMs: opts.attemptDeadlineMs ?? 60_000,
      logger: this.logger,
      onResponse: opts.onResponse,
    })
    this.endpoints = new Endpoints(this.http, opts.endpointTtlMs ?? 10 * 60_000, opts.now)
    this.tokens = new TokenSource(this.http, opts.now)
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits }
    this.blobMinRate = opts.blobMinRate ?? BLOB_MIN_RATE
  }

  /**
   * pullLimitReachedUntil says until when `registry` (as named in repository targets) has no
   * pulls left by its last RateLimit-Remaining header (Docker Hub); undefined if it has some.
   */
  pullLimitReachedUntil(registry: string): Date | undefined {
    const until = this.http.pullLimitReachedUntil(registry)
    return until === undefined ? undefined : new Date(until)
  }

  repository(target: RepositoryTarget): Repository {
    return new Repository(this, target)
  }
}

interface RepoRequest {
  readonly method: 'GET' | 'HEAD'
  /** Path below `/v2/<repository>/`, or an absolute URL on the registry (pagination). */
  readonly path: string | URL
  readonly accept?: string
  readonly maxBytes: number
  readonly followRedirects?: boolean
  /** Leave a 2xx body unread, in the response's `stream`. */
  readonly stream?: boolean
  readonly signal?: AbortSignal | undefined
}

/** Repository performs operations on one repository with one set of credentials. */
export class Repository {
  readonly #client: RegistryClient
  readonly #target: Required<RepositoryTarget>
  readonly #candidates: readonly (Credential | undefined)[]
  #working: Credential | undefined
  #workingKnown = false

  constructor(client: RegistryClient, target: RepositoryTarget) {
    this.#client = client
    this.#target = { keyring: EMPTY_KEYRING, insecure: false, ...target }
    // The same login under two keys would only be refused twice: try each once.
    const seen = new Set<string>()
    const matches = this.#target.keyring.lookup(target).filter((c) => {
      const fingerprint = credentialFingerprint(c)
      return !seen.has(fingerprint) && seen.add(fingerprint)
    })
    // With no matching credential, access is anonymous; once credentials match, kubelet does
    // not fall back to anonymous, and neither do we (docs/registry-protocol.md#anonymous-access).
    this.#candidates = matches.length > 0 ? matches : [undefined]
  }

  /** The canonical registry host. */
  get registry(): string {
    return this.#target.registry
  }

  /** The canonical `registry/repository` name. */
  get name(): string {
    return repositoryName(this.#target)
  }

  /** Which secret and key supplied the credential that worked; undefined when anonymous. */
  get credentialSource(): CredentialSource | undefined {
    return this.#working?.source
  }

  /** How many credentials the keyring matched for this repository. */
  get matchedCredentials(): number {
    return this.#candidates.filter(Boolean).length
  }

  /**
   * resolveTag finds the digest a tag points at with one HEAD; hosts whose HEAD fails or lacks
   * Docker-Content-Digest are resolved with a GET, and remembered as such.
   */
  async resolveTag(tag: string, opts: CallOptions = {}): Promise<ResolvedTag> {
    const host = this.#target.registry
    let headFailed = false
    if (!this.#client.headUnreliable.has(host)) {
      const res = await this.#request({
        method: 'HEAD',
        path: `manifests/${tag}`,
        accept: MANIFEST_ACCEPT,
        maxBytes: 0,
        signal: opts.signal,
      })
      const digest = header(res.headers, 'docker-content-digest')
      if (res.status === 200 && digest && isDigest(digest)) {
        return {
          digest,
          mediaType: simplifyContentType(header(res.headers, 'content-type')),
          via: 'HEAD',
        }
      }
      if (res.status !== 200 && ![404, 405, 501].includes(res.status)) {
        throw this.#statusError(res, `manifest ${tag}`)
      }
      headFailed = true
    }
    const fetched = await this.manifestByTag(tag, opts)
    if (headFailed) {
      this.#client.headUnreliable.add(host)
      this.#client.logger.warn({ registry: host }, 'HEAD is unreliable on this registry; using GET')
    }
    return { digest: fetched.digest, mediaType: fetched.mediaType, via: 'GET', fetched }
  }

  /**
   * manifestByTag fetches what a tag points at with one GET, for callers that need the body
   * anyway; its digest is computed from the bytes, since registries get the header wrong
   * (ggcr gave up trusting it for tags, kaniko#298).
   */
  async manifestByTag(tag: string, opts: CallOptions = {}): Promise<FetchedManifest> {
    const res = await this.#request({
      method: 'GET',
      path: `manifests/${tag}`,
      accept: MANIFEST_ACCEPT,
      maxBytes: this.#client.limits.manifestBytes,
      signal: opts.signal,
    })
    if (res.status !== 200) throw this.#statusError(res, `manifest ${tag}`)
    return this.#parse(res, `sha256:${createHash('sha256').update(res.body).digest('hex')}`)
  }

  /** manifest fetches a manifest by digest and verifies bytes (and size, when known). */
  async manifest(
    digest: string,
    opts: CallOptions & { expected?: Descriptor } = {},
  ): Promise<FetchedManifest> {
    const limit = this.#client.limits.manifestBytes
    if (opts.expected && opts.expected.size > limit) {
      throw new RegistryClientError(
        'TooLarge',
        `manifest ${digest} is ${opts.expected.size} bytes, over the limit of ${limit}`,
        this.#ctx(),
      )
    }
    const res = await this.#request({
      method: 'GET',
      path: `manifests/${digest}`,
      accept: MANIFEST_ACCEPT,
      maxBytes: opts.expected?.size ?? limit,
      signal: opts.signal,
    })
    if (res.status !== 200) throw this.#statusError(res, `manifest ${digest}`)
    this.#verify(digest, res.body, opts.expected?.size)
    return this.#parse(res, digest)
  }

  /** config fetches and verifies the image config blob a manifest points at. */
  async config(descriptor: Descriptor, opts: CallOptions = {}): Promise<FetchedConfig> {
    const limit = this.#client.limits.configBytes
    if (!isImageConfigType(descriptor.mediaType)) {
      throw new RegistryClientError(
        'UnsupportedManifest',
        `config ${descriptor.digest} has media type ${descriptor.mediaType}, not an image config`,
        this.#ctx(),
      )
    }
    if (descriptor.size > limit) {
      throw new RegistryClientError(
        'TooLarge',
        `image config ${descriptor.digest} is ${descriptor.size} bytes, over the limit of ${limit}`,
        this.#ctx(),
      )
    }
    const res = await this.#request({
      method: 'GET',
      path: `blobs/${descriptor.digest}`,
      maxBytes: descriptor.size,
      followRedirects: true,
      signal: opts.signal,
    })
    if (res.status !== 200) throw this.#statusError(res, `blob ${descriptor.digest}`)
    this.#verify(descriptor.digest, res.body, descriptor.size)
    try {
      return { digest: descriptor.digest, bytes: res.body, config: parseImageConfig(res.body) }
    } catch (err) {
      throw this.#manifestError(err)
    }
  }

  /**
   * blob streams a blob by digest, following redirects as `config` does, with no size cap: the
   * body is verified against the digest (and the size, when known) as it passes. Ranges are not
   * offered, since a part of a blob cannot be verified.
   */
  async blob(
    descriptor: { digest: string; size?: number },
    opts: CallOptions = {},
  ): Promise<BlobStream> {
    const { digest, size } = descriptor
    const { res, length } = await this.#blobResponse('GET', descriptor, opts)
    if (!res.stream) throw this.#statusError(res, `blob ${digest}`)
    const url = redactUrl(res.url)
    const body = verifyingStream(res.stream, {
      digest,
      size: size ?? length,
      mismatch: (actual) =>
        new DigestMismatchError({ ...this.#ctx({ url }), expected: digest, actual }),
      minRate: this.#client.blobMinRate,
      tooSlow: (rate) =>
        new TransportError(
          'Timeout',
          `reading blob ${digest} from ${url}: the upstream stalled, fewer than ${rate.bytes} bytes in ${rate.windowMs / 1000} s`,
          { ...this.#ctx({ url }), networkCode: undefined, retryable: false },
        ),
      sourceError: (err) => {
        if (opts.signal?.aborted) {
          const reason: unknown = opts.signal.reason
          return reason instanceof Error ? reason : new Error(String(reason))
        }
        const networkCode = errorCode(err)
        const timedOut = /TIMEOUT/.test(networkCode ?? '')
        return new TransportError(
          timedOut ? 'Timeout' : 'Transport',
          `reading blob ${digest} from ${url}: ${timedOut ? 'timed out' : describeNetworkError(err)}`,
          {
            ...this.#ctx({ url, cause: err }),
            networkCode,
            retryable: isRetryableNetworkError(err),
          },
        )
      },
    })
    const mediaType = header(res.headers, 'content-type')
    return { size: size ?? length, ...(mediaType !== undefined && { mediaType }), body }
  }

  /** blobHead checks that a blob exists, with one HEAD (redirects followed), and reads its size. */
  async blobHead(
    descriptor: { digest: string; size?: number },
    opts: CallOptions = {},
  ): Promise<BlobInfo> {
    const { digest, size } = descriptor
    const { res, length } = await this.#blobResponse('HEAD', descriptor, opts)
    const sent = header(res.headers, 'docker-content-digest')
    if (sent !== undefined && sent !== digest) {
      throw new DigestMismatchError({ ...this.#ctx(), expected: digest, actual: sent })
    }
    return { size: length ?? size, digest }
  }

  /**
   * #blobResponse sends a GET (body left unread) or HEAD for a blob, redirects followed, and
   * refuses an answer that is not 200 or whose length contradicts the descriptor's size.
   */
  async #blobResponse(
    method: 'GET' | 'HEAD',
    { digest, size }: { digest: string; size?: number },
    opts: CallOptions,
  ): Promise<{ res: HttpResponse; length: number | undefined }> {
    // The digest goes into the URL path: anything else is refused before it gets there.
    parseDigest(digest)
    const res = await this.#request({
      method,
      path: `blobs/${digest}`,
      maxBytes: 0,
      stream: method === 'GET',
      followRedirects: true,
      signal: opts.signal,
    })
    const refuse = (err: Error) => {
      if (res.stream) discard(res.stream)
      return err
    }
    if (res.status !== 200) throw refuse(this.#statusError(res, `blob ${digest}`))
    const length = contentLength(res.headers)
    if (size !== undefined && length !== undefined && length !== size) {
      throw refuse(this.#lengthMismatch(digest, length, size))
    }
    return { res, length }
  }

  /**
   * tags lists every tag, following `Link` pagination on the same origin; null, empty and
   * ungrammatical entries are dropped and the result is sorted.
   */
  async tags(opts: CallOptions = {}): Promise<string[]> {
    const { maxPages, maxTags, tagPageBytes } = this.#client.limits
    const seen = new Set<string>()
    const tags = new Set<string>()
    let next: string | URL | undefined = 'tags/list'
    for (let page = 0; next !== undefined; page++) {
      if (page >= maxPages) {
        throw new RegistryClientError(
          'RegistryProtocol',
          `tag list exceeds ${maxPages} pages`,
          this.#ctx(),
        )
      }
      const res: HttpResponse = await this.#request({
        method: 'GET',
        path: next,
        maxBytes: tagPageBytes,
        signal: opts.signal,
      })
      if (res.status !== 200) throw this.#statusError(res, 'tag list')
      for (const tag of parseTagPage(res.body)) {
        if (tags.size >= maxTags) break
        tags.add(tag)
      }
      const link = nextPageURL(header(res.headers, 'link'), res.url)
      if (link && link.origin !== res.url.origin) {
        throw new RegistryClientError(
          'RegistryProtocol',
          `tag list pagination points at another host (${redactUrl(link)})`,
          this.#ctx(),
        )
      }
      if (link && seen.has(link.href)) {
        throw new RegistryClientError('RegistryProtocol', 'tag list pagination loops', this.#ctx())
      }
      if (link) seen.add(link.href)
      next = tags.size >= maxTags ? undefined : link
    }
    return [...tags].sort()
  }

  #ctx(extra: Partial<ErrorContext> = {}): ErrorContext {
    return { registry: this.#target.registry, repository: this.#target.repository, ...extra }
  }

  #verify(digest: string, bytes: Buffer, size: number | undefined): void {
    if (size !== undefined && bytes.length !== size) {
      throw this.#lengthMismatch(digest, bytes.length, size)
    }
    const { algorithm } = parseDigest(digest)
    const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
    if (actual !== digest)
      throw new DigestMismatchError({ ...this.#ctx(), expected: digest, actual })
  }

  #lengthMismatch(digest: string, length: number, size: number): DigestMismatchError {
    return new DigestMismatchError({
      ...this.#ctx(),
      expected: digest,
      actual: `${length} bytes instead of ${size}`,
    })
  }

  #parse(res: HttpResponse, digest: string): FetchedManifest {
    try {
      const manifest = parseManifest(res.body, header(res.headers, 'content-type'))
      return { digest, mediaType: manifest.mediaType, bytes: res.body, manifest }
    } catch (err) {
      throw this.#manifestError(err)
    }
  }

  #manifestError(err: unknown): unknown {
    if (!(err instanceof ManifestParseError)) return err
    return new RegistryClientError(
      err.code,
      `${this.name}: ${err.message}`,
      this.#ctx({ cause: err }),
    )
  }

  #statusError(res: HttpResponse, what: string): RegistryClientError {
    const diagnostics = parseDiagnostics(res.body)
    const codes = diagnostics.map((d) => d.code).join(', ')
    const ctx = this.#ctx({ status: res.status, url: redactUrl(res.url), diagnostics })
    const suffix = codes ? ` (${codes})` : ''
    if (res.status === 404) {
      const missingRepo = diagnostics.some((d) => d.code === 'NAME_UNKNOWN')
      return new RegistryClientError(
        'NotFound',
        missingRepo
          ? `repository ${this.name} not found on ${this.#target.registry}${suffix}`
          : `${what} not found in ${this.name}${suffix}`,
        ctx,
      )
    }
    if (res.status === 429) {
      const wait = parseRetryAfter(header(res.headers, 'retry-after'))
      return new RateLimitedError(
        `${this.#target.registry} is rate limiting requests (HTTP 429)${suffix}`,
        { ...ctx, ...(wait !== undefined && { retryAt: new Date(Date.now() + wait) }) },
      )
    }
    return new RegistryClientError(
      res.status >= 500 ? 'RegistryUnavailable' : 'RegistryProtocol',
      `${this.#target.registry} answered HTTP ${res.status} for ${what} of ${this.name}${suffix}`,
      ctx,
    )
  }

  /**
   * #request sends a repository request with the working credential, or with each matching
   * credential in turn until one is not refused with 401/403 (the kubelet's behaviour, which
   * OpenShift's importer lacks).
   */
  async #request(req: RepoRequest): Promise<HttpResponse> {
    const order = this.#workingKnown
      ? [this.#working, ...this.#candidates.filter((c) => c !== this.#working)]
      : this.#candidates
    const attempts: CredentialAttempt[] = []
    for (const credential of order) {
      try {
        const res = await this.#authorized(credential, req)
        if (res.status === 401 || res.status === 403) {
          attempts.push({ source: credential?.source, status: res.status })
          continue
        }
        this.#working = credential
        this.#workingKnown = true
        return res
      } catch (err) {
        if (!(err instanceof AuthError)) throw err
        attempts.push(...err.attempts)
      }
    }
    throw this.#authError(attempts)
  }

  #authError(attempts: readonly CredentialAttempt[]): AuthError {
    const forbidden = attempts.length > 0 && attempts.every((a) => a.status === 403)
    const tried = attempts
      .filter((a) => a.source)
      .map((a) => `${describeSource(a.source!)} (HTTP ${a.status ?? '?'})`)
    const reason =
      tried.length === 0
        ? `no credential matched ${this.name}, and anonymous access was refused`
        : `refused ${tried.length === 1 ? 'the credential from' : 'every matching credential:'} ${tried.join('; ')}`
    return new AuthError(
      forbidden ? 'Forbidden' : 'Unauthorized',
      `${forbidden ? 'access denied' : 'authentication required'} to ${this.name}: ${this.#target.registry} ${reason}`,
      { ...this.#ctx(), status: attempts.at(-1)?.status, attempts },
    )
  }

  async #authorized(credential: Credential | undefined, req: RepoRequest): Promise<HttpResponse> {
    const { insecure } = this.#target
    const endpoint = await this.#client.endpoints.resolve(
      this.#target.registry,
      insecure,
      req.signal,
    )
    const scopes = [`repository:${this.#target.repository}:pull`]
    let auth = await this.#authorization(endpoint, endpoint.challenge, credential, scopes, req)
    let res = await this.#send(endpoint, req, auth?.header)
    if (res.status !== 401) return res
    const challenge = pickChallenge(parseChallenges(res.headers['www-authenticate']))
    if (!challenge || (challenge.scheme === 'basic' && !credential)) return res
    let retryScopes = scopes
    const wanted = scopesOf(challenge)
    if (
      challenge.params.error === 'insufficient_scope' &&
      wanted.some((s) => !scopes.includes(s))
    ) {
      // Some registries read only the first scope, so the one they asked for goes first.
      retryScopes = [...wanted, ...scopes.filter((s) => !wanted.includes(s))]
    } else if (auth?.token) {
      this.#client.tokens.invalidate(auth.token.request, auth.token.value)
    } else if (challenge.scheme === endpoint.challenge?.scheme) {
      return res
    }
    auth = await this.#authorization(endpoint, challenge, credential, retryScopes, req)
    res = await this.#send(endpoint, req, auth?.header)
    return res
  }

  async #authorization(
    endpoint: Endpoint,
    challenge: Challenge | undefined,
    credential: Credential | undefined,
    scopes: readonly string[],
    req: RepoRequest,
  ): Promise<{ header: string; token?: { request: TokenRequest; value: string } } | undefined> {
    if (!challenge) return undefined
    if (challenge.scheme === 'basic') {
      const value = basicAuthorization(credential)
      return value ? { header: value } : undefined
    }
    const realm = challenge.params.realm
    if (!realm) {
      throw new RegistryClientError(
        'RegistryProtocol',
        `${this.#target.registry} sent a Bearer challenge without a realm`,
        this.#ctx(),
      )
    }
    const request: TokenRequest = {
      realm,
      service: challenge.params.service,
      scopes,
      credential,
      registryURL: endpoint.origin,
      insecure: this.#target.insecure,
      context: { registry: this.#target.registry, repository: this.#target.repository },
      signal: req.signal,
    }
    const value = await this.#client.tokens.token(request)
    return { header: `Bearer ${value}`, token: { request, value } }
  }

  #send(endpoint: Endpoint, req: RepoRequest, authorization: string | undefined) {
    const url =
      req.path instanceof URL
        ? req.path
        : new URL(`/v2/${this.#target.repository}/${req.path}`, endpoint.origin)
    return this.#client.http.send({
      method: req.method,
      url,
      headers: {
        ...(req.accept && { accept: req.accept }),
        ...(authorization && { authorization }),
      },
      maxBytes: req.maxBytes,
      ...(req.stream && { stream: true }),
      insecure: this.#target.insecure,
      followRedirects: req.followRedirects ?? false,
      signal: req.signal,
      context: { registry: this.#target.registry, repository: this.#target.repository },
    })
  }
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = header(headers, 'content-length')
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

function parseDiagnostics(body: Buffer): Diagnostic[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown }
    if (!Array.isArray(parsed.errors)) return []
    return parsed.errors
      .filter(
        (e): e is { code: unknown; message?: unknown; detail?: unknown } =>
          typeof e === 'object' && e !== null,
      )
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        message: typeof e.message === 'string' ? e.message : '',
        ...(e.detail !== undefined && e.detail !== null && { detail: e.detail }),
      }))
  } catch {
    return []
  }
}
