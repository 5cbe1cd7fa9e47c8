/** The Endpoints of the virtual image kinds: imagestreamtags and imagestreamimages. */
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
