/**
 * RFC 8288 `Link` parsing for tag-list pagination (docs/registry-protocol.md#tag-list-pagination).
 */

/**
 * nextPageURL returns the `rel="next"` target resolved against the request URL, verbatim
 * (Quay and ECR put opaque tokens in it), or undefined when there is no next page.
 */
export function nextPageURL(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part)
    if (!m) continue
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!)
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/)
    if (!rel.includes('next')) continue
    try {
      return new URL(m[1]!, base)
    } catch {
      return undefined
    }
  }
  return undefined
}
