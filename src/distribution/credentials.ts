/**
 * What a registry client presents as credentials: the API's bearer token directly, or Basic
 * with any user name and the token as password (`skopeo --creds any:TOKEN`, `podman login`).
 */

/** BASIC_CHALLENGE is the `WWW-Authenticate` of a 401: Basic, so clients send `--creds` as is. */
export const BASIC_CHALLENGE = 'Basic realm="imagestreams"'

/** presentedToken extracts the API token from an Authorization header; undefined when absent or malformed. */
export function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space < 0) return undefined
  const scheme = header.slice(0, space).toLowerCase()
  const value = header.slice(space + 1).trim()
  if (scheme === 'bearer') return value === '' ? undefined : value
  if (scheme !== 'basic') return undefined
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  // The user name is ignored: the token alone says who is pulling.
  const password = colon < 0 ? '' : decoded.slice(colon + 1)
  return password === '' ? undefined : password
}
