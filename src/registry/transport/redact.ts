/** URL redaction: errors and logs never carry credentials or signed query strings. */

const SECRET_PARAMS =
  /^(x-amz-|x-goog-|sig$|signature$|token$|access_token$|refresh_token$|se$|sp$|sv$|st$)/i

/** redactURL drops userinfo and masks query parameters that are credentials (pre-signed URLs). */
export function redactURL(url: URL | string): string {
  const u = new URL(url.toString())
  u.username = ''
  u.password = ''
  for (const key of [...u.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) u.searchParams.set(key, 'REDACTED')
  }
  return u.toString()
}
