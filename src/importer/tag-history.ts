/**
 * What an import does to a stream's spec and status tags (docs/imports.md#what-an-import-writes),
 * as pure functions over copies: whether a tag's current event changed (the new event is
 * recorded by tag-sources' recordTagEvent, OpenShift's AddTagEventToImageStream, with no cap:
 * docs/imports.md#tag-history), failure conditions replaced only when they change, and spec tags
 * that record the import mode used and the insecure and scheduled flags the request set
 * (docs/imports.md#import-policy-defaults).
 */
import type {
  ImageStream,
  NamedTagEventList,
  TagEvent,
  TagEventCondition,
  TagImportPolicy,
  TagReference,
  TagReferencePolicy,
} from '../api/index.js'
import { IMPORT_SUCCESS } from '../api/index.js'

/** SpecTagUpdate describes the spec side of an imported tag. */
export interface SpecTagUpdate {
  readonly tag: string
  /** `from.name` as the request gave it. */
  readonly from: string
  readonly importPolicy: TagImportPolicy | undefined
  readonly referencePolicy: TagReferencePolicy | undefined
  /** The import mode the entry was imported in (the request's, else the server default). */
  readonly mode?: string | undefined
}

/** cloneStream deep-copies a stream so that the functions below can edit it. */
export function cloneStream(stream: ImageStream): ImageStream {
  return structuredClone(stream)
}

function specTags(stream: ImageStream): TagReference[] {
  stream.spec ??= {}
  stream.spec.tags ??= []
  return stream.spec.tags
}

function statusTag(stream: ImageStream, tag: string): NamedTagEventList {
  stream.status ??= {}
  stream.status.tags ??= []
  let entry = stream.status.tags.find((t) => t.tag === tag)
  if (!entry) {
    entry = { tag, items: [] }
    stream.status.tags.push(entry)
  }
  return entry
}

/** mergePolicy applies the insecure and scheduled flags the request set; unset ones stay. */
function mergePolicy(
  current: TagImportPolicy | undefined,
  requested: TagImportPolicy | undefined,
): TagImportPolicy | undefined {
  if (!requested) return current
  const merged = { ...current }
  if (requested.insecure !== undefined) merged.insecure = requested.insecure
  if (requested.scheduled !== undefined) merged.scheduled = requested.scheduled
  return merged
}

/**
 * ensureSpecTag makes the spec tag point at `from` with the request's policy. With `reset`
 * (the tag changed) its generation becomes `generation`; a new tag is created either way. The
 * tag records the entry's import mode when it is new or the import `succeeded`: as in
 * OpenShift, a failed import leaves an existing tag's mode as it was, so the mode always
 * describes the image the tag points at.
 */
export function ensureSpecTag(
  stream: ImageStream,
  update: SpecTagUpdate,
  opts: { reset: boolean; generation: number; succeeded: boolean },
): void {
  const tags = specTags(stream)
  let tag = tags.find((t) => t.name === update.tag)
  const isNew = !tag
  if (!tag) {
    tag = { name: update.tag, from: { kind: 'DockerImage', name: update.from } }
    tags.push(tag)
    tag.generation = opts.generation
  } else if (opts.reset) {
    tag.from = { kind: 'DockerImage', name: update.from }
    tag.generation = opts.generation
  }
  const { importMode, ...flags } = update.importPolicy ?? {}
  const policy = mergePolicy(tag.importPolicy, update.importPolicy && flags)
  if (policy) tag.importPolicy = policy
  const mode = update.mode || importMode
  if (mode && (isNew || opts.succeeded))
    tag.importPolicy = { ...tag.importPolicy, importMode: mode }
  // An existing reference policy (e.g. Local) survives a re-import, as in OpenShift.
  if (!tag.referencePolicy?.type && update.referencePolicy?.type) {
    tag.referencePolicy = { type: update.referencePolicy.type }
  }
}

/**
 * hasTagChanged: no history, no spec tag, a different current image or reference, or a spec
 * generation newer than the current event.
 */
export function hasTagChanged(stream: ImageStream, tag: string, event: TagEvent): boolean {
  const current = stream.status?.tags?.find((t) => t.tag === tag)?.items?.[0]
  const spec = stream.spec?.tags?.find((t) => t.name === tag)
  if (!current || !spec || spec.generation === undefined) return true
  if (
    current.image !== event.image ||
    current.dockerImageReference !== event.dockerImageReference
  ) {
    return true
  }
  return spec.generation > current.generation
}

/** clearConditions removes a tag's failure conditions after a successful import. */
export function clearConditions(stream: ImageStream, tag: string): void {
  const entry = stream.status?.tags?.find((t) => t.tag === tag)
  if (entry) delete entry.conditions
}

/**
 * setFailure records an ImportSuccess=False condition; an identical failure keeps its first
 * lastTransitionTime (BZ 1788700). Returns whether the condition changed.
 */
export function setFailure(
  stream: ImageStream,
  tag: string,
  failure: Omit<TagEventCondition, 'type' | 'status'>,
): boolean {
  const entry = statusTag(stream, tag)
  const existing = entry.conditions?.find((c) => c.type === IMPORT_SUCCESS)
  if (
    existing &&
    existing.status === 'False' &&
    existing.reason === failure.reason &&
    existing.message === failure.message
  ) {
    return false
  }
  entry.conditions = [{ type: IMPORT_SUCCESS, status: 'False', ...failure }]
  return true
}
