/** How a failed verb is reported: the text oc and kubectl print for each kind of failure. */
import { ApiError, ConnectionError } from './client/api-errors.js'
import { CliError, PlainError, UsageError } from './errors.js'

/**
 * errorText renders a failure as kubectl's CheckErr does: `Error from server (Reason): ...`
 * for an API Status, the connection failure as is, `error: ...` for everything else.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    return err.reason
      ? `Error from server (${err.reason}): ${err.message}`
      : `Error from server: ${err.message}`
  }
  if (err instanceof ConnectionError || err instanceof PlainError) return err.message
  if (err instanceof UsageError || err instanceof CliError) return `error: ${err.message}`
  return `error: ${err instanceof Error ? err.message : String(err)}`
}

/**
 * errorReport is the whole report of a failed verb, `hint` included: a newline is added only
 * when the text lacks one, as kubectl's fatal error handler does.
 */
export function errorReport(err: unknown, hint = ''): string {
  const text = `${errorText(err)}${hint}`
  return text.endsWith('\n') ? text : `${text}\n`
}
