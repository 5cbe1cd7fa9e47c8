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

/** formatDocument renders a document as `-o json` or `-o yaml`. */
export function formatDocument(doc: unknown, format: 'json' | 'yaml'): string {
  const node = unstructuredNode(doc)
  return format === 'json' ? `${goJson(node)}\n` : goYaml(node)
}
