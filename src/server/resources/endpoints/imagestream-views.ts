/**
 * Two read-only subresources of image streams that OpenShift's registry and clients read:
 * - `imagestreams/<name>/secrets`: a core/v1 SecretList of the namespace's secrets an import
 *   may use (openshift-apiserver pkg/image/apiserver/registry/imagesecret/rest.go); the name is
 *   not read, so it answers for a stream that does not exist yet, and list options select;
 * - `imagestreams/<name>/layers`: an ImageStreamLayers with every blob of every image in the
 *   stream's history, a manifest list's children included (pkg/image/apiserver/registry/
 *   imagestream/etcd/etcd.go LayersREST and image.go); an image no longer stored is marked
 *   `imageMissing`.
 * They are routed on their own, as `schedule` is: they are not stored objects, and the generic
 * handlers would answer them with the stream itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  IMAGE_API_VERSION,
  IMAGE_GROUP,
  isImportPullSecret,
  ListOf,
  RESOURCES,
  type Image,
  type ImageBlobReferences,
  type ImageStream,
  ImageStreamLayers,
} from '../../../api/index.js'
import {
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_MANIFEST,
} from '../../../registry/media-types.js'
import type { DiscoveryResource } from '../../discovery.js'
import type { OpenAPIResource } from '../../openapi/index.js'
import type { ResourceContext } from '../context.js'
import { listObjects, streamObjects } from '../operations/read.js'
import { readQuery } from '../query.js'
import { sendStreamedList, type StreamedListBody } from '../respond.js'
import type { PrintableObject } from '../table.js'
import { imageIfAny, readStream } from '../virtual/imagestreamtags-read.js'
import { served } from './request.js'
import { routeStreamView } from './stream-view-route.js'
import { cloneJson } from '../../../lib/clone-json.js'

const { imagestreams, secrets } = RESOURCES

function subresourceDiscovery(name: string, kind: string): DiscoveryResource {
  return {
    plural: `${imagestreams.plural}/${name}`,
    singular: '',
    kind,
    group: IMAGE_GROUP,
    version: imagestreams.version,
    namespaced: true,
    verbs: ['get'],
  }
}

/** SECRETS_DISCOVERY lists `imagestreams/secrets` (get only; answers a SecretList). */
export const SECRETS_DISCOVERY = subresourceDiscovery('secrets', 'SecretList')

/** LAYERS_DISCOVERY lists `imagestreams/layers` (get only). */
export const LAYERS_DISCOVERY = subresourceDiscovery('layers', 'ImageStreamLayers')

/**
 * IMAGESTREAM_VIEWS_OPENAPI describe both views in the OpenAPI documents, each by the kind it
 * answers: the secrets view's SecretList is core/v1's (docs/kubernetes-api.md#openapi).
 */
export const IMAGESTREAM_VIEWS_OPENAPI: readonly OpenAPIResource[] = [
  {
    ...SECRETS_DISCOVERY,
    kindGroupVersion: { group: secrets.group, version: secrets.version },
    schema: ListOf(secrets.schema),
  },
  { ...LAYERS_DISCOVERY, schema: ImageStreamLayers },
]

/**
 * importSecrets lists the namespace's secrets an import may use, as a core/v1 SecretList, whole
 * (read a page at a time) unless the request pages.
 */
async function importSecrets(
  ctx: ResourceContext,
  namespace: string,
  request: FastifyRequest,
): Promise<StreamedListBody> {
  const query = readQuery(request)
  if (query.limit !== undefined && query.limit !== 0) {
    const list = await listObjects(ctx, secrets, namespace, query)
    return { ...list, batches: [list.items.filter(isImportPullSecret)] }
  }
  const list = await streamObjects(ctx, secrets, namespace, query)
  async function* batches(): AsyncGenerator<PrintableObject[]> {
    for await (const batch of list.batches) yield batch.filter(isImportPullSecret)
  }
  return { ...list, batches: batches() }
}

/** configBlob is the config blob of a single image manifest, without a size (upstream configFromImage). */
function configBlob(image: Image): { name: string; mediaType: string } | undefined {
  const manifestType = image.dockerImageManifestMediaType
  const id = image.dockerImageMetadata?.Id
  if (!id) return undefined
  if (manifestType === DOCKER_MANIFEST) return { name: id, mediaType: DOCKER_CONFIG }
  if (manifestType === OCI_MANIFEST) return { name: id, mediaType: OCI_CONFIG }
  return undefined
}

type ReadImage = (name: string) => Promise<Image | undefined>

/** addImage records an image, its blobs and (recursively) a list's children in `layers`. */
async function addImage(layers: ImageStreamLayers, name: string, read: ReadImage): Promise<void> {
  if (Object.hasOwn(layers.images, name)) return
  const image = await read(name)
  if (image === undefined) {
    layers.images[name] = { imageMissing: true, layers: [] }
    return
  }
  const blobs = layers.blobs
  const reference: ImageBlobReferences = { imageMissing: false, layers: [] }
  for (const layer of image.dockerImageLayers ?? []) {
    reference.layers.push(layer.name)
    if (!Object.hasOwn(blobs, layer.name)) {
      blobs[layer.name] = { size: layer.size, mediaType: layer.mediaType }
    }
  }
  const config = configBlob(image)
  if (config !== undefined) {
    reference.config = config.name
    if (!Object.hasOwn(blobs, config.name)) blobs[config.name] = { mediaType: config.mediaType }
  }
  const children = (image.dockerImageManifests ?? []).map((m) => m.digest)
  if (children.length > 0) reference.manifests = children
  // The manifest itself is a blob too.
  if (!Object.hasOwn(blobs, name)) {
    blobs[name] = { mediaType: image.dockerImageManifestMediaType || DOCKER_MANIFEST }
  }
  layers.images[name] = reference
  for (const child of children) await addImage(layers, child, read)
}

/** streamLayers builds the ImageStreamLayers of a stream as served. */
async function streamLayers(stream: ImageStream, read: ReadImage): Promise<ImageStreamLayers> {
  const layers: ImageStreamLayers = {
    kind: 'ImageStreamLayers',
    apiVersion: IMAGE_API_VERSION,
    metadata: cloneJson(stream.metadata),
    blobs: {},
    images: {},
  }
  for (const list of stream.status?.tags ?? []) {
    for (const item of list.items ?? []) {
      if (item.image) await addImage(layers, item.image, read)
    }
  }
  return layers
}

/** registerImageStreamViews adds the `secrets` and `layers` routes; any other method is 405, as for a subresource. */
export function registerImageStreamViews(app: FastifyInstance, ctx: ResourceContext): void {
  routeStreamView(app, 'secrets', async (request, reply, namespace) => {
    // A Table, when asked for, is the secrets' own.
    const list = await importSecrets(ctx, namespace, request)
    return sendStreamedList(request, reply, served(ctx, request, secrets.plural), list)
  })
  routeStreamView(app, 'layers', async (_request, _reply, namespace, name) =>
    streamLayers(await readStream(ctx, namespace, name), (image) => imageIfAny(ctx, image)),
  )
}
