/**
 * The distribution API's error dialect: `{"errors":[{"code","message","detail"}]}` with the
 * status a registry sends for each code, so skopeo and podman print what they print for any
 * registry.
 */

/** The distribution error codes this registry answers with, and their HTTP status. */
export const ERROR_STATUS = {
  UNAUTHORIZED: 401,
  DENIED: 403,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  MANIFEST_UNKNOWN: 404,
  BLOB_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  TAG_INVALID: 400,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  UNKNOWN: 500,
  UNAVAILABLE: 503,
} as const

/** DistributionErrorCode is one of the codes in ERROR_STATUS. */
export type DistributionErrorCode = keyof typeof ERROR_STATUS

/** DistributionError is an answer in the distribution dialect; `status` overrides the code's own. */
export class DistributionError extends Error {
  readonly code: DistributionErrorCode
  readonly detail: unknown
  readonly status: number

  constructor(
    code: DistributionErrorCode,
    message: string,
    detail: unknown = null,
    status?: number,
  ) {
    super(message)
    this.name = 'DistributionError'
    this.code = code
    this.detail = detail
    this.status = status ?? ERROR_STATUS[code]
  }

  /** body is the JSON a registry sends for this error. */
  body(): { errors: { code: string; message: string; detail: unknown }[] } {
    return { errors: [{ code: this.code, message: this.message, detail: this.detail }] }
  }
}

/** unauthorized is distribution's answer to a request without valid credentials. */
export function unauthorized(): DistributionError {
  return new DistributionError('UNAUTHORIZED', 'authentication required')
}

/** denied is the 403 for an authenticated caller who may not do what it asked. */
export function denied(): DistributionError {
  return new DistributionError('DENIED', 'requested access to the resource is denied')
}

/** manifestUnknown is the 404 for a tag or digest this stream does not resolve. */
export function manifestUnknown(detail: unknown): DistributionError {
  return new DistributionError('MANIFEST_UNKNOWN', 'manifest unknown', detail)
}

/** nameInvalid is distribution's 400 for a repository name it cannot serve, `problem` saying why. */
export function nameInvalid(problem: string): DistributionError {
  return new DistributionError('NAME_INVALID', 'invalid repository name', problem)
}

/** nameUnknown is the 404 for a `<namespace>/<stream>` that is not a stream. */
export function nameUnknown(name: string): DistributionError {
  return new DistributionError('NAME_UNKNOWN', 'repository name not known to registry', { name })
}

/** blobUnknown is the 404 for a blob of no image this stream resolves. */
export function blobUnknown(digest: string): DistributionError {
  return new DistributionError('BLOB_UNKNOWN', 'blob unknown to registry', digest)
}
