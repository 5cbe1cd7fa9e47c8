/** Which failures are worth retrying, and how long a registry asked us to wait. */
import type { BackoffPolicy } from '../../lib/backoff.js'

/**
 * RetryPolicy bounds retries inside one operation (docs/registry-protocol.md#retries-and-timeouts).
 */
export interface RetryPolicy extends BackoffPolicy {
  /** Total attempts including the first (default 4). */
  readonly attempts: number
  /** Longest Retry-After honoured in-request; longer fails as RateLimited (default 60 s). */
  readonly maxRetryAfterMs: number
}

/** DEFAULT_RETRY is the production policy: up to 4 attempts, 1 s base, doubling, 60 s cap. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseMs: 1000,
  factor: 2,
  maxMs: 30_000,
  maxRetryAfterMs: 60_000,
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])

/** isRetryableStatus: 408, 429 and 5xx gateway/availability answers; never other 4xx. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status)
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

/** errorCode digs the system/undici code out of an error and its causes. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** isRetryableNetworkError: resets, refusals, timeouts and DNS hiccups, not TLS failures. */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = errorCode(err)
  return code !== undefined && NETWORK_CODES.has(code)
}

/**
 * parseRetryAfter reads delta-seconds or an HTTP-date; negative or unparseable values are
 * ignored (undefined), as containers/image does.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  if (!/^[A-Za-z]{3},/.test(v)) return undefined
  const at = Date.parse(v)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
