/**
 * The stored side of stream-sourced spec tags (docs/imports.md#tags-from-image-streams; upstream
 * imagestream strategy tagsChanged): on create and update, the tags that changed and take their
 * image from an image stream get it now, reading the other streams they name from the store, and
 * the tags that track a tag which moved follow it. The rules themselves are
 * src/importer/tag-sources.ts. Ours: a source that cannot be resolved is reported as field errors
 * on `spec.tags[i].from`, where upstream wraps them in an internal error.
 *
 * A tag taking its image from a stream of another namespace needs the writer to be allowed to
 * pull from that stream (upstream's TagVerifier), and passes the namespace a pull grant for the
 * image only when the source namespace holds one
 * (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
 */
import {
  childPath,
  forbidden,
  IMAGE_GROUP,
  keyPath,
  type FieldError,
  type ImageStream,
} from '../../../api/index.js'
import {
  followTrackingTags,
  otherSourceStreams,
  recordTagEvent,
  resolveTagSources,
  streamSource,
  writesStream,
} from '../../../importer/tag-sources.js'
import { goQuote } from '../../../lib/go-quote.js'
import { hasPullGrant, isStoreError, objectKey, type StoreReader } from '../../../storage/index.js'
import { grantsCopiedImage } from './tag-grants.js'
import { type AccessCheck, type Admitted, type StrategyContext } from './types.js'
import { rfc3339 } from '../../../lib/rfc3339.js'
import { cloneJson } from '../../../lib/clone-json.js'

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
  const { refused, mayRead } = await verifyTagSources(stream, changed, ctx.access)
  // A refused tag's source is not read: the writer learns nothing of a stream it may not pull.
  const resolvable = new Set([...changed].filter((t) => !mayRead.has(t) || mayRead.get(t)))
  const others = new Map<string, ImageStream | undefined>()
  for (const { namespace, name } of otherSourceStreams(stream, resolvable)) {
    others.set(`${namespace}/${name}`, await streamIfAny(reader, namespace, name))
  }
  // Only a stream these steps write to is copied: most writes have no stream-sourced tags.
  const next = writesStream(stream, resolvable) ? cloneJson(stream) : stream
  const { events, errors } = resolveTagSources(
    next,
    resolvable,
    (namespace, name) => others.get(`${namespace}/${name}`),
    { now: rfc3339(ctx.now()), registryHostname: ctx.settings.registryHostname() },
  )
  const namespace = stream.metadata.namespace ?? ''
  const pullGrants = new Set<string>()
  for (const { tag, event, source } of events) {
    recordTagEvent(next, tag, event)
    const copied = {
      namespace,
      sourceNamespace: source.namespace,
      image: event.image,
      sourceGranted: await hasPullGrant(reader, source.namespace, event.image),
      writerMayRead: mayRead.get(tag),
    }
    if (grantsCopiedImage(copied)) pullGrants.add(event.image)
  }
  followTrackingTags(next, prev)
  return { object: next, errors: [...refused, ...errors], pullGrants: [...pullGrants] }
}

/**
 * verifyTagSources asks, for each changed tag taking its image from a stream of another
 * namespace, whether the writer may `get imagestreams/layers` of that stream (upstream
 * imagestream strategy TagVerifier.Verify, which asks with a SubjectAccessReview). A denial is
 * `spec.tags[<tag>].from: Forbidden: <ns>/<stream>: "<reason>" "<evaluation error>"`. Without an
 * identity (a write the server makes itself) nothing is asked and `mayRead` stays empty.
 */
async function verifyTagSources(
  stream: ImageStream,
  changed: ReadonlySet<string>,
  access: AccessCheck | undefined,
): Promise<{ refused: FieldError[]; mayRead: Map<string, boolean> }> {
  const refused: FieldError[] = []
  const mayRead = new Map<string, boolean>()
  if (access === undefined) return { refused, mayRead }
  for (const tag of stream.spec?.tags ?? []) {
    if (!changed.has(tag.name)) continue
    const source = streamSource(stream, tag)
    if (source === undefined || source.namespace === (stream.metadata.namespace ?? '')) continue
    const decision = await access({
      kind: 'resource',
      verb: 'get',
      group: IMAGE_GROUP,
      resource: 'imagestreams',
      subresource: 'layers',
      namespace: source.namespace,
      name: source.stream,
    })
    mayRead.set(tag.name, decision.allowed)
    if (decision.allowed) continue
    const message = `${source.namespace}/${source.stream}: ${goQuote(decision.reason)} ""`
    refused.push(forbidden(childPath(keyPath('spec.tags', tag.name), 'from'), message))
  }
  return { refused, mayRead }
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
