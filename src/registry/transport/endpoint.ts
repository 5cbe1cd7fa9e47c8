/**
 * Registry endpoint discovery: `GET /v2/` tells the scheme that works and the auth challenge.
 * Insecure registries get HTTPS without verification first and plain HTTP only when the
 * HTTPS attempt fails below HTTP; a status code never causes a downgrade
 * (docs/registry-protocol.md#insecure-registries).
 */
import { registryApiHost } from '../../reference/index.js'
import { RegistryClientError, TransportError } from '../errors.js'
import { parseChallenges, pickChallenge, type Challenge } from './challenge.js'
import type { HttpResponse, HttpTransport } from './http.js'

/** Endpoint is what a ping learned about a registry. */
export interface Endpoint {
  /** `https://host[:port]` or, for an insecure registry without working TLS, `http://...`. */
  readonly origin: URL
  /** The challenge of `/v2/`; undefined when the registry allows anonymous access. */
  readonly challenge: Challenge | undefined
}

const TLS_CODES = /^(EPROTO|ERR_SSL_|ERR_TLS_)/
const CERT_CODES =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID)/

/** Endpoints caches pings per (registry, insecure) for a while and shares concurrent pings. */
export class Endpoints {
  readonly #http: HttpTransport
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #cache = new Map<string, { endpoint: Endpoint; until: number }>()
  readonly #inflight = new Map<string, Promise<Endpoint>>()

  constructor(http: HttpTransport, ttlMs: number, now: () => number = Date.now) {
    this.#http = http
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** resolve returns the cached endpoint or pings the registry. */
  async resolve(registry: string, insecure: boolean, signal?: AbortSignal): Promise<Endpoint> {
    const key = `${registry}\n${insecure}`
    const hit = this.#cache.get(key)
    if (hit && hit.until > this.#now()) return hit.endpoint
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#ping(registry, insecure, signal).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    const endpoint = await pending
    this.#cache.set(key, { endpoint, until: this.#now() + this.#ttlMs })
    return endpoint
  }

  async #ping(registry: string, insecure: boolean, signal?: AbortSignal): Promise<Endpoint> {
    const host = registryApiHost(registry)
    const https = new URL(`https://${host}/`)
    try {
      // An insecure registry may not speak TLS at all: fail fast instead of retrying.
      return this.#interpret(
        registry,
        https,
        await this.#get(registry, https, insecure, !insecure, signal),
      )
    } catch (err) {
      if (!(err instanceof TransportError)) throw err
      if (!insecure) throw withTlsHint(err)
      const http = new URL(`http://${host}/`)
      try {
        return this.#interpret(registry, http, await this.#get(registry, http, true, true, signal))
      } catch (plainErr) {
        if (plainErr instanceof TransportError) {
          throw new TransportError(
            plainErr.code === 'Timeout' ? 'Timeout' : 'Transport',
            `${registry} is unreachable over HTTPS (${err.message}) and over HTTP (${plainErr.message})`,
            { registry, networkCode: plainErr.networkCode, retryable: false, cause: plainErr },
          )
        }
        throw plainErr
      }
    }
  }

  #get(
    registry: string,
    origin: URL,
    insecure: boolean,
    retry: boolean,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    return this.#http.send({
      method: 'GET',
      url: new URL('/v2/', origin),
      maxBytes: 64 * 1024,
      insecure,
      retry,
      retryRefused: false,
      signal,
      context: { registry },
    })
  }

  #interpret(registry: string, origin: URL, res: HttpResponse): Endpoint {
    if (res.status >= 200 && res.status < 300) return { origin, challenge: undefined }
    if (res.status === 401 || res.status === 403) {
      // 401/403 without a usable challenge still proves a v2 registry (library-go accepts them).
      return { origin, challenge: pickChallenge(parseChallenges(res.headers['www-authenticate'])) }
    }
    const ctx = { registry, status: res.status, url: new URL('/v2/', origin).toString() }
    if (res.status === 404) {
      throw new RegistryClientError(
        'RegistryProtocol',
        `${registry} is not a container registry: GET /v2/ answered 404`,
        ctx,
      )
    }
    throw new RegistryClientError(
      res.status >= 500 ? 'RegistryUnavailable' : 'RegistryProtocol',
      `${registry} answered GET /v2/ with HTTP ${res.status}`,
      ctx,
    )
  }
}

/** withTlsHint explains the two TLS failures users hit most and what to do about them. */
function withTlsHint(err: TransportError): TransportError {
  const code = err.networkCode ?? ''
  let tlsProblem: 'untrusted-certificate' | 'not-tls' | undefined
  let hint = ''
  if (TLS_CODES.test(code) || /wrong version number|packet length too long/.test(err.message)) {
    tlsProblem = 'not-tls'
    hint = 'the registry does not speak HTTPS; if it is a plain-HTTP registry, mark it insecure'
  } else if (CERT_CODES.test(code)) {
    tlsProblem = 'untrusted-certificate'
    hint =
      "the registry's certificate is not trusted; add its CA as a trusted CA or mark it insecure"
  }
  if (!tlsProblem) return err
  return new TransportError(
    err.code === 'Timeout' ? 'Timeout' : 'Transport',
    `${err.message}: ${hint}`,
    {
      registry: err.registry,
      networkCode: err.networkCode,
      retryable: false,
      tlsProblem,
      cause: err,
      ...(err.url && { url: err.url }),
    },
  )
}
