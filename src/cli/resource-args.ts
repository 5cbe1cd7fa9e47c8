/**
 * The resource arguments of `get`, `describe` and `delete`, read as kubectl reads them:
 * `TYPE [NAME...]`, `TYPE1,TYPE2`, or `TYPE/NAME...`, types by plural, singular, short name or kind.
 */
import { findResource, type ResourceMeta } from '../api/resource-meta.js'
import { UsageError } from './errors.js'

/** ResourceTarget is one resource type with the names asked for (none: all of them). */
export interface ResourceTarget {
  readonly resource: ResourceMeta
  readonly names: readonly string[]
}

function lookup(type: string): ResourceMeta {
  const resource = findResource(type)
  if (!resource) throw new UsageError(`the server doesn't have a resource type "${type}"`)
  return resource
}

/**
 * parseResourceArgs groups the operands by type. `TYPE/NAME` and plain `TYPE NAME` may not be
 * mixed, and names apply to one type only, as kubectl insists.
 */
export function parseResourceArgs(operands: readonly string[], verb: string): ResourceTarget[] {
  if (operands.length === 0) {
    throw new UsageError(
      `you must specify the type of resource to ${verb} (for example: is, istag, isimage, images, secrets, sa, ns)`,
    )
  }
  if (operands.some((o) => o.includes('/'))) {
    const targets: { resource: ResourceMeta; names: string[] }[] = []
    for (const operand of operands) {
      const slash = operand.indexOf('/')
      if (slash <= 0 || slash === operand.length - 1) {
        throw new UsageError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'isctl ${verb} resource/<resource_name>' instead of 'isctl ${verb} resource resource/<resource_name>'`,
        )
      }
      const resource = lookup(operand.slice(0, slash))
      const name = operand.slice(slash + 1)
      const existing = targets.find((t) => t.resource === resource)
      if (existing) existing.names.push(name)
      else targets.push({ resource, names: [name] })
    }
    return targets
  }
  const [types = '', ...names] = operands
  const resources = types.split(',').map(lookup)
  if (names.length > 0 && resources.length > 1) {
    throw new UsageError(
      `arguments in resource/name form must have a single resource and name (e.g. 'isctl ${verb} ${types.split(',')[0]} NAME')`,
    )
  }
  return [...new Set(resources)].map((resource) => ({ resource, names }))
}

/** qualifiedKind is how kubectl names an object's type in `-o name` and messages: `imagestream.image.openshift.io`, `secret`. */
export function qualifiedKind(resource: ResourceMeta): string {
  const kind = resource.kind.toLowerCase()
  return resource.group === '' ? kind : `${kind}.${resource.group}`
}

/** qualifiedResource is the plural with its group: `imagestreams.image.openshift.io`, `secrets`. */
export function qualifiedResource(resource: ResourceMeta): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`
}
