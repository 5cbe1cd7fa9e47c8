/** Address classification for SSRF guards on redirects and token realms. */
import { isIP } from 'node:net'

/**
 * isPrivateHost is true for IP literals in loopback, RFC 1918, link-local, ULA or unspecified
 * ranges. Names are not resolved: DNS-based SSRF needs egress policy, as ggcr notes.
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '')
  if (isIP(h) === 4)
    return /^(127\.|10\.|192\.168\.|169\.254\.|0\.|172\.(1[6-9]|2\d|3[01])\.)/.test(h)
  if (isIP(h) === 6) return /^(::1$|::$|f[cd]|fe[89ab])/i.test(h)
  return false
}
