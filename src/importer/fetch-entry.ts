/**
 * Fetch one tag or digest for an import: HEAD first for tags, by digest afterwards, nothing
 * at all when the tag still points at an image we already have (docs/imports.md#change-detection),
 * and the Legacy or PreserveOriginal treatment of manifest lists (docs/imports.md#import-modes).
 */
import type { Image, ImportMode } from '../api/index.js'
import {
  RegistryClientError,
  inspectImageManifest,
  isAttestation,
  manifestKind,
  selectLegacyChild,
  type CallOptions,
  type Descriptor,
  type FetchedManifest,
  type PlatformSpec,
  type Repository,
} from '../registry/index.js'
import { imageFromInspected, imageFromList } from './image-objects.js'

/** KnownImages looks up an Image already stored, by digest. */
export type KnownImages = (digest: string) => Promise<Image | undefined>

/** EntryRequest is one tag or digest to import from one repository. */
export interface EntryRequest {
  readonly tag?: string | undefined
  readonly digest?: string | undefined
  /** The repository as the user spelled it, for `dockerImageReference`. */
  readonly repository: string
  readonly mode: ImportMode
  /** Legacy platform preferences, best first (linux/amd64 and the first entry follow). */
  readonly preferred: readonly PlatformSpec[]
  /** The digest the tag points at in the stream now, if any. */
  readonly current?: string | undefined
  /** Read every image's manifest and config, to return them (`includeManifest`). */
  readonly includeManifest?: boolean | undefined
}

/** RawContent is an image's manifest and config exactly as the registry served them. */
export interface RawContent {
  readonly manifest: string
  readonly config: string
}

/** EntryResult is what a tag now points at: the Image (a list or an image) and, for lists, its children. */
export interface EntryResult {
  readonly image: Image
  readonly children: readonly Image[]
  /** Whether registry content was fetched (false: the tag was unchanged and nothing was read). */
  readonly fetched: boolean
  /** With `includeManifest`: the raw content of each runnable image, by digest (never stored). */
  readonly raw?: ReadonlyMap<string, RawContent>
}

/** EntryContext carries what fetching needs besides the request. */
export interface EntryContext extends CallOptions {
  readonly known: KnownImages
  readonly now: Date
}

/** fetchEntry resolves and fetches one entry; errors are the registry client's typed errors. */
export async function fetchEntry(
  repo: Repository,
  req: EntryRequest,
  ctx: EntryContext,
): Promise<EntryResult> {
  const raw = new Map<string, RawContent>()
  const result = await fetchImages(repo, req, ctx, raw)
  return req.includeManifest ? { ...result, raw } : result
}

async function fetchImages(
  repo: Repository,
  req: EntryRequest,
  ctx: EntryContext,
  raw: Map<string, RawContent>,
): Promise<EntryResult> {
  let top: FetchedManifest | undefined
  let digest = req.digest
  if (!digest) {
    const resolved = await repo.resolveTag(req.tag ?? 'latest', ctx)
    digest = resolved.digest
    top = resolved.fetched
    // Content asked for must be read, even for a tag that has not moved.
    if (digest === req.current && !req.includeManifest) {
      const unchanged = await knownWithChildren(digest, ctx.known, req.repository)
      // A list kept whole is not what a Legacy import wants: switching modes must pick a child.
      const listForLegacy =
        req.mode === 'Legacy' && (unchanged?.image.dockerImageManifests?.length ?? 0) > 0
      if (unchanged && !listForLegacy) return { ...unchanged, fetched: false }
    }
  }
  top ??= await repo.manifest(digest, ctx)
  if (top.manifest.kind === 'image') {
    return { image: await imageOf(repo, top, req, ctx, raw), children: [], fetched: true }
  }
  const list = {
    digest: top.digest,
    mediaType: top.mediaType,
    manifestSize: top.bytes.length,
    manifests: top.manifest.manifests,
  }
  if (req.mode === 'Legacy') {
    const child = selectLegacyChild(list.manifests, req.preferred)
    if (!child) {
      throw new RegistryClientError('NoMatchingPlatform', 'no manifests in manifest list', {
        registry: repo.registry,
        repository: repo.name,
      })
    }
    return { image: await childImage(repo, child, req, ctx, raw), children: [], fetched: true }
  }
  const children: Image[] = []
  for (const d of list.manifests) {
    // Attestations are recorded in the list, never imported as images
    // (docs/imports.md#import-modes).
    if (isAttestation(d) || manifestKind(d.mediaType) !== 'image') continue
    children.push(await childImage(repo, d, req, ctx, raw))
  }
  return { image: imageFromList(list, req.repository, ctx.now), children, fetched: true }
}

async function childImage(
  repo: Repository,
  d: Descriptor,
  req: EntryRequest,
  ctx: EntryContext,
  raw: Map<string, RawContent>,
): Promise<Image> {
  // Content-addressed: a child we already hold is not fetched again
  // (docs/imports.md#change-detection). includeManifest asks for its content, which the stored
  // Image does not keep.
  const known = await ctx.known(d.digest)
  if (known && !req.includeManifest) return importedFrom(known, req.repository)
  const fetched = await repo.manifest(d.digest, { expected: d, signal: ctx.signal })
  return imageOf(repo, fetched, req, ctx, raw)
}

async function imageOf(
  repo: Repository,
  fetched: FetchedManifest,
  req: EntryRequest,
  ctx: EntryContext,
  raw: Map<string, RawContent>,
): Promise<Image> {
  const known = await ctx.known(fetched.digest)
  if (known && !req.includeManifest) return importedFrom(known, req.repository)
  const inspected = await inspectImageManifest(repo, fetched, ctx)
  if (req.includeManifest) {
    raw.set(fetched.digest, {
      manifest: inspected.manifestBytes.toString('utf8'),
      config: inspected.configBytes.toString('utf8'),
    })
  }
  return known ? importedFrom(known, req.repository) : imageFromInspected(inspected, req.repository)
}

/**
 * importedFrom is a stored Image as this import sees it: the same content, referenced in the
 * repository it was imported from now. The stored Image keeps the reference of its first import
 * (Images are content-addressed and shared), but a tag event must name where this tag pulls from.
 */
function importedFrom(image: Image, repository: string): Image {
  return { ...image, dockerImageReference: `${repository}@${image.metadata.name ?? ''}` }
}

/** knownWithChildren returns a stored Image and its stored children, or undefined if any is missing. */
async function knownWithChildren(
  digest: string,
  known: KnownImages,
  repository: string,
): Promise<Omit<EntryResult, 'fetched'> | undefined> {
  const stored = await known(digest)
  if (!stored) return undefined
  const image = importedFrom(stored, repository)
  const children: Image[] = []
  for (const m of image.dockerImageManifests ?? []) {
    if (m.os === 'unknown' && m.architecture === 'unknown') continue
    const child = await known(m.digest)
    if (!child) return undefined
    children.push(importedFrom(child, repository))
  }
  return { image, children }
}
