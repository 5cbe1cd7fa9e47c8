/** A deliberately small registry HTTP client for the harness itself (fixtures, self-test). */
import { Agent, request, type Dispatcher } from 'undici'

/** A fully-read HTTP response. */
export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Every manifest media type, so distribution never rewrites or hides what is stored. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

/** Creates an undici Agent that trusts `caPem` (or the default roots when undefined). */
export function makeAgent(caPem?: string): Agent {
  return new Agent({ connect: caPem === undefined ? {} : { ca: caPem }, keepAliveTimeout: 1000 })
}

/** Sends one request and reads the whole body. */
export async function httpRequest(
  url: string,
  opts: {
    method?: Dispatcher.HttpMethod
    headers?: Record<string, string>
    body?: Buffer | string
    dispatcher?: Dispatcher
  } = {},
): Promise<HttpResponse> {
  const res = await request(url, {
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
    dispatcher: opts.dispatcher,
  })
  const body = Buffer.from(await res.body.arrayBuffer())
  return { status: res.statusCode, headers: res.headers, body }
}

/** Returns a header as one string (first value when repeated). */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Parses a single-challenge `WWW-Authenticate` value as distribution sends it. */
export function parseChallenge(value: string): Challenge {
  const m = /^\s*(\S+)\s*(.*)$/.exec(value)
  const params: Record<string, string> = {}
  if (!m) return { scheme: '', params }
  for (const p of (m[2] ?? '').matchAll(/([A-Za-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[p[1]!.toLowerCase()] = p[2]!.replace(/\\(.)/g, '$1')
  }
  return { scheme: m[1]!.toLowerCase(), params }
}

/** Options for `RegistryClient`. */
export interface RegistryClientOptions {
  /** Registry base URL, e.g. `https://127.0.0.1:5000`. */
  url: string
  /** `user:password`; anonymous when undefined. */
  creds?: string
  dispatcher?: Dispatcher
}

/**
 * Answers registry requests with Basic or Bearer auth worked out from the 401 challenge, caching
 * one token per scope. Only what the harness needs: no retries, no redirects.
 */
export class RegistryClient {
  readonly url: string
  readonly #creds: string | undefined
  readonly #dispatcher: Dispatcher | undefined
  readonly #tokens = new Map<string, string>()
  #basic = false

  constructor(opts: RegistryClientOptions) {
    this.url = opts.url.replace(/\/$/, '')
    this.#creds = opts.creds
    this.#dispatcher = opts.dispatcher
  }

  /** Sends `method path` to the registry, authenticating once on a 401 challenge. */
  async request(
    method: Dispatcher.HttpMethod,
    path: string,
    opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
  ): Promise<HttpResponse> {
    const send = (auth: string | undefined): Promise<HttpResponse> =>
      httpRequest(this.url + path, {
        method,
        headers: { ...opts.headers, ...(auth ? { authorization: auth } : {}) },
        body: opts.body,
        dispatcher: this.#dispatcher,
      })
    const res = await send(this.#cachedAuth(method, path))
    if (res.status !== 401) return res
    const wwwAuth = header(res, 'www-authenticate')
    if (!wwwAuth) return res
    const challenge = parseChallenge(wwwAuth)
    if (challenge.scheme === 'basic') {
      if (!this.#creds) return res
      this.#basic = true
      return send(this.#basicAuth())
    }
    if (challenge.scheme !== 'bearer') return res
    const token = await this.#fetchToken(challenge.params)
    this.#tokens.set(challenge.params.scope ?? '', token)
    return send(`Bearer ${token}`)
  }

  #basicAuth(): string {
    return `Basic ${Buffer.from(this.#creds ?? '').toString('base64')}`
  }

  #cachedAuth(method: string, path: string): string | undefined {
    if (this.#basic) return this.#basicAuth()
    // Reuse a token whose scope covers this repository and the actions the method needs.
    const repo = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(path)?.[1]
    if (!repo) return undefined
    const needsPush = !['GET', 'HEAD'].includes(method)
    for (const [scope, token] of this.#tokens) {
      const m = /^repository:(.+):([^:]+)$/.exec(scope)
      if (!m || m[1] !== repo) continue
      const actions = m[2]!.split(',')
      if (actions.includes('pull') && (!needsPush || actions.includes('push'))) {
        return `Bearer ${token}`
      }
    }
    return undefined
  }

  async #fetchToken(params: Record<string, string>): Promise<string> {
    const realm = params.realm
    if (!realm) throw new Error('Bearer challenge without realm')
    const u = new URL(realm)
    if (params.service) u.searchParams.set('service', params.service)
    if (params.scope) u.searchParams.set('scope', params.scope)
    const res = await httpRequest(u.toString(), {
      headers: this.#creds ? { authorization: this.#basicAuth() } : {},
      dispatcher: this.#dispatcher,
    })
    if (res.status !== 200) {
      throw new Error(
        `token request ${u.toString()} answered ${res.status}: ${res.body.toString()}`,
      )
    }
    const parsed = JSON.parse(res.body.toString('utf8')) as {
      token?: string
      access_token?: string
    }
    const token = parsed.token ?? parsed.access_token
    if (!token) throw new Error('token response without token')
    return token
  }
}
