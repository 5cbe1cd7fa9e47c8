/** Status errors specific to resource handling, phrased as the apiserver phrases them. */
import { statusInvalid, type FieldError, type ResourceInfo } from '../../api/index.js'
import { badRequest, conflict, StatusError, type StatusCause } from '../status.js'

/** invalidObject is the 422 Invalid with one cause per field error (kubectl prints `* <field>: <message>`). */
export function invalidObject(
  resource: ResourceInfo,
  name: string,
  errors: readonly FieldError[],
): StatusError {
  const status = statusInvalid(resource.kind, resource.group, name, errors)
  return new StatusError('Invalid', status.message ?? 'Invalid', {
    name,
    group: resource.group,
    kind: resource.kind,
    causes: (status.details?.causes ?? []) as StatusCause[],
  })
}

/** mergeFieldErrors joins field error lists, dropping repeats (the same field and message). */
export function mergeFieldErrors(...lists: readonly (readonly FieldError[])[]): FieldError[] {
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const e of lists.flat()) {
    const key = `${e.field}\0${e.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(e)
  }
  return out
}

/** cannotBeHandled is the 400 of a body that does not decode: `ImageStream in version "v1" cannot be handled as a ImageStream: <why>`. */
export function cannotBeHandled(
  resource: ResourceInfo,
  why: string,
  causes?: readonly StatusCause[],
): StatusError {
  return badRequest(
    `${resource.kind} in version ${JSON.stringify(resource.version)} cannot be handled as a ${resource.kind}: ${why}`,
    causes,
  )
}

/** preconditionFailed is the 409 of a failed delete precondition (uid or resourceVersion). */
export function preconditionFailed(
  resource: ResourceInfo,
  name: string,
  field: 'UID' | 'ResourceVersion',
  wanted: string,
  actual: string,
): StatusError {
  return conflict(
    { group: resource.group, resource: resource.plural },
    name,
    `Precondition failed: ${field} in precondition: ${wanted}, ${field} in object meta: ${actual}`,
  )
}

/** groupResource is the resource's identity for NotFound/AlreadyExists/Conflict messages. */
export function groupResource(resource: ResourceInfo): { group: string; resource: string } {
  return { group: resource.group, resource: resource.plural }
}
