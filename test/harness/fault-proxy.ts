/** A transparent reverse proxy in front of a registry that injects faults a real registry can't. */
import { randomUUID } from 'node:crypto'
import {
  Agent as HttpAgent,
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import {
  Agent as HttpsAgent,
  createServer as createHttpsServer,
  request as httpsRequest,
} from 'node:https'
import type { AddressInfo } from 'node:net'
import { makeTempDir, removeTempDir } from './process.js'
import type { RunningRegistry } from './registry.js'
import { createTestCA, type TestCA } from './tls.js'

/** What a fault does to a matching request. */
export type FaultKind =
  /** Send the upstream's headers and half its body, then destroy the socket. */
  | { kind: 'reset-mid-body' }
  /** Answer with this status without asking the upstream (e.g. 429 with Retry-After). */
  | {
      kind: 'status'
      status: number
      retryAfter?: string
      body?: string
      headers?: Record<string, string>
    }
  /** Hold the request `ms` milliseconds before forwarding it. */
  | { kind: 'slow-headers'; ms: number }
  /** Flip one byte of the upstream's body, keeping every header (the digest no longer matches). */
  | { kind: 'corrupt-body' }
  /**
   * Answer a blob GET with 307 to the redirect target (another origin by default, or a path on
   * the proxy itself with `target: 'same-origin'`) that serves the same bytes. `host` names the
   * target by another spelling of its loopback address (`[::ffff:127.0.0.1]`, `localhost`).
   */
  | { kind: 'redirect-blob'; target?: 'other-origin' | 'same-origin'; host?: string }
  /**
   * Serve `/v2/<name>/tags/list` sorted, in pages of at most `pageSize` (a smaller client `n` is
   * honoured, a larger one capped), with distribution's relative `Link: <…?last=X&n=N>; rel="next"`.
   */
  | { kind: 'paginate-tags'; pageSize: number }
  /**
   * Send the upstream's headers at once, then its body `bytes` at a time (default 1), one piece
   * every `everyMs`: an upstream that stalls without ever going quiet for long.
   */
  | { kind: 'drip-body'; everyMs: number; bytes?: number }

/** A fault plus the requests it applies to. */
export type FaultRule = FaultKind & {
  /** HTTP method(s) to match (any when omitted). */
  method?: string | string[]
  /** Matched against the request path without the query (any when omitted). */
  path?: RegExp
  /** Only requests that carry (true) or lack (false) an Authorization header. */
  authorized?: boolean
  /**
   * How many matching requests it applies to: default 1, except `paginate-tags` which defaults
   * to 'always' (a paginated listing is several requests).
   */
  times?: number | 'always'
}

/** One request seen by the proxy or the redirect target. */
export interface ProxiedRequest {
  method: string
  /** Path and query. */
  path: string
  hadAuthorization: boolean
  /** Status sent to the client (0 if the connection was reset before headers). */
  status: number
  /** The fault applied to this request, if any. */
  fault?: FaultKind['kind']
}

/** The second server that redirected blob GETs land on. */
export interface RedirectTarget {
  url: string
  requests(): ProxiedRequest[]
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT` for image references. */
  host: string
  url: string
  /** The CA clients must trust when the proxy serves TLS. */
  ca?: TestCA
  /** Replaces all rules with `f` (or clears them). */
  setFault(f: FaultRule | undefined): void
  /** Adds a rule; rules are tried in the order they were added. */
  addFault(f: FaultRule): void
  /** Every request the proxy answered, oldest first. */
  requests(): ProxiedRequest[]
  clearRequests(): void
  redirectTarget: RedirectTarget
  stop(): Promise<void>
}

/** Options for `startFaultProxy`. */
export interface FaultProxyOptions {
  upstream: RunningRegistry | string
  /** Serve HTTPS with the harness CA (default true). */
  tls?: boolean
  /** CA for serving and for trusting the upstream (default: the upstream registry's CA, else a new one). */
  ca?: TestCA
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

interface ActiveRule {
  rule: FaultRule
  remaining: number
}

interface Buffered {
  status: number
  rawHeaders: string[]
  body: Buffer
}

function filterRawHeaders(raw: string[], drop: readonly string[] = []): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase()
    if (HOP_BY_HOP.has(k) || drop.includes(k)) continue
    out.push(raw[i]!, raw[i + 1]!)
  }
  return out
}

function rawHeader(raw: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1]
  return undefined
}

/** Flips one byte, preferring a hex digit near the middle so JSON stays parseable. */
export function corruptBytes(body: Buffer): Buffer {
  const out = Buffer.from(body)
  if (out.length === 0) return out
  const isHex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66)
  const mid = Math.floor(out.length / 2)
  for (let d = 0; d < out.length; d++) {
    for (const i of [mid + d, mid - d]) {
      if (i < 0 || i >= out.length || !isHex(out[i]!)) continue
      out[i] = out[i] === 0x30 ? 0x31 : 0x30
      return out
    }
  }
  out[mid] = out[mid]! ^ 0xff
  return out
}

/** One page of `tags` in sorted order after `last`, as a paginating registry would serve it. */
export function paginateTags(
  tags: string[],
  last: string | null,
  n: number,
): { page: string[]; more: boolean } {
  const sorted = [...tags].sort()
  const rest = last === null ? sorted : sorted.filter((t) => t > last)
  return { page: rest.slice(0, n), more: rest.length > n }
}

/** Starts a proxy (and its redirect target) in front of `opts.upstream`. */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const upstreamUrl = new URL(typeof opts.upstream === 'string' ? opts.upstream : opts.upstream.url)
  const registryCa = typeof opts.upstream === 'string' ? undefined : opts.upstream.ca
  const tls = opts.tls ?? true
  let ownDir: string | undefined
  let ca = opts.ca ?? registryCa
  if (tls && ca === undefined) {
    ownDir = makeTempDir('proxy-ca')
    ca = await createTestCA(ownDir)
  }
  const upstreamTls = upstreamUrl.protocol === 'https:'
  // Trust both: a caller's CA may serve the proxy while the registry has its own.
  const trusted = [opts.ca?.caCertPem, registryCa?.caCertPem].filter((p) => p !== undefined)
  const agent = upstreamTls
    ? new HttpsAgent({ keepAlive: true, ...(trusted.length > 0 ? { ca: trusted } : {}) })
    : new HttpAgent({ keepAlive: true })
  const scheme = tls ? 'https' : 'http'

  let rules: ActiveRule[] = []
  const log: ProxiedRequest[] = []
  const targetLog: ProxiedRequest[] = []
  const stash = new Map<string, { body: Buffer; contentType: string }>()
  const timers = new Set<NodeJS.Timeout>()
  let proxyUrl = ''
  let targetUrl = ''

  const activate = (rule: FaultRule): ActiveRule => {
    const times = rule.times ?? (rule.kind === 'paginate-tags' ? 'always' : 1)
    return { rule, remaining: times === 'always' ? Infinity : times }
  }

  function matches(rule: FaultRule, req: IncomingMessage, pathname: string): boolean {
    const methods =
      rule.method === undefined ? undefined : [rule.method].flat().map((m) => m.toUpperCase())
    if (methods && !methods.includes(req.method ?? '')) return false
    if (rule.path && !rule.path.test(pathname)) return false
    if (
      rule.authorized !== undefined &&
      rule.authorized !== (req.headers.authorization !== undefined)
    )
      return false
    // Faults that rewrite a particular kind of answer only make sense for that kind of request.
    if (rule.kind === 'redirect-blob')
      return req.method === 'GET' && /^\/v2\/.+\/blobs\/[^/]+$/.test(pathname)
    if (rule.kind === 'paginate-tags')
      return req.method === 'GET' && /^\/v2\/.+\/tags\/list$/.test(pathname)
    return true
  }

  function forwardHeaders(req: IncomingMessage): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {}
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v
    // The client's Host is kept so distribution builds upload Locations that point back at the
    // proxy; the scheme must then be the proxy's, not the upstream's.
    headers['x-forwarded-proto'] = scheme
    return headers
  }

  function upstream(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    onResponse: (res: IncomingMessage) => void,
    onError: (e: Error) => void,
  ): ReturnType<typeof httpRequest> {
    const send = upstreamTls ? httpsRequest : httpRequest
    const r = send(
      {
        protocol: upstreamUrl.protocol,
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method,
        path,
        headers,
        agent,
      },
      onResponse,
    )
    r.on('error', onError)
    return r
  }

  function fetchBuffered(req: IncomingMessage, path: string): Promise<Buffered> {
    return new Promise((resolve, reject) => {
      const r = upstream(
        req.method ?? 'GET',
        path,
        forwardHeaders(req),
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 502,
              rawHeaders: res.rawHeaders,
              body: Buffer.concat(chunks),
            }),
          )
          res.on('error', reject)
        },
        reject,
      )
      req.pipe(r)
    })
  }

  function sendBuffered(
    res: ServerResponse,
    b: Buffered,
    rec: ProxiedRequest,
    body: Buffer = b.body,
  ): void {
    rec.status = b.status
    res.writeHead(b.status, filterRawHeaders(b.rawHeaders))
    res.end(body)
  }

  function passThrough(req: IncomingMessage, res: ServerResponse, rec: ProxiedRequest): void {
    const r = upstream(
      req.method ?? 'GET',
      req.url ?? '/',
      forwardHeaders(req),
      (up) => {
        rec.status = up.statusCode ?? 502
        res.writeHead(rec.status, filterRawHeaders(up.rawHeaders))
        up.pipe(res)
      },
      (e) => failUpstream(res, rec, e),
    )
    req.pipe(r)
  }

  function failUpstream(res: ServerResponse, rec: ProxiedRequest, e: Error): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    rec.status = 502
    res.writeHead(502, { 'content-type': 'text/plain' })
    res.end(`fault proxy: upstream error: ${e.message}`)
  }

  async function applyResponseFault(
    kind: 'reset-mid-body' | 'corrupt-body' | 'redirect-blob' | 'paginate-tags' | 'drip-body',
    active: ActiveRule,
    req: IncomingMessage,
    res: ServerResponse,
    u: URL,
    rec: ProxiedRequest,
  ): Promise<void> {
    const upstreamPath = kind === 'paginate-tags' ? u.pathname : (req.url ?? '/')
    const b = await fetchBuffered(req, upstreamPath)
    // Auth challenges and errors pass untouched and do not use up the fault, so a fault aimed at
    // a token registry still hits the retried, authorized request.
    if (b.status < 200 || b.status > 299) {
      sendBuffered(res, b, rec)
      return
    }
    active.remaining--
    rec.fault = kind
    switch (kind) {
      case 'corrupt-body':
        sendBuffered(res, b, rec, corruptBytes(b.body))
        return
      case 'reset-mid-body': {
        rec.status = b.status
        if (b.body.length < 2) {
          res.socket?.destroy()
          rec.status = 0
          return
        }
        res.writeHead(b.status, filterRawHeaders(b.rawHeaders))
        res.write(b.body.subarray(0, Math.floor(b.body.length / 2)), () => res.socket?.destroy())
        return
      }
      case 'drip-body': {
        const rule = active.rule as FaultRule & { kind: 'drip-body' }
        const step = rule.bytes ?? 1
        rec.status = b.status
        res.writeHead(b.status, filterRawHeaders(b.rawHeaders))
        res.flushHeaders()
        let sent = 0
        const timer = setInterval(() => {
          if (res.destroyed || sent >= b.body.length) {
            clearInterval(timer)
            timers.delete(timer)
            if (!res.destroyed) res.end()
            return
          }
          res.write(b.body.subarray(sent, sent + step))
          sent += step
        }, rule.everyMs)
        timers.add(timer)
        return
      }
      case 'redirect-blob': {
        const id = randomUUID()
        stash.set(id, {
          body: b.body,
          contentType: rawHeader(b.rawHeaders, 'content-type') ?? 'application/octet-stream',
        })
        const rule = active.rule as FaultRule & { kind: 'redirect-blob' }
        const origin = new URL(rule.target === 'same-origin' ? proxyUrl : targetUrl)
        if (rule.host !== undefined) origin.hostname = rule.host
        const base = rule.target === 'same-origin' ? `${origin.origin}/_redirected` : origin.origin
        rec.status = 307
        res.writeHead(307, { location: `${base}${u.pathname}?id=${id}`, 'content-length': 0 })
        res.end()
        return
      }
      case 'paginate-tags': {
        const rule = active.rule as FaultRule & { kind: 'paginate-tags' }
        const parsed = JSON.parse(b.body.toString('utf8')) as {
          name: string
          tags: string[] | null
        }
        const nParam = u.searchParams.get('n')
        const asked = nParam === null ? NaN : Number(nParam)
        const n =
          Number.isInteger(asked) && asked >= 0 ? Math.min(asked, rule.pageSize) : rule.pageSize
        const { page, more } = paginateTags(parsed.tags ?? [], u.searchParams.get('last'), n)
        const text = JSON.stringify({ name: parsed.name, tags: page })
        const headers = filterRawHeaders(b.rawHeaders, ['content-length', 'content-type', 'link'])
        headers.push('content-type', 'application/json; charset=utf-8')
        headers.push('content-length', String(Buffer.byteLength(text)))
        if (more && n > 0) {
          const last = encodeURIComponent(page[page.length - 1]!)
          headers.push('link', `<${u.pathname}?last=${last}&n=${n}>; rel="next"`)
        }
        rec.status = b.status
        res.writeHead(b.status, headers)
        res.end(text)
        return
      }
    }
  }

  function serveStashed(
    req: IncomingMessage,
    res: ServerResponse,
    u: URL,
    rec: ProxiedRequest,
  ): void {
    const entry = stash.get(u.searchParams.get('id') ?? '')
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) {
      rec.status = 404
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    rec.status = 200
    res.writeHead(200, { 'content-type': entry.contentType, 'content-length': entry.body.length })
    res.end(req.method === 'HEAD' ? undefined : entry.body)
  }

  const handler: RequestListener = (req, res) => {
    const u = new URL(req.url ?? '/', 'http://proxy.invalid')
    const rec: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      hadAuthorization: req.headers.authorization !== undefined,
      status: 0,
    }
    log.push(rec)
    if (u.pathname.startsWith('/_redirected/')) {
      serveStashed(req, res, u, rec)
      return
    }
    const active = rules.find((r) => r.remaining > 0 && matches(r.rule, req, u.pathname))
    const fail = (e: unknown): void =>
      failUpstream(res, rec, e instanceof Error ? e : new Error(String(e)))
    if (!active) {
      passThrough(req, res, rec)
      return
    }
    const rule = active.rule
    switch (rule.kind) {
      case 'status': {
        active.remaining--
        rec.fault = rule.kind
        rec.status = rule.status
        req.resume()
        const body =
          rule.body ??
          JSON.stringify({
            errors: [
              rule.status === 429
                ? { code: 'TOOMANYREQUESTS', message: 'too many requests', detail: null }
                : { code: 'UNAVAILABLE', message: 'injected by the fault proxy', detail: null },
            ],
          })
        res.writeHead(rule.status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'docker-distribution-api-version': 'registry/2.0',
          ...(rule.retryAfter === undefined ? {} : { 'retry-after': rule.retryAfter }),
          ...rule.headers,
        })
        res.end(req.method === 'HEAD' ? undefined : body)
        return
      }
      case 'slow-headers': {
        active.remaining--
        rec.fault = rule.kind
        const timer = setTimeout(() => {
          timers.delete(timer)
          if (!res.destroyed) passThrough(req, res, rec)
        }, rule.ms)
        timers.add(timer)
        return
      }
      case 'reset-mid-body':
      case 'corrupt-body':
      case 'redirect-blob':
      case 'paginate-tags':
      case 'drip-body':
        applyResponseFault(rule.kind, active, req, res, u, rec).catch(fail)
        return
    }
  }

  const targetHandler: RequestListener = (req, res) => {
    const u = new URL(req.url ?? '/', 'http://target.invalid')
    const rec: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      hadAuthorization: req.headers.authorization !== undefined,
      status: 0,
    }
    targetLog.push(rec)
    serveStashed(req, res, u, rec)
  }

  const makeServer = (h: RequestListener): Server =>
    tls
      ? createHttpsServer({ cert: ca!.serverCertPem, key: ca!.serverKeyPem }, h)
      : createHttpServer(h)
  const listen = async (s: Server): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => resolve())
    })
    return (s.address() as AddressInfo).port
  }
  const server = makeServer(handler)
  const target = makeServer(targetHandler)
  const [port, targetPort] = await Promise.all([listen(server), listen(target)])
  proxyUrl = `${scheme}://127.0.0.1:${port}`
  targetUrl = `${scheme}://127.0.0.1:${targetPort}`
  let stopped = false

  const copy = (l: ProxiedRequest[]): ProxiedRequest[] => l.map((r) => ({ ...r }))
  return {
    host: `127.0.0.1:${port}`,
    url: proxyUrl,
    ca: tls ? ca : undefined,
    setFault: (f) => {
      rules = f === undefined ? [] : [activate(f)]
    },
    addFault: (f) => {
      rules.push(activate(f))
    },
    requests: () => copy(log),
    clearRequests: () => {
      log.length = 0
      targetLog.length = 0
    },
    redirectTarget: { url: targetUrl, requests: () => copy(targetLog) },
    stop: async () => {
      if (stopped) return
      stopped = true
      for (const t of timers) clearTimeout(t)
      for (const s of [server, target]) s.closeAllConnections()
      await Promise.all(
        [server, target].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      )
      agent.destroy()
      if (ownDir !== undefined) await removeTempDir(ownDir)
    },
  }
}
