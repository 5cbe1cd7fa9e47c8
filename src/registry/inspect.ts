/**
 * inspect: everything a user or the importer wants to know about one reference: the manifest
 * (list), the chosen or all children, and each image's config, fetched by digest and verified.
 */
import { mapLimit } from '../lib/concurrency.js'
import type { CallOptions, FetchedManifest, Repository } from './client.js'
import { RegistryClientError } from './errors.js'
import type { Descriptor, ImageConfig, ImageManifest } from './manifest.js'
import { manifestKind } from './media-types.js'
import { formatPlatform, isAttestation, matchPlatform, type PlatformSpec } from './platform.js'

/** InspectedImage is one runnable image: manifest, config and sizes. */
export interface InspectedImage {
  readonly digest: string
  readonly mediaType: string
  readonly manifestSize: number
  readonly manifest: ImageManifest
  readonly configDigest: string
  readonly config: ImageConfig
  /** The manifest and config as the registry served them (digest-verified). */
  readonly manifestBytes: Buffer
  readonly configBytes: Buffer
  /** Config plus the sizes of the distinct layers, as OpenShift's dockerImageMetadata.Size counts them. */
  readonly size: number
}

/** InspectedList is a manifest list or OCI index. */
export interface InspectedList {
  readonly digest: string
  readonly mediaType: string
  readonly manifestSize: number
  readonly manifests: readonly Descriptor[]
}

/** Inspection: `list` is set for a list; `images` holds the single image, the chosen child or all. */
export interface Inspection {
  readonly list?: InspectedList
  readonly images: readonly InspectedImage[]
}

/** InspectOptions chooses what to fetch from a list. */
export interface InspectOptions extends CallOptions {
  /** Fetch only the child for this platform (error when the list has none). */
  readonly platform?: PlatformSpec
  /** Fetch every image child (attestations are never images). */
  readonly allChildren?: boolean
  /** Children fetched at once (default 4). */
  readonly concurrency?: number
}

/** inspect resolves `reference` (a tag or a digest) in `repo` and fetches what was asked for. */
export async function inspect(
  repo: Repository,
  reference: { readonly tag?: string | undefined; readonly digest?: string | undefined },
  opts: InspectOptions = {},
): Promise<Inspection> {
  const top = await fetchTop(repo, reference, opts)
  if (top.manifest.kind === 'image') {
    return { images: [await inspectImageManifest(repo, top, opts)] }
  }
  const list: InspectedList = {
    digest: top.digest,
    mediaType: top.mediaType,
    manifestSize: top.bytes.length,
    manifests: top.manifest.manifests,
  }
  let wanted: Descriptor[] = []
  if (opts.platform) {
    const hit = matchPlatform(list.manifests, opts.platform)
    if (!hit) {
      const offered = list.manifests
        .filter((d) => d.platform && !isAttestation(d))
        .map((d) => formatPlatform(d.platform!))
      throw new RegistryClientError(
        'NoMatchingPlatform',
        `${repo.name}@${list.digest} has no image for ${formatPlatform(opts.platform)} (it has ${offered.join(', ') || 'no platforms'})`,
        { registry: repo.registry, repository: repo.name },
      )
    }
    wanted = [hit]
  } else if (opts.allChildren) {
    wanted = list.manifests.filter(
      (d) => !isAttestation(d) && manifestKind(d.mediaType) === 'image',
    )
  }
  const images = await mapLimit(wanted, opts.concurrency ?? 4, async (d) =>
    inspectImageManifest(
      repo,
      await repo.manifest(d.digest, { expected: d, signal: opts.signal }),
      opts,
    ),
  )
  return { list, images }
}

/**
 * fetchTop gets the top manifest. Inspecting always needs the body, so a tag is fetched with one
 * GET rather than resolved with HEAD first (HEAD-first pays off only when an unchanged digest
 * lets the caller stop, as scheduled checks do with resolveTag).
 */
async function fetchTop(
  repo: Repository,
  reference: { readonly tag?: string | undefined; readonly digest?: string | undefined },
  opts: CallOptions,
): Promise<FetchedManifest> {
  if (reference.digest) return repo.manifest(reference.digest, opts)
  return repo.manifestByTag(reference.tag ?? 'latest', opts)
}

/** inspectImageManifest fetches the config of an image manifest already fetched; lists are refused. */
export async function inspectImageManifest(
  repo: Repository,
  fetched: FetchedManifest,
  opts: CallOptions = {},
): Promise<InspectedImage> {
  const manifest = fetched.manifest
  if (manifest.kind !== 'image') {
    throw new RegistryClientError(
      'UnsupportedManifest',
      `${repo.name}@${fetched.digest}: nested manifest lists are not supported here`,
      { registry: repo.registry, repository: repo.name },
    )
  }
  const { config, bytes: configBytes } = await repo.config(manifest.config, opts)
  // Each distinct layer counts once, plus the config (OpenShift's dockerImageMetadata.Size).
  const layers = new Map(manifest.layers.map((l) => [l.digest, l.size]))
  const size = [...layers.values()].reduce((sum, n) => sum + n, manifest.config.size)
  return {
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    manifestSize: fetched.bytes.length,
    manifest,
    configDigest: manifest.config.digest,
    config,
    manifestBytes: fetched.bytes,
    configBytes,
    size,
  }
}
