/**
 * Reading `imagestreamtags` (upstream imagestreamtag/rest.go): get `<stream>:<tag>`
 * is the tag's current image, NotFound when it has none yet (even if the spec tag exists); list
 * has every tag with an image of every selected stream (labels select streams, fields the
 * view's name and namespace), with the image's name and pull spec only, as upstream.
 */
import {
  RESOURCES,
  type Image,
  type ImageStream,
  type ImageStreamTag,
  type ResourceInfo,
} from '../../../api/index.js'
import { isStoreError, objectKey, parseFieldSelector } from '../../../storage/index.js'
import { notFound } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { strategyContext } from '../operations/context.js'
import { present } from '../present.js'
import { streamObjects, type StreamedList } from '../operations/read.js'
import { imageStreamTagView, latestTaggedImage } from './istag-view.js'
import { splitImageStreamTag } from './names.js'

const ISTAGS = RESOURCES.imagestreamtags
const STREAMS = RESOURCES.imagestreams
const GR = { group: ISTAGS.group, resource: ISTAGS.plural }

/** readStream reads a stream as served. */
export async function readStream(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<ImageStream> {
  const stored = await ctx.store.get<ImageStream>(objectKey(STREAMS.plural, name, namespace))
  return present(STREAMS, stored, strategyContext(ctx))
}

/** readStreamIfAny reads a stream as served, or undefined when it does not exist. */
export async function readStreamIfAny(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<ImageStream | undefined> {
  try {
    return await readStream(ctx, namespace, name)
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
}

/** currentImage is the Image of the tag's current history item, if it is stored. */
export async function currentImage(
  ctx: ResourceContext,
  stream: ImageStream,
  tag: string,
): Promise<Image | undefined> {
  const event = latestTaggedImage(stream, tag)
  // A history item whose Image is gone (pruned): writes still answer with its name and pull
  // spec; a GET answers NotFound.
  return event?.image ? imageIfAny(ctx, event.image) : undefined
}

/** imageIfAny reads a stored Image, or undefined when there is none of that name. */
export async function imageIfAny(ctx: ResourceContext, name: string): Promise<Image | undefined> {
  try {
    return await ctx.store.get<Image>(objectKey(RESOURCES.images.plural, name))
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
}

/** getImageStreamTag answers GET `<stream>:<tag>`. */
export async function getImageStreamTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<ImageStreamTag> {
  const { stream: streamName, tag } = splitImageStreamTag(name)
  const stream = await readStream(ctx, namespace, streamName)
  const image = await currentImage(ctx, stream, tag)
  const view = imageStreamTagView(stream, tag, image, false)
  if (view === undefined) throw notFound(GR, name)
  // The tag names an Image that is not stored (pruned): NotFound for that Image, as
  // OpenShift's imagestreamtag REST Get answers.
  const wanted = latestTaggedImage(stream, tag)?.image
  if (image === undefined && wanted) {
    throw notFound({ group: RESOURCES.images.group, resource: RESOURCES.images.plural }, wanted)
  }
  return view
}

/** TagViewList is a list of views of stream tags, as served, arriving in batches. */
export type TagViewList<T> = StreamedList<T>

/**
 * listTagViews lists `resource`'s views of the selected streams' tags: labels select streams,
 * fields the view's name and namespace; `tagsOf` names a stream's tags in order, `view` builds
 * one (undefined leaves it out). The streams are read a page at a time, as unpaged lists are.
 */
export async function listTagViews<T extends { metadata: { name?: string; namespace?: string } }>(
  ctx: ResourceContext,
  resource: ResourceInfo,
  namespace: string | undefined,
  query: { labelSelector?: string | undefined; fieldSelector?: string | undefined },
  tagsOf: (stream: ImageStream) => string[],
  view: (stream: ImageStream, tag: string) => T | undefined,
): Promise<TagViewList<T>> {
  const fields = parseFieldSelector(query.fieldSelector ?? '')
  const streams = await streamObjects(ctx, STREAMS, namespace, {
    labelSelector: query.labelSelector,
    fieldSelector: undefined,
    continue: undefined,
  })
  async function* batches(): AsyncGenerator<T[]> {
    for await (const batch of streams.batches) {
      const items: T[] = []
      for (const stream of batch) {
        for (const tag of tagsOf(stream)) {
          const item = view(stream, tag)
          if (item && fields.matches(item.metadata.namespace ?? '', item.metadata.name ?? ''))
            items.push(item)
        }
      }
      yield items
    }
  }
  return {
    kind: resource.listKind,
    apiVersion: resource.apiVersion,
    metadata: streams.metadata,
    batches: batches(),
  }
}

/** listImageStreamTags lists the tags with images of the selected streams. */
export function listImageStreamTags(
  ctx: ResourceContext,
  namespace: string | undefined,
  query: { labelSelector?: string | undefined; fieldSelector?: string | undefined },
): Promise<TagViewList<ImageStreamTag>> {
  return listTagViews(
    ctx,
    ISTAGS,
    namespace,
    query,
    (stream) => (stream.status?.tags ?? []).map((t) => t.tag).sort(),
    (stream, tag) => imageStreamTagView(stream, tag, undefined, false),
  )
}
