/**
 * `-o json` and `-o yaml` as kubectl prints objects it got from the server: unstructured maps,
 * so keys in Go's map order (go-encoding.ts), several objects wrapped in a `List`.
 */
import { goJson, goYaml, unstructuredNode } from './go-encoding.js'

/** asDocument is what kubectl prints for `objects`: the object itself, or a v1 List of them. */
export function asDocument(objects: readonly unknown[], single: boolean): unknown {
  if (single && objects.length === 1) return objects[0]
  return { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } }
}

type Meta = { metadata?: Record<string, unknown> }

/**
 * omitManagedFields drops `metadata.managedFields` from an object or a List's items, as
 * kubectl's and oc's printers do unless `--show-managed-fields` is given.
 */
export function omitManagedFields<T>(doc: T): T {
  if (typeof doc !== 'object' || doc === null) return doc
  const { items } = doc as { items?: unknown }
  if (Array.isArray(items)) return { ...doc, items: items.map(omitManagedFields) }
  const meta = (doc as Meta).metadata
  if (typeof meta !== 'object' || meta === null || !('managedFields' in meta)) return doc
  const { managedFields: _omitted, ...rest } = meta
  return { ...doc, metadata: rest }
}

/** formatDocument renders a document as `-o json` or `-o yaml` (managedFields left out). */
export function formatDocument(doc: unknown, format: 'json' | 'yaml'): string {
  const node = unstructuredNode(omitManagedFields(doc))
  return format === 'json' ? `${goJson(node)}\n` : goYaml(node)
}
