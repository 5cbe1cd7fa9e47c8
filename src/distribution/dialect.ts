/**
 * What makes a fastify context speak as a registry: it authenticates on its own (Basic or Bearer
 * carrying an API token, docs/integrated-registry.md#authentication), sends the API version
 * header, and answers every failure in the distribution error dialect, upstream failures with
 * their meaning kept (docs/integrated-registry.md#errors). Shared by `/v2/` and `/admin/`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDigest, repositoryPathProblem } from '../reference/index.js'
import { RateLimitedError, RegistryClientError } from '../registry/index.js'
import { BASIC_CHALLENGE, presentedToken } from './credentials.js'
import {
  blobUnknown,
  DistributionError,
  manifestUnknown,
  nameInvalid,
  unauthorized,
} from './errors.js'
import { parseManifestReference } from './resolve.js'

/** RegistryUser is an authenticated caller, as the API server's Authenticator returns it. */
export interface RegistryUser {
  readonly name: string
  readonly groups: readonly string[]
}

/** RegistryAuthenticator is the API server's authenticator: the registry accepts exactly the API's tokens. */
export interface RegistryAuthenticator {
  authenticate(token: string): Promise<RegistryUser | undefined>
}

/** RegistryObserver is told who made a registry request and whether it was allowed (the audit log listens). */
export interface RegistryObserver {
  authenticated(request: FastifyRequest, user: RegistryUser): void
  authorized(request: FastifyRequest, allowed: boolean): void
}

/** API_VERSION_HEADER is sent on every answer; clients check it on `/v2/`. */
const API_VERSION_HEADER = 'docker-distribution-api-version'

/**
 * useRegistryDialect installs authentication, the version header and the error dialect on
 * `ctx`; it returns the lookup of a request's authenticated user.
 */
export function useRegistryDialect(
  ctx: FastifyInstance,
  auth: RegistryAuthenticator,
  now: () => number,
  observer?: RegistryObserver,
): (request: FastifyRequest) => RegistryUser {
  const users = new WeakMap<FastifyRequest, RegistryUser>()
  ctx.addHook('onSend', async (_request, reply) => {
    void reply.header(API_VERSION_HEADER, 'registry/2.0')
  })
  ctx.addHook('onRequest', async (request) => {
    const token = presentedToken(request.headers.authorization)
    const user = token === undefined ? undefined : await auth.authenticate(token)
    if (!user) throw unauthorized()
    users.set(request, user)
    observer?.authenticated(request, user)
  })
  ctx.setErrorHandler((err, request, reply) => {
    const blob = request.routeOptions.url?.endsWith('/blobs/:digest')
      ? (request.params as { digest: string }).digest
      : undefined
    const answer = toDistributionError(err, blob)
    if (answer.status >= 500) request.log.error({ err }, 'registry request failed')
    if (answer.code === 'UNAUTHORIZED') void reply.header('www-authenticate', BASIC_CHALLENGE)
    if (err instanceof RateLimitedError && err.retryAt) {
      const seconds = Math.max(0, Math.ceil((err.retryAt.getTime() - now()) / 1000))
      void reply.header('retry-after', String(seconds))
    }
    return reply.code(answer.status).type('application/json').send(answer.body())
  })
  // Pushes and paths not served are refused in the dialect, after authentication.
  ctx.setNotFoundHandler((request) => {
    throw unroutedAnswer(request.method, request.url)
  })
  return (request) => {
    const user = users.get(request)
    if (!user) throw unauthorized()
    return user
  }
}

/**
 * answerRouterError answers a request under `/v2/` or `/admin/` that the router refused (a path
 * segment over its length limit, bad percent-encoding) in the dialect, after authenticating it as
 * any registry request: the name, tag or digest at fault gets distribution's 400.
 */
export async function answerRouterError(
  auth: RegistryAuthenticator,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const token = presentedToken(request.headers.authorization)
  const user =
    token === undefined ? undefined : await auth.authenticate(token).catch(() => undefined)
  const answer = user ? unroutedAnswer(request.method, request.url) : unauthorized()
  if (answer.code === 'UNAUTHORIZED') void reply.header('www-authenticate', BASIC_CHALLENGE)
  await reply
    .code(answer.status)
    .header(API_VERSION_HEADER, 'registry/2.0')
    .type('application/json')
    .send(answer.body())
}

/** REPOSITORY_URL splits a distribution URL into the repository name, the endpoint and its argument. */
const REPOSITORY_URL = /^\/v2\/(.+)\/(manifests|blobs|tags)\/([^/]*)$/

/**
 * unroutedAnswer says what is wrong with a URL no route serves, as distribution does: a name it
 * cannot be (over 255 characters, or not its grammar) is NAME_INVALID, a reference that is no
 * tag or digest TAG_INVALID or DIGEST_INVALID; anything else (pushes, other paths) UNSUPPORTED.
 */
function unroutedAnswer(method: string, url: string): DistributionError {
  const match = REPOSITORY_URL.exec(url.split('?')[0] ?? '')
  if (match) {
    const [, name = '', endpoint, argument = ''] = match
    const problem = repositoryPathProblem(name)
    if (problem !== undefined) return nameInvalid(problem)
    if (endpoint === 'manifests') {
      try {
        parseManifestReference(argument)
      } catch (err) {
        if (err instanceof DistributionError) return err
        throw err
      }
    }
    if (endpoint === 'blobs' && !isDigest(argument)) {
      return new DistributionError('DIGEST_INVALID', 'provided digest is invalid', argument)
    }
  }
  const status = method === 'GET' || method === 'HEAD' ? 404 : 405
  return new DistributionError('UNSUPPORTED', 'the operation is unsupported', null, status)
}

/** toDistributionError maps any failure (of a request for `blob`, if one) to the dialect; upstream failures keep their meaning. */
function toDistributionError(err: unknown, blob: string | undefined): DistributionError {
  if (err instanceof DistributionError) return err
  if (err instanceof RegistryClientError) {
    const where = `${err.registry}/${err.repository ?? ''}`
    if (err.code === 'RateLimited') {
      return new DistributionError('TOOMANYREQUESTS', `too many requests to ${where}`)
    }
    // The upstream refusing our credentials is, to the puller, a manifest that is not there.
    if (err.code === 'NotFound' || err.code === 'Unauthorized' || err.code === 'Forbidden') {
      return blob !== undefined
        ? blobUnknown(blob)
        : manifestUnknown(`not available from ${where}: ${err.message}`)
    }
    // A stalled upstream (no answer in time, or a body below the minimum rate) is the gateway
    // timing out, as a proxy answers it (docs/integrated-registry.md#stalled-upstreams).
    if (err.code === 'Timeout') {
      return new DistributionError(
        'UNKNOWN',
        `pulling through from ${where} timed out: ${err.message}`,
        null,
        504,
      )
    }
    if (err.temporary) {
      return new DistributionError('UNAVAILABLE', `${where} is unavailable: ${err.message}`)
    }
    return new DistributionError(
      'UNKNOWN',
      `pulling through from ${where} failed: ${err.message}`,
      null,
      502,
    )
  }
  if (!(err instanceof Error)) return new DistributionError('UNKNOWN', 'unknown error')
  // The server's own refusals (it is shutting down) and fastify's carry their status.
  const { statusCode, httpStatus } = err as { statusCode?: unknown; httpStatus?: unknown }
  const status = typeof statusCode === 'number' ? statusCode : httpStatus
  if (status === 503) return new DistributionError('UNAVAILABLE', 'the server is shutting down')
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new DistributionError('UNKNOWN', err.message, null, status)
  }
  return new DistributionError('UNKNOWN', 'unknown error')
}
