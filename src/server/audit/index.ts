/**
 * The audit log (docs/kubernetes-api.md#audit-log): one `audit.k8s.io/v1` Event per request at
 * the Metadata level, as kube-apiserver writes them with `--audit-log-path` and a policy of
 * `level: Metadata` that omits the RequestReceived stage (k8s.io/apiserver
 * pkg/endpoints/filters/audit.go): who asked, for what, from where, the answer's status and the
 * authorization decision, never a request or response body and never a credential. A watch
 * also gets an Event when its response starts; a request refused for its credentials gets the
 * one Event of a failed authentication (filters/authn_audit.go). Lines go to an AuditSink that
 * must not block (a RotatingLogFile, or the server's own stdout log for `-`).
 *
 * Who made a request and what the authorizer said are read off the request when it completes:
 * its users and `request.authorization` as src/server/auth records them, and for the
 * integrated registry, which authenticates on its own, what its RegistryAuditObserver was told.
 */
import { randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redactUrl } from '../../lib/redact-url.js'
import { isRegistryPath, type UserInfo } from '../auth/index.js'
import { isLongRunning, requestInfo, type ObjectRef, type RequestInfo } from './request-info.js'

export { requestInfo, isLongRunning, type ObjectRef, type RequestInfo } from './request-info.js'

/** AuditSink takes whole lines; write must return at once (the disk is someone else's wait). */
export interface AuditSink {
  write(line: string): void
}

/** ResponseStatus is an Event's responseStatus: a metav1.Status cut to its bounded fields. */
export interface ResponseStatus {
  readonly metadata: Record<string, never>
  readonly status?: string
  readonly message?: string
  readonly reason?: string
  readonly details?: unknown
  readonly code: number
}

/** AuditEvent is an `audit.k8s.io/v1` Event at the Metadata level, fields in the apiserver's order. */
export interface AuditEvent {
  readonly kind: 'Event'
  readonly apiVersion: 'audit.k8s.io/v1'
  readonly level: 'Metadata'
  readonly auditID: string
  readonly stage: 'ResponseStarted' | 'ResponseComplete'
  readonly requestURI: string
  readonly verb: string
  readonly user: EventUser | Record<string, never>
  readonly impersonatedUser?: EventUser
  readonly sourceIPs: readonly string[]
  readonly userAgent?: string
  readonly objectRef?: ObjectRef
  readonly responseStatus: ResponseStatus
  readonly requestReceivedTimestamp: string
  readonly stageTimestamp: string
  readonly annotations?: Readonly<Record<string, string>>
}

/** RegistryAuditObserver is told by the integrated registry who made a request and whether it was allowed. */
export interface RegistryAuditObserver {
  authenticated(request: FastifyRequest, user: UserInfo): void
  authorized(request: FastifyRequest, allowed: boolean): void
}

/** The annotation keys of the authorization decision, as the apiserver's WithAuthorization sets them. */
const DECISION = 'authorization.k8s.io/decision'
const REASON = 'authorization.k8s.io/reason'

/** The apiserver cuts user agents at 1024 bytes (k8s.io/apiserver pkg/audit/request.go). */
const MAX_USER_AGENT = 1024
/** Bodies larger than this are not read for a Status (a Status is a few hundred bytes). */
const MAX_STATUS_BODY = 64 * 1024

/** What is known of a request in flight. */
interface Pending {
  readonly auditID: string
  readonly received: string
  readonly info: RequestInfo
  readonly registry: boolean
  status?: Omit<ResponseStatus, 'code'>
  registryUser?: UserInfo
  registryAllowed?: boolean
  started?: boolean
}

const pending = new WeakMap<FastifyRequest, Pending>()

/** microTime is a metav1.MicroTime: RFC 3339 in UTC with six fractional digits. */
export function microTime(epochMs: number): string {
  const whole = Math.floor(epochMs)
  const micros = Math.floor(epochMs * 1000) % 1_000_000
  return `${new Date(whole).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`
}

/** preciseNow is the wall clock to the microsecond. */
function preciseNow(): number {
  return performance.timeOrigin + performance.now()
}

/** goIP prints an address as Go's net.IP does: an IPv4-mapped IPv6 address as IPv4. */
function goIP(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return mapped ? mapped[1]! : address
}

/** sourceIPs lists X-Forwarded-For, X-Real-Ip and the peer, as k8s.io/apimachinery's utilnet.SourceIPs. */
export function sourceIPs(
  forwardedFor: string | undefined,
  realIP: string | undefined,
  remote: string | undefined,
): string[] {
  const ips: string[] = []
  for (const part of (forwardedFor ?? '').split(',')) {
    const ip = part.trim()
    if (isIP(ip)) ips.push(goIP(ip))
  }
  const real = realIP?.trim()
  if (real && isIP(real) && !ips.includes(goIP(real))) ips.push(goIP(real))
  const peer = remote === undefined ? undefined : goIP(remote)
  if (peer && isIP(peer) && ips[ips.length - 1] !== peer) ips.push(peer)
  return ips
}

/** authMethods is the apiserver's message for a failed authentication, naming what was tried (filters/authn_audit.go). */
export function authMethods(authorization: string | undefined, url: string): string {
  const methods: string[] = []
  const header = (authorization ?? '').trim()
  const [scheme = '', ...rest] = header.split(' ')
  if (scheme.toLowerCase() === 'basic' && rest.length > 0) methods.push('basic')
  if (scheme.toLowerCase() === 'bearer' && rest.length > 0) methods.push('bearer')
  const q = url.indexOf('?')
  const token = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('access_token')
  if (token !== null && token.trim() !== '') methods.push('access_token')
  return methods.length > 0
    ? `Authentication failed, attempted: ${methods.join(', ')}`
    : 'Authentication failed, no credentials provided'
}

/**
 * bodyStatus is the Status a response body carries (an API error, or a delete's Success), or a
 * registry error's first entry; only the Status's bounded fields, as the apiserver's
 * LogResponseObject keeps them at the Metadata level.
 */
export function bodyStatus(
  payload: unknown,
  code: number,
  registry: boolean,
): Omit<ResponseStatus, 'code'> | undefined {
  if (typeof payload !== 'string' || payload.length > MAX_STATUS_BODY) return undefined
  if (code < 400 && !payload.startsWith('{"kind":"Status"')) return undefined
  let body: unknown
  try {
    body = JSON.parse(payload)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null) return undefined
  if (registry) {
    const first = (body as { errors?: { code?: unknown; message?: unknown }[] }).errors?.[0]
    if (typeof first?.message !== 'string') return undefined
    return {
      metadata: {},
      status: 'Failure',
      message: first.message,
      ...(typeof first.code === 'string' && { reason: first.code }),
    }
  }
  const s = body as Record<string, unknown>
  if (s.kind !== 'Status') return undefined
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)
  const [status, message, reason] = [text(s.status), text(s.message), text(s.reason)]
  return {
    metadata: {},
    ...(status && { status }),
    ...(message && { message }),
    ...(reason && { reason }),
    ...(s.details !== undefined && { details: s.details }),
  }
}

/** EventUser is an authentication/v1 UserInfo as the Event carries it. */
interface EventUser {
  readonly username: string
  readonly uid?: string
  readonly groups?: readonly string[]
  readonly extra?: Readonly<Record<string, readonly string[]>>
}

/** userJSON is a user as the Event carries it; a uid and extras appear when the user has them (impersonation sets them). */
function userJSON(user: UserInfo): EventUser {
  const { uid, extra } = user as { uid?: string; extra?: EventUser['extra'] }
  return {
    username: user.name,
    ...(uid && { uid }),
    ...(user.groups.length > 0 && { groups: user.groups }),
    ...(extra && Object.keys(extra).length > 0 && { extra }),
  }
}

/**
 * apiUsers are who authenticated an API request and, when it impersonates, who it acts as:
 * authentication leaves the acting user in `request.user` and who authenticated in
 * `request.impersonator`, as the apiserver's audit names them `user` and `impersonatedUser`.
 */
function apiUsers(request: FastifyRequest): { user?: UserInfo; impersonatedUser?: UserInfo } {
  const { impersonator } = request as { impersonator?: UserInfo }
  return impersonator
    ? { user: impersonator, ...(request.user && { impersonatedUser: request.user }) }
    : { ...(request.user && { user: request.user }) }
}

/** decisionAnnotations are the authorization annotations of a decision. */
function decisionAnnotations(allowed: boolean, reason: string): Record<string, string> {
  return { [DECISION]: allowed ? 'allow' : 'forbid', [REASON]: reason }
}

/** AuditLogOptions configure an AuditLog. */
export interface AuditLogOptions {
  readonly sink: AuditSink
  /** The wall clock in milliseconds, fractions included; default microsecond-precise. */
  readonly now?: () => number
}

/** AuditLog writes the Events of every request of the app it is registered on. */
export class AuditLog {
  readonly #sink: AuditSink
  readonly #now: () => number

  constructor(opts: AuditLogOptions) {
    this.#sink = opts.sink
    this.#now = opts.now ?? preciseNow
  }

  /** registry is the observer the integrated registry reports its callers and decisions to. */
  readonly registry: RegistryAuditObserver = {
    authenticated: (request, user) => {
      const p = pending.get(request)
      if (p) p.registryUser = user
    },
    authorized: (request, allowed) => {
      const p = pending.get(request)
      if (p) p.registryAllowed ??= allowed
    },
  }

  /**
   * register installs the hooks on `app`; call it before any other onRequest hook (the
   * authentication hook included), so that a request refused there is audited too.
   */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      this.track(request, reply)
      done()
    })
    app.addHook('onSend', (request, reply, payload, done) => {
      const p = pending.get(request)
      if (p) {
        const status = bodyStatus(payload, reply.statusCode, p.registry)
        if (status) p.status = status
      }
      done(null, payload)
    })
  }

  /**
   * track starts auditing a request: the onRequest hook calls it, and the router's error handler
   * for a request it refused before any hook ran.
   */
  track(request: FastifyRequest, reply: FastifyReply): void {
    const given = request.headers['audit-id']
    const auditID = typeof given === 'string' && given !== '' ? given : randomUUID()
    const registry = isRegistryPath(request.url)
    const p: Pending = {
      auditID,
      received: microTime(this.#now()),
      info: requestInfo(request.method, request.url, registry),
      registry,
    }
    pending.set(request, p)
    void reply.header('audit-id', auditID)
    const res = reply.raw
    if (isLongRunning(p.info)) {
      // As the apiserver's auditResponseWriter: a long-running response is audited as its
      // headers go out, whoever writes them (a hijacked watch writes them itself).
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res
      res.writeHead = (...args: unknown[]) => {
        if (!p.started) {
          p.started = true
          this.#emit(request, p, 'ResponseStarted', Number(args[0]))
        }
        return writeHead(...args)
      }
    }
    res.once('close', () => {
      pending.delete(request)
      this.#emit(request, p, 'ResponseComplete', res.statusCode)
    })
  }

  #emit(request: FastifyRequest, p: Pending, stage: AuditEvent['stage'], code: number): void {
    const { user, impersonatedUser } = p.registry
      ? { user: p.registryUser, impersonatedUser: undefined }
      : apiUsers(request)
    // A request refused for its credentials is the apiserver's one failed-authentication Event.
    const unauthenticated = user === undefined && code === 401
    if (unauthenticated && stage === 'ResponseComplete' && p.started) return
    const annotations = this.#annotations(request, p)
    const agent = request.headers['user-agent']
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: p.auditID,
      stage: unauthenticated ? 'ResponseStarted' : stage,
      requestURI: redactUrl(request.url),
      verb: p.info.verb,
      user: user ? userJSON(user) : {},
      ...(impersonatedUser && { impersonatedUser: userJSON(impersonatedUser) }),
      sourceIPs: sourceIPs(
        headerText(request.headers['x-forwarded-for']),
        headerText(request.headers['x-real-ip']),
        request.socket.remoteAddress,
      ),
      ...(agent && {
        userAgent:
          agent.length > MAX_USER_AGENT ? `${agent.slice(0, MAX_USER_AGENT)}...TRUNCATED` : agent,
      }),
      ...(p.info.objectRef && { objectRef: createdRef(p.info, request.body) }),
      responseStatus: unauthenticated
        ? {
            metadata: {},
            message: authMethods(request.headers.authorization, request.url),
            code,
          }
        : { ...(p.status ?? { metadata: {} }), code },
      requestReceivedTimestamp: p.received,
      stageTimestamp: microTime(this.#now()),
      ...(annotations && { annotations }),
    }
    this.#sink.write(`${JSON.stringify(event)}\n`)
  }

  #annotations(request: FastifyRequest, p: Pending): Record<string, string> | undefined {
    if (p.registry) {
      return p.registryAllowed === undefined
        ? undefined
        : decisionAnnotations(p.registryAllowed, '')
    }
    const decision = request.authorization?.decision
    if (!decision) return undefined
    // An allowing authorizer may say why too (RBAC names the binding); the admin policy does not.
    const reason =
      'reason' in decision && typeof decision.reason === 'string' ? decision.reason : ''
    return decisionAnnotations(decision.allowed, reason)
  }
}

/**
 * createdRef is a request's objectRef, with a create's name and namespace taken from the object
 * sent, as the apiserver's LogRequestObject fills them in at the Metadata level too.
 */
function createdRef(info: RequestInfo, body: unknown): ObjectRef | undefined {
  const ref = info.objectRef
  if (!ref || info.verb !== 'create' || ref.name !== undefined) return ref
  const meta = (body as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata
  const name = typeof meta?.name === 'string' && meta.name !== '' ? meta.name : undefined
  const namespace =
    ref.namespace ??
    (typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined)
  const { resource, apiGroup, apiVersion, subresource } = ref
  return {
    resource,
    ...(namespace !== undefined && { namespace }),
    ...(name !== undefined && { name }),
    ...(apiGroup !== undefined && { apiGroup }),
    ...(apiVersion !== undefined && { apiVersion }),
    ...(subresource !== undefined && { subresource }),
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value
}
