/**
 * Typed errors of the registry client. Each carries a stable `code`, the registry and
 * repository it concerns, and (where one exists) the HTTP status, the registry's own error
 * codes and a redacted URL, so callers classify by type and code and never by message text.
 */
import type { CredentialSource } from '../credentials/index.js'

/** Diagnostic is one entry of a distribution error body: {"errors":[{code,message,detail}]}. */
export interface Diagnostic {
  readonly code: string
  readonly message: string
  readonly detail?: unknown
}

/** RegistryErrorCode lists every stable code a registry client error can carry. */
export type RegistryErrorCode =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'RateLimited'
  | 'RegistryUnavailable'
  | 'Transport'
  | 'Timeout'
  | 'DigestMismatch'
  | 'TooLarge'
  | 'InvalidManifest'
  | 'UnsupportedManifest'
  | 'NoMatchingPlatform'
  | 'InsecureRefused'
  | 'RedirectRefused'
  | 'RegistryProtocol'

/** Where an error happened: the registry host and, for repository operations, the repository. */
export interface ErrorContext {
  readonly registry: string
  readonly repository?: string
  readonly status?: number
  readonly url?: string
  readonly diagnostics?: readonly Diagnostic[]
  readonly cause?: unknown
}

/** RegistryClientError is the base of every error thrown by src/registry. */
export class RegistryClientError extends Error {
  readonly code: RegistryErrorCode
  readonly registry: string
  readonly repository: string | undefined
  readonly status: number | undefined
  /** The request URL with credentials and query secrets removed. */
  readonly url: string | undefined
  readonly diagnostics: readonly Diagnostic[]

  constructor(code: RegistryErrorCode, message: string, ctx: ErrorContext) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause })
    this.name = new.target.name
    this.code = code
    this.registry = ctx.registry
    this.repository = ctx.repository
    this.status = ctx.status
    this.url = ctx.url
    this.diagnostics = ctx.diagnostics ?? []
  }

  /** True when retrying the same request later may succeed. */
  get temporary(): boolean {
    return (
      this.code === 'RateLimited' ||
      this.code === 'RegistryUnavailable' ||
      this.code === 'Transport' ||
      this.code === 'Timeout'
    )
  }
}

/** CredentialAttempt records one credential tried against a repository and how it failed. */
export interface CredentialAttempt {
  /** Where the credential came from; undefined for an anonymous attempt. */
  readonly source: CredentialSource | undefined
  readonly status: number | undefined
}

/**
 * AuthError is a 401/403 after every matching credential (or anonymous access, when none
 * matched) was tried. `attempts` says which secrets and keys were used, never the secrets.
 */
export class AuthError extends RegistryClientError {
  readonly attempts: readonly CredentialAttempt[]

  constructor(
    code: 'Unauthorized' | 'Forbidden',
    message: string,
    ctx: ErrorContext & { attempts: readonly CredentialAttempt[] },
  ) {
    super(code, message, ctx)
    this.attempts = ctx.attempts
  }
}

/** RateLimitedError is a 429 whose Retry-After is longer than the client is willing to wait. */
export class RateLimitedError extends RegistryClientError {
  /** When the registry said it will accept requests again, if it said so. */
  readonly retryAt: Date | undefined

  constructor(message: string, ctx: ErrorContext & { retryAt?: Date }) {
    super('RateLimited', message, ctx)
    this.retryAt = ctx.retryAt
  }
}

/** DigestMismatchError: the bytes received do not hash to the digest that was asked for. */
export class DigestMismatchError extends RegistryClientError {
  readonly expected: string
  readonly actual: string

  constructor(ctx: ErrorContext & { expected: string; actual: string }) {
    super(
      'DigestMismatch',
      `content from ${ctx.registry}/${ctx.repository ?? ''} does not match its digest: expected ${ctx.expected}, got ${ctx.actual}`,
      ctx,
    )
    this.expected = ctx.expected
    this.actual = ctx.actual
  }
}

/** errorCodes lists the registry's own error codes of an error, for logs and statuses. */
export function errorCodes(err: RegistryClientError): string {
  return err.diagnostics.map((d) => d.code).join(', ')
}

/** TransportError: the exchange failed below HTTP (refused, reset, TLS, timeout). */
export class TransportError extends RegistryClientError {
  /** The system or undici error code (ECONNRESET, EPROTO, UND_ERR_HEADERS_TIMEOUT ...). */
  readonly networkCode: string | undefined
  /** True when a retry of the same request may succeed. */
  readonly retryable: boolean
  /**
   * What went wrong with TLS, when the cause is known: the certificate is not trusted, or the
   * server does not speak TLS at all (a plain-HTTP registry).
   */
  readonly tlsProblem: 'untrusted-certificate' | 'not-tls' | undefined

  constructor(
    code: 'Transport' | 'Timeout',
    message: string,
    ctx: ErrorContext & {
      networkCode: string | undefined
      retryable: boolean
      tlsProblem?: 'untrusted-certificate' | 'not-tls'
    },
  ) {
    super(code, message, ctx)
    this.networkCode = ctx.networkCode
    this.retryable = ctx.retryable
    this.tlsProblem = ctx.tlsProblem
  }
}
