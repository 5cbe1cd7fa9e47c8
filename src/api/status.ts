/**
 * Builders for metav1.Status bodies (docs/kubernetes-api.md#status-errors, apimachinery
 * api/errors). Shapes only: which error becomes which code is the server's mapping; `code` is a
 * parameter here except for `statusInvalid`, whose 422 is part of the body kube defines for field
 * errors.
 */
import type { FieldError } from './field-errors.js'
import { formatFieldError } from './field-errors.js'
import type { Status, StatusDetails } from './meta.js'

/** StatusReason is a metav1.StatusReason kubectl knows (it prints `Error from server (<reason>)`). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'Timeout'
  | 'ServerTimeout'
  | 'ServiceUnavailable'
  | 'InternalError'

/** statusFailure builds `{kind: Status, status: Failure, message, reason, details?, code}` in kube's key order. */
export function statusFailure(
  code: number,
  /** A StatusReason, or a reason of the server's own (e.g. NotV2Registry). */
  reason: string,
  message: string,
  details?: StatusDetails,
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  }
}

/** statusSuccess builds a Success Status, e.g. a delete's `{details: {name, group, kind, uid}}`. */
export function statusSuccess(
  details?: StatusDetails,
  options: { readonly message?: string; readonly code?: number } = {},
): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(options.message === undefined ? {} : { message: options.message }),
    ...(details === undefined ? {} : { details }),
    ...(options.code === undefined ? {} : { code: options.code }),
  }
}

/**
 * invalidMessage is apimachinery NewInvalid's message: `<Kind>[.<group>] "<name>" is invalid: `
 * followed by the field errors, bracketed and comma-joined when there are several.
 */
export function invalidMessage(
  kind: string,
  group: string,
  name: string,
  errors: readonly FieldError[],
): string {
  const qualified = group === '' ? kind : `${kind}.${group}`
  const lines = [...new Set(errors.map(formatFieldError))]
  const head = `${qualified} ${JSON.stringify(name)} is invalid`
  if (lines.length === 0) return head
  return lines.length === 1 ? `${head}: ${lines[0]}` : `${head}: [${lines.join(', ')}]`
}

/** statusInvalid builds the 422 Invalid Status for field errors: one cause per error, `details.kind` the Kind. */
export function statusInvalid(
  kind: string,
  group: string,
  name: string,
  errors: readonly FieldError[],
): Status {
  return statusFailure(422, 'Invalid', invalidMessage(kind, group, name, errors), {
    name,
    ...(group === '' ? {} : { group }),
    kind,
    // StatusCause.field is omitempty in Go: a whole-object error has none.
    causes: errors.map((e) => ({
      reason: e.type,
      message: e.message,
      ...(e.field === '' ? {} : { field: e.field }),
    })),
  })
}

/** isStatus reports whether a decoded response body is a metav1.Status. */
export function isStatus(value: unknown): value is Status {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'Status' &&
    typeof (value as { status?: unknown }).status === 'string'
  )
}
