/**
 * Authentication and authorization seams of the API server. Every request must carry a bearer
 * token an `Authenticator` accepts (no anonymous access,
 * docs/kubernetes-api.md#transport-and-authentication), checked in an onRequest hook so that
 * nothing (not even a body) is read for a stranger. What an authenticated user may do is one
 * `Authorizer` call, so per-namespace roles can replace the admin-only policy without touching
 * handlers.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Subject } from '../../api/index.js'
import { isConsoleRequest } from '../console.js'
import { forbidden, unauthorized, type StatusError } from '../status.js'
import { BASIC_USER_RULES, DISCOVERY_RULES } from './default-roles.js'
import { hasImpersonationHeaders, impersonate } from './impersonation.js'
import { policyRules, reviewRules, ruleAllows } from './rbac-rules.js'

/** UserInfo is an authenticated principal, named as Kubernetes names users and groups. */
export interface UserInfo {
  readonly name: string
  readonly groups: readonly string[]
  /** A unique id, when the user has one (set by impersonation's `Impersonate-Uid`). */
  readonly uid?: string
  /** Extra attributes an authorizer may read (set by `Impersonate-Extra-<key>`). */
  readonly extra?: Readonly<Record<string, readonly string[]>>
}

/** ADMIN_USER is the principal of the admin token made on first start. */
export const ADMIN_USER: UserInfo = Object.freeze({
  name: 'admin',
  groups: Object.freeze(['system:masters', 'system:authenticated']),
})

/** Authenticator resolves a bearer token to its user, or undefined when the token is unknown. */
export interface Authenticator {
  authenticate(token: string): Promise<UserInfo | undefined>
}

/** TokenEntry is one accepted token: the SHA-256 of its text and who it belongs to. */
export interface TokenEntry {
  readonly sha256: Buffer
  readonly user: UserInfo
}

/** hashToken is the SHA-256 of a token's text, the only form in which tokens are stored. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/**
 * createTokenAuthenticator accepts the tokens whose hashes are given. Comparing fixed-length
 * hashes with timingSafeEqual (and every entry, always) keeps the time independent of how much
 * of a guess was right.
 *
 * A token that matched is remembered by its text, so that its later requests skip the hash:
 * the entries are fixed for the authenticator's life (a new admin token takes a restart), so a
 * match stays one, and there are at most as many remembered texts as entries. Unknown tokens
 * are never remembered, so guesses cannot grow the map; a look-up compares texts only when
 * their (per-process seeded) string hashes agree, which tells a guesser nothing of the token.
 */
export function createTokenAuthenticator(entries: readonly TokenEntry[]): Authenticator {
  const known = entries.map((e) => {
    if (e.sha256.length !== 32) throw new Error('a token hash must be 32 bytes of SHA-256')
    return e
  })
  const accepted = new Map<string, UserInfo>()
  return {
    authenticate(token: string): Promise<UserInfo | undefined> {
      const remembered = accepted.get(token)
      if (remembered) return Promise.resolve(remembered)
      const presented = hashToken(token)
      let match: UserInfo | undefined
      for (const e of known) if (timingSafeEqual(presented, e.sha256)) match ??= e.user
      if (match) accepted.set(token, match)
      return Promise.resolve(match)
    },
  }
}

/**
 * anyAuthenticator asks each authenticator in turn and takes the first user one of them
 * accepts, as the apiserver's union authenticator does (admin token, OAuth tokens, service
 * account tokens).
 */
export function anyAuthenticator(authenticators: readonly Authenticator[]): Authenticator {
  return {
    async authenticate(token: string): Promise<UserInfo | undefined> {
      for (const a of authenticators) {
        const user = await a.authenticate(token)
        if (user) return user
      }
      return undefined
    },
  }
}

/** ResourceAttributes describe an API request on a resource, as Kubernetes authorizers see it. */
export interface ResourceAttributes {
  readonly kind: 'resource'
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string
  /** The API group; '' for core. */
  readonly group: string
  /** The resource (plural), `imagestreams`. */
  readonly resource: string
  readonly subresource?: string
  /** The namespace; absent for cluster-scoped resources and cross-namespace lists. */
  readonly namespace?: string
  /** The object name; absent for list, watch and create. */
  readonly name?: string
}

/** NonResourceAttributes describe a request outside the resource tree: /version, discovery, health. */
export interface NonResourceAttributes {
  readonly kind: 'nonResource'
  /** The HTTP method in lower case, as Kubernetes' non-resource verbs. */
  readonly verb: string
  readonly path: string
}

/** AuthorizationAttributes are what an Authorizer decides on. */
export type AuthorizationAttributes = ResourceAttributes | NonResourceAttributes

/** Decision is an Authorizer's answer; a denial carries the reason appended to the 403 message. */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string }

/** ResourceRule is one thing a user may do on resources, as authorization/v1 ResourceRule; `*` means all. */
export interface ResourceRule {
  readonly verbs: readonly string[]
  readonly apiGroups?: readonly string[]
  /** Resources, `<resource>/<subresource>` for a subresource. */
  readonly resources?: readonly string[]
  /** The object names it is limited to; none means every object. */
  readonly resourceNames?: readonly string[]
}

/** NonResourceRule is one thing a user may do outside the resource tree, as authorization/v1 NonResourceRule. */
export interface NonResourceRule {
  readonly verbs: readonly string[]
  /** Paths; a trailing `*` matches any path with that prefix, `*` alone every path. */
  readonly nonResourceURLs?: readonly string[]
}

/** Rules are what a user may do in one namespace, as a SelfSubjectRulesReview's status lists them. */
export interface Rules {
  readonly resourceRules: readonly ResourceRule[]
  readonly nonResourceRules: readonly NonResourceRule[]
  /** True when the list may be missing rules (an authorizer that cannot enumerate them all). */
  readonly incomplete: boolean
}

/**
 * Authorizer decides whether a user may make a request, and lists what a user may do (the
 * apiserver's Authorizer and RuleResolver): `kubectl auth can-i` asks both through the access
 * reviews, so a role-based authorizer that replaces the admin policy answers them too.
 */
export interface Authorizer {
  authorize(user: UserInfo, attrs: AuthorizationAttributes): Promise<Decision>
  rulesFor(user: UserInfo, namespace: string): Promise<Rules>
  /** allowedSubjects lists who may make a request (RBAC's SubjectLocator), for `oc policy who-can`. */
  allowedSubjects(attrs: AuthorizationAttributes): Promise<AllowedSubjects>
}

/**
 * AllowedSubjects are the subjects of every binding whose role allows a request, `system:masters`
 * first, and the missing roles met on the way (the review's evaluation error).
 */
export interface AllowedSubjects {
  readonly subjects: readonly Subject[]
  readonly errors: readonly string[]
}

/** MASTERS_SUBJECT is the group every authorizer lets do everything (user.SystemPrivilegedGroup). */
export const MASTERS_SUBJECT: Subject = Object.freeze({
  kind: 'Group',
  apiGroup: 'rbac.authorization.k8s.io',
  name: 'system:masters',
})

/**
 * What every authenticated user may do: the rules of the default system:basic-user and
 * system:discovery roles (default-roles.ts), which bind them to every authenticated user.
 */
const EVERYONE: Rules = reviewRules([...BASIC_USER_RULES, ...DISCOVERY_RULES], false)

/** ADMIN_RULES are the `system:masters` rules: everything. */
const ADMIN_RULES: Rules = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, ...EVERYONE.resourceRules],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }, ...EVERYONE.nonResourceRules],
  incomplete: false,
}

/** rulesAllow says whether rules grant a request, matched as RBAC matches its rules. */
export function rulesAllow(rules: Rules, attrs: AuthorizationAttributes): boolean {
  return policyRules(rules).some((rule) => ruleAllows(rule, attrs))
}

/**
 * createAdminAuthorizer is the admin-only policy of servers without roles (in-process tests;
 * `isctl serve` authorizes with RBAC, rbac-authorizer.ts): `system:masters` (the admin token)
 * may do everything; other authenticated users only what every user may. Decisions are read off the
 * same rules the access reviews list, so the two never disagree.
 */
export function createAdminAuthorizer(): Authorizer {
  const rulesOf = (user: UserInfo): Rules =>
    user.groups.includes('system:masters') ? ADMIN_RULES : EVERYONE
  return {
    authorize(user, attrs) {
      if (rulesAllow(rulesOf(user), attrs)) return Promise.resolve({ allowed: true })
      return Promise.resolve({ allowed: false, reason: 'only the admin user has access for now' })
    },
    rulesFor(user) {
      return Promise.resolve(rulesOf(user))
    },
    allowedSubjects(attrs) {
      // Every authenticated user holds the EVERYONE rules, as system:authenticated's bindings grant them.
      const everyone: Subject = { ...MASTERS_SUBJECT, name: 'system:authenticated' }
      const subjects = rulesAllow(EVERYONE, attrs) ? [MASTERS_SUBJECT, everyone] : [MASTERS_SUBJECT]
      return Promise.resolve({ subjects, errors: [] })
    },
  }
}

/** RequestAuthorization is what a request was authorized for, and the answer. */
export interface RequestAuthorization {
  readonly attributes: AuthorizationAttributes
  readonly decision: Decision
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The user the request acts as; set by the onRequest hook before any route handler runs:
     * the authenticated user, or the one it impersonates.
     */
    user: UserInfo | undefined
    /** The authenticated user when it impersonates `user` (for logs and audit); else undefined. */
    impersonator: UserInfo | undefined
    /** The request's own authorization: the first one authorizeRequest made (the audit log reads it). */
    authorization: RequestAuthorization | undefined
  }
  interface FastifyInstance {
    /** The authorizer handlers consult through authorizeRequest. */
    authorizer: Authorizer
  }
}

/** bearerToken extracts the token from `Authorization: Bearer <token>` (scheme case-insensitive, as the apiserver). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined
  const token = header.slice(space + 1).trim()
  return token === '' ? undefined : token
}

/** REGISTRY_PATH matches the integrated registry: the distribution API under `/v2/`, its `/admin/` route. */
const REGISTRY_PATH = /^\/(v2|admin)(\/|\?|$)/

/** isRegistryPath tells the integrated registry's URLs, which authenticate and answer in its own dialect. */
export function isRegistryPath(url: string): boolean {
  return REGISTRY_PATH.test(url)
}

/**
 * OAUTH_ENDPOINTS are the OAuth server's endpoints (method and path), which `oc login` calls
 * before it has a token: they authenticate the user by password themselves
 * (src/server/auth/oauth-server.ts).
 */
export const OAUTH_ENDPOINTS: ReadonlySet<string> = new Set([
  'GET /.well-known/oauth-authorization-server',
  'GET /oauth/authorize',
  'POST /oauth/authorize',
  'POST /oauth/token',
])

/** isOAuthRequest tells a request for exactly one of OAUTH_ENDPOINTS, with any query. */
export function isOAuthRequest(method: string, url: string): boolean {
  // Every other URL is told apart by its start, without building the method-and-path key.
  if (!url.startsWith('/oauth/') && !url.startsWith('/.well-known/')) return false
  const query = url.indexOf('?')
  return OAUTH_ENDPOINTS.has(`${method} ${query < 0 ? url : url.slice(0, query)}`)
}

/**
 * registerAuthentication installs the authenticator on every route but the registry's (`/v2/`,
 * `/admin/`), the OAuth endpoints (OAUTH_ENDPOINTS) and the web console's files (`GET
 * /console/…`), the 404 handler included: a missing or
 * unknown token is a 401 Status before routing decides anything. The impersonation headers are
 * honoured right after, so the impersonated user is the one every later check sees
 * (docs/access-control.md#impersonation-and-access-reviews).
 */
export function registerAuthentication(
  app: FastifyInstance,
  authenticator: Authenticator,
  authorizer: Authorizer,
): void {
  app.decorateRequest('user', undefined)
  app.decorateRequest('impersonator', undefined)
  app.decorateRequest('authorization', undefined)
  app.decorate('authorizer', authorizer)
  app.addHook('onRequest', async (request) => {
    // The integrated registry authenticates its own requests: registry clients send Basic
    // credentials and expect its error dialect (src/distribution).
    if (isRegistryPath(request.url)) return
    if (isOAuthRequest(request.method, request.url)) return
    // The console's files hold no data; what it then asks of the API is authenticated.
    if (isConsoleRequest(request.method, request.url)) return
    const token = bearerToken(request.headers.authorization)
    const user = token === undefined ? undefined : await authenticator.authenticate(token)
    if (!user) throw unauthorized()
    request.user = user
    // Checked here, not only in impersonate: most requests impersonate nobody, and an await of
    // an async function would cost each of them a promise and a turn of the microtask queue.
    if (!hasImpersonationHeaders(request.raw.rawHeaders)) return
    const acting = await impersonate(user, request.raw.rawHeaders, authorizer)
    if (acting === undefined) return
    if ('denied' in acting) throw forbiddenError(user, acting.denied.attrs, acting.denied.reason)
    request.user = acting.user
    request.impersonator = user
  })
}

/** requestUser is the authenticated user of a request; a 401 if authentication did not run. */
export function requestUser(request: FastifyRequest): UserInfo {
  if (!request.user) throw unauthorized()
  return request.user
}

/**
 * authorizeRequest asks the server's authorizer and throws the apiserver's 403 when denied:
 * `imagestreams.image.openshift.io "x" is forbidden: User "alice" cannot get resource ...`.
 */
export async function authorizeRequest(
  request: FastifyRequest,
  attrs: AuthorizationAttributes,
): Promise<UserInfo> {
  const user = requestUser(request)
  const decision = await request.server.authorizer.authorize(user, attrs)
  // Later checks a handler makes on the way (access reviews, imports) are not the request's own.
  request.authorization ??= { attributes: attrs, decision }
  if (decision.allowed) return user
  throw forbiddenError(user, attrs, decision.reason)
}

/**
 * forbiddenError is the apiserver's 403 for a refused request (responsewriters.Forbidden): the
 * object named by resource (without subresource) and name, then forbiddenReason and the
 * authorizer's reason.
 */
export function forbiddenError(
  user: UserInfo,
  attrs: AuthorizationAttributes,
  reason: string,
): StatusError {
  const why = forbiddenReason(user, attrs) + (reason ? `: ${reason}` : '')
  if (attrs.kind === 'nonResource') return forbidden(undefined, '', why)
  return forbidden({ group: attrs.group, resource: attrs.resource }, attrs.name ?? '', why)
}

/** forbiddenReason is the apiserver's forbiddenMessage for these attributes. */
function forbiddenReason(user: UserInfo, a: AuthorizationAttributes): string {
  const who = `User ${JSON.stringify(user.name)}`
  if (a.kind === 'nonResource') {
    return `${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  const what = `${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.group)}`
  return a.namespace
    ? `${what} in the namespace ${JSON.stringify(a.namespace)}`
    : `${what} at the cluster scope`
}

/** authorizeNonResourceRequest is the preHandler of non-resource routes (/version, discovery, health). */
export async function authorizeNonResourceRequest(request: FastifyRequest): Promise<void> {
  const path = request.url.split('?')[0] ?? request.url
  await authorizeRequest(request, { kind: 'nonResource', verb: request.method.toLowerCase(), path })
}
