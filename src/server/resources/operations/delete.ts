/**
 * delete: immediate (no finalizers), answered with the deleted object (kubectl accepts it or a
 * Status, docs/kubernetes-api.md#update-and-delete). DeleteOptions come in the body (kubectl's
 * `delete --dry-run=server` sends `dryRun` there) or the query; `preconditions` guard uid and
 * resourceVersion. Deleting a namespace deletes its contents in the same transaction.
 */
import type { KindMap, KindName, ResourceInfo } from '../../../api/index.js'
import { isStoreError, objectKey, type StoredObject } from '../../../storage/index.js'
import { badRequest } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { preconditionFailed } from '../errors.js'
import { checkNamespaceDeletable, deleteContents, namespaceContents } from '../namespaces.js'
import { isJsonObject } from '../patch/json-value.js'
import { present } from '../present.js'
import { parseDryRun } from '../query.js'
import { strategyContext } from './context.js'

/** DeleteOptions are the parts of metav1.DeleteOptions we honour. */
export interface DeleteOptions {
  readonly dryRun: boolean
  readonly uid: string | undefined
  readonly resourceVersion: string | undefined
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw badRequest(`DeleteOptions ${field} must be a string`)
  return value
}

/** parseDeleteOptions reads a DELETE body (possibly empty) together with the query's dryRun. */
export function parseDeleteOptions(body: unknown, queryDryRun: boolean): DeleteOptions {
  if (body === undefined || body === null) {
    return { dryRun: queryDryRun, uid: undefined, resourceVersion: undefined }
  }
  if (!isJsonObject(body)) throw badRequest('the DeleteOptions body must be an object')
  const dryRun = body.dryRun ?? []
  if (!Array.isArray(dryRun) || dryRun.some((v) => typeof v !== 'string')) {
    throw badRequest('DeleteOptions dryRun must be a list of strings')
  }
  const pre = body.preconditions ?? {}
  if (!isJsonObject(pre)) throw badRequest('DeleteOptions preconditions must be an object')
  return {
    dryRun: parseDryRun(dryRun as string[]) || queryDryRun,
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

/** deleteObject deletes one object and returns its last state as served. */
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
  if (options.dryRun) {
    const current = await ctx.store.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
    return present(resource, current, sctx)
  }
  const contents = isNamespace ? await namespaceContents(ctx.store, name) : []
  const deleted = await ctx.store.transaction(async (tx) => {
    const current = await tx.get<KindMap[K]>(key)
    checkPreconditions(resource, name, current, options)
    const last = await tx.delete<KindMap[K]>(key, {
      expectedResourceVersion: current.metadata.resourceVersion ?? '',
    })
    await deleteContents(tx, contents)
    return last
  })
  return present(resource, deleted, sctx)
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
