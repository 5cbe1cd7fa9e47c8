/**
 * The console's add-a-tag action: the form's checks, with the messages of `isctl tag`, and the
 * spec tag it writes into the stream (docs/console.md#adding-a-tag).
 */
import {
  destinationFormMessage,
  invalidSourceMessage,
  invalidTagMessage,
  ISTAG_SOURCE_NEEDS_TAG,
  SERVER_IN_STREAM_SOURCE,
} from '../api/cli-messages.js'
import { isValidTag, parseImageReference } from '../reference/index.js'
import { api, namespaced } from './api.js'
import type { ImageStream, SpecTag } from './model.js'

/** TAG_SOURCE_KINDS are what the form's new tag may point at: another stream's tag or an image. */
export const TAG_SOURCE_KINDS = ['ImageStreamTag', 'DockerImage'] as const
/** TagSourceKind is one of TAG_SOURCE_KINDS. */
export type TagSourceKind = (typeof TAG_SOURCE_KINDS)[number]

/** TagInput is what the add-a-tag form asks for. */
export interface TagInput {
  readonly stream: string
  readonly kind: TagSourceKind
  readonly source: string
  readonly tag: string
}

/** SplitSource is a stream source split as `isctl tag` splits SOURCE. */
interface SplitSource {
  readonly registry: string
  readonly namespace: string
  readonly nameAndTag: string
  readonly tag: string
}

/** splitSource splits a valid reference: a first component with '.' or ':' or `localhost` is a host. */
function splitSource(source: string): SplitSource {
  const at = source.indexOf('@')
  let path = at === -1 ? source : source.slice(0, at)
  const colon = path.lastIndexOf(':')
  const tag = colon > path.lastIndexOf('/') ? path.slice(colon + 1) : ''
  const slash = path.indexOf('/')
  let registry = ''
  if (slash !== -1) {
    const first = path.slice(0, slash)
    if (/[.:]/.test(first) || first === 'localhost') {
      registry = first
      path = path.slice(slash + 1)
    }
  }
  const nsSlash = path.indexOf('/')
  return {
    registry,
    namespace: nsSlash === -1 ? '' : path.slice(0, nsSlash),
    nameAndTag: nsSlash === -1 ? path : path.slice(nsSlash + 1),
    tag,
  }
}

/** checkTag returns a message per field `isctl tag --source=KIND SOURCE STREAM:TAG` would refuse. */
export function checkTag(input: TagInput): Partial<Record<keyof TagInput, string>> {
  const problems: Partial<Record<keyof TagInput, string>> = {}
  try {
    parseImageReference(input.source)
    if (input.kind === 'ImageStreamTag') {
      const split = splitSource(input.source)
      if (split.registry !== '') problems.source = SERVER_IN_STREAM_SOURCE
      else if (split.tag === '') problems.source = ISTAG_SOURCE_NEEDS_TAG
    }
  } catch (err) {
    problems.source = invalidSourceMessage(err instanceof Error ? err.message : String(err))
  }
  if (input.tag === '' || input.tag.includes(':')) {
    problems.tag = destinationFormMessage(`${input.stream}:${input.tag}`)
  } else if (!isValidTag(input.tag)) problems.tag = invalidTagMessage(input.tag)
  return problems
}

/**
 * specTagOf is the spec tag the form writes: an image by its pull spec as given, or a stream's
 * tag by `<stream>:<tag>` (and its namespace when one is named), as `isctl tag --alias` writes it.
 */
export function specTagOf(input: TagInput): SpecTag {
  if (input.kind === 'DockerImage') {
    return {
      name: input.tag,
      from: { kind: 'DockerImage', name: input.source },
      importPolicy: {},
      referencePolicy: { type: 'Source' },
    }
  }
  const split = splitSource(input.source)
  return {
    name: input.tag,
    from: {
      kind: 'ImageStreamTag',
      name: split.nameAndTag,
      ...(split.namespace !== '' && { namespace: split.namespace }),
    },
    importPolicy: {},
    referencePolicy: { type: 'Source' },
  }
}

/** withSpecTag returns `stream` with `tag` in spec.tags, replacing a tag of the same name. */
export function withSpecTag(stream: ImageStream, tag: SpecTag): ImageStream {
  const others = (stream.spec?.tags ?? []).filter((t) => t.name !== tag.name)
  return { ...stream, spec: { ...stream.spec, tags: [...others, tag] } }
}

/** addTag writes the form's tag into the stream with one update, refused on a concurrent change. */
export async function addTag(namespace: string, input: TagInput): Promise<string> {
  const path = namespaced(namespace, 'imagestreams', input.stream)
  const stream = await api<ImageStream>('GET', path)
  await api('PUT', path, withSpecTag(stream, specTagOf(input)))
  return `Tag ${input.stream}:${input.tag} set to ${input.source}.`
}
