/**
 * delete, answered with the deleted object or a Success Status, as the kind's upstream store
 * does (docs/kubernetes-api.md#update-and-delete); kubectl accepts either. An object with
 * `metadata.finalizers` is not removed but marked (deletionTimestamp, deletionGracePeriodSeconds
 * 0) and answered as it now is; the update that removes its last finalizer removes it
 * (update.ts). DeleteOptions come in the body (kubectl's `delete --dry-run=server` sends
 * `dryRun` there) or, without a body, the query; `preconditions` guard uid and resourceVersion.
 * Deleting a namespace marks it terminating; its contents and then the namespace go in the
 * background (namespace-termination.ts). An Image goes, or is marked, only while nothing
 * references it (docs/kubernetes-api.md#image-deletes-and-references).
 */
import {
  hasFinalizers,
  isBeingDeleted,
  markedForDeletion,
  statusSuccess,
  type KindMap,
  type KindName,
  type Namespace,
  type ResourceInfo,
  type Status,
} from '../../../api/index.js'
import {
  isStoreError,
  objectKey,
  type Store,
  type StoreError,
  type StoreTransaction,
  type StoredObject,
} from '../../../storage/index.js'
import { badRequest, invalid } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { preconditionFailed } from '../errors.js'
import { terminating } from '../namespace-termination.js'
import { checkNamespaceDeletable } from '../namespaces.js'
import { isJsonObject } from '../patch/json-value.js'
import { present } from '../present.js'
import { objectFieldsOf } from '../selectable-fields.js'
import { strategyFor } from '../strategies/index.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import { strategyContext } from './context.js'
import { dryRunErrors } from './write-options.js'

/** DeleteOptions are the parts of metav1.DeleteOptions we honour. */
export interface DeleteOptions {
  readonly dryRun: boolean
  readonly uid: string | undefined
  readonly resourceVersion: string | undefined
}

const DELETE_OPTIONS = { group: 'meta.k8s.io', kind: 'DeleteOptions' }

/** Re-reads after the object changed between a delete's read and its write, as guaranteedUpdate. */
const DELETE_RETRIES = 16

/** Ends a dry run's transaction: what it wrote is rolled back. */
class DryRunRollback extends Error {}

/**
 * Runs a dry run's writes in a transaction that is then rolled back, so that a refusal (an
 * Image still referenced) comes out exactly as the real request's would and nothing is kept.
 */
async function rolledBack(store: Store, fn: (tx: StoreTransaction) => Promise<unknown>) {
  try {
    await store.transaction(async (tx) => {
      await fn(tx)
      throw new DryRunRollback()
    })
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err
  }
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw badRequest(`DeleteOptions ${field} must be a string`)
  return value
}

/**
 * parseDeleteOptions reads the DeleteOptions of a delete or a collection delete as the
 * apiserver's handlers do (apiserver pkg/endpoints/handlers/delete.go): from the body when one
 * was sent, else from the query's dryRun values, never from both. A value other than `All` is
 * refused as ValidateDeleteOptions refuses it (422 DeleteOptions).
 */
export function parseDeleteOptions(body: unknown, queryDryRun: readonly string[]): DeleteOptions {
  if (body !== undefined && body !== null && !isJsonObject(body)) {
    throw badRequest('the DeleteOptions body must be an object')
  }
  const given = body === undefined ? { dryRun: [...queryDryRun] } : (body ?? {})
  const dryRun = given.dryRun ?? []
  if (!Array.isArray(dryRun) || dryRun.some((v) => typeof v !== 'string')) {
    throw badRequest('DeleteOptions dryRun must be a list of strings')
  }
  const errors = dryRunErrors(dryRun as string[])
  if (errors.length > 0) throw invalid(DELETE_OPTIONS, '', errors)
  const pre = given.preconditions ?? {}
  if (!isJsonObject(pre)) throw badRequest('DeleteOptions preconditions must be an object')
  return {
    dryRun: dryRun.length > 0,
    uid: optionalString(pre.uid, 'preconditions.uid'),
    resourceVersion: optionalString(pre.resourceVersion, 'preconditions.resourceVersion'),
  }
}

function checkPreconditions(
  resource: ResourceInfo,
  name: string,
  current: StoredObject,
  options: DeleteOptions,
): void {
  if (options.uid !== undefined && options.uid !== current.metadata.uid) {
    throw preconditionFailed(resource, name, 'UID', options.uid, current.metadata.uid ?? '')
  }
  const rv = current.metadata.resourceVersion ?? ''
  if (options.resourceVersion !== undefined && options.resourceVersion !== rv) {
    throw preconditionFailed(resource, name, 'ResourceVersion', options.resourceVersion, rv)
  }
}

/**
 * deleteObject deletes one object and returns its last state as served. A namespace is only
 * marked terminating here: the context's terminateNamespace empties and removes it.
 */
export async function deleteObject<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): Promise<KindMap[K]> {
  const key = objectKey(resource.plural, name, resource.namespaced ? (namespace ?? '') : '')
  const isNamespace = resource.kind === 'Namespace'
  if (isNamespace) checkNamespaceDeletable(name)
  const sctx = strategyContext(ctx)
  const unreferenced = strategyFor(resource.kind).deleteOnlyUnreferenced === true
  const lastState = (current: KindMap[K]): KindMap[K] => {
    if (isNamespace) return terminating(current as Namespace, ctx.now()) as KindMap[K]
    return hasFinalizers(current) ? markedForDeletion(current, rfc3339(ctx.now())) : current
  }
  if (options.dryRun) {
    const current = await ctx.store.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
    const expectedResourceVersion = current.metadata.resourceVersion ?? ''
    if (unreferenced) {
      await rolledBack(ctx.store, (tx) => tx.delete(key, { expectedResourceVersion, unreferenced }))
    }
    return present(resource, lastState(current), sctx)
  }
  if (isNamespace) {
    const marked = await ctx.store.guaranteedUpdate<KindMap[K]>(key, (current) => {
      checkPreconditions(resource, name, current, options)
      const next = lastState(current)
      return next === current ? undefined : next
    })
    ctx.terminateNamespace(name)
    return present(resource, marked, sctx)
  }
  // As the apiserver's etcd3 store deletes (conditionalDelete): read, check the preconditions,
  // delete that version, and read again if it changed meanwhile. No transaction stays open
  // while the preconditions are checked, and the reference check runs in the write's own. An
  // object with finalizers is marked instead (the generic store's
  // updateForGracefulDeletionAndFinalizers); one already marked is answered as it is.
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
    const preconditions = {
      expectedResourceVersion: current.metadata.resourceVersion ?? '',
      ...(unreferenced ? { unreferenced } : {}),
    }
    try {
      const next = lastState(current)
      if (next !== current) {
        return present(resource, await ctx.store.update(key, next, preconditions), sctx)
      }
      if (hasFinalizers(current)) return present(resource, current, sctx)
      const deleted = await ctx.store.delete<KindMap[K]>(key, preconditions)
      return present(resource, deleted, sctx)
    } catch (err) {
      if (!isStoreError(err, 'Conflict') || attempt >= DELETE_RETRIES) throw err
    }
  }
}

/**
 * deletedAnswer is what a delete answers: the object for kinds whose strategy returns it, and
 * for an object a delete only marked (upstream answers the updated object then, whatever the
 * kind); else the generic store's Success Status naming the resource and the object's uid.
 */
export function deletedAnswer<K extends KindName>(
  resource: ResourceInfo<K>,
  deleted: KindMap[K],
): KindMap[K] | Status {
  // Only a delete sets deletionTimestamp, and an update that removes the last finalizer removes
  // the object: an answer that carries one is of an object still stored.
  if (strategyFor(resource.kind).returnDeletedObject || isBeingDeleted(deleted)) return deleted
  return statusSuccess({
    name: deleted.metadata.name ?? '',
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
    ...(deleted.metadata.uid ? { uid: deleted.metadata.uid } : {}),
  })
}

/** deleteCollection deletes every selected object (one transaction) and returns them as a list. */
export async function deleteCollection<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  selection: { labelSelector?: string; fieldSelector?: string },
  options: DeleteOptions,
): Promise<{
  kind: string
  apiVersion: string
  metadata: { resourceVersion: string }
  items: KindMap[K][]
}> {
  const list = await ctx.store.list<KindMap[K]>(resource.plural, {
    ...(namespace === undefined ? {} : { namespace }),
    ...selection,
    ...objectFieldsOf(resource.plural),
  })
  const sctx = strategyContext(ctx)
  const unreferenced = strategyFor(resource.kind).deleteOnlyUnreferenced === true
  const now = rfc3339(ctx.now())
  const deleteAll = (tx: StoreTransaction) =>
    deleteItems(tx, resource.plural, list.items, { unreferenced, now })
  let deleted = list.items.map((item) =>
    hasFinalizers(item) ? markedForDeletion(item, now) : item,
  )
  if (!options.dryRun) deleted = await ctx.store.transaction(deleteAll)
  else if (unreferenced) await rolledBack(ctx.store, deleteAll)
  return {
    kind: resource.listKind,
    apiVersion: resource.apiVersion,
    metadata: { resourceVersion: String(await ctx.store.currentRevision()) },
    items: deleted.map((item) => present(resource, item, sctx)),
  }
}

/**
 * deleteItems deletes every item in one transaction, as a delete of each would: an item with
 * finalizers is marked instead, and one deleted meanwhile is skipped. With `unreferenced`, an
 * item that only other items reference (a manifest list's child) is deleted after them, and one
 * referenced from outside the collection refuses the whole collection: the error rolls the
 * transaction back.
 */
async function deleteItems<T extends StoredObject>(
  tx: StoreTransaction,
  plural: string,
  items: readonly T[],
  how: { readonly unreferenced: boolean; readonly now: string },
): Promise<T[]> {
  const preconditions = how.unreferenced ? { unreferenced: true } : undefined
  const out: T[] = []
  let pending = items
  while (pending.length > 0) {
    const waiting: T[] = []
    let refusal: StoreError | undefined
    for (const item of pending) {
      const key = objectKey(plural, item.metadata.name ?? '', item.metadata.namespace ?? '')
      try {
        const current = await tx.get<T>(key)
        if (!hasFinalizers(current)) {
          out.push(await tx.delete<T>(key, preconditions))
          continue
        }
        const marked = markedForDeletion(current, how.now)
        out.push(marked === current ? current : await tx.update(key, marked, preconditions))
      } catch (err) {
        if (isStoreError(err, 'NotFound')) continue
        if (!isStoreError(err, 'Referenced')) throw err
        waiting.push(item)
        refusal = err
      }
    }
    // A pass that deleted nothing: every one left is referenced from outside.
    if (refusal && waiting.length === pending.length) throw refusal
    pending = waiting
  }
  return out
}
