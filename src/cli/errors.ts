/** Errors of the command-line layer. */

/** UsageErrorOptions shape how a usage error is reported. */
export interface UsageErrorOptions extends ErrorOptions {
  /**
   * The error is one oc reports through kubectl's UsageErrorf: the report ends with
   * `See 'isctl VERB -h' for help and examples`.
   */
  readonly seeHelp?: boolean
}

/** UsageError is a mistake in the arguments or flags; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'Usage'
  readonly seeHelp: boolean

  constructor(message: string, options: UsageErrorOptions = {}) {
    super(message, options)
    this.seeHelp = options.seeHelp === true
  }
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
