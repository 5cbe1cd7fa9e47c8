/**
 * How kubectl's CheckErr prints a server's `Invalid` Status (kubectl pkg/cmd/util/helpers.go):
 * `The <Kind> "<name>" is invalid: <field>: <message>`, one cause per line when there are
 * several, or `The request is invalid: <message>` when the Status names no object.
 */
import { ApiError } from './client/api-errors.js'
import { PlainError } from './errors.js'

/** asKubectlInvalid turns an `Invalid` ApiError into kubectl's text; other errors pass through. */
export function asKubectlInvalid(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.reason !== 'Invalid') return err
  const details = err.details
  let head = 'The request is invalid'
  if (details === undefined) {
    return new PlainError(err.message ? `${head}: ${err.message}` : head)
  }
  const causes = (details.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`)
  if (details.kind || details.name)
    head = `The ${details.kind ?? ''} "${details.name ?? ''}" is invalid`
  else if (err.message && causes.length === 0) head += `: ${err.message}`
  if (causes.length === 0) return new PlainError(head)
  if (causes.length === 1) return new PlainError(`${head}: ${causes[0]}`)
  return new PlainError(`${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`)
}
