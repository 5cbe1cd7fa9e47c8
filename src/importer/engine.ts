/**
 * The import engine: (ImageStreamImport, current stream, credentials, registry client,
 * policy) -> per-entry statuses, the stream to write and the Images to create. Pure
 * orchestration: it reads registries and writes nothing; the caller stores the outcome in one
 * transaction (docs/architecture.md#data-flow, docs/imports.md#the-import-request).
 */
import type {
  Image,
  ImageImportStatus,
  ImageStream,
  ImageStreamImport,
  ImageStreamImportStatus,
  ImportMode,
  RepositoryImportStatus,
  TagImportPolicy,
  TagReference,
  TagReferencePolicy,
} from '../api/index.js'
import { ANNOTATIONS, IMAGE_API_VERSION, misTypedPullSecretAdvice } from '../api/index.js'
import type { MisTypedPullSecret, Status } from '../api/index.js'
import type { CredentialWarning, Keyring } from '../credentials/index.js'
import { describeSource } from '../credentials/index.js'
import { deadline } from '../lib/abort.js'
import { mapLimit } from '../lib/concurrency.js'
import {
  admittedReference,
  parseImageReference,
  RegistryNotAllowedError,
  tagOrLatest,
  type ImageReference,
  type RegistryAllowList,
} from '../reference/index.js'
import {
  normalizePlatform,
  type PlatformSpec,
  type RegistryClient,
  type Repository,
} from '../registry/index.js'
import { failureStatus, ImportDeadlineError, successStatus } from './failure.js'
import { fetchEntry, type EntryResult, type KnownImages, type RawContent } from './fetch-entry.js'
import { repositoryAsSpelled } from './image-objects.js'
import { prioritizeTags } from '../lib/prioritize-tags.js'
import {
  clearConditions,
  cloneStream,
  ensureSpecTag,
  hasTagChanged,
  setFailure,
} from './tag-history.js'
import { followTrackingTags, recordTagEvent } from './tag-sources.js'

/** ImportPolicy holds the server-wide import settings. */
export interface ImportPolicy {
  /** Mode for tags that have none (`--default-import-mode`). */
  readonly defaultImportMode: ImportMode
  /** The server's platform, used by Legacy after the tag's own preferences. */
  readonly platform: PlatformSpec
  /** Tags imported by a repository import; -1 for all (OpenShift's default 50). */
  readonly maxImagesBulkImportedPerRepository: number
  /** Entries fetched at once. */
  readonly concurrency: number
  /** Total time of one entry, retries included (default IMPORT_ENTRY_DEADLINE_MS). */
  readonly entryDeadlineMs?: number | undefined
  /**
   * The registries imports may fetch from (`--allowed-registries-for-import`); undefined allows
   * every registry. A refused entry fails with Forbidden and nothing is fetched.
   */
  readonly allowedRegistries?: RegistryAllowList | undefined
}

/**
 * IMPORT_ENTRY_DEADLINE_MS bounds one imported entry (a tag or digest, with its children and
 * configs) or one repository's tag listing, retries included
 * (docs/imports.md#failures-and-conditions). Each attempt has its own timeouts, but a registry
 * that never answers a HEAD used them all: 4 attempts of 30 s each held an import for over two
 * minutes, and the scheduler's slot for that registry with it. A minute is one attempt's own
 * deadline, and far more than a working registry needs for a manifest list and its children.
 */
export const IMPORT_ENTRY_DEADLINE_MS = 60_000

/** ImportDeps is everything an import reads besides the request and the stream. */
export interface ImportDeps {
  readonly client: RegistryClient
  /** The namespace's pull secrets, then the server-wide pull secret. */
  readonly keyring: Keyring
  /** Secrets skipped as malformed: reported in every entry's status. */
  readonly warnings: readonly CredentialWarning[]
  /** Opaque secrets with a pull-secret key: named when a registry refuses an import. */
  readonly misTypedSecrets?: readonly MisTypedPullSecret[] | undefined
  readonly policy: ImportPolicy
  readonly known: KnownImages
  readonly now: Date
  readonly signal?: AbortSignal | undefined
}

/** ImportOutcome: statuses to return, and what to write (nothing for a dry run or a no-op). */
export interface ImportOutcome {
  readonly status: ImageStreamImportStatus
  /** The stream to store, or undefined when nothing changed. */
  readonly stream: ImageStream | undefined
  /** Images fetched from registries, children first; storing one that exists is a no-op. */
  readonly images: readonly Image[]
}

interface Entry {
  /** `from.name` as written. */
  readonly from: string
  readonly to: string | undefined
  readonly importPolicy: TagImportPolicy | undefined
  readonly referencePolicy: TagReferencePolicy | undefined
  /** Return the raw manifest and config of the imported images (never stored). */
  readonly includeManifest: boolean
}

/** EntryOutcome is one entry's result or error, as planned. */
export interface EntryOutcome {
  readonly entry: Entry
  readonly result?: EntryResult
  readonly error?: unknown
  readonly repo?: Repository
  readonly repository: string
  /** The import mode used: the spec tag records it when the import succeeds. */
  readonly mode?: ImportMode
}

/**
 * ImportPlan is what the registries answered for a request: per-entry statuses and results,
 * not yet applied to a stream, so that a caller racing other writers can apply it again to a
 * newer version of the stream without fetching again.
 */
export interface ImportPlan {
  readonly status: ImageStreamImportStatus
  /** Images fetched from registries, children first; storing one that exists is a no-op. */
  readonly images: readonly Image[]
  /** `spec.import: false`: report only. */
  readonly dryRun: boolean
  readonly outcomes: readonly EntryOutcome[]
}

/** planImport fetches what `isi` asks for; `current` supplies tag modes, preferences and digests. */
export async function planImport(
  isi: ImageStreamImport,
  current: ImageStream | undefined,
  deps: ImportDeps,
): Promise<ImportPlan> {
  const spec = isi.spec ?? {}
  const repos = new Map<string, Repository>()
  const inflight = new Map<string, Promise<EntryResult>>()
  const run = (entry: Entry) => importEntry(entry, current, deps, repos, inflight)

  const entries: Entry[] = (spec.images ?? []).map((i) => ({
    from: i.from.name ?? '',
    to: i.to?.name,
    importPolicy: i.importPolicy,
    referencePolicy: i.referencePolicy,
    includeManifest: i.includeManifest === true,
  }))
  const imageOutcomes = await mapLimit(entries, deps.policy.concurrency, run)
  const status: ImageStreamImportStatus = {
    images: imageOutcomes.map((o) => entryStatus(o, deps)),
  }
  let repositoryOutcomes: EntryOutcome[] = []
  if (spec.repository) {
    const repo = await importRepository(spec.repository.from.name ?? '', spec.repository, deps, run)
    status.repository = repo.status
    repositoryOutcomes = repo.outcomes
  }
  const outcomes = [...imageOutcomes, ...repositoryOutcomes]
  return {
    status,
    dryRun: spec.import === false,
    outcomes,
    images: outcomes.flatMap((o) =>
      o.result?.fetched ? [...o.result.children, o.result.image] : [],
    ),
  }
}

/** runImport plans `isi` and applies it to `current` (undefined: a new stream). */
export async function runImport(
  isi: ImageStreamImport,
  current: ImageStream | undefined,
  deps: ImportDeps,
): Promise<ImportOutcome> {
  const plan = await planImport(isi, current, deps)
  if (plan.dryRun) return { status: plan.status, stream: undefined, images: [] }
  return { status: plan.status, stream: applyImport(isi, current, plan, deps), images: plan.images }
}

async function importEntry(
  entry: Entry,
  current: ImageStream | undefined,
  deps: ImportDeps,
  repos: Map<string, Repository>,
  inflight: Map<string, Promise<EntryResult>>,
): Promise<EntryOutcome> {
  const repository = repositoryAsSpelled(entry.from)
  let ref: ImageReference
  try {
    ref = parseImageReference(entry.from)
  } catch (error) {
    return { entry, error, repository }
  }
  const tag = ref.digest ? undefined : tagOrLatest(ref)
  const specTag = findSpecTag(current, entry.to ?? tag)
  const insecure =
    entry.importPolicy?.insecure ??
    specTag?.importPolicy?.insecure ??
    current?.metadata.annotations?.[ANNOTATIONS.insecureRepository] === 'true'
  // The request's mode, as OpenShift's importer reads it: defaulting has filled an empty one
  // with the server default, so a tag's current mode never carries over
  // (docs/imports.md#import-policy-defaults).
  const mode = (entry.importPolicy?.importMode || deps.policy.defaultImportMode) as ImportMode
  // Checked with the insecure flag the fetch will use, so a plain-HTTP fetch needs an entry
  // that allows it (docs/imports.md#allowed-registries).
  const refused = deps.policy.allowedRegistries?.admitImport(
    admittedReference(entry.from),
    insecure,
  )
  if (refused) return { entry, error: refused, repository }
  const preferred = ref.digest
    ? [deps.policy.platform]
    : [...tagPreference(specTag, deps.policy.platform), deps.policy.platform]
  const repoKey = `${ref.registry}/${ref.repository}\n${insecure}`
  let repo = repos.get(repoKey)
  if (!repo) {
    repo = deps.client.repository({
      registry: ref.registry,
      repository: ref.repository,
      keyring: deps.keyring,
      insecure,
    })
    repos.set(repoKey, repo)
  }
  const currentDigest = entry.to ? currentImage(current, entry.to) : undefined
  // Identical entries in one request share one fetch (OpenShift keys by mode too).
  const key = [
    repoKey,
    tag ?? ref.digest,
    mode,
    preferred.map(platformKey).join(','),
    currentDigest,
    entry.includeManifest,
  ].join('|')
  let pending = inflight.get(key)
  if (!pending) {
    const fetching = repo
    pending = withinDeadline(deps, ref.registry, (signal) =>
      fetchEntry(
        fetching,
        {
          tag,
          digest: ref.digest,
          repository,
          mode,
          preferred,
          current: currentDigest,
          includeManifest: entry.includeManifest,
        },
        { known: deps.known, now: deps.now, signal },
      ),
    )
    inflight.set(key, pending)
  }
  try {
    return { entry, result: await pending, repo, repository, mode }
  } catch (error) {
    return { entry, error, repo, repository, mode }
  }
}

/**
 * withinDeadline runs registry work under the entry deadline; work cut short by it fails with
 * ImportDeadlineError naming the registry and the deadline.
 */
async function withinDeadline<T>(
  deps: Pick<ImportDeps, 'policy' | 'signal'>,
  registry: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ms = deps.policy.entryDeadlineMs ?? IMPORT_ENTRY_DEADLINE_MS
  const limit = deadline(deps.signal, ms)
  try {
    return await work(limit.signal)
  } catch (err) {
    if (limit.expired()) throw new ImportDeadlineError(registry, ms, err)
    throw err
  } finally {
    limit.dispose()
  }
}

function platformKey(p: PlatformSpec): string {
  return `${p.os}/${p.architecture}/${p.variant}`
}

function findSpecTag(
  stream: ImageStream | undefined,
  tag: string | undefined,
): TagReference | undefined {
  return tag === undefined ? undefined : stream?.spec?.tags?.find((t) => t.name === tag)
}

function currentImage(stream: ImageStream | undefined, tag: string): string | undefined {
  return stream?.status?.tags?.find((t) => t.tag === tag)?.items?.[0]?.image
}

/** tagPreference reads prefer-arch/prefer-os; one alone takes the other from the server. */
function tagPreference(tag: TagReference | undefined, server: PlatformSpec): PlatformSpec[] {
  const arch = tag?.annotations?.[ANNOTATIONS.preferArch]
  const os = tag?.annotations?.[ANNOTATIONS.preferOs]
  if (!arch && !os) return []
  return [normalizePlatform({ os: os ?? server.os, architecture: arch ?? server.architecture })]
}

function credentialNote(o: EntryOutcome, deps: ImportDeps): string {
  const parts: string[] = []
  const source = o.repo?.credentialSource
  if (source) parts.push(`pulled with the credential from ${describeSource(source)}`)
  else if (o.repo && o.repo.matchedCredentials === 0)
    parts.push('no credential matched; pulled anonymously')
  for (const w of deps.warnings)
    parts.push(`skipped secret ${JSON.stringify(w.secret)}: ${w.message}`)
  return parts.join('; ')
}

function entryStatus(o: EntryOutcome, deps: ImportDeps): ImageImportStatus {
  const note = credentialNote(o, deps)
  if (o.result) {
    const raw = o.result.raw
    return {
      status: successStatus(note),
      image: withRawContent(o.result.image, raw),
      ...(o.entry.to && { tag: o.entry.to }),
      ...(o.result.children.length > 0 && {
        manifests: o.result.children.map((c) => withRawContent(c, raw)),
      }),
    }
  }
  const status = failureStatus(o.error, o.entry.from, o.repository)
  // Credentials play no part in a registry the allow-list refuses.
  if (o.error instanceof RegistryNotAllowedError)
    return { status, ...(o.entry.to && { tag: o.entry.to }) }
  const failure = withSecretAdvice(status, deps)
  if (note && deps.warnings.length > 0) failure.message = `${failure.message} (${note})`
  return { status: failure, ...(o.entry.to && { tag: o.entry.to }) }
}

/**
 * withSecretAdvice adds to a refused import (401 or 403) why each Opaque secret with a
 * pull-secret key was not tried and how to recreate it: the secret's name and type only.
 */
function withSecretAdvice(status: Status, deps: Pick<ImportDeps, 'misTypedSecrets'>): Status {
  const misTyped = deps.misTypedSecrets ?? []
  if (misTyped.length === 0 || (status.reason !== 'Unauthorized' && status.reason !== 'Forbidden'))
    return status
  const advice = misTyped.map(misTypedPullSecretAdvice).join('; ')
  return { ...status, message: `${status.message ?? ''} (${advice})` }
}

/**
 * withRawContent is an Image as returned to an entry with `includeManifest`: OpenShift's
 * `dockerImageManifest` and `dockerImageConfig` set from what the registry served. Only the
 * answer carries them; the Images stored are built without (OpenShift strips both before
 * storing, to keep etcd small). A manifest list has no config, and, as in OpenShift, neither.
 */
function withRawContent(image: Image, raw: ReadonlyMap<string, RawContent> | undefined): Image {
  const content = raw?.get(image.metadata.name ?? '')
  if (!content) return image
  return { ...image, dockerImageManifest: content.manifest, dockerImageConfig: content.config }
}

async function importRepository(
  from: string,
  spec: NonNullable<NonNullable<ImageStreamImport['spec']>['repository']>,
  deps: ImportDeps,
  run: (entry: Entry) => Promise<EntryOutcome>,
): Promise<{ status: RepositoryImportStatus; outcomes: EntryOutcome[] }> {
  let ref: ImageReference
  let tags: string[]
  try {
    ref = parseImageReference(from)
    if (ref.tag || ref.digest) {
      return {
        status: {
          status: failureStatus(
            new Error('a repository import takes a repository without a tag or digest'),
            from,
            from,
          ),
        },
        outcomes: [],
      }
    }
    const insecure = spec.importPolicy?.insecure ?? false
    const refused = deps.policy.allowedRegistries?.admitImport(admittedReference(from), insecure)
    if (refused) return { status: { status: failureStatus(refused, from, from) }, outcomes: [] }
    const repo = deps.client.repository({
      registry: ref.registry,
      repository: ref.repository,
      keyring: deps.keyring,
      insecure,
    })
    tags = prioritizeTags(
      await withinDeadline(deps, ref.registry, (signal) => repo.tags({ signal })),
    )
  } catch (error) {
    return {
      status: { status: withSecretAdvice(failureStatus(error, from, from), deps) },
      outcomes: [],
    }
  }
  const limit = deps.policy.maxImagesBulkImportedPerRepository
  const chosen = limit < 0 ? tags : tags.slice(0, limit)
  const outcomes = await mapLimit(chosen, deps.policy.concurrency, (tag) =>
    run({
      from: `${from}:${tag}`,
      to: tag,
      importPolicy: spec.importPolicy,
      referencePolicy: spec.referencePolicy,
      includeManifest: spec.includeManifest === true,
    }),
  )
  const failed = outcomes.filter((o) => o.error !== undefined).length
  const status: RepositoryImportStatus = {
    status:
      failed === 0
        ? successStatus('')
        : {
            metadata: {},
            status: 'Failure',
            code: 500,
            reason: 'ImportFailed',
            message:
              failed === 1
                ? 'one of the images from this repository failed to import'
                : `${failed} of the images from this repository failed to import`,
          },
    images: outcomes.map((o) => entryStatus(o, deps)),
    ...(tags.length > chosen.length && { additionalTags: tags.slice(chosen.length) }),
  }
  return { status, outcomes }
}

/** applyImport builds the stream to write from a plan, or undefined when nothing changed. */
export function applyImport(
  isi: ImageStreamImport,
  current: ImageStream | undefined,
  plan: ImportPlan,
  deps: Pick<ImportDeps, 'policy' | 'now' | 'misTypedSecrets'>,
): ImageStream | undefined {
  const outcomes = plan.outcomes
  const stream: ImageStream = current
    ? cloneStream(current)
    : {
        apiVersion: IMAGE_API_VERSION,
        kind: 'ImageStream',
        metadata: { name: isi.metadata.name, namespace: isi.metadata.namespace },
        spec: {},
        status: {},
      }
  const before = JSON.stringify({ spec: stream.spec, status: stream.status })
  const specBefore = JSON.stringify(stream.spec)
  const nextGeneration = (stream.metadata.generation ?? 0) + 1
  const created = deps.now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  for (const o of outcomes) {
    const tag = o.entry.to
    if (!tag) continue
    const update = {
      tag,
      from: o.entry.from,
      importPolicy: o.entry.importPolicy,
      referencePolicy: o.entry.referencePolicy,
      mode: o.mode,
    }
    if (o.result) {
      const image = o.result.image
      const event = {
        created,
        dockerImageReference:
          image.dockerImageReference ?? `${o.repository}@${image.metadata.name}`,
        image: image.metadata.name ?? '',
        generation: nextGeneration,
      }
      const changed = hasTagChanged(stream, tag, event)
      ensureSpecTag(stream, update, { reset: changed, generation: nextGeneration, succeeded: true })
      // History is never capped: it grows until pruned (docs/pruning.md).
      if (changed) recordTagEvent(stream, tag, event)
      clearConditions(stream, tag)
      continue
    }
    ensureSpecTag(stream, update, { reset: false, generation: nextGeneration, succeeded: false })
    const failure = withSecretAdvice(failureStatus(o.error, o.entry.from, o.repository), deps)
    const changed = setFailure(stream, tag, {
      reason: failure.reason,
      message: failure.message ?? 'unknown error prevented import',
      generation: nextGeneration,
      lastTransitionTime: created,
    })
    // A new failure moves the tag to the new generation, so the controller does not loop.
    if (changed) {
      const spec = stream.spec?.tags?.find((t) => t.name === tag)
      if (spec) spec.generation = nextGeneration
    }
  }
  // Upstream's stream strategy runs on the import's write too: tags tracking a moved tag follow.
  followTrackingTags(stream, current)
  if (JSON.stringify(stream.spec) !== specBefore) stream.metadata.generation = nextGeneration
  const unchanged = JSON.stringify({ spec: stream.spec, status: stream.status }) === before
  const checked = current?.metadata.annotations?.[ANNOTATIONS.dockerRepositoryCheck]
  if (current && unchanged && checked) return undefined
  stream.metadata.annotations = {
    ...stream.metadata.annotations,
    [ANNOTATIONS.dockerRepositoryCheck]: created,
  }
  return stream
}
