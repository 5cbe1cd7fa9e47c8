/**
 * patch: the patch is applied to the current object as clients see it, and the result goes
 * through the same admission as a PUT (updateObject). Server-side apply to an absent object
 * creates it (201); otherwise it merges the applied configuration (patch/index.ts).
 */
import type { KindMap, KindName } from '../../../api/index.js'
import { isStoreError } from '../../../storage/index.js'
import { badRequest } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { checkName } from '../object-meta.js'
import { applyPatch, type PatchType } from '../patch/index.js'
import { isJsonObject } from '../patch/json-value.js'
import { createObject } from './create.js'
import { updateObject, type UpdateTarget } from './update.js'
import type { WriteOptions, WriteResult } from './write-options.js'

/** PatchOptions add the field manager, which server-side apply requires. */
export interface PatchOptions extends WriteOptions {
  readonly fieldManager: string | undefined
}

/** checkApplyBody checks what the apiserver checks of an apply body before anything else. */
export function checkApplyBody(body: unknown, name: string, options: PatchOptions): void {
  if (!options.fieldManager) {
    throw badRequest('PATCH of type apply requires the fieldManager query parameter')
  }
  if (!isJsonObject(body)) throw badRequest('the apply configuration must be an object')
  const metadata = body.metadata
  const bodyName = isJsonObject(metadata) ? metadata.name : undefined
  if (bodyName !== undefined) checkName(typeof bodyName === 'string' ? bodyName : '', name)
}

/** patchObject patches a stored object. */
export async function patchObject<K extends KindName>(
  ctx: ResourceContext,
  target: UpdateTarget<K>,
  type: PatchType,
  patch: unknown,
  options: PatchOptions,
): Promise<WriteResult<KindMap[K]>> {
  const schema = target.resource.schema
  if (type !== 'apply') {
    return updateObject(ctx, target, (current) => applyPatch(type, current, patch, schema), options)
  }
  checkApplyBody(patch, target.name, options)
  try {
    return await updateObject(
      ctx,
      target,
      (current) => applyPatch(type, current, patch, schema),
      options,
    )
  } catch (err) {
    if (!isStoreError(err, 'NotFound') || target.subresource !== undefined) throw err
  }
  const body = patch as Record<string, unknown>
  const metadata = { ...(body.metadata as Record<string, unknown>), name: target.name }
  return createObject(ctx, target.resource, target.namespace, { ...body, metadata }, options)
}
