/** Errors of the command-line layer. */

/** UsageError is a mistake in the arguments or flags; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'Usage'
}

/** CliError is a failure a command reports as oc does: `error: <message>` and exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly code = 'CommandFailed'
}

/** PlainError is a failure whose message is printed as it is, without `error: ` (kubectl's CheckErr texts). */
export class PlainError extends Error {
  override readonly name = 'PlainError'
  readonly code = 'CommandFailed'
}
