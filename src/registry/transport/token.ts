/**
 * Bearer tokens from a registry's token realm (distribution auth/token.md and auth/oauth.md):
 * anonymous or credentialed GET, OAuth2 refresh-token POST for `identitytoken` credentials,
 * a cache keyed by realm, service, scopes and credential fingerprint, single-flight fetches.
 */
import type { Credential } from '../../credentials/index.js'
import { credentialFingerprint, describeSource } from '../../credentials/index.js'
import { AuthError, RegistryClientError } from '../errors.js'
import { PrivateAddressError } from './agents.js'
import type { HttpResponse, HttpTransport, RequestContext, SendOptions } from './http.js'
import { redactUrl } from '../../lib/redact-url.js'

/** TokenRequest identifies a token: where to get it, for what, as whom. */
export interface TokenRequest {
  readonly realm: string
  readonly service: string | undefined
  readonly scopes: readonly string[]
  readonly credential: Credential | undefined
  /** Registry origin the token is for: realm policy is judged against it. */
  readonly registryURL: URL
  readonly insecure: boolean
  readonly context: RequestContext
  readonly signal?: AbortSignal | undefined
}

interface CachedToken {
  readonly token: string
  readonly expiresAt: number
}

const MAX_TOKEN_BODY = 1024 * 1024
const MIN_LIFETIME_S = 60

/** TokenSource hands out bearer tokens, fetching each distinct one once at a time. */
export class TokenSource {
  readonly #http: HttpTransport
  readonly #now: () => number
  readonly #cache = new Map<string, CachedToken>()
  readonly #inflight = new Map<string, Promise<CachedToken>>()

  constructor(http: HttpTransport, now: () => number = Date.now) {
    this.#http = http
    this.#now = now
  }

  /** token returns a valid cached token or fetches one (concurrent callers share the fetch). */
  async token(req: TokenRequest): Promise<string> {
    const key = cacheKey(req)
    const cached = this.#cache.get(key)
    if (cached && cached.expiresAt > this.#now()) return cached.token
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#fetch(req).finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    const fresh = await pending
    this.#cache.set(key, fresh)
    return fresh.token
  }

  /** invalidate drops a token the registry refused, so the next call fetches a new one. */
  invalidate(req: TokenRequest, token: string): void {
    const key = cacheKey(req)
    if (this.#cache.get(key)?.token === token) this.#cache.delete(key)
  }

  async #fetch(req: TokenRequest): Promise<CachedToken> {
    const realm = validateRealm(req)
    // The registry's own host may be private (a registry the user configured); another realm
    // host may be private only when the registry is (docs/registry-protocol.md#private-addresses).
    const publicOnly =
      realm.hostname !== req.registryURL.hostname &&
      !(await this.#http.isPrivate(req.registryURL.hostname))
    const send = async (opts: Omit<SendOptions, 'publicOnly'>) => {
      try {
        return await this.#http.send({ ...opts, publicOnly })
      } catch (err) {
        if (!(err instanceof RegistryClientError && err.cause instanceof PrivateAddressError)) {
          throw err
        }
        throw new RegistryClientError(
          'RegistryProtocol',
          `refusing token realm: ${err.cause.message}, and not the registry's own host`,
          { ...req.context, url: err.url, cause: err.cause },
        )
      }
    }
    const cred = req.credential
    let res: HttpResponse | undefined
    if (cred?.identityToken) {
      res = await send({
        method: 'POST',
        url: realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: oauthBody(req, cred.identityToken),
        maxBytes: MAX_TOKEN_BODY,
        insecure: req.insecure,
        signal: req.signal,
        context: req.context,
      })
      // Token servers without OAuth2 answer 404; the spec says fall back to the GET flow.
      if (res.status === 404 || res.status === 405) res = undefined
    }
    if (!res) {
      const url = new URL(realm)
      if (req.service) url.searchParams.set('service', req.service)
      for (const s of req.scopes) url.searchParams.append('scope', s)
      const basic = basicOf(cred)
      if (basic && cred?.username) url.searchParams.set('account', cred.username)
      res = await send({
        method: 'GET',
        url,
        headers: basic ? { authorization: basic } : {},
        maxBytes: MAX_TOKEN_BODY,
        insecure: req.insecure,
        signal: req.signal,
        context: req.context,
      })
    }
    return this.#parse(req, res)
  }

  #parse(req: TokenRequest, res: HttpResponse): CachedToken {
    const ctx = { ...req.context, status: res.status, url: redactUrl(res.url) }
    if (res.status === 401 || res.status === 403) {
      const who = req.credential
        ? `the credential from ${describeSource(req.credential.source)}`
        : 'anonymous access'
      throw new AuthError(
        res.status === 401 ? 'Unauthorized' : 'Forbidden',
        `token server ${res.url.host} refused ${who} (HTTP ${res.status})`,
        { ...ctx, attempts: [{ source: req.credential?.source, status: res.status }] },
      )
    }
    if (res.status !== 200) {
      throw new RegistryClientError(
        res.status >= 500 ? 'RegistryUnavailable' : 'RegistryProtocol',
        `token server ${res.url.host} answered HTTP ${res.status}`,
        ctx,
      )
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown }
    try {
      body = JSON.parse(res.body.toString('utf8')) as typeof body
    } catch {
      throw new RegistryClientError('RegistryProtocol', 'token response is not JSON', ctx)
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token
    if (typeof token !== 'string' || token === '') {
      throw new RegistryClientError('RegistryProtocol', 'token response carries no token', ctx)
    }
    const lifetime = Math.max(
      MIN_LIFETIME_S,
      typeof body.expires_in === 'number' ? body.expires_in : 0,
    )
    // Expiry counts from our receive time (server clocks drift), less a safety margin.
    const margin = Math.max(10, lifetime * 0.1)
    return { token, expiresAt: this.#now() + (lifetime - margin) * 1000 }
  }
}

function cacheKey(req: TokenRequest): string {
  const who = req.credential ? credentialFingerprint(req.credential) : 'anonymous'
  return [req.realm, req.service ?? '', [...req.scopes].sort().join(' '), who].join('\n')
}

function basicOf(cred: Credential | undefined): string | undefined {
  if (!cred) return undefined
  const secret = cred.password || cred.identityToken || ''
  if (!cred.username && !secret) return undefined
  return `Basic ${Buffer.from(`${cred.username}:${secret}`).toString('base64')}`
}

/** basicAuthorization is the Authorization value for Basic-challenge registries. */
export function basicAuthorization(cred: Credential | undefined): string | undefined {
  return cred && (cred.username || cred.password) ? basicOf(cred) : undefined
}

function oauthBody(req: TokenRequest, refreshToken: string): string {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'imagestreams',
  })
  if (req.service) form.set('service', req.service)
  if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '))
  return form.toString()
}

/**
 * validateRealm applies ggcr's realm policy: https, or http only for an insecure or plain-http
 * registry. Whether its host may be private is judged when connecting (publicOnly above).
 */
function validateRealm(req: TokenRequest): URL {
  const fail = (why: string): never => {
    throw new RegistryClientError('RegistryProtocol', `refusing token realm: ${why}`, req.context)
  }
  let realm: URL
  try {
    realm = new URL(req.realm)
  } catch {
    return fail(`${JSON.stringify(req.realm)} is not a URL`)
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    return fail(`unsupported scheme ${realm.protocol}`)
  }
  if (realm.protocol === 'http:' && req.registryURL.protocol === 'https:' && !req.insecure) {
    return fail(`${redactUrl(realm)} uses plain http for an https registry`)
  }
  return realm
}
