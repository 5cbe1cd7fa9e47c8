/**
 * The typed REST client every API verb uses: one undici agent for the configured server, bearer
 * token authentication, kube's URL layout per resource, and the server's `Status` turned into
 * an `ApiError` that prints as kubectl prints it.
 */
import type { Agent as UndiciAgent, Dispatcher } from 'undici'
import type { KindMap, KindName, ResourceMeta } from '../../api/resource-meta.js'
import type { List, Table, WatchEvent } from '../../api/meta.js'
import { Agent, request, type RequestInit } from '../../lib/undici.js'
import { ConnectionError, toApiError } from './api-errors.js'
import type { RequestLog, RequestRecord } from './request-log.js'
import { resourcePath, type Target } from './resource-path.js'

/** ApiClientOptions are the connection facts taken from the kubeconfig. */
export interface ApiClientOptions {
  /** `https://host:port`, possibly with a path prefix. */
  readonly server: string
  readonly caPem?: string | undefined
  readonly insecureSkipTLSVerify?: boolean | undefined
  readonly tlsServerName?: string | undefined
  readonly token?: string | undefined
  readonly certPem?: string | undefined
  readonly keyPem?: string | undefined
  /** Per request, in milliseconds; 0 or undefined waits forever (kubectl's default). */
  readonly timeoutMs?: number | undefined
  readonly signal?: AbortSignal | undefined
  /** `--as` and `--as-group`: sent with every API request (not with the OAuth exchange). */
  readonly impersonate?: Impersonation | undefined
  /** `-v`: where each request and answer is logged. */
  readonly log?: RequestLog | undefined
}

/** Impersonation is who API requests act as (docs/access-control.md). */
export interface Impersonation {
  readonly user?: string | undefined
  readonly groups?: readonly string[] | undefined
}

/** ListOptions select what a list, table or watch returns. */
export interface ListOptions {
  /** Undefined lists every namespace (`-A`). */
  readonly namespace?: string | undefined
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
}

/** WriteOptions apply to create, update and delete. */
export interface WriteOptions {
  /** Server-side dry run: validated and defaulted, not stored. */
  readonly dryRun?: boolean | undefined
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'

/** RequestOptions shape one call of `ApiClient.request`. */
export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>
  readonly body?: unknown
  readonly accept?: string
  /** The body's media type (PATCH types); `application/json` when unset. */
  readonly contentType?: string
  /** Watches stream for as long as the user waits: no request timeout. */
  readonly stream?: boolean
}

/** RawResponse is an answer exactly as the server gave it. */
export interface RawResponse {
  readonly status: number
  /** The first value of a header (name in lower case). */
  readonly header: (name: string) => string | undefined
  readonly text: string
}

/** ApiClient talks to one API server with one identity. */
export class ApiClient {
  readonly server: string
  readonly #agent: UndiciAgent
  readonly #options: ApiClientOptions

  constructor(options: ApiClientOptions) {
    this.server = options.server.replace(/\/+$/, '')
    this.#options = options
    this.#agent = new Agent({
      connect: {
        ...(options.caPem !== undefined && { ca: options.caPem }),
        ...(options.certPem !== undefined && { cert: options.certPem }),
        ...(options.keyPem !== undefined && { key: options.keyPem }),
        ...(options.tlsServerName !== undefined && { servername: options.tlsServerName }),
        rejectUnauthorized: options.insecureSkipTLSVerify !== true,
      },
    })
  }

  /** request sends one call and decodes its JSON answer; non-2xx becomes an ApiError. */
  async request<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    opts: RequestOptions = {},
  ): Promise<T> {
    const { res, record } = await this.#send(method, path, opts)
    const text = await res.body.text()
    record?.body(text)
    if (res.statusCode < 200 || res.statusCode > 299) throw toApiError(res.statusCode, text)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  async #send(method: Dispatcher.HttpMethod, path: string, opts: RequestOptions): Promise<Sent> {
    const url = new URL(`${this.server}${path}`)
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, v)
    const headers: Record<string, string | string[]> = {
      accept: opts.accept ?? 'application/json',
      'user-agent': 'isctl',
    }
    if (this.#options.token) headers.authorization = `Bearer ${this.#options.token}`
    const { user, groups = [] } = this.#options.impersonate ?? {}
    if (user) headers['impersonate-user'] = user
    if (groups.length > 0) headers['impersonate-group'] = [...groups]
    let body: string | undefined
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] = opts.contentType ?? 'application/json'
    }
    return this.#dispatch(url, { method, headers, ...(body !== undefined && { body }) }, opts)
  }

  async #dispatch(
    url: URL,
    init: Omit<RequestInit, 'signal'>,
    opts: { stream?: boolean },
  ): Promise<Sent> {
    const record = this.#options.log?.request(init.method, url, init.headers, init.body)
    const signals = [this.#options.signal].filter((s): s is AbortSignal => s !== undefined)
    const timeout = this.#options.timeoutMs
    if (!opts.stream && timeout) signals.push(AbortSignal.timeout(timeout))
    const signal = signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal
    try {
      const res = await request(this.#agent, url, { ...init, signal })
      record?.response(res.statusCode, res.headers)
      return { res, record }
    } catch (err) {
      record?.response(undefined, {})
      throw new ConnectionError(`Unable to connect to the server: ${connectionReason(err)}`, {
        cause: err,
      })
    }
  }

  /**
   * exchange sends one request to `url` (absolute, or a path on the server) with exactly the
   * given headers, no bearer token, and returns the answer as is: redirects are not followed.
   * For the OAuth login, whose 401 challenges and 302s are the protocol.
   */
  async exchange(
    method: Dispatcher.HttpMethod,
    url: string,
    init: { headers?: Readonly<Record<string, string>>; body?: string } = {},
  ): Promise<RawResponse> {
    const target = new URL(url, `${this.server}/`)
    const { res, record } = await this.#dispatch(
      target,
      {
        method,
        headers: { 'user-agent': 'isctl', ...init.headers },
        ...(init.body !== undefined && { body: init.body }),
      },
      {},
    )
    const header = (name: string): string | undefined => {
      const v = res.headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const text = await res.body.text()
    record?.body(text)
    return { status: res.statusCode, header, text }
  }

  /** get reads one object. */
  get<K extends KindName>(resource: ResourceMeta<K>, target: Target): Promise<KindMap[K]> {
    return this.request('GET', resourcePath(resource, target))
  }

  /** list reads a collection. */
  list<K extends KindName>(
    resource: ResourceMeta<K>,
    opts: ListOptions,
  ): Promise<List<KindMap[K]>> {
    return this.request('GET', resourcePath(resource, { namespace: opts.namespace }), {
      query: selectorQuery(opts),
    })
  }

  /** table reads objects as the server's Table, with the objects attached for `-o name`. */
  table(resource: ResourceMeta, target: Target & ListOptions): Promise<Table> {
    return this.request('GET', resourcePath(resource, target), {
      accept: TABLE_ACCEPT,
      query: { ...selectorQuery(target), includeObject: 'Object' },
    })
  }

  /** create stores a new object in `namespace` (or returns what would be stored on a dry run). */
  create<K extends KindName, R = KindMap[K]>(
    resource: ResourceMeta<K>,
    namespace: string | undefined,
    body: object,
    opts: WriteOptions = {},
  ): Promise<R> {
    return this.request('POST', resourcePath(resource, { namespace }), {
      body,
      query: dryRunQuery(opts),
    })
  }

  /** update replaces an object (compare-and-swap on its resourceVersion, when set). */
  update<K extends KindName>(
    resource: ResourceMeta<K>,
    target: Target,
    body: object,
    opts: WriteOptions = {},
  ): Promise<KindMap[K]> {
    return this.request('PUT', resourcePath(resource, target), { body, query: dryRunQuery(opts) })
  }

  /**
   * patch sends a PATCH of `type` (the media type: json-patch, merge-patch, strategic-merge-patch
   * or apply-patch+yaml) with extra query parameters such as `fieldManager` and `force`.
   */
  patch<T = unknown>(
    resource: ResourceMeta,
    target: Target,
    type: string,
    body: unknown,
    query: Readonly<Record<string, string | undefined>> = {},
  ): Promise<T> {
    return this.request('PATCH', resourcePath(resource, target), {
      body,
      contentType: type,
      query,
    })
  }

  /** delete removes one object. */
  async delete(resource: ResourceMeta, target: Target, opts: WriteOptions = {}): Promise<void> {
    await this.request('DELETE', resourcePath(resource, target), { query: dryRunQuery(opts) })
  }

  /**
   * watch streams change events until the server ends the watch or the signal aborts; with
   * `table`, each event's object is a Table of one row, as kubectl's `get -w` asks.
   */
  async *watch<T>(
    resource: ResourceMeta,
    opts: ListOptions & { name?: string; resourceVersion?: string; table?: boolean },
  ): AsyncGenerator<WatchEvent<T>> {
    const fieldSelector =
      opts.name !== undefined ? `metadata.name=${opts.name}` : opts.fieldSelector
    const { res } = await this.#send('GET', resourcePath(resource, { namespace: opts.namespace }), {
      stream: true,
      ...(opts.table && { accept: TABLE_ACCEPT }),
      query: {
        ...selectorQuery({ ...opts, fieldSelector }),
        watch: '1',
        resourceVersion: opts.resourceVersion,
        ...(opts.table && { includeObject: 'Object' }),
      },
    })
    if (res.statusCode !== 200) throw toApiError(res.statusCode, await res.body.text())
    let buffered = ''
    for await (const chunk of res.body) {
      buffered += (chunk as Buffer).toString('utf8')
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line !== '') yield JSON.parse(line) as WatchEvent<T>
      }
    }
  }

  /** close ends the connections. */
  close(): Promise<void> {
    return this.#agent.close()
  }
}

/** Sent is an answer's head with the log record its body is reported to. */
interface Sent {
  readonly res: Dispatcher.ResponseData
  readonly record: RequestRecord | undefined
}

function selectorQuery(opts: ListOptions): Record<string, string | undefined> {
  return { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }
}

function dryRunQuery(opts: WriteOptions): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined }
}

/** connectionReason says why no answer came, in words a user can act on. */
function connectionReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    return 'the request timed out (see --request-timeout)'
  }
  const code = 'code' in err ? String(err.code) : ''
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `tls: ${err.message} (pass --certificate-authority, or set certificate-authority in the kubeconfig)`
  }
  return err.message
}
