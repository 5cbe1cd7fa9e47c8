/**
 * The nesting limit of request bodies (docs/kubernetes-api.md#request-bodies-and-content-types).
 * kube-apiserver's JSON decoding stops at 10,000 levels (sigs.k8s.io/json: "exceeded max depth");
 * our schema walks, clones and merges recurse, and the YAML parser overflows the stack below 1,000
 * levels, so the limit here is 500: deeper than any real object, well inside what the stack survives.
 */

/** MAX_BODY_DEPTH is how many levels of objects and arrays a request body may nest. */
export const MAX_BODY_DEPTH = 500

/** DEPTH_PROBLEM is the reason a too-deep body is refused, as Go's decoder words it. */
export const DEPTH_PROBLEM = `exceeded max depth of ${MAX_BODY_DEPTH}`

/**
 * exceedsDepth tells whether a parsed body nests objects and arrays deeper than `limit`. It walks
 * with its own stack, not recursion, so no body can overflow the check itself.
 */
export function exceedsDepth(value: unknown, limit: number = MAX_BODY_DEPTH): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue
    const depth = next.depth + 1
    if (depth > limit) return true
    for (const child of Object.values(next.value)) pending.push({ value: child, depth })
  }
  return false
}

/**
 * exceedsFlowDepth tells whether YAML text opens more than `limit` flow collections (`[`, `{`)
 * inside one another, scanning the text once, outside quoted scalars and comments. It runs
 * before parsing, because the YAML parser recurses into flow collections and would overflow the
 * stack on its own; block nesting is bounded by exceedsDepth on the parsed value. A bracket in a
 * plain scalar may count as one: only bodies no real object resembles come near the limit.
 */
export function exceedsFlowDepth(text: string, limit: number = MAX_BODY_DEPTH): boolean {
  let depth = 0
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote === '"') {
      if (c === '\\') i++
      else if (c === '"') quote = undefined
    } else if (quote === "'") {
      if (c === "'") quote = undefined
    } else if (c === '"' || c === "'") {
      quote = c
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const end = text.indexOf('\n', i)
      i = end < 0 ? text.length : end
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return true
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--
    }
  }
  return false
}
