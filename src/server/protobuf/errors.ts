/**
 * The one error of the protobuf decoder. The server answers it with a 415 `UnsupportedMediaType`
 * Status, so the message is written for the kubectl user who will read it.
 */

/** UnsupportedProtobufError is thrown for any body the decoder cannot turn into a JSON object. */
export class UnsupportedProtobufError extends Error {
  override readonly name = 'UnsupportedProtobufError'
  /** Matches the Status reason the server answers with, so the edge needs no mapping table. */
  readonly code = 'UnsupportedMediaType'

  constructor(problem: string, options?: ErrorOptions) {
    super(`cannot decode the protobuf request body: ${problem}`, options)
  }
}

// Long enough for any kind name or map key worth reading, short enough that a hostile body
// cannot blow up a log line or a Status message.
const MAX_QUOTED_LENGTH = 128

/** quote renders untrusted text inside a message: JSON-escaped and truncated. */
export function quote(value: string): string {
  return value.length > MAX_QUOTED_LENGTH
    ? `${JSON.stringify(value.slice(0, MAX_QUOTED_LENGTH))}...`
    : JSON.stringify(value)
}
