/**
 * The four PATCH content types (docs/kubernetes-api.md#patch-types) and how each is applied to the
 * current object. A server-side apply to a stored kind goes through fieldmanager/ (field
 * ownership and conflicts, docs/kubernetes-api.md#managed-fields); here, for the virtual kinds
 * and the events.k8s.io/v1 view of events, it is a merge of the applied configuration by the
 * strategic-merge rules.
 */
import type { TSchema } from 'typebox'
import { applyJsonPatch } from './json-patch.js'
import { applyMergePatch } from './json-merge-patch.js'
import { applyStrategicMergePatch } from './strategic-merge-patch.js'

/** PatchType is a PATCH request's kind, from its Content-Type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply'

const MEDIA_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
}

/** patchTypeOf maps a Content-Type (without parameters) to its patch type, if it is one. */
export function patchTypeOf(mediaType: string): PatchType | undefined {
  return Object.hasOwn(MEDIA_TYPES, mediaType) ? MEDIA_TYPES[mediaType] : undefined
}

/** applyPatch applies a parsed patch body to the current object (as clients see it); returns a new value. */
export function applyPatch(
  type: PatchType,
  current: unknown,
  patch: unknown,
  schema: TSchema,
): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch)
    case 'merge':
      return applyMergePatch(current, patch)
    case 'strategic':
    case 'apply':
      return applyStrategicMergePatch(current, patch, schema)
  }
}

export { applyJsonPatch } from './json-patch.js'
export { applyMergePatch } from './json-merge-patch.js'
export { applyStrategicMergePatch } from './strategic-merge-patch.js'
