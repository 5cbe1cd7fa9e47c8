/** Errors of the command-line layer. */

/** UsageError is a mistake in the arguments or flags; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'Usage'
}
