/**
 * Reading one page of `GET /v2/<name>/tags/list` (docs/registry-protocol.md#tag-list-pagination).
 */
import { isValidTag } from '../reference/index.js'

/**
 * parseTagPage returns the page's tags. `tags` may be null (distribution after deleting every
 * manifest), contain nulls or empty strings (Nexus) or digests (Artifactory): only entries
 * that are tags are kept. A body that is not a tag list yields no tags.
 */
export function parseTagPage(body: Buffer): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return []
  }
  const tags = (parsed as { tags?: unknown } | null)?.tags
  return Array.isArray(tags)
    ? tags.filter((t): t is string => typeof t === 'string' && isValidTag(t))
    : []
}
