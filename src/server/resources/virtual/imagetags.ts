/**
 * `imagetags`, the fuller view of a stream's tag (openshift-apiserver
 * pkg/image/apiserver/registry/imagetag/rest.go): `spec` is the spec tag, `status` the tag's
 * history, `image` the current Image. Unlike imagestreamtags, a tag with only a spec (or only a
 * history) is found; create adds the spec tag (AlreadyExists if there is one), update replaces
 * or (with no spec) removes it and may create the stream, delete removes spec and history.
 * Stream reads and writes are the imagestreamtags code's.
 */
import {
  applyDefaults,
  imageTagSpecRequired,
  RESOURCES,
  validateObject,
  validateUpdate,
  type FieldError,
  type Image,
  type ImageStream,
  type ImageTag,
  type Status,
} from '../../../api/index.js'
import { parseFieldSelector } from '../../../storage/index.js'
import { alreadyExists, conflict, notFound } from '../../status.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { groupResource, invalidObject, mergeFieldErrors } from '../errors.js'
import { ensureNamespaceExists } from '../namespaces.js'
import { checkName, checkNamespace, prepareUpdateMeta } from '../object-meta.js'
import type { DeleteOptions } from '../operations/delete.js'
import { strategyContext } from '../operations/context.js'
import type { WriteOptions, WriteResult } from '../operations/write-options.js'
import { applyPatch, type PatchType } from '../patch/index.js'
import { isJsonObject } from '../patch/json-value.js'
import { present } from '../present.js'
import { currentImage, readStream, readStreamIfAny } from './imagestreamtags-read.js'
import { deleteStreamTag, newStream, writeStreamTag } from './imagestreamtags.js'
import { latestTaggedImage, resolveReferenceForTagEvent, specTag } from './istag-view.js'
import { splitImageStreamTag } from './names.js'

const ITAGS = RESOURCES.imagetags
const STREAMS = RESOURCES.imagestreams
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
    metadata: structuredClone({ ...meta, name: `${meta.name ?? ''}:${tag}` }),
  }
  if (spec !== undefined) view.spec = structuredClone(spec)
  if (status !== undefined) view.status = structuredClone(status)
  const event = latestTaggedImage(stream, tag)
  if (image !== undefined && event !== undefined) {
    // An embedded image carries no kind/apiVersion on the wire, and never its raw documents.
    const {
      kind: _kind,
      apiVersion: _apiVersion,
      dockerImageManifest: _m,
      dockerImageConfig: _c,
      ...rest
    } = structuredClone(image)
    view.image = { ...rest, dockerImageReference: resolveReferenceForTagEvent(stream, tag, event) }
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
export async function listImageTags(
  ctx: ResourceContext,
  namespace: string | undefined,
  query: { labelSelector?: string | undefined; fieldSelector?: string | undefined },
): Promise<{
  kind: string
  apiVersion: string
  metadata: { resourceVersion: string }
  items: ImageTag[]
}> {
  const fields = parseFieldSelector(query.fieldSelector ?? '')
  const list = await ctx.store.list<ImageStream>(STREAMS.plural, {
    ...(namespace === undefined ? {} : { namespace }),
    ...(query.labelSelector === undefined ? {} : { labelSelector: query.labelSelector }),
  })
  const sctx = strategyContext(ctx)
  const items: ImageTag[] = []
  for (const stored of list.items) {
    const stream = present(STREAMS, stored, sctx)
    const names = new Set([
      ...(stream.spec?.tags ?? []).map((t) => t.name),
      ...(stream.status?.tags ?? []).map((t) => t.tag),
    ])
    for (const tag of [...names].sort()) {
      const view = imageTagView(stream, tag, undefined, false)
      if (view && fields.matches(view.metadata.namespace ?? '', view.metadata.name ?? ''))
        items.push(view)
    }
  }
  return {
    kind: ITAGS.listKind,
    apiVersion: ITAGS.apiVersion,
    metadata: { resourceVersion: list.resourceVersion },
    items,
  }
}

/**
 * withSpecName gives a spec without a name one before decoding, where the schema requires it:
 * on create the tag's (upstream's PrepareForCreate), on update an empty one, which validation
 * then reports as not matching the tag, as upstream does.
 */
function withSpecName(body: unknown, create: boolean): unknown {
  if (!isJsonObject(body) || !isJsonObject(body.spec) || body.spec.name !== undefined) return body
  const name = isJsonObject(body.metadata) ? body.metadata.name : undefined
  const tag = create && typeof name === 'string' ? name.slice(name.indexOf(':') + 1) : ''
  return { ...body, spec: { ...body.spec, name: tag } }
}

function decodeImageTag(
  ctx: ResourceContext,
  body: unknown,
  namespace: string,
  name: string | undefined,
  options: WriteOptions,
): { itag: ImageTag; warnings: readonly string[]; missing: readonly FieldError[] } {
  const { object, warnings, missing } = decodeBody(
    ITAGS,
    withSpecName(body, name === undefined),
    options.fieldValidation,
    options.duplicateFields,
  )
  checkNamespace(object.metadata.namespace, namespace)
  if (name !== undefined) checkName(object.metadata.name, name)
  const placed = { ...object, metadata: { ...object.metadata, namespace } }
  const mode = ctx.settings.defaultImportMode
  const itag = applyDefaults('ImageTag', placed, mode ? { importMode: mode } : {})
  return { itag, warnings, missing }
}

/** prepareForCreate is upstream's: the spec tag is named after the ImageTag; status and image are the server's. */
function prepareForCreate(itag: ImageTag, tag: string): ImageTag {
  const { status: _status, image: _image, ...rest } = itag
  return rest.spec === undefined || rest.spec.name
    ? rest
    : { ...rest, spec: { ...rest.spec, name: tag } }
}

function checkCreate(itag: ImageTag, name: string, missing: readonly FieldError[]): void {
  const errors = mergeFieldErrors(
    missing,
    imageTagSpecRequired(itag),
    validateObject('ImageTag', itag),
  )
  if (errors.length > 0) throw invalidObject(ITAGS, name, errors)
}

/** streamWrite are the options of the stream write: the ImageTag body's unknown or repeated keys were dealt with when it was decoded. */
function streamWrite(options: WriteOptions): WriteOptions {
  return { dryRun: options.dryRun, fieldValidation: 'Ignore' }
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
  const decoded = decodeImageTag(ctx, body, namespace, undefined, options)
  const name = decoded.itag.metadata.name ?? ''
  const { stream: streamName, tag } = splitImageStreamTag(name, 'ImageTags')
  const itag = prepareForCreate(decoded.itag, tag)
  checkCreate(itag, name, decoded.missing)
  await ensureNamespaceExists(ctx.store, namespace)
  const stream = await readStreamIfAny(ctx, namespace, streamName)
  if (stream && specTag(stream, tag)) throw alreadyExists(GR, name)
  const written = await writeStreamTag(
    ctx,
    namespace,
    streamName,
    itag.spec,
    stream !== undefined,
    streamWrite(options),
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
  const decoded = decodeImageTag(ctx, next(old), namespace, name, options)
  const rv = decoded.itag.metadata.resourceVersion
  if (rv && stream === undefined) throw notFound(GR, name)
  if (rv && rv !== stream?.metadata.resourceVersion) {
    throw conflict(
      GR,
      name,
      `another caller has updated the resource version to ${stream?.metadata.resourceVersion ?? ''}`,
    )
  }
  let itag: ImageTag
  if (stream === undefined) {
    await ensureNamespaceExists(ctx.store, namespace)
    itag = prepareForCreate(decoded.itag, tag)
    checkCreate(itag, name, decoded.missing)
  } else {
    const carried = prepareUpdateMeta<'ImageTag'>(decoded.itag, old)
    carried.metadata.resourceVersion = stream.metadata.resourceVersion
    const { image: _image, ...rest } = carried
    itag = rest
    const errors = mergeFieldErrors(decoded.missing, validateUpdate('ImageTag', old, itag))
    if (errors.length > 0) throw invalidObject(ITAGS, name, errors)
  }
  const existed = stream !== undefined && specTag(stream, tag) !== undefined
  const written = await writeStreamTag(
    ctx,
    namespace,
    streamName,
    itag.spec === undefined ? tag : { ...itag.spec, name: tag },
    stream !== undefined,
    streamWrite(options),
  )
  return {
    object: await viewAfterWrite(ctx, written.object, tag),
    warnings: [...decoded.warnings, ...written.warnings],
    created: !existed,
  }
}

/** patchImageTag applies a patch to the current view and updates from the result. */
export function patchImageTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
  type: PatchType,
  patch: unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageTag>> {
  return updateImageTag(
    ctx,
    namespace,
    name,
    (current) => applyPatch(type, current, patch, ITAGS.schema),
    options,
  )
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
