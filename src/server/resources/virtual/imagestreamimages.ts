/**
 * `imagestreamimages`, get only (upstream imagestreamimage/rest.go):
 * `<stream>@<id>` is an image of the stream's tag history, by digest or a unique prefix of one,
 * or a child manifest of a manifest list in that history (which never appears in the history
 * itself, yet can be pulled through the stream). Anything else is NotFound.
 */
import {
  IMAGE_API_VERSION,
  RESOURCES,
  type Image,
  type ImageStream,
  type ImageStreamImage,
} from '../../../api/index.js'
import { objectKey } from '../../../storage/index.js'
import { conflict, notFound } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { imageIfAny } from './imagestreamtags-read.js'
import { embeddedImage } from './istag-view.js'
import { splitImageStreamImage } from './names.js'

const ISIMAGES = RESOURCES.imagestreamimages
const GR = { group: ISIMAGES.group, resource: ISIMAGES.plural }

/** historyImages lists the distinct image names of a stream's tag history. */
function historyImages(stream: ImageStream): string[] {
  const names = new Set<string>()
  for (const t of stream.status?.tags ?? []) {
    for (const item of t.items ?? []) if (item.image) names.add(item.image)
  }
  return [...names]
}

/** resolveImage finds the image `id` names within the stream, as upstream ResolveImageID (exact, else a unique prefix). */
async function resolveImage(
  ctx: ResourceContext,
  stream: ImageStream,
  id: string,
  name: string,
): Promise<Image | undefined> {
  const history = historyImages(stream)
  const matches = history.includes(id) ? [id] : history.filter((h) => h.startsWith(id))
  if (matches.length > 1) {
    throw conflict(
      GR,
      name,
      `multiple images match the prefix ${JSON.stringify(id)}: ${matches.join(', ')}`,
    )
  }
  if (matches[0] !== undefined) return imageIfAny(ctx, matches[0])
  // Children of manifest lists in the history, by exact digest.
  for (const parent of history) {
    const list = await imageIfAny(ctx, parent)
    if (list?.dockerImageManifests?.some((m) => m.digest === id)) return imageIfAny(ctx, id)
  }
  return undefined
}

/** getImageStreamImage answers GET `<stream>@<id>`. */
export async function getImageStreamImage(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<ImageStreamImage> {
  const { stream: streamName, id } = splitImageStreamImage(name)
  const stream = await ctx.store.get<ImageStream>(
    objectKey(RESOURCES.imagestreams.plural, streamName, namespace),
  )
  const image = await resolveImage(ctx, stream, id, name)
  if (image === undefined) throw notFound(GR, name)
  return {
    kind: ISIMAGES.kind,
    apiVersion: IMAGE_API_VERSION,
    metadata: {
      name: `${streamName}@${id}`,
      namespace,
      ...(image.metadata.creationTimestamp
        ? { creationTimestamp: image.metadata.creationTimestamp }
        : {}),
      ...(stream.metadata.annotations ? { annotations: { ...stream.metadata.annotations } } : {}),
    },
    image: embeddedImage(image),
  }
}
