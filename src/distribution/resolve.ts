/**
 * Resolution of a `/v2/<namespace>/<stream>/manifests/<reference>` request to the upstream
 * manifest it pulls through (docs/integrated-registry.md#resolution): a tag is its current image, a
 * digest must be in the stream's history or a child of a manifest list in it, and the source
 * repository is the one recorded by the tag event, so credentials and insecure settings follow the
 * tag. Each answer names the top-level image it was reached through and whether the namespace
 * holds a pull grant for it, which decides whether the caches may serve it
 * (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
 */
import { ANNOTATIONS, type Image, type ImageStream, type TagEvent } from '../api/index.js'
import { isDigest, isValidTag, parseImageReference } from '../reference/index.js'
import { blobUnknown, DistributionError, manifestUnknown } from './errors.js'

/** ManifestReference is the last path segment of a manifest request. */
export type ManifestReference =
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'digest'; readonly digest: string }

/** parseManifestReference tells a digest from a tag; anything else is a 400 in the dialect. */
export function parseManifestReference(reference: string): ManifestReference {
  if (isDigest(reference)) return { kind: 'digest', digest: reference }
  if (isValidTag(reference)) return { kind: 'tag', tag: reference }
  if (reference.includes(':')) {
    throw new DistributionError('DIGEST_INVALID', 'provided digest is invalid', reference)
  }
  throw new DistributionError('TAG_INVALID', 'manifest tag is invalid', { Tag: reference })
}

/** PullSource is where a manifest is pulled through from. */
export interface PullSource {
  readonly registry: string
  readonly repository: string
  readonly digest: string
  readonly insecure: boolean
  /** The size the Image records, when it records one (layers). */
  readonly size?: number
  /** The manifest list in the history through which a child digest was found. */
  readonly list?: string
  /** The image of the tag event the request was resolved through (a list, or an image). */
  readonly image: string
  /** Whether the namespace holds a pull grant for `image`: only then may the caches serve it. */
  readonly granted: boolean
}

/** GrantLookup says whether the requesting namespace holds a pull grant for an image. */
export type GrantLookup = (image: string) => Promise<boolean>

/** ImageLookup reads a stored Image by digest; undefined when there is none. */
export type ImageLookup = (digest: string) => Promise<Image | undefined>

/** Tagged is one tag event with the tag it belongs to. */
interface Tagged {
  readonly tag: string
  readonly event: TagEvent
}

/**
 * resolveManifest finds the upstream of `ref` in `stream`, or throws MANIFEST_UNKNOWN. A child
 * found in several lists is resolved through one the namespace holds a grant for, if any.
 */
export async function resolveManifest(
  stream: ImageStream,
  ref: ManifestReference,
  getImage: ImageLookup,
  granted: GrantLookup,
): Promise<PullSource> {
  if (ref.kind === 'tag') {
    const event = stream.status?.tags?.find((t) => t.tag === ref.tag)?.items?.[0]
    if (!event) throw manifestUnknown({ Tag: ref.tag })
    return source(stream, { tag: ref.tag, event }, event.image, await granted(event.image))
  }
  const events = newestFirst(stream)
  const direct = events.find((e) => e.event.image === ref.digest)
  if (direct) return source(stream, direct, ref.digest, await granted(ref.digest))
  const seen = new Set<string>()
  let first: PullSource | undefined
  for (const e of events) {
    if (seen.has(e.event.image)) continue
    seen.add(e.event.image)
    const image = await getImage(e.event.image)
    if (!image?.dockerImageManifests?.some((m) => m.digest === ref.digest)) continue
    const found = source(stream, e, ref.digest, await granted(e.event.image))
    if (found.granted) return { ...found, list: e.event.image }
    first ??= { ...found, list: e.event.image }
  }
  if (first) return first
  throw manifestUnknown(ref.digest)
}

/** ChildBlobs reads the config and layer descriptors of a list child from its upstream manifest. */
export type ChildBlobs = (
  child: PullSource,
) => Promise<readonly { readonly digest: string; readonly size: number }[]>

/**
 * resolveBlob finds the upstream of a layer or config blob of an image in `stream` (the
 * stream's images and the children of its lists), newest tag event first, so a blob is only
 * served to those who may pull an image that has it; else it throws BLOB_UNKNOWN. Children
 * whose Image was not imported (attestations) are read upstream with `childBlobs`. A blob of
 * several images is resolved through one the namespace holds a grant for, if any.
 */
export async function resolveBlob(
  stream: ImageStream,
  digest: string,
  getImage: ImageLookup,
  granted: GrantLookup,
  childBlobs: ChildBlobs,
): Promise<PullSource> {
  // An image already searched through a granted image is not searched again; one searched
  // through an ungranted image is, when a granted image has it too.
  const seen = new Set<string>()
  const blobOf = async (
    imageDigest: string,
    e: Tagged,
    isGranted: boolean,
    child: boolean,
  ): Promise<{ size?: number } | undefined> => {
    const key = `${isGranted} ${imageDigest}`
    if (seen.has(key) || seen.has(`true ${imageDigest}`)) return undefined
    seen.add(key)
    const image = await getImage(imageDigest)
    if (!image) {
      if (!child) return undefined
      const blobs = await childBlobs(source(stream, e, imageDigest, isGranted))
      const found = blobs.find((b) => b.digest === digest)
      return found && { size: found.size }
    }
    const layer = image.dockerImageLayers?.find((l) => l.name === digest)
    if (layer) return { size: layer.size }
    if (image.dockerImageMetadata?.Id === digest && !image.dockerImageManifests) return {}
    for (const m of image.dockerImageManifests ?? []) {
      const found = await blobOf(m.digest, e, isGranted, true)
      if (found) return found
    }
    return undefined
  }
  let first: PullSource | undefined
  const tops = new Set<string>()
  for (const e of newestFirst(stream)) {
    if (tops.has(e.event.image)) continue
    tops.add(e.event.image)
    const isGranted = await granted(e.event.image)
    const found = await blobOf(e.event.image, e, isGranted, false)
    if (!found) continue
    const resolved = { ...source(stream, e, digest, isGranted), ...found }
    if (resolved.granted) return resolved
    first ??= resolved
  }
  if (first) return first
  throw blobUnknown(digest)
}

/** currentTags are the tags of a stream that have an image, as `tags/list` shows them. */
export function currentTags(stream: ImageStream): string[] {
  return (stream.status?.tags ?? [])
    .filter((t) => (t.items?.length ?? 0) > 0)
    .map((t) => t.tag)
    .sort()
}

/** newestFirst are the stream's tag events, so a digest in several tags is pulled with the settings of its latest one. */
function newestFirst(stream: ImageStream): Tagged[] {
  return (stream.status?.tags ?? [])
    .flatMap((t) => (t.items ?? []).map((event) => ({ tag: t.tag, event })))
    .sort((a, b) => b.event.created.localeCompare(a.event.created))
}

/** source is the repository a tag event was imported from, with that tag's insecure setting. */
function source(
  stream: ImageStream,
  { tag, event }: Tagged,
  digest: string,
  granted: boolean,
): PullSource {
  const { registry, repository } = parseImageReference(event.dockerImageReference)
  const specTag = stream.spec?.tags?.find((t) => t.name === tag)
  const insecure =
    stream.metadata.annotations?.[ANNOTATIONS.insecureRepository] === 'true' ||
    specTag?.importPolicy?.insecure === true
  return { registry, repository, digest, insecure, image: event.image, granted }
}
