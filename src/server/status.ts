/**
 * Kubernetes `Status` errors: the one error dialect of the API server. Handlers throw a
 * `StatusError` built by the constructors below (their messages are the apiserver's, word for
 * word, because kubectl prints them as they are); `statusFromError` turns anything thrown into
 * the Status body and HTTP code at the edge. See docs/kubernetes-api.md#status-errors and
 * apimachinery's `pkg/api/errors`.
 */
import { REFERENCED_CAUSE } from '../api/constants.js'
import type { StatusReason } from '../api/index.js'
import { goQuote } from '../lib/go-quote.js'

export type { StatusReason }

/**
 * CauseType is the `reason` of one cause of a Status: apimachinery's field.ErrorType for
 * Invalid, and core/v1's NamespaceTerminatingCause for creates in a terminating namespace.
 */
export type CauseType =
  | 'NamespaceTerminating'
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'ResourceVersionTooLarge'
  | 'InternalError'
  | 'FieldManagerConflict'
  | typeof REFERENCED_CAUSE
  | 'InsufficientStorage'

/** StatusCause is one entry of `details.causes`. */
export interface StatusCause {
  readonly reason?: CauseType
  readonly message: string
  readonly field?: string
}

/** StatusDetails names the object a failure is about; `kind` is the resource (plural) for most reasons and the Kind for Invalid. */
export interface StatusDetails {
  readonly name?: string
  readonly group?: string
  readonly kind?: string
  readonly causes?: readonly StatusCause[]
  readonly retryAfterSeconds?: number
}

/** Status is the `v1 Status` body of every error response. */
export interface Status {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure'
  readonly message: string
  readonly reason: StatusReason
  readonly details?: StatusDetails
  readonly code: number
}

/** REASON_CODES maps each reason to its HTTP status, as the apiserver does. */
export const REASON_CODES: Readonly<Record<StatusReason, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  ServerTimeout: 500,
}

/** StatusError is an error that the server answers with exactly this Status. */
export class StatusError extends Error {
  override readonly name = 'StatusError'
  /** The reason, also the stable `code` every typed error of this project carries. */
  readonly code: StatusReason
  readonly httpStatus: number
  readonly details: StatusDetails | undefined

  constructor(
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    options?: { cause?: unknown; httpStatus?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = reason
    this.httpStatus = options?.httpStatus ?? REASON_CODES[reason]
    this.details = details
  }

  /** toStatus renders the response body. */
  toStatus(): Status {
    const details = compactDetails(this.details)
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.code,
      ...(details ? { details } : {}),
      code: this.httpStatus,
    }
  }
}

/** Drops empty fields, as Go's omitempty does: kubectl shows what is there. */
function compactDetails(d: StatusDetails | undefined): StatusDetails | undefined {
  if (!d) return undefined
  const out: { -readonly [K in keyof StatusDetails]: StatusDetails[K] } = {}
  if (d.name) out.name = d.name
  if (d.group) out.group = d.group
  if (d.kind) out.kind = d.kind
  if (d.causes && d.causes.length > 0) out.causes = d.causes
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds
  return Object.keys(out).length > 0 ? out : undefined
}

/** GroupResource identifies a resource for messages: `imagestreams.image.openshift.io`, or `secrets` in the core group. */
export interface GroupResource {
  readonly group: string
  readonly resource: string
}

/** GroupKind identifies a kind for Invalid messages: `ImageStream.image.openshift.io`. */
export interface GroupKind {
  readonly group: string
  readonly kind: string
}

function qualify(name: string, group: string): string {
  return group ? `${name}.${group}` : name
}

/** notFound: `imagestreams.image.openshift.io "nope" not found` (404). */
export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    'NotFound',
    `${qualify(gr.resource, gr.group)} ${goQuote(name)} not found`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
    },
  )
}

/** alreadyExists: `imagestreams.image.openshift.io "ruby" already exists` (409). */
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    'AlreadyExists',
    `${qualify(gr.resource, gr.group)} ${goQuote(name)} already exists`,
    { name, group: gr.group, kind: gr.resource },
  )
}

/** The apiserver's wording for a failed resourceVersion precondition. */
export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again'

/** conflict: `Operation cannot be fulfilled on <resource> "<name>": <why>` (409); `why` defaults to the optimistic-lock text. */
export function conflict(
  gr: GroupResource,
  name: string,
  why: string = OPTIMISTIC_LOCK_MESSAGE,
): StatusError {
  return new StatusError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualify(gr.resource, gr.group)} ${goQuote(name)}: ${why}`,
    { name, group: gr.group, kind: gr.resource },
  )
}

/** ReferrerName names the object that still references another: its plural resource and key. */
export interface ReferrerName {
  readonly resource: string
  readonly namespace: string
  readonly name: string
}

/**
 * stillReferenced: `<resource> "<name>" is still referenced by <referrer resource> <ns/name>:
 * <what to do>` (409 Conflict), with a `Referenced` cause a client can branch on.
 */
export function stillReferenced(
  gr: GroupResource,
  name: string,
  referrer: ReferrerName,
  remedy: string,
): StatusError {
  const by = `${referrer.resource} ${referrer.namespace ? `${referrer.namespace}/` : ''}${referrer.name}`
  return new StatusError(
    'Conflict',
    `${qualify(gr.resource, gr.group)} ${goQuote(name)} is still referenced by ${by}: ${remedy}`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
      causes: [{ reason: REFERENCED_CAUSE, message: `still referenced by ${by}` }],
    },
  )
}

/**
 * FieldCause is one validation failure with its message already rendered, as src/api's
 * FieldError (`{type, field, message}`, apimachinery's field.Error with ErrorBody as message).
 */
export interface FieldCause {
  readonly type: CauseType
  /** The field path, `spec.tags[0].from.name`; '' for the object as a whole. */
  readonly field: string
  /** `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain ...`, `Required value`. */
  readonly message: string
}

/** invalid: `ImageStream.image.openshift.io "Bad_Name" is invalid: <field>: <message>` (422) with one cause per field error. */
export function invalid(gk: GroupKind, name: string, errors: readonly FieldCause[]): StatusError {
  const causes = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }))
  // utilerrors.NewAggregate: duplicates collapse, more than one distinct error is bracketed.
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
  const distinct = [...new Set(lines)]
  const summary =
    distinct.length === 0 ? '' : distinct.length === 1 ? distinct[0]! : `[${distinct.join(', ')}]`
  const head = `${qualify(gk.kind, gk.group)} ${goQuote(name)} is invalid`
  return new StatusError('Invalid', summary ? `${head}: ${summary}` : head, {
    name,
    group: gk.group,
    kind: gk.kind,
    causes,
  })
}

/** invalidRequest is a 422 without an object, as a failed JSON patch test: kubectl prints `The request is invalid: <message>`. */
export function invalidRequest(message: string): StatusError {
  return new StatusError('Invalid', message)
}

/** badRequest is a 400 with the given message (undecodable bodies, bad query parameters). */
export function badRequest(message: string, causes?: readonly StatusCause[]): StatusError {
  return new StatusError('BadRequest', message, causes ? { causes } : undefined)
}

/** unauthorized is the 401 kubectl turns into "You must be logged in to the server". */
export function unauthorized(): StatusError {
  return new StatusError('Unauthorized', 'Unauthorized')
}

/** forbidden: `<resource> "<name>" is forbidden: <why>` (403); an empty resource gives `forbidden: <why>`. */
export function forbidden(
  gr: GroupResource | undefined,
  name: string,
  why: string,
  causes?: readonly StatusCause[],
): StatusError {
  const message = !gr?.resource
    ? `forbidden: ${why}`
    : name
      ? `${qualify(gr.resource, gr.group)} ${goQuote(name)} is forbidden: ${why}`
      : `${qualify(gr.resource, gr.group)} is forbidden: ${why}`
  return new StatusError('Forbidden', message, {
    name,
    group: gr?.group,
    kind: gr?.resource,
    ...(causes === undefined ? {} : { causes }),
  })
}

/** methodNotAllowed is the 405 for a verb the resource does not serve (discovery's verbs are enforced). */
export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): StatusError {
  return new StatusError('MethodNotAllowed', message)
}

/** unsupportedMediaType is the 415 for a body in a format the endpoint does not read. */
export function unsupportedMediaType(message: string): StatusError {
  return new StatusError('UnsupportedMediaType', message)
}

/** notAcceptable is the 406 when no representation the client accepts can be produced. */
export function notAcceptable(message: string): StatusError {
  return new StatusError('NotAcceptable', message)
}

/** requestEntityTooLarge: `Request entity too large: limit is N` (413). */
export function requestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(
    'RequestEntityTooLarge',
    `Request entity too large: limit is ${limitBytes}`,
  )
}

/** expired is the 410 for a watch or continue token older than the retained history. */
export function expired(message: string): StatusError {
  return new StatusError('Expired', message)
}

/** gone is the 410 with reason Gone. */
export function gone(message: string): StatusError {
  return new StatusError('Gone', message)
}

/** serviceUnavailable is the 503 answered while the server shuts down. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError('ServiceUnavailable', message)
}

/** internalError is the 500 for a failure the client cannot fix; the message must not carry internals. */
export function internalError(message: string): StatusError {
  return new StatusError('InternalError', `Internal error occurred: ${message}`)
}

/** The apiserver's 415 message for a body it cannot decode, with the media types this server reads. */
export const UNKNOWN_BODY_FORMAT =
  'the body of the request was in an unknown format - accepted media types include: ' +
  'application/json, application/yaml, application/vnd.kubernetes.protobuf, ' +
  'application/merge-patch+json, application/json-patch+json, ' +
  'application/strategic-merge-patch+json, application/apply-patch+yaml'

/** Fastify's own request errors that are the client's fault, by their stable codes. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, StatusReason>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_TYPE: 'BadRequest',
  FST_ERR_CTP_EMPTY_TYPE: 'BadRequest',
  FST_ERR_CTP_BODY_TOO_LARGE: 'RequestEntityTooLarge',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BadRequest',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BadRequest',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BadRequest',
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: 'InternalError',
  FST_ERR_BAD_URL: 'BadRequest',
  FST_ERR_ASYNC_CONSTRAINT: 'InternalError',
  FST_ERR_VALIDATION: 'BadRequest',
}

/** ErrorMapper turns an error of another layer (storage, importer) into its Status, or passes with undefined. */
export type ErrorMapper = (err: unknown) => StatusError | undefined

/** What the error handler needs to know about the request to phrase some errors. */
export interface StatusContext {
  /** Mappers tried, in order, before the built-in rules. */
  readonly mappers?: readonly ErrorMapper[]
  /** The body limit in bytes, for the 413 message. */
  readonly bodyLimit?: number
  /** The request id, so a 500's message points at the log line with the details. */
  readonly requestId?: string
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined
  return typeof err.code === 'string' ? err.code : undefined
}

/**
 * statusFromError maps anything thrown to the StatusError that answers it: a StatusError as it
 * is, then whatever a mapper of `ctx` claims, fastify's request errors (bad JSON, unknown media type, body too large, schema
 * validation) by code, everything else as a 500 whose message names only the request id, so
 * neither stacks nor internal messages (which may carry URLs or secret names) leave the server.
 */
export function statusFromError(err: unknown, ctx: StatusContext = {}): StatusError {
  if (err instanceof StatusError) return err
  for (const map of ctx.mappers ?? []) {
    const mapped = map(err)
    if (mapped) return mapped
  }
  const code = errorCode(err)
  const reason = code === undefined ? undefined : FASTIFY_CLIENT_ERRORS[code]
  if (reason === 'RequestEntityTooLarge') return requestEntityTooLarge(ctx.bodyLimit ?? 0)
  if (reason === 'UnsupportedMediaType') return unsupportedMediaType(UNKNOWN_BODY_FORMAT)
  if (reason !== undefined && reason !== 'InternalError') {
    // Fastify's messages for these name only the request's own content type or JSON position.
    const message = err instanceof Error ? err.message : String(err)
    return new StatusError(reason, message)
  }
  const where = ctx.requestId ? ` (request ${ctx.requestId}; see the server log)` : ''
  return internalError(`an unexpected error prevented the request from succeeding${where}`)
}
