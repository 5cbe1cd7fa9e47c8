/**
 * Structural equality of JSON values, used to detect no-op writes: two objects are the same
 * write when they serialise to the same JSON up to the order of object keys (clients and
 * patches do not preserve key order, and kubectl expects `patched (no change)` regardless).
 */

/** jsonEqual compares two parsed JSON values; object key order is ignored, array order is not. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((v, i) => jsonEqual(v, b[i]))
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keys = Object.keys(ra)
  if (keys.length !== Object.keys(rb).length) return false
  return keys.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]))
}
