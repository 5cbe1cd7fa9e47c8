/**
 * ImageStream strategy (openshift-apiserver imagestream/strategy.go;
 * docs/imports.md#generations-and-background-imports):
 * - create: status starts empty, metadata.generation = 1, every spec tag generation = 1;
 * - update: status is the server's (kept from the stored stream); any spec change bumps the
 *   stream generation; a spec tag keeps its generation unless it is new, its source (`from`,
 *   `reference`, `importMode`) changed, or the user set it to 0 ("re-import now"), in which case
 *   it gets the new stream generation; users cannot set any other value;
 * - `/status`: only the status is taken from the request;
 * - read: `status.dockerImageRepository` = `<registry hostname>/<ns>/<name>`, and
 *   `status.publicDockerImageRepository` = `<public hostname>/<ns>/<name>` when the server has a
 *   public hostname (absent otherwise), never stored;
 * - spec and status tags are stored and served sorted by name (api/tag-order.ts).
 * A `reference: true` tag pointing at a DockerImage gets its tag event right away (there is
 * nothing to import), as upstream's tagsChanged does; tags sourced from image streams are
 * resolved against the store by `admit` (tag-sources.ts).
 */
import {
  withTagsSorted,
  type ImageStream,
  type ImageStreamStatus,
  type TagEvent,
  type TagReference,
} from '../../../api/index.js'
import { decorateImageStreamJson } from './imagestream-json.js'
import { admitTagSources } from './tag-sources.js'
import { type Strategy, type StrategyContext } from './types.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import { cloneJson } from '../../../lib/clone-json.js'

/** dockerImageRepository is the integrated-registry repository of a stream. */
export function dockerImageRepository(stream: ImageStream, ctx: StrategyContext): string {
  return `${ctx.settings.registryHostname()}/${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}`
}

/**
 * storedStatus drops the fields computed on read; undefined when nothing is left. The tags are
 * not copied: nothing changes them in place (tag events make new lists).
 */
function storedStatus(status: ImageStreamStatus | undefined): ImageStreamStatus | undefined {
  if (status === undefined) return undefined
  const { dockerImageRepository: _computed, publicDockerImageRepository: _public, ...rest } = status
  return Object.keys(rest).length === 0 ? undefined : rest
}

function withStatus(stream: ImageStream, status: ImageStreamStatus | undefined): ImageStream {
  const { status: _old, ...rest } = stream
  return status === undefined ? rest : { ...rest, status }
}

/** tagRefChanged says whether a spec tag's source changed, so it must be resolved (imported) again. */
export function tagRefChanged(old: TagReference, next: TagReference, namespace: string): boolean {
  if (next.from === undefined) return false
  if (!next.from.kind && !next.from.name) return false
  const oldFrom = old.from ?? {}
  if ((oldFrom.namespace || namespace) !== (next.from.namespace || namespace)) return true
  if (oldFrom.kind !== next.from.kind || oldFrom.name !== next.from.name) return true
  if (Boolean(old.reference) !== Boolean(next.reference)) return true
  if ((old.importPolicy?.importMode ?? '') !== (next.importPolicy?.importMode ?? '')) return true
  return old.generation !== undefined && next.generation === 0 && old.generation !== 0
}

/** referenceTagEvents adds the tag event of each changed `reference: true` DockerImage tag. */
function referenceTagEvents(
  stream: ImageStream,
  changed: ReadonlySet<string>,
  ctx: StrategyContext,
): ImageStream {
  const tags = (stream.spec?.tags ?? []).filter(
    (t) =>
      changed.has(t.name) && t.reference === true && t.from?.kind === 'DockerImage' && t.from.name,
  )
  if (tags.length === 0) return stream
  const statusTags = [...(stream.status?.tags ?? [])]
  for (const tag of tags) {
    const event: TagEvent = {
      created: rfc3339(ctx.now()),
      dockerImageReference: tag.from?.name ?? '',
      image: '',
      generation: tag.generation ?? stream.metadata.generation ?? 1,
    }
    const index = statusTags.findIndex((s) => s.tag === tag.name)
    const current = index >= 0 ? statusTags[index] : undefined
    const head = current?.items?.[0]
    if (head?.dockerImageReference === event.dockerImageReference && head.image === '') continue
    const next = { ...current, tag: tag.name, items: [event, ...(current?.items ?? [])] }
    if (index >= 0) statusTags[index] = next
    else statusTags.push(next)
  }
  return { ...stream, status: { ...stream.status, tags: statusTags } }
}

// Copies what it sets (metadata, the spec's tags) and shares the rest with `stream`, which it
// leaves as it is: a deep copy of every create cost more than the rest of the strategy.
function prepareForCreate(stream: ImageStream, ctx: StrategyContext): ImageStream {
  const copy = withStatus({ ...stream, metadata: { ...stream.metadata, generation: 1 } }, undefined)
  if (copy.spec?.tags) {
    copy.spec = { ...copy.spec, tags: copy.spec.tags.map((t) => ({ ...t, generation: 1 })) }
  }
  return withTagsSorted(referenceTagEvents(copy, new Set(copy.spec?.tags?.map((t) => t.name)), ctx))
}

function prepareForUpdate(next: ImageStream, prev: ImageStream, ctx: StrategyContext): ImageStream {
  // The metadata (its generation) and the spec (its tags) are replaced, never changed in place.
  const stream = withStatus({ ...next, metadata: { ...next.metadata } }, storedStatus(prev.status))
  const namespace = prev.metadata.namespace ?? ''
  const previous = new Map((prev.spec?.tags ?? []).map((t) => [t.name, t]))
  const prevGeneration = prev.metadata.generation ?? 1
  // updateSpecTagGenerationsForUpdate: a tag's generation is the server's, except 0.
  let tags: TagReference[] = (stream.spec?.tags ?? []).map((t): TagReference => {
    const old = previous.get(t.name)
    if (t.generation === 0 || old === undefined) return t
    const { generation: _user, ...rest } = t
    return old.generation === undefined ? rest : { ...rest, generation: old.generation }
  })
  if (stream.spec?.tags) stream.spec = { ...stream.spec, tags }
  const specChanged = !isSameJson(stream.spec, prev.spec)
  const generation = specChanged ? prevGeneration + 1 : prevGeneration
  stream.metadata.generation = generation
  // ensureSpecTagGenerationsAreSet: new, changed and reset tags take the stream generation.
  const changed = new Set<string>()
  tags = tags.map((t): TagReference => {
    const old = previous.get(t.name)
    const fresh = old === undefined || tagRefChanged(old, t, namespace)
    if (!fresh && t.generation !== undefined && t.generation !== 0) return t
    changed.add(t.name)
    return { ...t, generation }
  })
  if (stream.spec?.tags) stream.spec = { ...stream.spec, tags }
  return withTagsSorted(referenceTagEvents(stream, changed, ctx))
}

function prepareForStatusUpdate(next: ImageStream, prev: ImageStream): ImageStream {
  return withTagsSorted(withStatus(cloneJson(prev), storedStatus(next.status)))
}

/** publicDockerImageRepository is where clients outside reach the stream, if the server says. */
function publicDockerImageRepository(
  stream: ImageStream,
  ctx: StrategyContext,
): string | undefined {
  const host = ctx.settings.registryPublicHostname
  if (!host) return undefined
  return `${host}/${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}`
}

function decorate(stream: ImageStream, ctx: StrategyContext): ImageStream {
  const {
    dockerImageRepository: _stored,
    publicDockerImageRepository: _public,
    ...rest
  } = stream.status ?? {}
  const publicRepository = publicDockerImageRepository(stream, ctx)
  return withTagsSorted({
    ...stream,
    status: {
      dockerImageRepository: dockerImageRepository(stream, ctx),
      ...(publicRepository === undefined ? {} : { publicDockerImageRepository: publicRepository }),
      ...rest,
    },
  })
}

// Whether two values serialise to the same JSON up to key order: clients reorder keys, and a
// re-sent unchanged spec is no change. Properties set to undefined are absent in JSON.
function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((v, i) => isSameJson(v, b[i]))
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keys = Object.keys(ra).filter((k) => ra[k] !== undefined)
  if (keys.length !== Object.keys(rb).filter((k) => rb[k] !== undefined).length) return false
  return keys.every((k) => isSameJson(ra[k], rb[k]))
}

/** imageStreamStrategy is the ImageStream Strategy. */
export const imageStreamStrategy: Strategy<'ImageStream'> = {
  prepareForCreate,
  prepareForUpdate,
  prepareForStatusUpdate,
  admit: admitTagSources,
  decorate,
  decorateJson: decorateImageStreamJson,
}
