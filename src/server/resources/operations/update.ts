/**
 * update (PUT) and the read-modify-write every patch shares: the new object is computed from
 * the current one inside the store's guaranteedUpdate, so a concurrent write re-runs it on the
 * fresh state instead of losing either change. A `metadata.resourceVersion` in the new object is
 * a precondition (409 Conflict on mismatch, docs/kubernetes-api.md#update-and-delete); the main
 * resource ignores status changes and `/status` ignores everything else (the kind's strategy);
 * writing an unchanged object keeps its resourceVersion (the store's no-op rule), so kubectl prints
 * `(no change)`. A PUT without resourceVersion is unconditional unless the kind's strategy refuses
 * that. An update that leaves an object a delete marked without finalizers removes it instead.
 */
import {
  applyDefaults,
  deletesOnUpdate,
  validateUpdate,
  type KindMap,
  type KindName,
  type ResourceInfo,
} from '../../../api/index.js'
import {
  grantPull,
  isStoreError,
  objectKey,
  type StoreReader,
  type StoreWriter,
} from '../../../storage/index.js'
import { conflict, invalid } from '../../status.js'
import { allowListErrors } from '../allowed-registries.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { groupResource, invalidObject, mergeFieldErrors } from '../errors.js'
import { fieldManagerScope, trackUpdate } from '../fieldmanager/index.js'
import { checkName, checkNamespace, prepareUpdateMeta } from '../object-meta.js'
import { isJsonObject } from '../patch/json-value.js'
import { present } from '../present.js'
import { strategyFor } from '../strategies/index.js'
import { strategyContext } from './context.js'
import type { WriteOptions, WriteResult } from './write-options.js'

/** UpdateTarget names the object being written, as the URL does. */
export interface UpdateTarget<K extends KindName> {
  readonly resource: ResourceInfo<K>
  readonly namespace: string | undefined
  readonly name: string
  readonly subresource?: 'status'
}

/** NextFn computes the requested object (not yet decoded) from the current one as served. */
export type NextFn<K extends KindName> = (current: KindMap[K]) => unknown

/**
 * admitUpdate turns a requested object into the object to store over `current`, with the images
 * its namespace is to be granted before it is stored.
 */
export async function admitUpdate<K extends KindName>(
  ctx: ResourceContext,
  target: UpdateTarget<K>,
  input: unknown,
  current: KindMap[K],
  options: WriteOptions,
): Promise<{ object: KindMap[K]; warnings: readonly string[]; pullGrants: readonly string[] }> {
  const { resource } = target
  const {
    object: decoded,
    warnings,
    missing,
  } = decodeBody(resource, input, options.fieldValidation, options.duplicateFields)
  checkNamespace(decoded.metadata.namespace, resource.namespaced ? target.namespace : undefined)
  checkName(decoded.metadata.name, target.name)
  const expected = decoded.metadata.resourceVersion
  if (expected && expected !== current.metadata.resourceVersion) {
    throw conflict(groupResource(resource), target.name)
  }
  const sctx = strategyContext(ctx, options.access)
  const strategy = strategyFor(resource.kind)
  const carried = prepareUpdateMeta(decoded, current)
  const withDefaults = applyDefaults(resource.kind, carried, {
    ...(ctx.settings.defaultImportMode ? { importMode: ctx.settings.defaultImportMode } : {}),
  })
  // The writer's managedFields are computed before the strategy runs, as the apiserver does.
  const defaulted =
    options.manager === undefined
      ? withDefaults
      : (trackUpdate(
          fieldManagerScope(resource, target.subresource, ctx),
          present(resource, current, sctx),
          withDefaults,
          options.manager,
        ) as KindMap[K])
  await options.guard?.(defaulted, current)
  const status = target.subresource === 'status'
  const prepared =
    status && strategy.prepareForStatusUpdate
      ? strategy.prepareForStatusUpdate(defaulted, current, sctx)
      : strategy.prepareForUpdate(defaulted, current, sctx)
  const errors = mergeFieldErrors(
    missing,
    validateUpdate(resource.kind, current, prepared),
    allowListErrors(resource.kind, prepared, current, ctx.settings),
  )
  if (errors.length > 0) throw invalidObject(resource, target.name, errors)
  // `/status` changes no spec, so there is nothing to resolve (upstream's StatusStrategy).
  if (status || !strategy.admit) return { object: prepared, warnings, pullGrants: [] }
  const admitted = await strategy.admit(prepared, current, ctx.store, sctx)
  if (admitted.errors.length > 0) throw invalidObject(resource, target.name, admitted.errors)
  return { object: admitted.object, warnings, pullGrants: admitted.pullGrants ?? [] }
}

/** Times an update that removes an object runs again because the object changed meanwhile. */
const REMOVE_RETRIES = 16

/** updateObject writes `next(current)` over the stored object; NotFound propagates as the store's error. */
export async function updateObject<K extends KindName>(
  ctx: ResourceContext,
  target: UpdateTarget<K>,
  next: NextFn<K>,
  options: WriteOptions,
): Promise<WriteResult<KindMap[K]>> {
  const { resource } = target
  const sctx = strategyContext(ctx, options.access)
  const key = objectKey(
    resource.plural,
    target.name,
    resource.namespaced ? (target.namespace ?? '') : '',
  )
  const strategy = strategyFor(resource.kind)
  for (let attempt = 0; ; attempt++) {
    let warnings: readonly string[] = []
    let wouldBe: KindMap[K] | undefined
    let removal: KindMap[K] | undefined
    // Admission may pass pull grants, which are written with the object in one transaction
    // (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches). Most updates pass
    // none: they are written without one, as the store's single writes commit together, and only
    // one that needs grants is made again inside a transaction.
    let needsGrants = false
    const write = (writer: StoreReader & StoreWriter, transaction: boolean) =>
      writer.guaranteedUpdate<KindMap[K]>(key, async (current) => {
        const admitted = await admitUpdate(
          ctx,
          target,
          next(present(resource, current, sctx)),
          current,
          options,
        )
        warnings = admitted.warnings
        removal = undefined
        // The object as the update left it, at the version it was computed from.
        const meta = {
          ...admitted.object.metadata,
          resourceVersion: current.metadata.resourceVersion,
        }
        const computed = { ...admitted.object, metadata: meta }
        if (
          deletesOnUpdate(admitted.object, current) &&
          (strategy.shouldDeleteDuringUpdate?.(admitted.object, current) ?? true)
        ) {
          removal = computed
          return undefined
        }
        if (!options.dryRun) {
          if (admitted.pullGrants.length > 0 && !transaction) {
            needsGrants = true
            return undefined
          }
          for (const digest of admitted.pullGrants) {
            await grantPull(writer, key.namespace, digest, 'Tag')
          }
          return admitted.object
        }
        wouldBe = computed
        return undefined
      })
    let written = await write(ctx.store, false)
    if (needsGrants) written = await ctx.store.transaction((tx) => write(tx, true))
    if (removal === undefined) {
      return { object: present(resource, wouldBe ?? written, sctx), warnings, created: false }
    }
    if (options.dryRun || (await removeFinalized(ctx, target, removal, attempt < REMOVE_RETRIES))) {
      // Upstream answers such an update with the object as the update computed it.
      return { object: present(resource, removal, sctx), warnings, created: false }
    }
  }
}

/**
 * removeFinalized deletes an object an update left marked and without finalizers (the generic
 * store's deleteWithoutFinalizers), at the version the update was computed from; false when it
 * changed meanwhile and `retry` allows the update to run again. Gone already is fine: another
 * update removed it. A namespaced object may be what kept its namespace terminating: the
 * terminator looks again.
 */
async function removeFinalized<K extends KindName>(
  ctx: ResourceContext,
  target: UpdateTarget<K>,
  removal: KindMap[K],
  retry: boolean,
): Promise<boolean> {
  const { resource } = target
  const namespace = resource.namespaced ? (target.namespace ?? '') : ''
  try {
    await ctx.store.delete(objectKey(resource.plural, target.name, namespace), {
      expectedResourceVersion: removal.metadata.resourceVersion ?? '',
      ...(strategyFor(resource.kind).deleteOnlyUnreferenced ? { unreferenced: true } : {}),
    })
  } catch (err) {
    if (isStoreError(err, 'Conflict') && retry) return false
    if (!isStoreError(err, 'NotFound')) throw err
  }
  if (namespace !== '') ctx.terminateNamespace(namespace)
  return true
}

/** replaceObject is PUT: the body is the new object. */
export function replaceObject<K extends KindName>(
  ctx: ResourceContext,
  target: UpdateTarget<K>,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<KindMap[K]>> {
  const conditional = strategyFor(target.resource.kind).allowUnconditionalUpdate === false
  return updateObject(
    ctx,
    target,
    () => {
      if (conditional) requireResourceVersion(target, body)
      return body
    },
    options,
  )
}

/**
 * requireResourceVersion is the generic store's check for kinds that refuse unconditional
 * updates (apiserver registry/generic/registry/store.go): the object exists, and the new one
 * names no resourceVersion. The error names the resource, not the kind, as upstream's does.
 */
function requireResourceVersion<K extends KindName>(target: UpdateTarget<K>, body: unknown): void {
  if (!isJsonObject(body)) return
  const meta = body.metadata
  if (isJsonObject(meta) && meta.resourceVersion !== undefined && meta.resourceVersion !== '')
    return
  throw invalid({ group: target.resource.group, kind: target.resource.plural }, target.name, [
    {
      type: 'FieldValueInvalid',
      field: 'metadata.resourceVersion',
      message: 'Invalid value: 0x0: must be specified for an update',
    },
  ])
}
