/**
 * The API client's errors, apart from the client so that commands can test for them without
 * loading undici.
 */
import type { Status } from '../../api/meta.js'

/** ApiError is a non-2xx answer of the API server; `reason` is the Status reason (`NotFound`). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code = 'ApiError'
  readonly status: number
  readonly reason: string
  readonly details: Status['details'] | undefined

  constructor(status: number, reason: string, message: string, details?: Status['details']) {
    super(message)
    this.status = status
    this.reason = reason
    this.details = details
  }
}

/** ConnectionError is a request that never got an HTTP answer (refused, TLS, timeout). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError'
  readonly code = 'ConnectionFailed'
}

/** toApiError decodes a Status body; anything else is reported by its HTTP status. */
export function toApiError(status: number, text: string): ApiError {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (isStatus(body)) {
    return new ApiError(status, body.reason ?? '', body.message ?? `status ${status}`, body.details)
  }
  const snippet = text.trim().slice(0, 200)
  return new ApiError(
    status,
    '',
    `the server responded with HTTP ${status}${snippet ? `: ${snippet}` : ''}`,
  )
}

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status'
}

/** isNotFound tells whether an API call failed because the object does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404
}
