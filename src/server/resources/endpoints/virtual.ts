/**
 * The Endpoints of the image kinds that are not stored objects of their own: imagestreamtags,
 * imagetags and imagestreamimages (views of streams), imagestreammappings and imagesignatures
 * (writes into streams and Images).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RESOURCES, type ResourceInfo, type Status } from '../../../api/index.js'
import type { ResourceContext } from '../context.js'
import { requireName, requireNamespace, type Endpoint } from '../endpoint.js'
import { parseDeleteOptions, type DeleteOptions } from '../operations/delete.js'
import type { StreamedList } from '../operations/read.js'
import type { WriteOptions, WriteResult } from '../operations/write-options.js'
import { applyPatch } from '../patch/index.js'
import { queryDryRun, readQuery, type ReadQuery } from '../query.js'
import { printables, sendObject, sendStreamedList } from '../respond.js'
import type { PrintableObject } from '../table.js'
import { getImageStreamImage } from '../virtual/imagestreamimages.js'
import {
  createImageStreamTag,
  deleteImageStreamTag,
  updateImageStreamTag,
} from '../virtual/imagestreamtags.js'
import { getImageStreamTag, listImageStreamTags } from '../virtual/imagestreamtags-read.js'
import { createImageSignature, deleteImageSignature } from '../virtual/imagesignatures.js'
import { createImageStreamMapping } from '../virtual/imagestreammappings.js'
import {
  createImageTag,
  deleteImageTag,
  getImageTag,
  listImageTags,
  updateImageTag,
} from '../virtual/imagetags.js'
import { patchOptions, patchType, served, writeOptions } from './request.js'

const printable = (o: unknown) => o as PrintableObject

/** The operations of a view of a stream's tags (imagestreamtags, imagetags), as its Endpoint calls them. */
interface TagViewOperations<T> {
  get(ctx: ResourceContext, namespace: string, name: string): Promise<T>
  list(
    ctx: ResourceContext,
    namespace: string | undefined,
    query: ReadQuery,
  ): Promise<StreamedList<T>>
  create(
    ctx: ResourceContext,
    namespace: string,
    body: unknown,
    options: WriteOptions,
  ): Promise<WriteResult<T>>
  update(
    ctx: ResourceContext,
    namespace: string,
    name: string,
    next: (current: T) => unknown,
    options: WriteOptions,
  ): Promise<WriteResult<T>>
  delete(
    ctx: ResourceContext,
    namespace: string,
    name: string,
    options: DeleteOptions,
  ): Promise<Status>
}

/** tagViewEndpoint serves a view of stream tags through its operations: a write answers 201 when it adds the spec tag. */
function tagViewEndpoint<T>(
  ctx: ResourceContext,
  resource: ResourceInfo,
  operations: TagViewOperations<T>,
): Endpoint {
  const servedAs = (request: FastifyRequest) => served(ctx, request, resource.plural)
  const written = (
    request: FastifyRequest,
    reply: FastifyReply,
    result: WriteResult<T>,
    code = result.created ? 201 : 200,
  ) =>
    sendObject(request, reply, servedAs(request), printable(result.object), {
      code,
      warnings: result.warnings,
    })
  return {
    resource,
    handlers: {
      get: async (request, reply, target) => {
        const view = await operations.get(ctx, requireNamespace(target), requireName(target))
        return sendObject(request, reply, servedAs(request), printable(view))
      },
      list: async (request, reply, target) => {
        const list = await operations.list(ctx, target.namespace, readQuery(request))
        return sendStreamedList(request, reply, servedAs(request), {
          ...list,
          batches: printables(list.batches),
        })
      },
      create: async (request, reply, target) => {
        const namespace = requireNamespace(target)
        const result = await operations.create(ctx, namespace, request.body, writeOptions(request))
        return written(request, reply, result, 201)
      },
      update: async (request, reply, target) => {
        const result = await operations.update(
          ctx,
          requireNamespace(target),
          requireName(target),
          () => request.body,
          writeOptions(request),
        )
        return written(request, reply, result)
      },
      patch: async (request, reply, target) => {
        const type = patchType(request)
        const result = await operations.update(
          ctx,
          requireNamespace(target),
          requireName(target),
          (current) => applyPatch(type, current, request.body, resource.schema),
          patchOptions(request),
        )
        return written(request, reply, result)
      },
      delete: async (request, reply, target) => {
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const status = await operations.delete(
          ctx,
          requireNamespace(target),
          requireName(target),
          options,
        )
        return reply.code(200).type('application/json').send(status)
      },
    },
  }
}

/** imageStreamTagsEndpoint serves `imagestreamtags`. */
export function imageStreamTagsEndpoint(ctx: ResourceContext): Endpoint {
  return tagViewEndpoint(ctx, RESOURCES.imagestreamtags, {
    get: getImageStreamTag,
    list: listImageStreamTags,
    create: createImageStreamTag,
    update: updateImageStreamTag,
    delete: deleteImageStreamTag,
  })
}

/** imageStreamImagesEndpoint serves `imagestreamimages` (get only). */
export function imageStreamImagesEndpoint(ctx: ResourceContext): Endpoint {
  const plural = RESOURCES.imagestreamimages.plural
  return {
    resource: RESOURCES.imagestreamimages,
    handlers: {
      get: async (request, reply, target) => {
        const isimage = await getImageStreamImage(
          ctx,
          requireNamespace(target),
          requireName(target),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(isimage))
      },
    },
  }
}

/** imageTagsEndpoint serves `imagetags`. */
export function imageTagsEndpoint(ctx: ResourceContext): Endpoint {
  return tagViewEndpoint(ctx, RESOURCES.imagetags, {
    get: getImageTag,
    list: listImageTags,
    create: createImageTag,
    update: updateImageTag,
    delete: deleteImageTag,
  })
}

/** imageStreamMappingsEndpoint serves `imagestreammappings` (create only; answers a Success Status). */
export function imageStreamMappingsEndpoint(ctx: ResourceContext): Endpoint {
  return {
    resource: RESOURCES.imagestreammappings,
    handlers: {
      create: async (request, reply, target) => {
        const status = await createImageStreamMapping(
          ctx,
          requireNamespace(target),
          request.body,
          writeOptions(request),
        )
        return reply.code(201).type('application/json').send(status)
      },
    },
  }
}

/** imageSignaturesEndpoint serves `imagesignatures` (create and delete). */
export function imageSignaturesEndpoint(ctx: ResourceContext): Endpoint {
  const plural = RESOURCES.imagesignatures.plural
  return {
    resource: RESOURCES.imagesignatures,
    handlers: {
      create: async (request, reply) => {
        const result = await createImageSignature(ctx, request.body, writeOptions(request))
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: 201,
          warnings: result.warnings,
        })
      },
      delete: async (request, reply, target) => {
        const options = parseDeleteOptions(request.body, queryDryRun(request))
        const status = await deleteImageSignature(ctx, requireName(target), options)
        return reply.code(200).type('application/json').send(status)
      },
    },
  }
}
