/**
 * URL redaction for logs and errors: userinfo dropped and the values of query parameters that
 * carry credentials replaced by `REDACTED`, so a token in `?access_token=` (the OAuth 2.0
 * bearer-token query form, RFC 6750 section 2.3) or a pre-signed blob URL never reaches a log
 * line (docs/kubernetes-api.md#security-and-redaction).
 */

/**
 * SENSITIVE_QUERY_NAMES are the parameter names (compared case-insensitively, after
 * percent-decoding) whose values are redacted: OAuth tokens and codes, passwords and secrets,
 * and the signature parts of pre-signed URLs (Azure SAS `sig`, `se`, `sp`, `sv`, `st`).
 */
export const SENSITIVE_QUERY_NAMES: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'code',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'signature',
  'sig',
  'se',
  'sp',
  'sv',
  'st',
]

/** SENSITIVE_QUERY_PREFIXES are name prefixes redacted whole: S3's and GCS's signed-URL parameters. */
export const SENSITIVE_QUERY_PREFIXES: readonly string[] = ['x-amz-', 'x-goog-']

/** REDACTED replaces a sensitive value. */
export const REDACTED = 'REDACTED'

const NAMES = new Set(SENSITIVE_QUERY_NAMES)

// RFC 3986 scheme and authority; the userinfo is everything before an `@` in the authority.
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#@]*@/

/** isSensitiveQueryName reports whether a query parameter's value is redacted. */
export function isSensitiveQueryName(name: string): boolean {
  const lower = decodeName(name).toLowerCase()
  return NAMES.has(lower) || SENSITIVE_QUERY_PREFIXES.some((p) => lower.startsWith(p))
}

/**
 * redactUrl redacts an absolute URL or a request target (`/path?query`): the rest is kept as
 * written, so a log still shows the URL the client sent.
 */
export function redactUrl(url: string | URL): string {
  const text = url.toString().replace(USERINFO, '$1')
  const q = text.indexOf('?')
  if (q < 0) return text
  const hash = text.indexOf('#', q)
  const end = hash < 0 ? text.length : hash
  const query = text
    .slice(q + 1, end)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=')
      const name = eq < 0 ? part : part.slice(0, eq)
      return isSensitiveQueryName(name) ? `${name}=${REDACTED}` : part
    })
    .join('&')
  return `${text.slice(0, q + 1)}${query}${text.slice(end)}`
}

/** decodeName decodes a form-encoded name; a malformed escape is compared as written. */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}
