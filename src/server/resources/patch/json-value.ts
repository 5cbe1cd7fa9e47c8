/** Small helpers over parsed JSON values shared by the patch implementations. */

/** JsonObject is a parsed JSON object. */
export type JsonObject = Record<string, unknown>

/** isJsonObject is true for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export { cloneJson } from '../../../lib/clone-json.js'

/**
 * FORBIDDEN_KEYS would reach Object.prototype through a computed assignment; patches that name
 * them are refused (the body parsers refuse them in bodies too, this also covers JSON pointers).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
])
