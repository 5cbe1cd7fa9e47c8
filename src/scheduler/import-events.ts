/**
 * The Events an import reports on its ImageStream. OpenShift's importer records none (its only
 * image events are the trigger controller's), so these are ours, in Kubernetes' style: one
 * Warning per tag that failed, with the status the import answered (reason and message, which
 * name a secret but never carry its data); a Normal when a tag that was failing imports again;
 * a Normal for every tag that now points at a new image. A failure repeated the same way is one
 * Event whose count rises (the recorder aggregates). See README "Events".
 */
import type { ImageStream, ImageStreamImport, ObjectReference, Status } from '../api/index.js'
import { IMAGE_API_VERSION, IMPORT_SUCCESS } from '../api/index.js'
import type { EventSpec } from './event-recorder.js'

/** IMPORT_CONTROLLER reports imports, from the API or in the background. */
export const IMPORT_CONTROLLER = 'image-import-controller'
/** SCHEDULED_IMPORT_CONTROLLER reports scheduled checks that fail before an import. */
export const SCHEDULED_IMPORT_CONTROLLER = 'scheduled-image-import-controller'

/** The reasons of the Events imports record. */
export const IMPORT_EVENT_REASONS = {
  failed: 'ImportFailed',
  recovered: 'ImportSucceeded',
  imported: 'Imported',
  checkFailed: 'ScheduledImportFailed',
} as const

/** streamReference is the involvedObject of a stream's Events. */
export function streamReference(
  stream: Pick<ImageStream, 'metadata'>,
): EventSpec['involvedObject'] {
  const { namespace = '', name = '', uid } = stream.metadata
  const ref: ObjectReference & { namespace: string; name: string } = {
    kind: 'ImageStream',
    namespace,
    name,
    apiVersion: IMAGE_API_VERSION,
  }
  return uid === undefined ? ref : { ...ref, uid }
}

interface Entry {
  readonly tag: string
  readonly from: string
  readonly status: Status
}

/** entries are the tags an import asked for, with their answers. */
function entries(isi: ImageStreamImport): Entry[] {
  const out: Entry[] = []
  isi.spec?.images?.forEach((spec, i) => {
    const status = isi.status?.images?.[i]
    const tag = spec.to?.name ?? status?.tag
    if (status && tag) out.push({ tag, from: spec.from.name ?? '', status: status.status })
  })
  const repository = isi.spec?.repository?.from.name
  for (const status of isi.status?.repository?.images ?? []) {
    if (repository && status.tag) {
      out.push({ tag: status.tag, from: `${repository}:${status.tag}`, status: status.status })
    }
  }
  return out
}

function failing(stream: ImageStream | undefined, tag: string): boolean {
  const conditions = stream?.status?.tags?.find((t) => t.tag === tag)?.conditions ?? []
  return conditions.some((c) => c.type === IMPORT_SUCCESS && c.status === 'False')
}

function currentImage(stream: ImageStream | undefined, tag: string): string | undefined {
  return stream?.status?.tags?.find((t) => t.tag === tag)?.items?.[0]?.image
}

/**
 * importEvents are the Events of one stored import: `answered` is the ImageStreamImport with
 * its status, `before` and `after` the stream as the import found and left it.
 */
export function importEvents(
  answered: ImageStreamImport,
  before: ImageStream | undefined,
  after: ImageStream | undefined,
): EventSpec[] {
  if (!after) return []
  const involvedObject = streamReference(after)
  const event = (type: EventSpec['type'], reason: string, message: string): EventSpec => ({
    involvedObject,
    type,
    reason,
    message,
    component: IMPORT_CONTROLLER,
  })
  const out: EventSpec[] = []
  for (const { tag, from, status } of entries(answered)) {
    if (status.status !== 'Success') {
      const reason = status.reason || 'InternalError'
      const message = status.message || 'unknown error prevented import'
      out.push(
        event(
          'Warning',
          IMPORT_EVENT_REASONS.failed,
          `Import of "${from}" into tag "${tag}" failed (${reason}): ${message}`,
        ),
      )
      continue
    }
    if (failing(before, tag) && !failing(after, tag)) {
      out.push(
        event(
          'Normal',
          IMPORT_EVENT_REASONS.recovered,
          `Import of "${from}" into tag "${tag}" succeeded after failing`,
        ),
      )
    }
    const image = currentImage(after, tag)
    if (image !== undefined && image !== currentImage(before, tag)) {
      out.push(
        event(
          'Normal',
          IMPORT_EVENT_REASONS.imported,
          `Imported "${from}" into tag "${tag}": ${image}`,
        ),
      )
    }
  }
  return out
}

/** checkFailedEvent is the Event of a scheduled check whose HEAD failed. */
export function checkFailedEvent(
  stream: Pick<ImageStream, 'metadata'>,
  tag: string,
  source: string,
  reason: string,
  message: string,
): EventSpec {
  return {
    involvedObject: streamReference(stream),
    type: 'Warning',
    reason: IMPORT_EVENT_REASONS.checkFailed,
    message: `Scheduled check of "${source}" for tag "${tag}" failed (${reason}): ${message}`,
    component: SCHEDULED_IMPORT_CONTROLLER,
  }
}
