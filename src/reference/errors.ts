/**
 * Typed errors of the reference module. Callers branch on `code` (docs/architecture.md#errors),
 * never on the message, which is written for the user and says how to fix the input.
 */

// Long enough for any valid reference (path <= 255, tag <= 128, sha512 digest), short enough that
// a pasted blob cannot flood an import status.
const MAX_QUOTED_LENGTH = 512

/** quote renders user input inside a message: JSON-escaped so control characters stay visible. */
export function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH
    ? `${JSON.stringify(value.slice(0, MAX_QUOTED_LENGTH))}...`
    : JSON.stringify(value)
}

/** InvalidReferenceOptions add what a caller reporting in distribution's words needs. */
export interface InvalidReferenceOptions extends ErrorOptions {
  /** The grammar holds but the repository name is over the length limit (distribution's ErrNameTooLong). */
  readonly nameTooLong?: boolean
}

/** InvalidReferenceError is thrown for an image reference the grammar or our stricter rules refuse. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError'
  readonly code = 'InvalidReference'
  /** The reference exactly as given. */
  readonly input: string
  /** Whether the only problem is the repository name's length. */
  readonly nameTooLong: boolean

  constructor(input: string, problem: string, options?: InvalidReferenceOptions) {
    super(`invalid image reference ${quote(input)}: ${problem}`, options)
    this.input = input
    this.nameTooLong = options?.nameTooLong === true
  }
}

/** InvalidDigestError is thrown for a digest with bad grammar, bad hex or an unsupported algorithm. */
export class InvalidDigestError extends Error {
  override readonly name = 'InvalidDigestError'
  readonly code = 'InvalidDigest'
  /** The digest exactly as given. */
  readonly input: string

  constructor(input: string, problem: string) {
    super(`invalid digest ${quote(input)}: ${problem}`)
    this.input = input
  }
}
