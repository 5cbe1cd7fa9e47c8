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
import { forbidden, unauthorized } from './status.js'

/** UserInfo is an authenticated principal, named as Kubernetes names users and groups. */
export interface UserInfo {
  readonly name: string
  readonly groups: readonly string[]
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
 */
export function createTokenAuthenticator(entries: readonly TokenEntry[]): Authenticator {
  const known = entries.map((e) => {
    if (e.sha256.length !== 32) throw new Error('a token hash must be 32 bytes of SHA-256')
    return e
  })
  return {
    authenticate(token: string): Promise<UserInfo | undefined> {
      const presented = hashToken(token)
      let match: UserInfo | undefined
      for (const e of known) if (timingSafeEqual(presented, e.sha256)) match ??= e.user
      return Promise.resolve(match)
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

/** Authorizer decides whether a user may make a request. */
export interface Authorizer {
  authorize(user: UserInfo, attrs: AuthorizationAttributes): Promise<Decision>
}

/** Non-resource paths every authenticated user may read, as Kubernetes' system:discovery and system:public-info-viewer roles grant. */
const DISCOVERY_PATHS = /^\/(version|healthz|readyz|livez|api|apis|openapi)(\/|$)/

/**
 * createAdminAuthorizer is the policy until roles exist: `system:masters` (the admin token) may
 * do everything; other authenticated users may only read discovery, version and health.
 */
export function createAdminAuthorizer(): Authorizer {
  return {
    authorize(user, attrs) {
      if (user.groups.includes('system:masters')) return Promise.resolve({ allowed: true })
      if (
        attrs.kind === 'nonResource' &&
        attrs.verb === 'get' &&
        DISCOVERY_PATHS.test(attrs.path)
      ) {
        return Promise.resolve({ allowed: true })
      }
      return Promise.resolve({ allowed: false, reason: 'only the admin user has access for now' })
    },
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; set by the onRequest hook before any route handler runs. */
    user: UserInfo | undefined
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

/** REGISTRY_PATH matches the distribution API under `/v2/`. */
const REGISTRY_PATH = /^\/v2(\/|\?|$)/

/**
 * registerAuthentication installs the authenticator on every route but `/v2/`, the 404 handler
 * included: a missing or unknown token is a 401 Status before routing decides anything.
 */
export function registerAuthentication(
  app: FastifyInstance,
  authenticator: Authenticator,
  authorizer: Authorizer,
): void {
  app.decorateRequest('user', undefined)
  app.decorate('authorizer', authorizer)
  app.addHook('onRequest', async (request) => {
    // The integrated registry authenticates its own requests: registry clients send Basic
    // credentials and expect its error dialect (src/distribution).
    if (REGISTRY_PATH.test(request.url)) return
    const token = bearerToken(request.headers.authorization)
    const user = token === undefined ? undefined : await authenticator.authenticate(token)
    if (!user) throw unauthorized()
    request.user = user
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
  if (decision.allowed) return user
  const why = forbiddenReason(user, attrs) + (decision.reason ? `: ${decision.reason}` : '')
  if (attrs.kind === 'nonResource') throw forbidden(undefined, '', why)
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource
  throw forbidden({ group: attrs.group, resource }, attrs.name ?? '', why)
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
