/**
 * Import failures as the per-entry `metav1.Status` OpenShift returns
 * (docs/imports.md#failures-and-conditions), with our additions: auth failures name the secrets and
 * keys tried, rate limits say when to come back.
 */
import type { Status } from '../api/index.js'
import { InvalidReferenceError, RegistryNotAllowedError } from '../reference/index.js'
import {
  AuthError,
  RateLimitedError,
  RegistryClientError,
  TransportError,
} from '../registry/index.js'

/**
 * ImportDeadlineError: an entry (or a repository's tag listing) did not finish within the import
 * deadline, retries included (docs/imports.md#failures-and-conditions).
 */
export class ImportDeadlineError extends Error {
  readonly registry: string
  readonly deadlineMs: number

  constructor(registry: string, deadlineMs: number, cause: unknown) {
    super(
      `the import from ${registry} did not finish within the import deadline of ${deadlineMs / 1000} s`,
      { cause },
    )
    this.name = 'ImportDeadlineError'
    this.registry = registry
    this.deadlineMs = deadlineMs
  }
}

/** failureStatus maps an import error for `ref` (as the user wrote it) to a Status. */
export function failureStatus(err: unknown, ref: string, repository: string): Status {
  const fail = (code: number, reason: string, message: string, extra: Partial<Status> = {}) =>
    ({ metadata: {}, status: 'Failure', code, reason, message, ...extra }) as Status
  if (err instanceof InvalidReferenceError) {
    return fail(422, 'Invalid', `invalid name: ${err.message}`, {
      details: {
        causes: [{ reason: 'FieldValueInvalid', message: err.message, field: 'from.name' }],
      },
    })
  }
  if (err instanceof RegistryNotAllowedError) {
    // The apiserver's words for a registry the allow-list refuses (docs/imports.md#allowed-registries).
    return fail(403, 'Forbidden', err.message)
  }
  if (err instanceof AuthError) {
    return fail(
      err.code === 'Forbidden' ? 403 : 401,
      err.code,
      `you may not have access to the container image "${ref}": ${err.message}`,
    )
  }
  if (err instanceof RateLimitedError) {
    const seconds = err.retryAt
      ? Math.max(1, Math.ceil((err.retryAt.getTime() - Date.now()) / 1000))
      : undefined
    return fail(429, 'TooManyRequests', `${ref}: ${err.message}`, {
      ...(seconds !== undefined && { details: { retryAfterSeconds: seconds } }),
    })
  }
  if (err instanceof ImportDeadlineError) {
    // The apiserver's Timeout (504): the work did not finish in the time allotted to it.
    return fail(504, 'Timeout', `Timeout: ${ref}: ${err.message}`)
  }
  if (err instanceof TransportError && err.tlsProblem === 'not-tls') {
    return fail(
      400,
      'BadRequest',
      `the repository ${repository} is HTTP only and requires the insecure flag to import`,
    )
  }
  if (err instanceof RegistryClientError && err.code === 'NotFound') {
    return fail(404, 'NotFound', `dockerimage.image.openshift.io "${ref}" not found`, {
      details: { name: ref, group: 'image.openshift.io', kind: 'dockerimage' },
    })
  }
  const message = err instanceof Error ? err.message : String(err)
  return fail(500, 'InternalError', `Internal error occurred: ${ref}: ${message}`)
}

/** successStatus is an entry's Status on success; its message says which credential worked. */
export function successStatus(message: string): Status {
  return { metadata: {}, status: 'Success', code: 200, message }
}
