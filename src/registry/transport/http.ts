/**
 * One HTTP exchange with a registry, token server or blob store: the TLS policy's dispatcher,
 * a per-attempt deadline, capped body reads, redirects followed by us (credentials kept only
 * on the same origin, https->http refused unless insecure) and retries with jittered backoff.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { deadline, sleep } from '../../lib/abort.js'
import { backoffDelay } from '../../lib/backoff.js'
import { RateLimitedError, RegistryClientError, TransportError } from '../errors.js'
import { PrivateAddressError, type Agents } from './agents.js'
import { redactUrl } from '../../lib/redact-url.js'
import { request } from '../../lib/undici.js'
import {
  errorCode,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from './retry.js'

/** Logger is the narrow logging seam of the registry layer. */
export interface Logger {
  warn(context: Record<string, unknown>, message: string): void
}

/** SILENT_LOGGER drops everything; the default when the caller passes none. */
export const SILENT_LOGGER: Logger = { warn() {} }

/** RequestContext names the registry and repository a request concerns, for errors and logs. */
export interface RequestContext {
  readonly registry: string
  readonly repository?: string | undefined
}

/** SendOptions describes one logical request (retries and redirects included). */
export interface SendOptions {
  readonly method: 'GET' | 'HEAD' | 'POST'
  readonly url: URL
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** Largest successful body accepted; a larger one aborts the read (TooLarge). */
  readonly maxBytes: number
  /**
   * Leave a 2xx body unread, in the response's `stream` (maxBytes does not apply). The attempt
   * deadline then covers the headers only (the agents' body idle timeout still applies), and
   * `signal` still aborts the body; retries happen only before the first byte.
   */
  readonly stream?: boolean
  /** Use the skip-verify dispatcher and allow redirects to plain http. */
  readonly insecure: boolean
  /**
   * Connect to public addresses only, from the first hop on (a token realm that is not the
   * registry's own host, for a public registry); redirects after a public hop are always so.
   */
  readonly publicOnly?: boolean
  readonly followRedirects?: boolean
  /** Retry statuses and network errors (default true). */
  readonly retry?: boolean
  /**
   * Retry a refused connection (default true). A ping sets false: before any request worked,
   * a refusal means a wrong host or port far more often than a restarting registry.
   */
  readonly retryRefused?: boolean
  readonly signal?: AbortSignal | undefined
  readonly context: RequestContext
}

/** HttpResponse is a fully read response, or a 2xx answer to a `stream` request left unread. */
export interface HttpResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** The body read (empty when it is in `stream`). */
  readonly body: Buffer
  /** The unread body of a streamed 2xx answer; the caller must consume or destroy it. */
  readonly stream?: Readable
  /** The URL that finally answered (after redirects). */
  readonly url: URL
}

/**
 * ResponseObservation is what a response observer learns of one HTTP response: the registry the
 * request was for (also for its token server and blob redirects), never the URL, which may carry
 * credentials or tokens.
 */
export interface ResponseObservation {
  readonly registry: string
  readonly method: string
  readonly status: number
}

/** ResponseObserver is called once per HTTP response, retries and redirect hops included; it must be cheap and must not throw. */
export type ResponseObserver = (response: ResponseObservation) => void

/** HttpTransportOptions configures an HttpTransport. */
export interface HttpTransportOptions {
  readonly agents: Agents
  readonly retry: RetryPolicy
  /** Absolute deadline of one attempt, in ms. */
  readonly attemptDeadlineMs: number
  readonly logger: Logger
  readonly onResponse?: ResponseObserver | undefined
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
/** Docker Hub's pull-limit window when RateLimit-Remaining names none: six hours. */
const DEFAULT_PULL_WINDOW_S = 6 * 3600
const MAX_REDIRECTS = 5
const MAX_ERROR_BODY = 64 * 1024

/** header reads a single-valued header (first value when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** HttpTransport sends requests; it knows nothing of registries beyond error context. */
export class HttpTransport {
  readonly #opts: HttpTransportOptions
  readonly #warned = new Set<string>()
  /** Registries whose pull allowance is used up (Docker Hub's RateLimit-Remaining: 0), until when. */
  readonly #exhausted = new Map<string, number>()

  constructor(opts: HttpTransportOptions) {
    this.#opts = opts
  }

  /**
   * pullLimitReachedUntil says until when (ms since the epoch) `registry` has no pulls left, as
   * its last RateLimit-Remaining header said; undefined when it has some or never said.
   */
  pullLimitReachedUntil(registry: string): number | undefined {
    const until = this.#exhausted.get(registry)
    if (until === undefined || until > Date.now()) return until
    this.#exhausted.delete(registry)
    return undefined
  }

  /** isPrivate says whether `hostname` is a private literal, a localhost name or resolves to a private address. */
  isPrivate(hostname: string): Promise<boolean> {
    return this.#opts.agents.isPrivate(hostname)
  }

  /** send performs the request with retries; non-2xx answers are returned, not thrown. */
  async send(req: SendOptions): Promise<HttpResponse> {
    const policy = this.#opts.retry
    const attempts = req.retry === false ? 1 : policy.attempts
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= attempts
      let res: HttpResponse
      try {
        res = await this.#sendFollowingRedirects(req)
      } catch (err) {
        if (last || !(err instanceof TransportError) || !err.retryable) throw err
        if (req.retryRefused === false && err.networkCode === 'ECONNREFUSED') throw err
        await sleep(backoffDelay(policy, attempt), req.signal)
        continue
      }
      if (!isRetryableStatus(res.status) || req.retry === false) return res
      const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'))
      if (res.status === 429 && retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
        throw new RateLimitedError(
          `${req.context.registry} is rate limiting requests (HTTP 429) and asked to wait ${Math.round(retryAfter / 1000)} s`,
          { ...this.#ctx(req, res), retryAt: new Date(Date.now() + retryAfter) },
        )
      }
      if (last) return res
      this.#opts.logger.warn(
        { registry: req.context.registry, status: res.status, attempt: attempt + 1 },
        'registry answered a retryable status; retrying',
      )
      await sleep(retryAfter ?? backoffDelay(policy, attempt), req.signal)
    }
  }

  #ctx(req: SendOptions, res?: HttpResponse) {
    return {
      registry: req.context.registry,
      repository: req.context.repository,
      url: redactUrl(res?.url ?? req.url),
      ...(res && { status: res.status }),
    }
  }

  async #sendFollowingRedirects(req: SendOptions): Promise<HttpResponse> {
    let url = req.url
    let headers = { ...req.headers }
    let publicOnly = req.publicOnly === true
    for (let hop = 0; ; hop++) {
      let res: HttpResponse
      try {
        res = await this.#sendOnce(req, url, headers, publicOnly)
      } catch (err) {
        if (!(err instanceof PrivateAddressError)) throw err
        throw new RegistryClientError(
          hop === 0 ? 'RegistryProtocol' : 'RedirectRefused',
          hop === 0
            ? `refusing ${redactUrl(url)}: ${err.message}`
            : `refusing redirect from a public host to ${redactUrl(url)}: ${err.message}`,
          { ...this.#ctx(req), url: redactUrl(url), cause: err },
        )
      }
      const location = header(res.headers, 'location')
      if (!req.followRedirects || !REDIRECT_STATUS.has(res.status) || !location) return res
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryClientError('RedirectRefused', `more than ${MAX_REDIRECTS} redirects`, {
          ...this.#ctx(req, res),
        })
      }
      const next = new URL(location, url)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new RegistryClientError(
          'RedirectRefused',
          `redirect to unsupported scheme ${next.protocol}`,
          this.#ctx(req, res),
        )
      }
      if (url.protocol === 'https:' && next.protocol === 'http:' && !req.insecure) {
        throw new RegistryClientError(
          'RedirectRefused',
          `refusing redirect from https to plain http (${redactUrl(next)}); mark the registry insecure to allow it`,
          this.#ctx(req, res),
        )
      }
      // A public host sending us to a private address is an SSRF attempt (ggcr fetcher.go): a hop
      // after a public one goes through the public-only dispatchers, whose connectors judge the
      // addresses a name resolves to as well as literals (docs/registry-protocol.md#private-addresses).
      publicOnly ||= !(await this.#opts.agents.isPrivate(url.hostname))
      if (next.origin !== url.origin) {
        // Credentials belong to the registry's origin only; object stores reject them anyway.
        const { authorization: _dropped, ...rest } = headers
        headers = rest
      }
      url = next
    }
  }

  async #sendOnce(
    req: SendOptions,
    url: URL,
    headers: Record<string, string>,
    publicOnly: boolean,
  ): Promise<HttpResponse> {
    const attempt = deadline(req.signal, this.#opts.attemptDeadlineMs)
    const signal = attempt.signal
    let handedOff = false
    try {
      const agents = publicOnly ? this.#opts.agents.publicOnly : this.#opts.agents
      const dispatcher = req.insecure ? agents.insecure : agents.secure
      const res = await request(dispatcher, url, {
        method: req.method,
        headers,
        ...(req.body !== undefined && { body: req.body }),
        signal,
      })
      this.#opts.onResponse?.({
        registry: req.context.registry,
        method: req.method,
        status: res.statusCode,
      })
      this.#logWarnings(req, res.headers)
      this.#notePullLimit(req.context.registry, res.headers)
      if (req.method === 'HEAD') {
        await res.body.dump()
        return { status: res.statusCode, headers: res.headers, body: Buffer.alloc(0), url }
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300
      if (ok && req.stream) {
        // The signal must keep reaching the body until it is done: undici aborts it from there.
        attempt.disarm()
        handedOff = true
        res.body.once('close', () => attempt.dispose())
        return {
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.alloc(0),
          url,
          stream: res.body,
        }
      }
      const body = ok
        ? await readCapped(res.body, res.headers, req.maxBytes, () =>
            this.#tooLarge(req, url, res.statusCode),
          )
        : await readTruncated(res.body, MAX_ERROR_BODY)
      // undici hands an HTTP/1.1 connection back to its pool only after the tick in which the
      // body ended: a request sent from here at once (manifest, then config, then children)
      // would find it busy and open another connection, a TLS handshake each. One turn of the
      // event loop lets the next request reuse it (measured: `isctl image info` 3 -> 2 connections).
      await new Promise((resolve) => setImmediate(resolve))
      return { status: res.statusCode, headers: res.headers, body, url }
    } catch (err) {
      if (err instanceof RegistryClientError || err instanceof PrivateAddressError) throw err
      if (req.signal?.aborted) throw req.signal.reason
      const networkCode = errorCode(err)
      const timedOut = attempt.expired() || /TIMEOUT/.test(networkCode ?? '')
      throw new TransportError(
        timedOut ? 'Timeout' : 'Transport',
        `${req.method} ${redactUrl(url)}: ${timedOut ? 'timed out' : describeNetworkError(err)}`,
        {
          ...this.#ctx(req),
          url: redactUrl(url),
          cause: err,
          networkCode,
          // The attempt deadline is already long: hitting it again would only double the wait.
          retryable: !attempt.expired() && isRetryableNetworkError(err),
        },
      )
    } finally {
      if (!handedOff) attempt.dispose()
    }
  }

  #tooLarge(req: SendOptions, url: URL, status: number): RegistryClientError {
    return new RegistryClientError(
      'TooLarge',
      `response body of ${redactUrl(url)} exceeds the limit of ${req.maxBytes} bytes`,
      { ...this.#ctx(req), url: redactUrl(url), status },
    )
  }

  /**
   * #notePullLimit reads Docker Hub's `RateLimit-Remaining: <n>;w=<seconds>` (sent on HEADs too,
   * which do not count): at 0, pulls fail with 429 until the window has passed.
   */
  #notePullLimit(registry: string, headers: IncomingHttpHeaders): void {
    const m = /^\s*(\d+)(?:\s*;\s*w=(\d+))?/.exec(header(headers, 'ratelimit-remaining') ?? '')
    if (!m) return
    if (Number(m[1]) > 0) {
      this.#exhausted.delete(registry)
      return
    }
    const windowSeconds = m[2] === undefined ? DEFAULT_PULL_WINDOW_S : Number(m[2])
    this.#exhausted.set(registry, Date.now() + windowSeconds * 1000)
  }

  #logWarnings(req: SendOptions, headers: IncomingHttpHeaders): void {
    const raw: string | string[] | undefined = headers.warning
    for (const w of typeof raw === 'string' ? [raw] : (raw ?? [])) {
      const m = /^299\s+\S+\s+"(.{1,4096})"/.exec(w)
      if (!m || this.#warned.has(m[1]!)) continue
      this.#warned.add(m[1]!)
      this.#opts.logger.warn({ registry: req.context.registry }, `registry warning: ${m[1]!}`)
    }
  }
}

/** describeNetworkError turns a socket/TLS error into a short, credential-free phrase. */
export function describeNetworkError(err: unknown): string {
  const code = errorCode(err)
  // OpenSSL's own message carries its error stack and source file; its reason is the useful part.
  const reason = (err as { reason?: unknown }).reason
  const message =
    typeof reason === 'string' ? reason : err instanceof Error ? err.message : String(err)
  return code && !message.includes(code) ? `${message} (${code})` : message
}

type Body = AsyncIterable<Buffer> & {
  destroy(err?: Error): unknown
  on(event: 'error', listener: () => void): unknown
}

/** discard abandons an unread body; undici's abort 'error' needs a listener or it crashes us. */
export function discard(body: Body): void {
  body.on('error', () => {})
  body.destroy()
}

async function readCapped(
  body: Body,
  headers: IncomingHttpHeaders,
  max: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const declared = Number(header(headers, 'content-length'))
  if (Number.isFinite(declared) && declared > max) {
    discard(body)
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    total += chunk.length
    if (total > max) {
      discard(body)
      throw tooLarge()
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

async function readTruncated(body: Body, max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    total += chunk.length
    if (total >= max) {
      discard(body)
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, max)
}
