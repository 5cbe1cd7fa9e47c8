/**
 * `imagestreammappings` (create only): how a registry records a pushed image in a stream
 * (openshift-apiserver pkg/image/apiserver/registry/imagestreammapping/rest.go and strategy.go).
 * The Image is created unless it exists, then the tag's history gets an event for it (unless it
 * is already the current one) and the tags tracking that tag follow; the answer is a Success
 * Status. Without a pull spec the image is given the integrated registry's
 * `<registry>/<namespace>/<stream>@<image>`, and its signatures are dropped (they are added
 * through `imagesignatures`).
 */
import {
  ANNOTATIONS,
  applyDefaults,
  DEFAULT_TAG,
  RESOURCES,
  statusSuccess,
  validateObject,
  type ImageStream,
  type ImageStreamMapping,
  type Status,
  type TagEvent,
} from '../../../api/index.js'
import { followTrackingTags, recordTagEvent } from '../../../importer/tag-sources.js'
import { isStoreError } from '../../../storage/index.js'
import { StatusError } from '../../status.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { invalidObject, mergeFieldErrors } from '../errors.js'
import { ensureNamespaceExists } from '../namespaces.js'
import { checkNamespace } from '../object-meta.js'
import { createObject } from '../operations/create.js'
import { updateObject } from '../operations/update.js'
import { innerWrite, type WriteOptions } from '../operations/write-options.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import { readStream } from './imagestreamtags-read.js'
import { cloneJson } from '../../../lib/clone-json.js'

const MAPPINGS = RESOURCES.imagestreammappings
const STREAMS = RESOURCES.imagestreams
const IMAGES = RESOURCES.images

/** prepareForCreate is upstream's: a pull spec in the integrated registry when none is given, no signatures. */
function prepareForCreate(ctx: ResourceContext, mapping: ImageStreamMapping): ImageStreamMapping {
  const { signatures: _signatures, ...image } = mapping.image
  const { namespace = '', name = '' } = mapping.metadata
  const reference =
    image.dockerImageReference ||
    `${ctx.settings.registryHostname()}/${namespace}/${name}@${image.metadata.name ?? ''}`
  return { ...mapping, image: { ...image, dockerImageReference: reference } }
}

/** streamPullSpec is the stream's own pull spec (status, else spec dockerImageRepository), as upstream's dockerImageReferenceForStream. */
function streamPullSpec(stream: ImageStream): string | undefined {
  return stream.status?.dockerImageRepository || stream.spec?.dockerImageRepository || undefined
}

/** createImageStreamMapping answers POST: records the image in the tag and answers Success. */
export async function createImageStreamMapping(
  ctx: ResourceContext,
  namespace: string,
  body: unknown,
  options: WriteOptions,
): Promise<Status> {
  const decoded = decodeBody(MAPPINGS, body, options.fieldValidation, options.duplicateFields)
  checkNamespace(decoded.object.metadata.namespace, namespace)
  await ensureNamespaceExists(ctx.store, namespace)
  const placed = {
    ...decoded.object,
    metadata: { ...decoded.object.metadata, namespace },
  }
  const mapping = prepareForCreate(ctx, applyDefaults('ImageStreamMapping', placed))
  const name = mapping.metadata.name ?? ''
  const errors = mergeFieldErrors(decoded.missing, validateObject('ImageStreamMapping', mapping))
  if (errors.length > 0) throw invalidObject(MAPPINGS, name, errors)

  const stream = await readStream(ctx, namespace, name)
  const tag = mapping.tag || DEFAULT_TAG
  const image = mapping.image
  let existed = false
  const write = innerWrite(options)
  try {
    await createObject(ctx, IMAGES, undefined, image, write)
  } catch (err) {
    // A dry run answers the AlreadyExists Status itself; a real create, the store's error.
    const exists =
      isStoreError(err, 'AlreadyExists') ||
      (err instanceof StatusError && err.code === 'AlreadyExists')
    if (!exists) throw err
    existed = true
  }
  let reference = image.dockerImageReference ?? ''
  // An image pushed to the integrated registry and already known (tagged in another stream):
  // this stream's event points at this stream's repository.
  const local = streamPullSpec(stream)
  if (existed && image.metadata.annotations?.[ANNOTATIONS.managed] === 'true' && local) {
    reference = `${local}@${image.metadata.name ?? ''}`
  }
  const created = rfc3339(ctx.now())
  await updateObject(
    ctx,
    { resource: STREAMS, namespace, name, subresource: 'status' },
    (current) => {
      const event: TagEvent = {
        created,
        dockerImageReference: reference,
        image: image.metadata.name ?? '',
        generation: current.metadata.generation ?? 0,
      }
      const next = cloneJson(current)
      if (!recordTagEvent(next, tag, event)) return current
      followTrackingTags(next, current)
      return next
    },
    write,
  )
  return statusSuccess(undefined, { code: 201 })
}
