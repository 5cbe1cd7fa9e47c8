/**
 * The stored side of stream-sourced spec tags (docs/imports.md#tags-from-image-streams; upstream
 * imagestream strategy tagsChanged): on create and update, the tags that changed and take their
 * image from an image stream get it now, reading the other streams they name from the store, and
 * the tags that track a tag which moved follow it. The rules themselves are
 * src/importer/tag-sources.ts. Ours: a source that cannot be resolved is reported as field errors
 * on `spec.tags[i].from`, where upstream wraps them in an internal error.
 */
import type { ImageStream } from '../../../api/index.js'
import {
  followTrackingTags,
  otherSourceStreams,
  recordTagEvent,
  resolveTagSources,
} from '../../../importer/tag-sources.js'
import { isStoreError, objectKey, type StoreReader } from '../../../storage/index.js'
import { rfc3339, type Admitted, type StrategyContext } from './types.js'

/** admitTagSources adds the events of the changed stream-sourced tags and moves the tags tracking a moved tag. */
export async function admitTagSources(
  stream: ImageStream,
  prev: ImageStream | undefined,
  reader: StoreReader,
  ctx: StrategyContext,
): Promise<Admitted<ImageStream>> {
  const previous = new Map((prev?.spec?.tags ?? []).map((t) => [t.name, t]))
  // The strategy has given every new, changed or reset tag the new generation.
  const changed = new Set(
    (stream.spec?.tags ?? [])
      .filter((t) => {
        const old = previous.get(t.name)
        return old === undefined || old.generation !== t.generation
      })
      .map((t) => t.name),
  )
  const others = new Map<string, ImageStream | undefined>()
  for (const { namespace, name } of otherSourceStreams(stream, changed)) {
    others.set(`${namespace}/${name}`, await streamIfAny(reader, namespace, name))
  }
  const next = structuredClone(stream)
  const { events, errors } = resolveTagSources(
    next,
    changed,
    (namespace, name) => others.get(`${namespace}/${name}`),
    { now: rfc3339(ctx.now()), registryHostname: ctx.settings.registryHostname() },
  )
  for (const { tag, event } of events) recordTagEvent(next, tag, event)
  followTrackingTags(next, prev)
  return { object: next, errors }
}

async function streamIfAny(
  reader: StoreReader,
  namespace: string,
  name: string,
): Promise<ImageStream | undefined> {
  try {
    return await reader.get<ImageStream>(objectKey('imagestreams', name, namespace))
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
}
