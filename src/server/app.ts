/**
 * The API server's fastify app: HTTPS only (kubectl sends tokens only over TLS), every request
 * authenticated, bodies limited and parsed per media type, every error a Kubernetes `Status`,
 * and the routes that need no storage: `/version`, health, discovery and the caller's
 * SelfSubjectReview. Resource handlers are
 * registered on the returned app before it listens.
 */
import {
  fastify,
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import { redactUrl } from '../lib/redact-url.js'
import { ACCESS_REVIEW_DISCOVERY, registerAccessReviews } from './auth/access-reviews.js'
import {
  RESOURCE_ACCESS_REVIEW_DISCOVERY,
  registerResourceAccessReviews,
} from './auth/resource-access-reviews.js'
import {
  authorizeNonResourceRequest,
  bearerToken,
  isRegistryPath,
  registerAuthentication,
  type Authenticator,
  type Authorizer,
} from './auth/index.js'
import type { AuditLog } from './audit/index.js'
import { registerBodyParsers, type ProtobufDecoder } from './body-parsers.js'
import { registerDiscovery, type DiscoveryResource } from './discovery.js'
import { registerHealth, type HealthCheck } from './health.js'
import {
  badRequest,
  serviceUnavailable,
  StatusError,
  statusFromError,
  unauthorized,
  type ErrorMapper,
} from './status.js'
import { registerSelfSubjectReview } from './auth/self-subject-review.js'
import type { Store } from '../storage/index.js'
import { lazyChildren } from './logger.js'
import { versionInfo } from './version.js'

/** DEFAULT_BODY_LIMIT is the apiserver's request body limit, 3 MiB; larger bodies get a 413 Status. */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024

/** ServerDeps is everything createServer needs; cmd/serve.ts picks the implementations. */
export interface ServerDeps {
  /** The store the resource handlers will use; not consulted by the routes defined here. */
  readonly store?: Store
  /** The pino logger (see createLogger, which redacts credentials). */
  readonly logger: FastifyBaseLogger
  readonly auth: Authenticator
  readonly authorizer: Authorizer
  /** The resources registry (src/api's RESOURCES), for discovery. */
  readonly resources: readonly DiscoveryResource[]
  /** The serving certificate chain and key, PEM. */
  readonly tls: { readonly cert: string; readonly key: string }
  /** This product's version, shown in `/version`'s gitCommit; default `unknown`. */
  readonly serverVersion?: string
  /** The request body limit in bytes; default DEFAULT_BODY_LIMIT. */
  readonly bodyLimit?: number
  /** The protobuf body decoder; default src/server/protobuf's decodeKubernetesProtobuf. */
  readonly decodeProtobuf?: ProtobufDecoder
  /** Mappers from other layers' typed errors to Status, tried before the built-in rules. */
  readonly errorMappers?: readonly ErrorMapper[]
  /** Checks `/readyz` runs besides `ping` (e.g. storeSpaceCheck's). */
  readonly readyChecks?: readonly HealthCheck[]
  /** The audit log every request is recorded in; none by default. */
  readonly audit?: AuditLog
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Aborted when the server starts closing: long-lived responses (watches) end on it. */
    shutdownSignal: AbortSignal
    /**
     * Answers router-level errors under `/v2/` and `/admin/` in the registry's own dialect; set
     * by the integrated registry when it is mounted (docs/integrated-registry.md#errors).
     */
    registryRouterError: ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | null
  }
}

/** Route names reach 253 characters (DNS subdomains), ImageStreamTags `<stream>:<tag>` more: far above fastify's default 100. */
const MAX_PARAM_LENGTH = 1024

/** answerFrameworkError answers a router-level error (bad URL encoding, overlong path segment) with a Status, after authentication. */
async function answerFrameworkError(
  auth: Authenticator,
  err: FastifyError,
  authorization: string | undefined,
  requestId: string,
  reply: FastifyReply,
): Promise<void> {
  const token = bearerToken(authorization)
  const user =
    token === undefined ? undefined : await auth.authenticate(token).catch(() => undefined)
  const status = !user
    ? unauthorized()
    : err.code === 'FST_ERR_BAD_URL'
      ? badRequest(err.message)
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? badRequest(`a path segment is longer than ${MAX_PARAM_LENGTH} characters`)
        : statusFromError(err, { requestId })
  await reply.code(status.httpStatus).type('application/json').send(status.toStatus())
}

/**
 * A schema compiler factory for fastify that refuses: handlers check their input themselves
 * (as Kubernetes types, into Status errors), so no route has a fastify schema. Given these,
 * fastify does not load ajv and fast-json-stringify, 100-250 ms of every start measured.
 */
function noRouteSchemas(): never {
  throw new Error('routes of this server take no fastify schema: check input in the handler')
}

/** createServer builds the app; call `listen` on it after registering the resource routes. */
export function createServer(deps: ServerDeps): FastifyInstance {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT
  const app: FastifyInstance = fastify({
    https: { cert: deps.tls.cert, key: deps.tls.key },
    // Request loggers made on first use, through fastify's own child factory: a factory of our
    // own would have fastify check every request's logger for its methods.
    loggerInstance: lazyChildren(deps.logger),
    // One access line per request from the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // A GET route must never answer HEAD by running its handler (pull-through fetches, watches).
    exposeHeadRoutes: false,
    // Our own hook answers with a Status instead of fastify's non-Kubernetes 503 body.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    schemaController: {
      compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas },
    },
    // Malformed URLs are refused by the router before any hook runs, so they are authenticated
    // here: a stranger learns nothing, not even that the URL was malformed.
    frameworkErrors: (err, request, reply) => {
      deps.audit?.track(request, reply)
      const registry = isRegistryPath(request.url) ? app.registryRouterError : null
      if (registry) return void registry(request, reply)
      void answerFrameworkError(deps.auth, err, request.headers.authorization, request.id, reply)
    },
  })

  const shutdown = new AbortController()
  app.decorate('shutdownSignal', shutdown.signal)
  app.decorate('registryRouterError', null)
  // First of all hooks: requests refused by any later one are audited too.
  deps.audit?.register(app)
  app.addHook('preClose', (done) => {
    shutdown.abort()
    done()
  })
  // Before authentication: a closing server has nothing to say to anyone. Callback style: an
  // async hook would cost every request a promise for a check that almost never fails.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!shutdown.signal.aborted) return done()
    void reply.header('connection', 'close')
    done(serviceUnavailable('the server is shutting down'))
  })
  registerAuthentication(app, deps.auth, deps.authorizer)
  registerBodyParsers(app, { decodeProtobuf: deps.decodeProtobuf })

  app.setErrorHandler((err, request, reply) => {
    const status = statusFromError(err, {
      bodyLimit,
      requestId: request.id,
      mappers: deps.errorMappers,
    })
    if (status.httpStatus >= 500 && !(err instanceof StatusError)) {
      request.log.error({ err }, 'request failed')
    }
    if (reply.sent || reply.raw.headersSent) return
    // As the apiserver's error writer does: a Status that suggests a delay says it in the header
    // clients (client-go's retry, kubectl) read.
    const retryAfter = status.details?.retryAfterSeconds
    if (retryAfter) void reply.header('retry-after', String(retryAfter))
    return reply.code(status.httpStatus).type('application/json').send(status.toStatus())
  })
  app.setNotFoundHandler((_request, reply) => {
    const status = new StatusError('NotFound', 'the server could not find the requested resource')
    return reply.code(404).type('application/json').send(status.toStatus())
  })
  // The access line's fields are ours and its URL is redacted below: it skips the logger's
  // credential redaction, which would otherwise cost more than the rest of the line (every
  // field is matched against the redaction's wildcard paths). Same destination, same shape.
  const access = deps.logger.child({}, { redact: [] })
  app.addHook('onResponse', (request, reply, done) => {
    access.info(
      {
        reqId: request.id,
        method: request.method,
        // Query values that are credentials (`?access_token=`) never reach the log.
        url: redactUrl(request.url),
        statusCode: reply.statusCode,
        // Undefined fields are left out of the line.
        user: request.user?.name,
        impersonator: request.impersonator?.name,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    )
    done()
  })

  const nonResource = { preHandler: authorizeNonResourceRequest }
  const version = versionInfo(deps.serverVersion ?? 'unknown')
  app.get('/version', nonResource, () => version)
  registerHealth(app, deps.readyChecks ?? [])
  registerDiscovery(app, [
    ...deps.resources,
    ...ACCESS_REVIEW_DISCOVERY,
    ...RESOURCE_ACCESS_REVIEW_DISCOVERY,
  ])
  registerSelfSubjectReview(app)
  registerAccessReviews(app)
  registerResourceAccessReviews(app)
  return app
}
