/** The Endpoint of a stored resource: every verb through the generic operations. */
import type { FastifyRequest } from 'fastify'
import type { ResourceInfo } from '../../../api/index.js'
import type { ResourceContext } from '../context.js'
import { requireName, type Endpoint, type Target } from '../endpoint.js'
import { createObject } from '../operations/create.js'
import {
  deleteCollection,
  deletedAnswer,
  deleteObject,
  parseDeleteOptions,
} from '../operations/delete.js'
import { patchObject } from '../operations/patch.js'
import {
  getJsonObject,
  getObject,
  listJsonObjects,
  listObjects,
  streamJsonObjects,
  streamObjects,
} from '../operations/read.js'
import { replaceObject, type UpdateTarget } from '../operations/update.js'
import type { WriteGuard, WriteOptions } from '../operations/write-options.js'
import { serveWatch } from '../operations/watch.js'
import { queryDryRun, readQuery } from '../query.js'
import {
  printables,
  sendJsonList,
  sendJsonObject,
  sendList,
  sendObject,
  sendStreamedJsonList,
  sendStreamedList,
  wantsTable,
} from '../respond.js'
import type { PrintableObject } from '../table.js'
import { nameSelector, patchOptions, patchType, served, tracked, writeOptions } from './request.js'

function updateTarget(resource: ResourceInfo, target: Target): UpdateTarget<ResourceInfo['kind']> {
  return {
    resource,
    namespace: target.namespace,
    name: requireName(target),
    ...(target.subresource === 'status' ? { subresource: 'status' as const } : {}),
  }
}

/** GuardFor makes the WriteGuard of one request (the RBAC kinds' escalation checks). */
export type GuardFor = (request: FastifyRequest) => WriteGuard

/** storedEndpoint serves a resource kept in the store; `guardFor` checks its creates and updates. */
export function storedEndpoint(
  ctx: ResourceContext,
  resource: ResourceInfo,
  guardFor?: GuardFor,
): Endpoint {
  const guarded = <T extends WriteOptions>(request: FastifyRequest, options: T): T =>
    guardFor === undefined ? options : { ...options, guard: guardFor(request) }
  const printable = (o: unknown) => o as PrintableObject
  // An update may remove the last finalizer of a terminating namespace, which lets it go.
  const written = (object: { metadata: { name?: string; deletionTimestamp?: string } }) => {
    if (resource.kind === 'Namespace' && object.metadata.deletionTimestamp !== undefined)
      ctx.terminateNamespace(object.metadata.name ?? '')
  }
  return {
    resource,
    handlers: {
      get: async (request, reply, target) => {
        // JSON answers are the stored text with the computed fields spliced in; a Table's cells
        // need the object.
        if (!wantsTable(request)) {
          const name = requireName(target)
          return sendJsonObject(reply, await getJsonObject(ctx, resource, target.namespace, name))
        }
        const object = await getObject(ctx, resource, target.namespace, requireName(target))
        return sendObject(request, reply, served(ctx, request, resource.plural), printable(object))
      },
      list: async (request, reply, target) => {
        const query = readQuery(request)
        const unpaged = query.limit === undefined || query.limit === 0
        // JSON answers are spliced from the stored texts; a Table's cells need the objects.
        if (!wantsTable(request)) {
          return unpaged
            ? sendStreamedJsonList(
                reply,
                await streamJsonObjects(ctx, resource, target.namespace, query),
              )
            : sendJsonList(reply, await listJsonObjects(ctx, resource, target.namespace, query))
        }
        const as = served(ctx, request, resource.plural)
        if (unpaged) {
          const list = await streamObjects(ctx, resource, target.namespace, query)
          return sendStreamedList(request, reply, as, {
            ...list,
            batches: printables(list.batches),
          })
        }
        const list = await listObjects(ctx, resource, target.namespace, query)
        return sendList(request, reply, as, { ...list, items: list.items.map(printable) })
      },
      watch: async (request, reply, target) => {
        const query = readQuery(request)
        const fieldSelector = nameSelector(target, query.fieldSelector)
        await serveWatch(request, reply, ctx, resource, target.namespace, {
          ...query,
          fieldSelector,
        })
        return reply
      },
      create: async (request, reply, target) => {
        const result = await createObject(
          ctx,
          resource,
          target.namespace,
          request.body,
          guarded(request, tracked(request, writeOptions(request))),
        )
        written(result.object)
        return sendObject(
          request,
          reply,
          served(ctx, request, resource.plural),
          printable(result.object),
          {
            code: 201,
            warnings: result.warnings,
          },
        )
      },
      update: async (request, reply, target) => {
        const result = await replaceObject(
          ctx,
          updateTarget(resource, target),
          request.body,
          guarded(request, tracked(request, writeOptions(request))),
        )
        written(result.object)
        return sendObject(
          request,
          reply,
          served(ctx, request, resource.plural),
          printable(result.object),
          {
            warnings: result.warnings,
          },
        )
      },
      patch: async (request, reply, target) => {
        const result = await patchObject(
          ctx,
          updateTarget(resource, target),
          patchType(request),
          request.body,
          guarded(request, tracked(request, patchOptions(request))),
        )
        written(result.object)
        return sendObject(
          request,
          reply,
          served(ctx, request, resource.plural),
          printable(result.object),
          {
            code: result.created ? 201 : 200,
            warnings: result.warnings,
          },
        )
      },
      delete: async (request, reply, target) => {
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const object = await deleteObject(
          ctx,
          resource,
          target.namespace,
          requireName(target),
          options,
        )
        const answer = deletedAnswer(resource, object)
        if (answer.kind === 'Status') return reply.code(200).type('application/json').send(answer)
        return sendObject(request, reply, served(ctx, request, resource.plural), printable(answer))
      },
      deletecollection: async (request, reply, target) => {
        const query = readQuery(request)
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const list = await deleteCollection(
          ctx,
          resource,
          target.namespace,
          {
            ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
            ...(query.fieldSelector === undefined ? {} : { fieldSelector: query.fieldSelector }),
          },
          options,
        )
        return sendList(request, reply, served(ctx, request, resource.plural), {
          ...list,
          items: list.items.map(printable),
        })
      },
    },
  }
}
