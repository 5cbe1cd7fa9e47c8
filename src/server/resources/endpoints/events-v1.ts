/**
 * `events.k8s.io/v1` events: a second view of the stored core/v1 Events, as kube-apiserver
 * serves both from one storage. Every request goes through the core operations (so both APIs
 * see one set of objects, one resourceVersion sequence and one watch history); bodies are
 * decoded against the newer schema and converted on the way in, objects converted on the way
 * out. Creates and updates here get kube's stricter events.k8s.io validation on top.
 */
import {
  EVENTS_API_VERSION,
  EVENTS_GROUP,
  EventsV1Event,
  RESOURCES,
  eventFromV1,
  eventToV1,
  validateEventsV1Create,
  validateEventsV1Update,
  type Event,
  type FieldError,
  type ResourceInfo,
} from '../../../api/index.js'
import { isStoreError } from '../../../storage/index.js'
import type { DiscoveryResource } from '../../discovery.js'
import type { OpenAPIResource } from '../../openapi/index.js'
import { alreadyExists, conflict, notFound, StatusError } from '../../status.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { requireName, type Endpoint, type Target } from '../endpoint.js'
import { invalidObject } from '../errors.js'
import { createObject } from '../operations/create.js'
import { deleteCollection, deleteObject, parseDeleteOptions } from '../operations/delete.js'
import { checkApplyBody, checkPatchOptions, type PatchOptions } from '../operations/patch.js'
import { getObject, listObjects, streamObjects } from '../operations/read.js'
import { updateObject, type UpdateTarget } from '../operations/update.js'
import { serveWatch } from '../operations/watch.js'
import type { WriteOptions, WriteResult } from '../operations/write-options.js'
import { applyPatch, type PatchType } from '../patch/index.js'
import { queryDryRun, readQuery } from '../query.js'
import { mapBatches, sendList, sendObject, sendStreamedList } from '../respond.js'
import type { PrintableObject } from '../table.js'
import { nameSelector, patchOptions, patchType, served, tracked, writeOptions } from './request.js'

const EVENTS = RESOURCES.events

/** EVENTS_V1 is the events.k8s.io/v1 resource: the core resource's names in the newer group. */
export const EVENTS_V1: ResourceInfo<'Event'> = {
  ...EVENTS,
  group: EVENTS_GROUP,
  apiVersion: EVENTS_API_VERSION,
  schema: EventsV1Event,
}

/** EVENTS_V1_DISCOVERY lists events.k8s.io/v1 in discovery beside the resources registry. */
export const EVENTS_V1_DISCOVERY: DiscoveryResource = EVENTS_V1

/** EVENTS_V1_OPENAPI describes events.k8s.io/v1 in the OpenAPI documents. */
export const EVENTS_V1_OPENAPI: OpenAPIResource = EVENTS_V1

/** The Table printer of the view (printers/index.ts). */
const PRINTER = `${EVENTS.plural}.${EVENTS_GROUP}`

const asPrintable = (event: Event): PrintableObject => eventToV1(event)

/** inGroup re-states the store's errors about core events as errors about the view's resource. */
async function inGroup<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    const gr = { group: EVENTS_GROUP, resource: EVENTS.plural }
    if (isStoreError(err, 'NotFound')) throw notFound(gr, err.key?.name ?? name)
    if (isStoreError(err, 'AlreadyExists')) throw alreadyExists(gr, err.key?.name ?? name)
    if (isStoreError(err, 'Conflict')) throw conflict(gr, err.key?.name ?? name)
    throw err
  }
}

/** Decoded is a body of the view as a stored Event, with the decoding's warnings. */
interface Decoded {
  readonly event: Event
  readonly warnings: readonly string[]
  readonly missing: readonly FieldError[]
}

/** decode reads a body against the events.k8s.io/v1 schema (strict decoding included) and converts it. */
function decode(body: unknown, options: WriteOptions): Decoded {
  const decoded = decodeBody(EVENTS_V1, body, options.fieldValidation, options.duplicateFields)
  const event = eventFromV1(decoded.object)
  return { event, warnings: decoded.warnings, missing: decoded.missing }
}

/** The core operations get the converted object, already checked for unknown fields. */
function coreOptions<T extends WriteOptions>(options: T): T {
  return { ...options, fieldValidation: 'Ignore', duplicateFields: [] }
}

function coreTarget(target: Target): UpdateTarget<'Event'> {
  return { resource: EVENTS, namespace: target.namespace, name: requireName(target) }
}

function converted(
  result: WriteResult<Event>,
  warnings: readonly string[],
): WriteResult<PrintableObject> {
  return {
    ...result,
    object: asPrintable(result.object),
    warnings: [...warnings, ...result.warnings],
  }
}

async function create(
  ctx: ResourceContext,
  namespace: string | undefined,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<PrintableObject>> {
  const { event, warnings, missing } = decode(body, options)
  const name = event.metadata.name ?? ''
  const placed = {
    ...event,
    metadata: { ...event.metadata, namespace: event.metadata.namespace || namespace },
  }
  const errors = [...missing, ...validateEventsV1Create(placed)]
  if (errors.length > 0) throw invalidObject(EVENTS_V1, name, errors)
  const result = await inGroup(name, () =>
    createObject(ctx, EVENTS, namespace, event, coreOptions(options)),
  )
  return converted(result, warnings)
}

/** update writes `next(current)`, a v1 object, refusing changes events.k8s.io forbids. */
async function update(
  ctx: ResourceContext,
  target: Target,
  next: (current: Event) => Decoded,
  options: WriteOptions,
): Promise<WriteResult<PrintableObject>> {
  let warnings: readonly string[] = []
  const name = requireName(target)
  const result = await inGroup(name, () =>
    updateObject(
      ctx,
      coreTarget(target),
      (current) => {
        const decoded = next(current)
        warnings = decoded.warnings
        const errors = [...decoded.missing, ...validateEventsV1Update(decoded.event, current)]
        if (errors.length > 0) throw invalidObject(EVENTS_V1, name, errors)
        return decoded.event
      },
      coreOptions(options),
    ),
  )
  return converted(result, warnings)
}

async function patch(
  ctx: ResourceContext,
  target: Target,
  type: PatchType,
  body: unknown,
  options: PatchOptions,
): Promise<WriteResult<PrintableObject>> {
  checkPatchOptions(type, options)
  const name = requireName(target)
  // An apply merges its configuration without field ownership here (docs/kubernetes-api.md#events).
  const patched = (current: Event) =>
    decode(applyPatch(type, eventToV1(current), body, EventsV1Event), options)
  if (type !== 'apply') return update(ctx, target, patched, options)
  checkApplyBody(body, name)
  try {
    return await update(ctx, target, patched, options)
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 'NotFound')) throw err
  }
  const applied = body as Record<string, unknown>
  const metadata = { ...(applied.metadata as Record<string, unknown>), name }
  return create(ctx, target.namespace, { ...applied, metadata }, options)
}

/** eventsV1Endpoint serves events.k8s.io/v1 events over the stored core ones. */
export function eventsV1Endpoint(ctx: ResourceContext): Endpoint {
  const view = (request: Parameters<typeof served>[1]) => served(ctx, request, PRINTER)
  return {
    resource: EVENTS_V1,
    handlers: {
      get: async (request, reply, target) => {
        const name = requireName(target)
        const event = await inGroup(name, () => getObject(ctx, EVENTS, target.namespace, name))
        return sendObject(request, reply, view(request), asPrintable(event))
      },
      list: async (request, reply, target) => {
        const query = readQuery(request)
        if (query.limit === undefined || query.limit === 0) {
          const list = await streamObjects(ctx, EVENTS, target.namespace, query)
          return sendStreamedList(request, reply, view(request), {
            ...list,
            apiVersion: EVENTS_API_VERSION,
            batches: mapBatches(list.batches, asPrintable),
          })
        }
        const list = await listObjects(ctx, EVENTS, target.namespace, query)
        return sendList(request, reply, view(request), {
          ...list,
          apiVersion: EVENTS_API_VERSION,
          items: list.items.map(asPrintable),
        })
      },
      watch: async (request, reply, target) => {
        const query = readQuery(request)
        const fieldSelector = nameSelector(target, query.fieldSelector)
        await serveWatch(
          request,
          reply,
          ctx,
          EVENTS,
          target.namespace,
          { ...query, fieldSelector },
          { printer: PRINTER, kind: 'Event', apiVersion: EVENTS_API_VERSION, convert: asPrintable },
        )
        return reply
      },
      create: async (request, reply, target) => {
        const result = await create(
          ctx,
          target.namespace,
          request.body,
          tracked(request, writeOptions(request)),
        )
        return sendObject(request, reply, view(request), result.object, {
          code: 201,
          warnings: result.warnings,
        })
      },
      update: async (request, reply, target) => {
        const options = tracked(request, writeOptions(request))
        const decoded = decode(request.body, options)
        const result = await update(ctx, target, () => decoded, options)
        return sendObject(request, reply, view(request), result.object, {
          warnings: result.warnings,
        })
      },
      patch: async (request, reply, target) => {
        const result = await patch(
          ctx,
          target,
          patchType(request),
          request.body,
          tracked(request, patchOptions(request)),
        )
        return sendObject(request, reply, view(request), result.object, {
          code: result.created ? 201 : 200,
          warnings: result.warnings,
        })
      },
      delete: async (request, reply, target) => {
        const name = requireName(target)
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const event = await inGroup(name, () =>
          deleteObject(ctx, EVENTS, target.namespace, name, options),
        )
        return sendObject(request, reply, view(request), asPrintable(event))
      },
      deletecollection: async (request, reply, target) => {
        const query = readQuery(request)
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const list = await deleteCollection(
          ctx,
          EVENTS,
          target.namespace,
          {
            ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
            ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
          },
          options,
        )
        return sendList(request, reply, view(request), {
          ...list,
          apiVersion: EVENTS_API_VERSION,
          items: list.items.map(asPrintable),
        })
      },
    },
  }
}
