/**
 * The Event Table, as kube-apiserver prints events (pkg/printers/internalversion printEvent):
 * LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, and with `-o wide` SUBOBJECT, SOURCE, FIRST SEEN,
 * COUNT and NAME. events.k8s.io/v1 objects print the same, read through the stored form.
 */
import { eventFromV1, type Event } from '../../../api/index.js'
import { age } from '../../../lib/human-duration.js'
import { column, type Printer, type PrintableObject } from '../table.js'
import { NAME_COLUMN } from './columns.js'

const COLUMNS = [
  column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column(
    'Reason',
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  ),
  column('Object', 'The object that this event is about.'),
  column(
    'Subobject',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
    { priority: 1 },
  ),
  column(
    'Source',
    'The component reporting this event. Should be a short machine understandable string.',
    { priority: 1 },
  ),
  column('Message', 'A human-readable description of the status of this operation.'),
  column(
    'First Seen',
    'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
    { priority: 1 },
  ),
  column('Count', 'The number of times this event has occurred.', { priority: 1 }),
  { ...NAME_COLUMN, priority: 1 },
]

/** eventSource is kube's formatEventSource: the component (or controller), then `, host` when known. */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent || ''
  const host = event.source?.host || event.reportingInstance || ''
  return host === '' ? component : `${component}, ${host}`
}

/** eventCells are the wide cells of one stored Event. */
export function eventCells(event: Event, now: number): unknown[] {
  const first = age(event.firstTimestamp ?? event.eventTime, now)
  let last = event.lastTimestamp ? age(event.lastTimestamp, now) : first
  let count = event.count ?? 0
  if (event.series) {
    last = age(event.series.lastObservedTime, now)
    count = event.series.count ?? 0
  } else if (count === 0) {
    // Singleton events of the newer API carry no count.
    count = 1
  }
  const kind = (event.involvedObject?.kind ?? '').toLowerCase()
  const name = event.involvedObject?.name ?? ''
  return [
    last,
    event.type ?? '',
    event.reason ?? '',
    name === '' ? kind : `${kind}/${name}`,
    event.involvedObject?.fieldPath ?? '',
    eventSource(event),
    (event.message ?? '').trim(),
    first,
    count,
    event.metadata.name ?? '',
  ]
}

/** eventPrinter prints core/v1 Events. */
export const eventPrinter: Printer = {
  columns: COLUMNS,
  cells: (o: PrintableObject, now) => eventCells(o, now),
}

/** eventsV1Printer prints events.k8s.io/v1 Events with the same columns. */
export const eventsV1Printer: Printer = {
  columns: COLUMNS,
  cells: (o: PrintableObject, now) => eventCells(eventFromV1(o), now),
}
