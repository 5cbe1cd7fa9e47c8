/**
 * patch: the patch is applied to the current object as clients see it, and the result goes
 * through the same admission as a PUT (updateObject), which records the patcher in
 * managedFields. A server-side apply merges its configuration by the kind's schema with field
 * ownership (fieldmanager/): conflicts are a 409 unless forced, and the apply to an absent
 * object creates it (201).
 */
import { prune, type KindMap, type KindName } from '../../../api/index.js'
import { isStoreError } from '../../../storage/index.js'
import { badRequest, invalid, type FieldCause } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { fieldManagerScope, trackApply } from '../fieldmanager/index.js'
import { checkName } from '../object-meta.js'
import { applyPatch, type PatchType } from '../patch/index.js'
import { isJsonObject, type JsonObject } from '../patch/json-value.js'
import { createObject } from './create.js'
import { updateObject, type UpdateTarget } from './update.js'
import {
  dryRunErrors,
  fieldManagerErrors,
  fieldValidationErrors,
  type WriteOptions,
  type WriteResult,
} from './write-options.js'

/** PatchOptions add the fieldManager parameter, which server-side apply requires, and `force`. */
export interface PatchOptions extends WriteOptions {
  readonly fieldManager: string | undefined
  /** Whether `force` was given (true or false): only an apply may send it. */
  readonly force: boolean | undefined
}

const PATCH_OPTIONS = { group: 'meta.k8s.io', kind: 'PatchOptions' }

/**
 * checkPatchOptions refuses what apimachinery's ValidatePatchOptions refuses (422 PatchOptions);
 * `dryRun` and `fieldValidation` are the request's values as given, checked where the request is
 * read (the options keep only whether there was a dry run and the behaviour named).
 */
export function checkPatchOptions(
  type: PatchType,
  options: PatchOptions,
  dryRun: readonly string[] = [],
  fieldValidation = '',
): void {
  const errors: FieldCause[] = []
  if (type !== 'apply' && options.force !== undefined) {
    errors.push({
      type: 'FieldValueForbidden',
      field: 'force',
      message: 'Forbidden: may not be specified for non-apply patch',
    })
  }
  if (type === 'apply' && !options.fieldManager) {
    errors.push({
      type: 'FieldValueRequired',
      field: 'fieldManager',
      message: 'Required value: is required for apply patch',
    })
  }
  errors.push(
    ...fieldManagerErrors(options.fieldManager),
    ...dryRunErrors(dryRun),
    ...fieldValidationErrors(fieldValidation),
  )
  if (errors.length > 0) throw invalid(PATCH_OPTIONS, '', errors)
}

/** checkApplyBody checks what the apiserver checks of an apply body before anything else. */
export function checkApplyBody(body: unknown, name: string): asserts body is JsonObject {
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
  checkPatchOptions(type, options)
  const { resource } = target
  if (type !== 'apply') {
    return updateObject(
      ctx,
      target,
      (current) => applyPatch(type, current, patch, resource.schema),
      options,
    )
  }
  checkApplyBody(patch, target.name)
  const manager = options.fieldManager ?? ''
  const scope = fieldManagerScope(resource, target.subresource, ctx)
  // What the applier owns is its configuration as the schema knows it; unknown fields still
  // reach decoding, which warns about them or refuses them.
  const owned = prune(resource.schema, patch) as JsonObject
  // The apply result carries its managedFields: admission must not record it again.
  const { manager: _recorded, ...untracked } = options
  try {
    return await updateObject(
      ctx,
      target,
      (current) =>
        trackApply(scope, current as JsonObject, patch, owned, manager, options.force === true),
      untracked,
    )
  } catch (err) {
    if (!isStoreError(err, 'NotFound') || target.subresource !== undefined) throw err
  }
  const metadata = { ...(patch.metadata as JsonObject | undefined), name: target.name }
  const created = trackApply(
    scope,
    undefined,
    { ...patch, metadata },
    owned,
    manager,
    options.force === true,
  )
  return createObject(ctx, resource, target.namespace, created, untracked)
}
