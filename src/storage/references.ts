/**
 * The reference index's backend-neutral parts: the deduplicated targets of one object, and the
 * fingerprint of a declaration that tells a backend whether its stored index was built by the
 * same one (docs/architecture.md#storage).
 */
import { createHash } from 'node:crypto'
import type { ObjectKey, ReferenceExtractor, StoredObject } from './store.js'

// A key as one string, for sets of targets.
function refId(key: ObjectKey): string {
  return `${key.resource}\u0000${key.namespace}\u0000${key.name}`
}

/**
 * targetsOf returns the keys `object` references, deduplicated by refId; keys without a
 * resource or a name name nothing and are left out.
 */
export function targetsOf(
  extract: ReferenceExtractor,
  object: StoredObject,
): Map<string, ObjectKey> {
  const targets = new Map<string, ObjectKey>()
  for (const key of extract(object)) {
    if (key.resource === '' || key.name === '') continue
    const target = { resource: key.resource, namespace: key.namespace, name: key.name }
    targets.set(refId(target), target)
  }
  return targets
}

/**
 * referencesFingerprint identifies a declaration: its resources and each extractor's source
 * text, so a program whose extractors changed rebuilds the index once. '' for no declaration,
 * which is what an index that was never built holds.
 */
export function referencesFingerprint(
  references: Readonly<Record<string, ReferenceExtractor>>,
): string {
  const entries = Object.entries(references)
    .map(([resource, extract]): [string, string] => [resource, String(extract)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (entries.length === 0) return ''
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex')
}
