/**
 * Spec tags that take their image from an image stream rather than a registry
 * (docs/imports.md#tags-from-image-streams; upstream imagestream strategy tagsChanged,
 * tagReferenceToTagEvent and updateChangedTrackingTags, internalimageutil LatestTaggedImage,
 * ResolveImageID, AddTagEventToImageStream and UpdateTrackingTags), as pure functions:
 * - a changed `ImageStreamTag` tag (`tag` or `stream:tag`, optionally in `from.namespace`)
 *   copies the source tag's current event; a source tag without one is no error, the tag
 *   simply stays empty;
 * - a changed `ImageStreamImage` tag (`id` or `stream@id`, a digest or a prefix of one) gets
 *   the source history's event for that image; no match, or several, is a field error;
 * - a missing source stream is a field error;
 * - tags of a stream that track another tag of the same stream (`from.kind: ImageStreamTag`,
 *   same namespace) follow it whenever its current event changes, including through chains.
 */
import {
  childPath,
  invalid,
  keyPath,
  notFoundValue,
  type FieldError,
  type ImageStream,
  type NamedTagEventList,
  type TagEvent,
  type TagReference,
} from '../api/index.js'

/** StreamSource is where a stream-sourced spec tag takes its image from. */
export interface StreamSource {
  readonly kind: 'ImageStreamTag' | 'ImageStreamImage'
  readonly namespace: string
  readonly stream: string
  /** The source tag, or the digest (or digest prefix) of the source image. */
  readonly ref: string
}

/** StreamKey names a stream. */
export interface StreamKey {
  readonly namespace: string
  readonly name: string
}

/** SourceLookup returns a stored stream, or undefined when there is none. */
export type SourceLookup = (namespace: string, name: string) => ImageStream | undefined

/** ResolveOptions are the server facts resolution needs. */
export interface ResolveOptions {
  /** RFC 3339 time of the write, for the events of `ImageStreamImage` tags. */
  readonly now: string
  /** `host[:port]` of the integrated registry, whose pull specs are rewritten to the destination. */
  readonly registryHostname?: string
}

/** TagSourceEvent is one tag event resolution adds, and the stream it was copied from. */
export interface TagSourceEvent {
  readonly tag: string
  readonly event: TagEvent
  readonly source: StreamSource
}

/** streamSource parses the `from` of a spec tag of `stream`; undefined unless it names a stream. */
export function streamSource(stream: ImageStream, tag: TagReference): StreamSource | undefined {
  const kind = tag.from?.kind
  if (kind !== 'ImageStreamTag' && kind !== 'ImageStreamImage') return undefined
  const name = tag.from?.name ?? ''
  // Validation refuses a second separator, so the last one splits `stream` from the tag or id.
  const at = name.lastIndexOf(kind === 'ImageStreamTag' ? ':' : '@')
  return {
    kind,
    namespace: tag.from?.namespace || (stream.metadata.namespace ?? ''),
    stream: at === -1 ? (stream.metadata.name ?? '') : name.slice(0, at),
    ref: name.slice(at + 1),
  }
}

function isOwnStream(stream: ImageStream, source: StreamSource): boolean {
  return (
    source.namespace === (stream.metadata.namespace ?? '') &&
    source.stream === (stream.metadata.name ?? '')
  )
}

function sourcedTags(
  stream: ImageStream,
  changed: ReadonlySet<string>,
): { tag: TagReference; source: StreamSource }[] {
  return (stream.spec?.tags ?? []).flatMap((tag) => {
    const source = changed.has(tag.name) ? streamSource(stream, tag) : undefined
    return source ? [{ tag, source }] : []
  })
}

/** otherSourceStreams lists, once each, the other streams that the changed tags take images from. */
export function otherSourceStreams(stream: ImageStream, changed: ReadonlySet<string>): StreamKey[] {
  const keys = new Map<string, StreamKey>()
  for (const { source } of sourcedTags(stream, changed)) {
    if (isOwnStream(stream, source)) continue
    keys.set(`${source.namespace}/${source.stream}`, {
      namespace: source.namespace,
      name: source.stream,
    })
  }
  return [...keys.values()]
}

function history(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return stream.status?.tags?.find((t) => t.tag === tag)
}

// DigestOrImageMatch: an id matches an image by its name or by the hex part of its digest.
function imageMatches(image: string, id: string): boolean {
  return image.startsWith(id) || image.slice(image.indexOf(':') + 1).startsWith(id)
}

/** resolveImage finds the history event of the one image `id` names, or explains why not. */
function resolveImage(stream: ImageStream, id: string): TagEvent | string {
  const found = new Map<string, TagEvent>()
  for (const list of stream.status?.tags ?? []) {
    for (const event of list.items ?? []) {
      if (event.image && imageMatches(event.image, id)) found.set(event.image, event)
    }
  }
  const resource = `imagestreamimage.image.openshift.io ${JSON.stringify(id)}`
  if (found.size === 0) return `${resource} not found`
  const [only] = found.values()
  if (found.size === 1 && only) return only
  const images = [...found.keys()].sort().join(', ')
  return `Operation cannot be fulfilled on ${resource}: multiple images match the prefix ${JSON.stringify(id)}: ${images}`
}

/**
 * localPullSpec points a pull spec of the source stream in the integrated registry at the
 * destination stream instead, so that pulls of the tag go through the stream that has it.
 */
function localPullSpec(
  reference: string,
  source: StreamSource,
  stream: ImageStream,
  registryHostname: string | undefined,
): string {
  if (!registryHostname) return reference
  const prefix = `${registryHostname}/${source.namespace}/${source.stream}`
  const rest = reference.slice(prefix.length)
  if (!reference.startsWith(prefix) || !/^[@:]/.test(rest)) return reference
  return `${registryHostname}/${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}${rest}`
}

/**
 * resolveTagSources computes the events of the `changed` spec tags that take their image from a
 * stream: `stream` itself for same-stream sources, `lookup` for the others.
 */
export function resolveTagSources(
  stream: ImageStream,
  changed: ReadonlySet<string>,
  lookup: SourceLookup,
  options: ResolveOptions,
): { events: TagSourceEvent[]; errors: FieldError[] } {
  const events: TagSourceEvent[] = []
  const errors: FieldError[] = []
  for (const { tag, source } of sourcedTags(stream, changed)) {
    const path = childPath(keyPath('spec.tags', tag.name), 'from.name')
    const fromName = tag.from?.name ?? ''
    const from = isOwnStream(stream, source) ? stream : lookup(source.namespace, source.stream)
    if (from === undefined) {
      errors.push(notFoundValue(path, fromName))
      continue
    }
    let found: TagEvent | undefined
    if (source.kind === 'ImageStreamTag') {
      found = history(from, source.ref)?.items?.[0]
    } else {
      const resolved = resolveImage(from, source.ref)
      if (typeof resolved === 'string') {
        errors.push(invalid(path, fromName, `error generating tag event: ${resolved}`))
        continue
      }
      // Upstream stamps an image lookup with the time of the write, a tag copy keeps its time.
      found = { ...resolved, created: options.now }
    }
    if (found === undefined) continue
    const reference = tag.reference
      ? found.dockerImageReference
      : localPullSpec(found.dockerImageReference, source, stream, options.registryHostname)
    events.push({
      tag: tag.name,
      source,
      event: {
        ...structuredClone(found),
        dockerImageReference: reference,
        generation: tag.generation ?? stream.metadata.generation ?? 1,
      },
    })
  }
  return { events, errors }
}

/**
 * recordTagEvent makes `event` the tag's current event (AddTagEventToImageStream): an event for
 * the same reference or image as the current one updates it in place, any other is prepended;
 * either way the tag's failure conditions are cleared. Returns whether anything changed.
 */
export function recordTagEvent(stream: ImageStream, tag: string, event: TagEvent): boolean {
  stream.status ??= {}
  stream.status.tags ??= []
  let list = history(stream, tag)
  if (list === undefined) {
    list = { tag, items: [] }
    stream.status.tags.push(list)
  }
  const items = list.items ?? []
  const head = items[0]
  const sameRef = head?.dockerImageReference === event.dockerImageReference
  const sameImage = head?.image === event.image
  if (head === undefined || (!sameRef && !sameImage)) {
    list.items = [structuredClone(event), ...items]
  } else if (sameRef && sameImage && head.generation === event.generation) {
    return false
  } else {
    // Upstream collapses into the current event, which keeps its time.
    items[0] = { ...structuredClone(event), created: head.created }
    list.items = items
  }
  delete list.conditions
  return true
}

function isSameEvent(a: TagEvent | undefined, b: TagEvent | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** trackedTag is the tag of the same stream that spec tag `tag` follows, if it follows one. */
function trackedTag(stream: ImageStream, tag: TagReference): string | undefined {
  const source = tag.from?.kind === 'ImageStreamTag' ? streamSource(stream, tag) : undefined
  return source && isOwnStream(stream, source) && source.ref !== tag.name ? source.ref : undefined
}

/**
 * writesStream says whether resolveTagSources' events and followTrackingTags can change
 * `stream` for `changed`: only a changed tag taking its image from a stream, or a tag tracking
 * another tag of the stream, can. Without either, a caller need not copy the stream first.
 */
export function writesStream(stream: ImageStream, changed: ReadonlySet<string>): boolean {
  return (
    sourcedTags(stream, changed).length > 0 ||
    (stream.spec?.tags ?? []).some((tag) => trackedTag(stream, tag) !== undefined)
  )
}

/**
 * followTrackingTags moves every tag that tracks a tag whose current event differs from
 * `previous` (all of them when there is no previous stream) to that event, then the tags that
 * track those, and so on; each tag moves at most once. Returns the names of the moved tags.
 */
export function followTrackingTags(
  stream: ImageStream,
  previous: ImageStream | undefined,
): string[] {
  const moved = (stream.status?.tags ?? []).filter((list) => {
    const head = list.items?.[0]
    return (
      head !== undefined &&
      (previous === undefined || !isSameEvent(head, history(previous, list.tag)?.items?.[0]))
    )
  })
  const queue = moved.map((list) => list.tag)
  const followed: string[] = []
  for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
    const event = history(stream, target)?.items?.[0]
    if (event === undefined) continue
    for (const tag of stream.spec?.tags ?? []) {
      if (trackedTag(stream, tag) !== target || followed.includes(tag.name)) continue
      if (!recordTagEvent(stream, tag.name, event)) continue
      followed.push(tag.name)
      queue.push(tag.name)
    }
  }
  return followed
}
