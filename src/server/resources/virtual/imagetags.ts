/**
 * `imagetags`, the fuller view of a stream's tag (openshift-apiserver
 * pkg/image/apiserver/registry/imagetag/rest.go): `spec` is the spec tag, `status` the tag's
 * history, `image` the current Image. Unlike imagestreamtags, a tag with only a spec (or only a
 * history) is found; create adds the spec tag (AlreadyExists if there is one), update replaces
 * or (with no spec) removes it and may create the stream, delete removes spec and history.
 * Stream reads and writes are the imagestreamtags code's.
 */
import {
  imageTagSpecRequired,
  RESOURCES,
  imageTagAllowListErrors,
  validateObject,
  validateUpdate,
  type FieldError,
  type Image,
  type ImageStream,
  type ImageTag,
  type Status,
} from '../../../api/index.js'
import { alreadyExists, notFound } from '../../status.js'
import type { ResourceContext } from '../context.js'
import { groupResource, invalidObject, mergeFieldErrors } from '../errors.js'
import { ensureNamespaceExists } from '../namespaces.js'
import { prepareUpdateMeta } from '../object-meta.js'
import type { DeleteOptions } from '../operations/delete.js'
import { innerWrite, type WriteOptions, type WriteResult } from '../operations/write-options.js'
import {
  currentImage,
  listTagViews,
  readStream,
  readStreamIfAny,
  type TagViewList,
} from './imagestreamtags-read.js'
import {
  checkStreamVersion,
  decodeTagView,
  deleteStreamTag,
  newStream,
  writeStreamTag,
} from './imagestreamtags.js'
import {
  embeddedImage,
  latestTaggedImage,
  resolveReferenceForTagEvent,
  specTag,
} from './istag-view.js'
import { splitImageStreamTag } from './names.js'
import { cloneJson } from '../../../lib/clone-json.js'

const ITAGS = RESOURCES.imagetags
const GR = groupResource(ITAGS)

function split(name: string): { stream: string; tag: string } {
  return splitImageStreamTag(name, 'ImageTags')
}

/**
 * imageTagView builds the ImageTag of `tag` (upstream newITag): the stream's metadata under the
 * tag's name, the spec tag, the history, and `image` with the pull spec the tag resolves to.
 * Undefined when the tag has neither spec nor history and `allowEmpty` is false.
 */
export function imageTagView(
  stream: ImageStream,
  tag: string,
  image: Image | undefined,
  allowEmpty: boolean,
): ImageTag | undefined {
  const spec = specTag(stream, tag)
  const status = stream.status?.tags?.find((t) => t.tag === tag)
  if (!allowEmpty && spec === undefined && status === undefined) return undefined
  // managedFields describe the stream's fields, not the view's.
  const { managedFields: _managed, ...meta } = stream.metadata
  const view: ImageTag = {
    kind: ITAGS.kind,
    apiVersion: ITAGS.apiVersion,
    metadata: cloneJson({ ...meta, name: `${meta.name ?? ''}:${tag}` }),
  }
  if (spec !== undefined) view.spec = cloneJson(spec)
  if (status !== undefined) view.status = cloneJson(status)
  const event = latestTaggedImage(stream, tag)
  if (image !== undefined && event !== undefined) {
    const dockerImageReference = resolveReferenceForTagEvent(stream, tag, event)
    view.image = { ...embeddedImage(image), dockerImageReference }
  }
  return view
}

/** getImageTag answers GET `<stream>:<tag>`: the stream's NotFound when it is missing, the tag's when it has neither spec nor history. */
export async function getImageTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
): Promise<ImageTag> {
  const { stream: streamName, tag } = split(name)
  const stream = await readStream(ctx, namespace, streamName)
  const view = imageTagView(stream, tag, await currentImage(ctx, stream, tag), false)
  if (view === undefined) throw notFound(GR, name)
  return view
}

/** listImageTags lists every spec or status tag of the selected streams, by stream then tag, without images. */
export function listImageTags(
  ctx: ResourceContext,
  namespace: string | undefined,
  query: { labelSelector?: string | undefined; fieldSelector?: string | undefined },
): Promise<TagViewList<ImageTag>> {
  return listTagViews(
    ctx,
    ITAGS,
    namespace,
    query,
    (stream) =>
      [
        ...new Set([
          ...(stream.spec?.tags ?? []).map((t) => t.name),
          ...(stream.status?.tags ?? []).map((t) => t.tag),
        ]),
      ].sort(),
    (stream, tag) => imageTagView(stream, tag, undefined, false),
  )
}

/** prepareForCreate is upstream's: the spec tag is named after the ImageTag; status and image are the server's. */
function prepareForCreate(itag: ImageTag, tag: string): ImageTag {
  const { status: _status, image: _image, ...rest } = itag
  return rest.spec === undefined || rest.spec.name
    ? rest
    : { ...rest, spec: { ...rest.spec, name: tag } }
}

function checkCreate(
  ctx: ResourceContext,
  itag: ImageTag,
  name: string,
  missing: readonly FieldError[],
): void {
  const errors = mergeFieldErrors(
    missing,
    imageTagSpecRequired(itag),
    validateObject('ImageTag', itag),
    itagAllowListErrors(ctx, itag, undefined),
  )
  if (errors.length > 0) throw invalidObject(ITAGS, name, errors)
}

/** itagAllowListErrors refuses a `spec.from` the allow-list does not allow (docs/imports.md#allowed-registries). */
function itagAllowListErrors(
  ctx: ResourceContext,
  itag: ImageTag,
  old: ImageTag | undefined,
): FieldError[] {
  const list = ctx.settings.allowedRegistries
  return list ? imageTagAllowListErrors(itag, old, list) : []
}

async function viewAfterWrite(ctx: ResourceContext, stream: ImageStream, tag: string) {
  return imageTagView(stream, tag, await currentImage(ctx, stream, tag), true) as ImageTag
}

/** createImageTag answers POST: adds the spec tag, creating the stream if needed. */
export async function createImageTag(
  ctx: ResourceContext,
  namespace: string,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageTag>> {
  const decoded = decodeTagView(ctx, ITAGS, body, namespace, undefined, {
    ...options,
    fromName: true,
  })
  const name = decoded.view.metadata.name ?? ''
  const { stream: streamName, tag } = splitImageStreamTag(name, 'ImageTags')
  const itag = prepareForCreate(decoded.view, tag)
  checkCreate(ctx, itag, name, decoded.missing)
  await ensureNamespaceExists(ctx.store, namespace)
  const stream = await readStreamIfAny(ctx, namespace, streamName)
  if (stream && specTag(stream, tag)) throw alreadyExists(GR, name)
  const written = await writeStreamTag(
    ctx,
    namespace,
    streamName,
    itag.spec,
    stream !== undefined,
    innerWrite(options),
  )
  return {
    object: await viewAfterWrite(ctx, written.object, tag),
    warnings: [...decoded.warnings, ...written.warnings],
    created: true,
  }
}

/**
 * updateImageTag runs PUT and PATCH (`next` computes the requested ImageTag from the current
 * view, which has no image): no resourceVersion is a blind write, a stale one a 409; on an
 * existing stream only the spec may change, a missing one is created (the spec then required);
 * no spec removes the spec tag. 201 when the spec tag is new.
 */
export async function updateImageTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
  next: (current: ImageTag) => unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageTag>> {
  const { stream: streamName, tag } = split(name)
  const stream = await readStreamIfAny(ctx, namespace, streamName)
  const old = imageTagView(stream ?? newStream(namespace, streamName), tag, undefined, true)
  if (old === undefined) throw notFound(GR, name)
  // A spec without a name gets an empty one, which validation then reports, as upstream does.
  const decoded = decodeTagView(ctx, ITAGS, next(old), namespace, name, {
    ...options,
    fromName: false,
  })
  checkStreamVersion(GR, name, decoded.view.metadata.resourceVersion, stream)
  let itag: ImageTag
  if (stream === undefined) {
    await ensureNamespaceExists(ctx.store, namespace)
    itag = prepareForCreate(decoded.view, tag)
    checkCreate(ctx, itag, name, decoded.missing)
  } else {
    const carried = prepareUpdateMeta<'ImageTag'>(decoded.view, old)
    carried.metadata.resourceVersion = stream.metadata.resourceVersion
    const { image: _image, ...rest } = carried
    itag = rest
    const errors = mergeFieldErrors(
      decoded.missing,
      validateUpdate('ImageTag', old, itag),
      itagAllowListErrors(ctx, itag, old),
    )
    if (errors.length > 0) throw invalidObject(ITAGS, name, errors)
  }
  const existed = stream !== undefined && specTag(stream, tag) !== undefined
  const written = await writeStreamTag(
    ctx,
    namespace,
    streamName,
    itag.spec === undefined ? tag : { ...itag.spec, name: tag },
    stream !== undefined,
    innerWrite(options),
  )
  return {
    object: await viewAfterWrite(ctx, written.object, tag),
    warnings: [...decoded.warnings, ...written.warnings],
    created: !existed,
  }
}

/** deleteImageTag removes the tag's spec and history; NotFound when neither exists. */
export function deleteImageTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<Status> {
  return deleteStreamTag(ctx, ITAGS, namespace, split(name), options)
}
