/**
 * Field ownership (server-side apply): `metadata.managedFields` recorded for every write made
 * through the API, and apply configurations merged with conflict detection. The rules are
 * Kubernetes' (structured-merge-diff and apimachinery's managedfields);
 * docs/kubernetes-api.md#managed-fields describes what the server records.
 */
import type { ResourceInfo } from '../../../api/index.js'
import type { ResourceContext } from '../context.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import type { FieldManagerScope } from './field-manager.js'

export { trackApply, trackUpdate, type FieldManagerScope } from './field-manager.js'
export { managerFromUserAgent } from './managed-fields.js'

/** fieldManagerScope describes a write to `resource` (or its subresource) now. */
export function fieldManagerScope(
  resource: ResourceInfo,
  subresource: string | undefined,
  ctx: ResourceContext,
): FieldManagerScope {
  return {
    kind: resource.kind,
    apiVersion: resource.apiVersion,
    schema: resource.schema,
    ...(subresource === undefined ? {} : { subresource }),
    now: rfc3339(ctx.now()),
  }
}
