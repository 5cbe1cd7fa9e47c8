/**
 * delete: immediate (no finalizers), answered with the deleted object or a Success Status, as
 * the kind's upstream store does (docs/kubernetes-api.md#update-and-delete); kubectl accepts
 * either. DeleteOptions come in the body (kubectl's `delete --dry-run=server` sends `dryRun`
 * there) or, without a body, the query; `preconditions` guard uid and resourceVersion. Deleting
 * a namespace marks it terminating; its contents and then the namespace go in the background
 * (namespace-termination.ts).
 */
import {
  statusSuccess,
  type KindMap,
  type KindName,
  type Namespace,
  type ResourceInfo,
  type Status,
} from '../../../api/index.js'
import { isStoreError, objectKey, type StoredObject } from '../../../storage/index.js'
import { badRequest, invalid } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { preconditionFailed } from '../errors.js'
import { terminating } from '../namespace-termination.js'
import { checkNamespaceDeletable } from '../namespaces.js'
import { isJsonObject } from '../patch/json-value.js'
import { present } from '../present.js'
import { objectFieldsOf } from '../selectable-fields.js'
import { strategyFor } from '../strategies/index.js'
import { strategyContext } from './context.js'
import { dryRunErrors } from './write-options.js'

/** DeleteOptions are the parts of metav1.DeleteOptions we honour. */
export interface DeleteOptions {
  readonly dryRun: boolean
  readonly uid: string | undefined
  readonly resourceVersion: string | undefined
}

const DELETE_OPTIONS = { group: 'meta.k8s.io', kind: 'DeleteOptions' }

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
  const lastState = (current: KindMap[K]): KindMap[K] =>
    isNamespace ? (terminating(current as Namespace, ctx.now()) as KindMap[K]) : current
  if (options.dryRun) {
    const current = await ctx.store.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
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
  const deleted = await ctx.store.transaction(async (tx) => {
    const current = await tx.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
    return tx.delete<KindMap[K]>(key, {
      expectedResourceVersion: current.metadata.resourceVersion ?? '',
    })
  })
  return present(resource, deleted, sctx)
}

/**
 * deletedAnswer is what a delete answers: the object for kinds whose strategy returns it, else
 * the generic store's Success Status naming the resource and the object's uid.
 */
export function deletedAnswer<K extends KindName>(
  resource: ResourceInfo<K>,
  deleted: KindMap[K],
): KindMap[K] | Status {
  if (strategyFor(resource.kind).returnDeletedObject) return deleted
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
  const deleted = options.dryRun
    ? list.items
    : await ctx.store.transaction(async (tx) => {
        const out: KindMap[K][] = []
        for (const item of list.items) {
          const key = objectKey(
            resource.plural,
            item.metadata.name ?? '',
            item.metadata.namespace ?? '',
          )
          try {
            out.push(await tx.delete<KindMap[K]>(key))
          } catch (err) {
            // Deleted meanwhile: nothing left to do for it.
            if (!isStoreError(err, 'NotFound')) throw err
          }
        }
        return out
      })
  return {
    kind: resource.listKind,
    apiVersion: resource.apiVersion,
    metadata: { resourceVersion: String(await ctx.store.currentRevision()) },
    items: deleted.map((item) => present(resource, item, sctx)),
  }
}
