/**
 * create (POST to a collection): decode, place in the URL's namespace, generateName,
 * defaults (with the server's import mode), the kind's strategy, the namespace must exist,
 * validation (422 with causes), then store; a dry run validates and stops before the store.
 */
import { randomUUID } from 'node:crypto'
import {
  applyDefaults,
  validateObject,
  type FieldError,
  type KindMap,
  type KindName,
  type Namespace,
  type ResourceInfo,
} from '../../../api/index.js'
import {
  grantPull,
  isStoreError,
  objectKey,
  type ObjectKey,
  type Store,
  type StoredObject,
} from '../../../storage/index.js'
import { alreadyExists } from '../../status.js'
import { allowListErrors } from '../allowed-registries.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { groupResource, invalidObject, mergeFieldErrors } from '../errors.js'
import { fieldManagerScope, trackUpdate } from '../fieldmanager/index.js'
import { createNamespace, ensureNamespaceExists } from '../namespaces.js'
import { checkNamespace, generateName, prepareCreateMeta } from '../object-meta.js'
import { present } from '../present.js'
import { strategyFor, type StrategyContext } from '../strategies/index.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import { strategyContext } from './context.js'
import type { WriteGuard, WriteOptions, WriteResult } from './write-options.js'

// A generated name that collides is drawn again, a few times, before the 409 reaches the client.
const GENERATE_NAME_ATTEMPTS = 3

/**
 * admitNew turns a decoded object into the object to store: metadata, defaults, the creator's
 * managedFields (when `manager` is given; as the apiserver, before the strategy), the guard,
 * strategy, validation; with the images the object's namespace is to be granted before it is stored.
 */
export async function admitNew<K extends KindName>(
  resource: ResourceInfo<K>,
  decoded: KindMap[K],
  namespace: string | undefined,
  ctx: ResourceContext,
  sctx: StrategyContext,
  missing: readonly FieldError[] = [],
  manager?: string,
  guard?: WriteGuard,
): Promise<{ object: KindMap[K]; pullGrants: readonly string[] }> {
  const placed = prepareCreateMeta(resource, decoded, namespace)
  const withDefaults = applyDefaults(resource.kind, placed, {
    ...(ctx.settings.defaultImportMode ? { importMode: ctx.settings.defaultImportMode } : {}),
  })
  const defaulted =
    manager === undefined
      ? withDefaults
      : (trackUpdate(
          fieldManagerScope(resource, undefined, ctx),
          undefined,
          withDefaults,
          manager,
        ) as KindMap[K])
  await guard?.(defaulted, undefined)
  const strategy = strategyFor(resource.kind)
  const prepared = strategy.prepareForCreate(defaulted, sctx)
  const name = prepared.metadata.name ?? ''
  const errors = mergeFieldErrors(
    missing,
    validateObject(resource.kind, prepared),
    allowListErrors(resource.kind, prepared, undefined, ctx.settings),
  )
  if (errors.length > 0) throw invalidObject(resource, name, errors)
  if (!strategy.admit) return { object: prepared, pullGrants: [] }
  const admitted = await strategy.admit(prepared, undefined, ctx.store, sctx)
  if (admitted.errors.length > 0) throw invalidObject(resource, name, admitted.errors)
  return { object: admitted.object, pullGrants: admitted.pullGrants ?? [] }
}

/** createObject creates an object from a parsed request body in `namespace` (undefined for cluster-scoped kinds). */
export async function createObject<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  namespace: string | undefined,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<KindMap[K]>> {
  const {
    object: decoded,
    warnings,
    missing,
  } = decodeBody(resource, body, options.fieldValidation, options.duplicateFields)
  checkNamespace(decoded.metadata.namespace, resource.namespaced ? namespace : undefined)
  const sctx = strategyContext(ctx, options.access)
  // The apiserver's admission runs before validation: a missing namespace is the first answer.
  if (resource.namespaced && namespace !== undefined) {
    await ensureNamespaceExists(ctx.store, namespace, {
      resource: groupResource(resource),
      name: decoded.metadata.name ?? '',
    })
  }
  const admitted = await admitNew(
    resource,
    decoded,
    namespace,
    ctx,
    sctx,
    missing,
    options.manager,
    options.guard,
  )
  let object = admitted.object
  const generated = !decoded.metadata.name && Boolean(decoded.metadata.generateName)
  for (let attempt = 1; ; attempt++) {
    const key = objectKey(
      resource.plural,
      object.metadata.name ?? '',
      object.metadata.namespace ?? '',
    )
    try {
      const stored = options.dryRun
        ? await dryRunCreate(ctx, resource, key, object)
        : resource.kind === 'Namespace'
          ? ((await createNamespace(ctx.store, object as Namespace)) as KindMap[K])
          : await createGranting(ctx.store, key, object, admitted.pullGrants)
      return { object: present(resource, stored, sctx), warnings, created: true }
    } catch (err) {
      if (!generated || attempt >= GENERATE_NAME_ATTEMPTS || !isStoreError(err, 'AlreadyExists')) {
        throw err
      }
      const meta = { ...object.metadata, name: generateName(decoded.metadata.generateName ?? '') }
      object = { ...object, metadata: meta }
    }
  }
}

/**
 * createGranting stores a new object, after the pull grants its admission passed to its
 * namespace and in the same transaction
 * (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
 */
function createGranting<T extends StoredObject>(
  store: Store,
  key: ObjectKey,
  object: T,
  pullGrants: readonly string[],
): Promise<T> {
  if (pullGrants.length === 0) return store.create(key, object)
  return store.transaction(async (tx) => {
    for (const digest of pullGrants) await grantPull(tx, key.namespace, digest, 'Tag')
    return tx.create(key, object)
  })
}

/** dryRunCreate checks that the name is free and returns the object as it would be stored. */
async function dryRunCreate<K extends KindName>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  key: ObjectKey,
  object: KindMap[K],
): Promise<KindMap[K]> {
  try {
    await ctx.store.get(key)
    throw alreadyExists(groupResource(resource), key.name)
  } catch (err) {
    if (!isStoreError(err, 'NotFound')) throw err
  }
  return {
    ...object,
    metadata: { ...object.metadata, uid: randomUUID(), creationTimestamp: rfc3339(ctx.now()) },
  }
}
