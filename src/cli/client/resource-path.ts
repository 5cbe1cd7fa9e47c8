/**
 * kube's URL layout per resource, apart from the client that sends requests there, so that a
 * verb can name a URL without loading undici.
 */
import type { ResourceMeta } from '../../api/resource-meta.js'

/** Where: the namespace (for namespaced resources) and optionally a name. */
export interface Target {
  readonly namespace?: string | undefined
  readonly name?: string | undefined
  readonly subresource?: string | undefined
}

/** resourcePath is kube's URL for a resource: `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<sub>]]`. */
export function resourcePath(resource: ResourceMeta, target: Target = {}): string {
  const base = resource.group === '' ? '/api/v1' : `/apis/${resource.group}/${resource.version}`
  const ns =
    resource.namespaced && target.namespace !== undefined
      ? `/namespaces/${encodeURIComponent(target.namespace)}`
      : ''
  const name = target.name !== undefined ? `/${encodeURIComponent(target.name)}` : ''
  const sub = target.name !== undefined && target.subresource ? `/${target.subresource}` : ''
  return `${base}${ns}/${resource.plural}${name}${sub}`
}
