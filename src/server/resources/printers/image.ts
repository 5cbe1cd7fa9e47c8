/**
 * Printers of the image kinds, as openshift-apiserver's (pkg/image/printers/internalversion):
 * images `NAME IMAGE REFERENCE`; imagestreams `NAME IMAGE REPOSITORY TAGS
 * UPDATED`; imagestreamtags `NAME IMAGE REFERENCE UPDATED` (+ IMAGE NAME wide);
 * imagestreamimages `NAME UPDATED` (+ IMAGE REFERENCE, IMAGE NAME wide); imagetags with the name,
 * spec, status, history and updated columns of oc's itag table.
 */
import {
  IMPORT_SUCCESS,
  type ImageStream,
  type ImageTag,
  type NamedTagEventList,
} from '../../../api/index.js'
import { ago } from '../../../lib/human-duration.js'
import { column, type Printer, type PrintableObject } from '../table.js'
import { NAME_COLUMN } from './columns.js'

const IMAGE_REFERENCE = 'DockerImageReference is the string that can be used to pull this image.'

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function nameOf(o: PrintableObject): string {
  return o.metadata.name ?? ''
}

interface WithImage {
  readonly image?: {
    readonly metadata?: { readonly name?: string }
    readonly dockerImageReference?: string
  }
}

/** sortStatusTags orders tags by their newest item, newest first, ties by name (upstream SortStatusTags). */
export function sortStatusTags(tags: readonly NamedTagEventList[]): string[] {
  const created = (t: NamedTagEventList): number => {
    const ms = Date.parse(t.items?.[0]?.created ?? '')
    // Go's zero time sorts last; whole seconds, as upstream rounds.
    return Number.isNaN(ms) ? -Infinity : Math.round(ms / 1000)
  }
  return [...tags]
    .sort((a, b) => created(b) - created(a) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((t) => t.tag)
}

/**
 * printTagsUpToWidth lists as many tags as fit in about `width` characters, at least one, then
 * `+ N more...` (upstream printTagsUpToWidth, word for word).
 */
export function printTagsUpToWidth(
  statusTags: readonly NamedTagEventList[],
  width: number,
): string {
  let tags = sortStatusTags(statusTags)
  let remaining = width
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i] ?? ''
    remaining -= tag.length + 1
    if (remaining >= 0) continue
    if (i === 0) {
      tags = tags.slice(0, 1)
      break
    }
    // Keep going while the overflow stays within a quarter of the width, for less ragged edges.
    const margin = Math.trunc(width / 4)
    if (margin < remaining + tag.length && margin >= -remaining) continue
    tags = tags.slice(0, i)
    break
  }
  const hidden = statusTags.length - tags.length
  return hidden > 0 ? `${tags.join(',')} + ${hidden} more...` : tags.join(',')
}

/** imagePrinter: NAME IMAGE REFERENCE. */
export const imagePrinter: Printer = {
  columns: [NAME_COLUMN, column('Image Reference', IMAGE_REFERENCE)],
  cells: (o) => [nameOf(o), str(o.dockerImageReference)],
}

/** imageStreamPrinter: NAME IMAGE REPOSITORY TAGS UPDATED. */
export const imageStreamPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Image Repository',
      'DockerImageRepository represents the effective location this stream may be accessed at. May be empty until the server determines where the repository is located',
    ),
    column('Tags', 'Human readable list of tags.'),
    column('Updated', 'Last update time.'),
  ],
  cells: (o, now) => {
    const stream = o as unknown as ImageStream
    const statusTags = stream.status?.tags ?? []
    let latest: string | undefined
    let latestMs = -Infinity
    for (const t of statusTags) {
      const created = t.items?.[0]?.created
      const ms = Date.parse(created ?? '')
      if (!Number.isNaN(ms) && ms > latestMs) {
        latestMs = ms
        latest = created
      }
    }
    const repository =
      stream.status?.publicDockerImageRepository ||
      stream.spec?.dockerImageRepository ||
      stream.status?.dockerImageRepository ||
      ''
    return [nameOf(o), repository, printTagsUpToWidth(statusTags, 40), ago(latest, now)]
  },
}

/** imageStreamTagPrinter: NAME IMAGE REFERENCE UPDATED, IMAGE NAME (wide). */
export const imageStreamTagPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Image Reference', IMAGE_REFERENCE),
    column('Updated', 'Last update time.'),
    column('Image Name', 'image associated with the ImageStreamTag', { priority: 1 }),
  ],
  cells: (o, now) => {
    const image = (o as WithImage).image
    return [
      nameOf(o),
      str(image?.dockerImageReference),
      ago(o.metadata.creationTimestamp, now),
      str(image?.metadata?.name),
    ]
  },
}

/** imageStreamImagePrinter: NAME UPDATED, IMAGE REFERENCE and IMAGE NAME (wide). */
export const imageStreamImagePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Updated', 'Last update time.'),
    column('Image Reference', IMAGE_REFERENCE, { priority: 1 }),
    column('Image Name', 'Image associated with the ImageStream and image name.', { priority: 1 }),
  ],
  cells: (o, now) => {
    const image = (o as WithImage).image
    return [
      nameOf(o),
      ago(o.metadata.creationTimestamp, now),
      str(image?.dockerImageReference),
      str(image?.metadata?.name),
    ]
  },
}

/**
 * imageTagSpecAndSource is what the spec column says of a spec tag, and the source or problem it
 * names (upstream printImageTag).
 */
function imageTagSpecAndSource(itag: ImageTag): { spec: string; source: string; status: string } {
  const ref = itag.spec
  if (ref === undefined) return { spec: '', source: '', status: '' }
  let spec = ref.reference ? 'Ref' : 'Tag'
  if (ref.importPolicy?.scheduled) spec = 'Scheduled'
  const from = ref.from
  if (from === undefined) return { spec: '', source: '', status: '' }
  const name = from.name ?? ''
  switch (from.kind ?? '') {
    case 'DockerImage':
      return { spec, source: name, status: '' }
    case 'ImageStreamImage': {
      const at = name.split('@')
      return at.length === 2 && at[0] && at[1]
        ? { spec, source: `image/${at[1]}`, status: '' }
        : { spec, source: '', status: 'InvalidRefName' }
    }
    case 'ImageStreamTag': {
      const source = from.namespace ? `istag ${from.namespace}/${name}` : `istag/${name}`
      // A tag naming another tag of its own stream (no `stream:`) tracks it.
      const parts = name.split(':')
      const tracks = !(parts.length === 2 && parts[0] && parts[1])
      return { spec: tracks ? 'Track' : spec, source, status: '' }
    }
    default:
      return { spec, source: '', status: 'InvalidRefKind' }
  }
}

/** imageTagPrinter: the name, spec, status, history and updated columns (upstream printImageTag). */
export const imageTagPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Spec',
      'spec is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.',
    ),
    column(
      'Status',
      'status is the status tag details associated with this image stream tag, and it may be null if no push or import has been performed.',
    ),
    column('History', 'Number of history entries', { type: 'number' }),
    column('Updated', 'Last updated at'),
  ],
  cells: (o, now) => {
    const itag = o as unknown as ImageTag
    let { spec, source, status } = imageTagSpecAndSource(itag)
    const generation = itag.spec?.generation ?? 0
    const items = itag.status?.items ?? []
    let last = -Infinity
    let updated: string | undefined
    const event = items[0]
    if (event !== undefined) {
      last = Date.parse(event.created)
      updated = event.created
      if (generation > 0 && event.generation > 0 && event.generation < generation) {
        status = 'Importing'
      } else if (event.image) {
        source = `image/${event.image}`
      } else if (event.dockerImageReference) {
        source = event.dockerImageReference
      }
      if (source && !spec) spec = 'Push'
      else if (spec !== 'Track' && generation > 0 && event.generation > generation) spec = 'Push'
    }
    for (const condition of itag.status?.conditions ?? []) {
      if (condition.type === IMPORT_SUCCESS && condition.status === 'False') {
        status = `ImportFailed (${condition.reason ?? ''})`
      }
      const changed = Date.parse(condition.lastTransitionTime ?? '')
      if (changed > last) {
        last = changed
        updated = condition.lastTransitionTime
      }
    }
    return [
      nameOf(o),
      spec,
      status || source,
      items.length > 0 ? items.length : null,
      ago(updated, now),
    ]
  },
}
