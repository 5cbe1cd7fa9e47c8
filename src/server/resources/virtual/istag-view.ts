/**
 * The ImageStreamTag view of a stream's tag (upstream imagestreamtag/rest.go newISTag;
 * docs/kubernetes-api.md#virtual-kinds): uid, resourceVersion and labels of the stream;
 * creationTimestamp of the tag's current image (so UPDATED in `get istag` is when the tag last
 * moved); the spec tag; the current image with the tag's annotations; `image.dockerImageReference`
 * resolved by the spec tag's reference policy (Local: `<registry
 * hostname>/<ns>/<stream>@<digest>`).
 */
import {
  IMAGE_API_VERSION,
  type Image,
  type ImageStream,
  type ImageStreamTag,
  type TagEvent,
  type TagReference,
} from '../../../api/index.js'
import { cloneJson } from '../../../lib/clone-json.js'

/** latestTaggedImage is the tag's current history item, if any. */
export function latestTaggedImage(stream: ImageStream, tag: string): TagEvent | undefined {
  return stream.status?.tags?.find((t) => t.tag === tag)?.items?.[0]
}

/** specTag is the stream's spec tag of that name, if any. */
export function specTag(stream: ImageStream, tag: string): TagReference | undefined {
  return stream.spec?.tags?.find((t) => t.name === tag)
}

/**
 * resolveReferenceForTagEvent is the pull spec a tag resolves to: the event's own reference,
 * or for a Local reference policy the integrated registry's `<repository>@<digest>` (upstream
 * ResolveReferenceForTagEvent). `stream` must be decorated (status.dockerImageRepository set).
 */
export function resolveReferenceForTagEvent(
  stream: ImageStream,
  tag: string,
  event: TagEvent,
): string {
  const ref = specTag(stream, tag)
  if (ref?.referencePolicy?.type !== 'Local') return event.dockerImageReference
  const local = stream.status?.dockerImageRepository
  if (!local || !event.image) return event.dockerImageReference
  return `${local}@${event.image}`
}

/**
 * imageStreamTagView builds the ImageStreamTag of `tag`, or undefined when the tag has no
 * current image and `allowEmpty` is false (GET answers NotFound then, even if a spec tag exists).
 * Without `image` (lists), the view's image carries only its name and pull spec, as upstream.
 */
export function imageStreamTagView(
  stream: ImageStream,
  tag: string,
  image: Image | undefined,
  allowEmpty: boolean,
): ImageStreamTag | undefined {
  const found = latestTaggedImage(stream, tag)
  const hasImage = found !== undefined && found.image !== ''
  if (!hasImage && !allowEmpty) return undefined
  const event: TagEvent = hasImage
    ? found
    : {
        created: stream.metadata.creationTimestamp ?? '',
        dockerImageReference: '',
        image: '',
        generation: 0,
      }
  const ref = specTag(stream, tag)
  const annotations = { ...ref?.annotations }
  const meta = stream.metadata
  const view: ImageStreamTag = {
    kind: 'ImageStreamTag',
    apiVersion: IMAGE_API_VERSION,
    metadata: {
      name: `${meta.name ?? ''}:${tag}`,
      namespace: meta.namespace ?? '',
      ...(meta.uid === undefined ? {} : { uid: meta.uid }),
      ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
      ...(event.created ? { creationTimestamp: event.created } : {}),
      ...(meta.labels === undefined ? {} : { labels: { ...meta.labels } }),
      // Upstream always sets the map; Go's omitempty leaves an empty one off the wire.
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    },
    ...(ref === undefined ? {} : { tag: cloneJson(ref) }),
    generation: event.generation,
    lookupPolicy: { local: stream.spec?.lookupPolicy?.local ?? false },
  }
  const conditions = stream.status?.tags?.find((t) => t.tag === tag)?.conditions
  if (conditions !== undefined) view.conditions = cloneJson(conditions)
  const base: Image = image
    ? withTagAnnotations(image, annotations)
    : { metadata: { name: event.image } }
  view.image = { ...base, dockerImageReference: resolveReferenceForTagEvent(stream, tag, event) }
  return view
}

/** embeddedImage is a copy of `image` as a view embeds it: no kind/apiVersion on the wire, and never its raw documents. */
export function embeddedImage(image: Image): Image {
  const {
    kind: _kind,
    apiVersion: _apiVersion,
    dockerImageManifest: _m,
    dockerImageConfig: _c,
    ...copy
  } = cloneJson(image)
  return copy
}

function withTagAnnotations(image: Image, annotations: Record<string, string>): Image {
  const copy = embeddedImage(image)
  if (Object.keys(annotations).length > 0) {
    copy.metadata = {
      ...copy.metadata,
      annotations: { ...copy.metadata.annotations, ...annotations },
    }
  }
  return copy
}
