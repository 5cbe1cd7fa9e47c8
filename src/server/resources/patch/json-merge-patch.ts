/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge recursively,
 * `null` deletes a key, anything else (arrays included) replaces.
 */
import { badRequest } from '../../status.js'
import { cloneJson, FORBIDDEN_KEYS, isJsonObject } from './json-value.js'

/** applyMergePatch returns `target` with `patch` merged in; neither argument is changed. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return cloneJson(merge(target, patch))
}

// Shares unchanged subtrees with `target`; applyMergePatch copies the result once.
function merge(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch
  const result = isJsonObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key))
      throw badRequest(`the patch may not contain the key ${JSON.stringify(key)}`)
    if (value === null) delete result[key]
    else result[key] = merge(result[key], value)
  }
  return result
}
