/**
 * The Endpoints of the image kinds that are not stored objects of their own: imagestreamtags,
 * imagetags and imagestreamimages (views of streams), imagestreammappings and imagesignatures
 * (writes into streams and Images).
 */
import { RESOURCES } from '../../../api/index.js'
import type { ResourceContext } from '../context.js'
import { requireName, requireNamespace, type Endpoint } from '../endpoint.js'
import { parseDeleteOptions } from '../operations/delete.js'
import { readQuery, writeQuery } from '../query.js'
import { sendList, sendObject } from '../respond.js'
import type { PrintableObject } from '../table.js'
import { getImageStreamImage } from '../virtual/imagestreamimages.js'
import {
  createImageStreamTag,
  deleteImageStreamTag,
  patchImageStreamTag,
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
  patchImageTag,
  updateImageTag,
} from '../virtual/imagetags.js'
import { patchOptions, patchType, served, writeOptions } from './request.js'

const printable = (o: unknown) => o as PrintableObject

/** imageStreamTagsEndpoint serves `imagestreamtags`. */
export function imageStreamTagsEndpoint(ctx: ResourceContext): Endpoint {
  const plural = RESOURCES.imagestreamtags.plural
  return {
    resource: RESOURCES.imagestreamtags,
    handlers: {
      get: async (request, reply, target) => {
        const istag = await getImageStreamTag(ctx, requireNamespace(target), requireName(target))
        return sendObject(request, reply, served(ctx, request, plural), printable(istag))
      },
      list: async (request, reply, target) => {
        const list = await listImageStreamTags(ctx, target.namespace, readQuery(request))
        return sendList(request, reply, served(ctx, request, plural), {
          ...list,
          items: list.items.map(printable),
        })
      },
      create: async (request, reply, target) => {
        const result = await createImageStreamTag(
          ctx,
          requireNamespace(target),
          request.body,
          writeOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: 201,
          warnings: result.warnings,
        })
      },
      update: async (request, reply, target) => {
        const result = await updateImageStreamTag(
          ctx,
          requireNamespace(target),
          requireName(target),
          () => request.body,
          writeOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: result.created ? 201 : 200,
          warnings: result.warnings,
        })
      },
      patch: async (request, reply, target) => {
        const result = await patchImageStreamTag(
          ctx,
          requireNamespace(target),
          requireName(target),
          patchType(request),
          request.body,
          patchOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: result.created ? 201 : 200,
          warnings: result.warnings,
        })
      },
      delete: async (request, reply, target) => {
        const options = parseDeleteOptions(request.body, writeQuery(request).dryRun)
        const status = await deleteImageStreamTag(
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
  const plural = RESOURCES.imagetags.plural
  return {
    resource: RESOURCES.imagetags,
    handlers: {
      get: async (request, reply, target) => {
        const itag = await getImageTag(ctx, requireNamespace(target), requireName(target))
        return sendObject(request, reply, served(ctx, request, plural), printable(itag))
      },
      list: async (request, reply, target) => {
        const list = await listImageTags(ctx, target.namespace, readQuery(request))
        return sendList(request, reply, served(ctx, request, plural), {
          ...list,
          items: list.items.map(printable),
        })
      },
      create: async (request, reply, target) => {
        const result = await createImageTag(
          ctx,
          requireNamespace(target),
          request.body,
          writeOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: 201,
          warnings: result.warnings,
        })
      },
      update: async (request, reply, target) => {
        const result = await updateImageTag(
          ctx,
          requireNamespace(target),
          requireName(target),
          () => request.body,
          writeOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: result.created ? 201 : 200,
          warnings: result.warnings,
        })
      },
      patch: async (request, reply, target) => {
        const result = await patchImageTag(
          ctx,
          requireNamespace(target),
          requireName(target),
          patchType(request),
          request.body,
          patchOptions(request),
        )
        return sendObject(request, reply, served(ctx, request, plural), printable(result.object), {
          code: result.created ? 201 : 200,
          warnings: result.warnings,
        })
      },
      delete: async (request, reply, target) => {
        const options = parseDeleteOptions(request.body, writeQuery(request).dryRun)
        const status = await deleteImageTag(
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
        const options = parseDeleteOptions(request.body, writeQuery(request).dryRun)
        const status = await deleteImageSignature(ctx, requireName(target), options)
        return reply.code(200).type('application/json').send(status)
      },
    },
  }
}
