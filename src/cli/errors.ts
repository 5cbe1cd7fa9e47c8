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
