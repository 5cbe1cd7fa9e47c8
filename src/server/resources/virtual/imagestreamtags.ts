/**
 * Writing `imagestreamtags`, a view of image stream tags (upstream imagestreamtag/rest.go;
 * docs/kubernetes-api.md#virtual-kinds); reads are in imagestreamtags-read.ts:
 * - create: adds the spec tag (AlreadyExists if it is there), creating the stream if needed;
 * - update / patch: change only the spec tag and its annotations, against the stream's
 *   resourceVersion;
 * - delete: removes both the spec tag and its history, and answers a Success Status.
 * Every stream write goes through the ImageStream strategy (generations, validation).
 */
import {
  RESOURCES,
  statusSuccess,
  imageStreamTagAllowListErrors,
  validateObject,
  validateUpdate,
  applyDefaults,
  type FieldError,
  type ImageStream,
  type ImageStreamStatus,
  type ImageStreamTag,
  type KindMap,
  type ResourceInfo,
  type Status,
  type TagReference,
} from '../../../api/index.js'
import { objectKey } from '../../../storage/index.js'
import { alreadyExists, badRequest, conflict, notFound } from '../../status.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { groupResource, invalidObject, mergeFieldErrors } from '../errors.js'
import { ensureNamespaceExists } from '../namespaces.js'
import { checkName, checkNamespace } from '../object-meta.js'
import { createObject } from '../operations/create.js'
import type { DeleteOptions } from '../operations/delete.js'
import { strategyContext } from '../operations/context.js'
import { updateObject } from '../operations/update.js'
import { innerWrite, type WriteOptions, type WriteResult } from '../operations/write-options.js'
import { isJsonObject } from '../patch/json-value.js'
import type { FieldValidation } from '../query.js'
import { imageStreamStrategy } from '../strategies/imagestream.js'
import { currentImage, readStreamIfAny } from './imagestreamtags-read.js'
import { imageStreamTagView, specTag } from './istag-view.js'
import { splitImageStreamTag } from './names.js'

const ISTAGS = RESOURCES.imagestreamtags
const STREAMS = RESOURCES.imagestreams
const GR = { group: ISTAGS.group, resource: ISTAGS.plural }

/** tagFrom is the spec tag an ImageStreamTag asks for: its `tag`, named, with the object's annotations. */
function tagFrom(
  istag: ImageStreamTag,
  tag: string,
  fallback: TagReference | undefined,
): TagReference | undefined {
  const base = istag.tag ?? fallback
  if (base === undefined) return undefined
  const annotations = istag.metadata.annotations
  const { annotations: _old, ...rest } = base
  return {
    ...rest,
    name: tag,
    ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations } : {}),
  }
}

function withAnnotations(
  tag: TagReference,
  annotations: Record<string, string> | undefined,
): TagReference {
  const { annotations: _old, ...rest } = tag
  return annotations === undefined ? rest : { ...rest, annotations }
}

/**
 * withSpecTag puts `tag` into the stream's spec tags, replacing one of the same name; a name
 * alone (no reference) removes the spec tag of that name, as an imagetag update without spec does.
 */
export function withSpecTag(stream: ImageStream, tag: TagReference | string): ImageStream {
  const tags = stream.spec?.tags ?? []
  if (typeof tag === 'string') {
    return { ...stream, spec: { ...stream.spec, tags: tags.filter((t) => t.name !== tag) } }
  }
  const index = tags.findIndex((t) => t.name === tag.name)
  const next = index >= 0 ? tags.map((t, i) => (i === index ? tag : t)) : [...tags, tag]
  return { ...stream, spec: { ...stream.spec, tags: next } }
}

/** newStream is an empty stream, for a write that creates it. */
export function newStream(namespace: string, name: string): ImageStream {
  return {
    kind: STREAMS.kind,
    apiVersion: STREAMS.apiVersion,
    metadata: { name, namespace },
    spec: {},
  }
}

/** writeTagView writes the spec tag and returns the ImageStreamTag as it now reads. */
async function writeTagView(
  ctx: ResourceContext,
  namespace: string,
  streamName: string,
  tag: string,
  ref: TagReference | undefined,
  exists: boolean,
  options: WriteOptions,
) {
  const written = await writeStreamTag(ctx, namespace, streamName, ref, exists, options)
  const image = await currentImage(ctx, written.object, tag)
  return {
    view: imageStreamTagView(written.object, tag, image, true),
    warnings: written.warnings,
  }
}

/** writeStreamTag stores `tag` into the stream (see withSpecTag), creating the stream when it does not exist. */
export async function writeStreamTag(
  ctx: ResourceContext,
  namespace: string,
  streamName: string,
  tag: TagReference | string | undefined,
  exists: boolean,
  options: WriteOptions,
): Promise<WriteResult<ImageStream>> {
  if (!exists) {
    const created = newStream(namespace, streamName)
    return createObject(ctx, STREAMS, namespace, tag ? withSpecTag(created, tag) : created, options)
  }
  const target = { resource: STREAMS, namespace, name: streamName }
  return updateObject(
    ctx,
    target,
    (current) => (tag ? withSpecTag(current, tag) : current),
    options,
  )
}

/**
 * withRefName fills the name of the tag reference under `field` when the body has none, as the
 * schema requires one: the tag part of `<stream>:<tag>` when `fromName` (the server sets it),
 * else empty (which validation then reports as not matching the tag).
 */
function withRefName(body: unknown, field: 'tag' | 'spec', fromName: boolean): unknown {
  if (!isJsonObject(body)) return body
  const ref = body[field]
  if (!isJsonObject(ref) || ref.name !== undefined) return body
  const name = isJsonObject(body.metadata) ? body.metadata.name : undefined
  const tag = fromName && typeof name === 'string' ? name.slice(name.indexOf(':') + 1) : ''
  return { ...body, [field]: { ...ref, name: tag } }
}

/**
 * decodeTagView decodes an ImageStreamTag or ImageTag body into `namespace`, checks the name
 * when given, and applies the defaults with the server's default import mode. The tag reference
 * (`tag`, or an ImageTag's `spec`) is named from the object's name when `fromName`.
 */
export function decodeTagView<K extends 'ImageStreamTag' | 'ImageTag'>(
  ctx: ResourceContext,
  resource: ResourceInfo<K>,
  body: unknown,
  namespace: string,
  name: string | undefined,
  options: {
    fromName: boolean
    fieldValidation: FieldValidation
    duplicateFields?: readonly string[]
  },
): { view: KindMap[K]; warnings: readonly string[]; missing: readonly FieldError[] } {
  const field = resource.kind === 'ImageTag' ? 'spec' : 'tag'
  const { object, warnings, missing } = decodeBody(
    resource,
    withRefName(body, field, options.fromName),
    options.fieldValidation,
    options.duplicateFields,
  )
  checkNamespace(object.metadata.namespace, namespace)
  if (name !== undefined) checkName(object.metadata.name, name)
  const placed = { ...object, metadata: { ...object.metadata, namespace } }
  const mode = ctx.settings.defaultImportMode
  const view = applyDefaults(resource.kind, placed, mode ? { importMode: mode } : {})
  return { view, warnings, missing }
}

/**
 * checkStreamVersion refuses a write of a stream's tag whose resourceVersion `rv` is not the
 * stream's: NotFound when the stream does not exist, else a Conflict. No resourceVersion is a
 * blind write.
 */
export function checkStreamVersion(
  gr: { group: string; resource: string },
  name: string,
  rv: string | undefined,
  stream: ImageStream | undefined,
): void {
  if (rv && stream === undefined) throw notFound(gr, name)
  if (rv && rv !== stream?.metadata.resourceVersion) {
    throw conflict(
      gr,
      name,
      `another caller has updated the resource version to ${stream?.metadata.resourceVersion ?? ''}`,
    )
  }
}

/** istagAllowListErrors refuses a `tag.from` the allow-list does not allow (docs/imports.md#allowed-registries). */
function istagAllowListErrors(
  ctx: ResourceContext,
  istag: ImageStreamTag,
  old: ImageStreamTag | undefined,
): FieldError[] {
  const list = ctx.settings.allowedRegistries
  return list ? imageStreamTagAllowListErrors(istag, old, list) : []
}

/** createImageStreamTag answers POST: adds a spec tag (and the stream if needed). */
export async function createImageStreamTag(
  ctx: ResourceContext,
  namespace: string,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageStreamTag>> {
  const {
    view: istag,
    warnings,
    missing,
  } = decodeTagView(ctx, ISTAGS, body, namespace, undefined, {
    ...options,
    fromName: true,
  })
  const name = istag.metadata.name ?? ''
  const errors = mergeFieldErrors(
    missing,
    validateObject('ImageStreamTag', istag),
    istagAllowListErrors(ctx, istag, undefined),
  )
  if (errors.length > 0) throw invalidObject(ISTAGS, name, errors)
  const { stream: streamName, tag } = splitImageStreamTag(name)
  await ensureNamespaceExists(ctx.store, namespace, { resource: GR, name })
  const stream = await readStreamIfAny(ctx, namespace, streamName)
  if (stream && specTag(stream, tag)) throw alreadyExists(GR, name)
  const written = await writeTagView(
    ctx,
    namespace,
    streamName,
    tag,
    tagFrom(istag, tag, undefined),
    stream !== undefined,
    innerWrite(options),
  )
  return {
    object: written.view ?? istag,
    warnings: [...warnings, ...written.warnings],
    created: true,
  }
}

/** updateImageStreamTag runs PUT and PATCH: `next` computes the requested ImageStreamTag from the current view. */
export async function updateImageStreamTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
  next: (current: ImageStreamTag) => unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageStreamTag>> {
  const { stream: streamName, tag } = splitImageStreamTag(name)
  const stream = await readStreamIfAny(ctx, namespace, streamName)
  const base = stream ?? newStream(namespace, streamName)
  const old = imageStreamTagView(
    base,
    tag,
    stream ? await currentImage(ctx, stream, tag) : undefined,
    true,
  )
  if (old === undefined) throw notFound(GR, name)
  const {
    view: istag,
    warnings,
    missing,
  } = decodeTagView(ctx, ISTAGS, next(old), namespace, name, {
    ...options,
    fromName: true,
  })
  checkStreamVersion(GR, name, istag.metadata.resourceVersion, stream)
  // Clients send back the labels they read; they cannot change them here, and sending none (or
  // an empty map, as OpenShift counts it) keeps the stream's.
  if (stream?.metadata.labels && Object.keys(istag.metadata.labels ?? {}).length === 0)
    istag.metadata.labels = stream.metadata.labels
  // A client that edits metadata.annotations of what it read sends the old tag.annotations
  // back: the metadata wins (imagestreamtag Strategy.PrepareForUpdate).
  if (istag.tag !== undefined) istag.tag = withAnnotations(istag.tag, istag.metadata.annotations)
  const errors = mergeFieldErrors(
    missing,
    validateUpdate('ImageStreamTag', old, istag),
    istagAllowListErrors(ctx, istag, old),
  )
  if (errors.length > 0) throw invalidObject(ISTAGS, name, errors)
  const existing = specTag(base, tag)
  if (existing === undefined && istag.tag === undefined) {
    throw badRequest(
      `imagestreamtag ${tag} is not a spec tag in imagestream ${namespace}/${streamName}, cannot be updated`,
    )
  }
  if (stream === undefined) await ensureNamespaceExists(ctx.store, namespace)
  const written = await writeTagView(
    ctx,
    namespace,
    streamName,
    tag,
    tagFrom(istag, tag, existing),
    stream !== undefined,
    innerWrite(options),
  )
  // A PUT that adds the spec tag creates it: 201, as OpenShift answers.
  return {
    object: written.view ?? istag,
    warnings: [...warnings, ...written.warnings],
    created: existing === undefined,
  }
}

/** deleteImageStreamTag removes the spec tag and its history; NotFound when neither exists. */
export function deleteImageStreamTag(
  ctx: ResourceContext,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<Status> {
  return deleteStreamTag(ctx, ISTAGS, namespace, splitImageStreamTag(name), options)
}

/**
 * deleteStreamTag removes a tag's spec and history from its stream, for the virtual `resource`
 * (imagestreamtags or imagetags, which name the NotFound and the Status); the image stays.
 */
export async function deleteStreamTag(
  ctx: ResourceContext,
  resource: ResourceInfo,
  namespace: string,
  { stream: streamName, tag }: { stream: string; tag: string },
  options: DeleteOptions,
): Promise<Status> {
  const name = `${streamName}:${tag}`
  const sctx = strategyContext(ctx)
  const remove = (current: ImageStream): ImageStream => {
    const inSpec = specTag(current, tag) !== undefined
    const inStatus = current.status?.tags?.some((t) => t.tag === tag) ?? false
    if (!inSpec && !inStatus) throw notFound(groupResource(resource), name)
    const spec = { ...current.spec, tags: (current.spec?.tags ?? []).filter((t) => t.name !== tag) }
    const next = imageStreamStrategy.prepareForUpdate({ ...current, spec }, current, sctx)
    const { status: _status, ...rest } = next
    const { tags: statusTags = [], ...others } = current.status ?? {}
    const kept = statusTags.filter((t) => t.tag !== tag)
    const status: ImageStreamStatus = kept.length === 0 ? others : { ...others, tags: kept }
    return Object.keys(status).length === 0 ? rest : { ...rest, status }
  }
  const key = objectKey(STREAMS.plural, streamName, namespace)
  if (options.dryRun) remove(await ctx.store.get<ImageStream>(key))
  else await ctx.store.guaranteedUpdate<ImageStream>(key, remove)
  return statusSuccess({ name, group: resource.group, kind: resource.plural })
}
