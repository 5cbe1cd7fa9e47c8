/**
 * Events: core/v1 Event (what is stored, and what kubectl and client-go's recorder speak) and
 * events.k8s.io/v1 Event, the same objects under other field names. kube-apiserver keeps one
 * storage for both and converts on the way in and out (k8s.io/kubernetes pkg/apis/events/v1
 * conversion.go); so do we. Validation follows pkg/apis/core/validation/events.go: lenient for
 * core/v1 writes, strict for events.k8s.io/v1 creates.
 */
import { isDeepStrictEqual } from 'node:util'
import Type from 'typebox'
import type { Static } from 'typebox'
import type { FieldError } from './field-errors.js'
import { invalid, required } from './field-errors.js'
import { ObjectMeta, ObjectReference, Time, TypeMetaProperties } from './meta.js'
import {
  checkDNS1123Subdomain,
  checkQualifiedName,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from './names.js'
import { validateObjectMeta } from './validation.js'

/** EVENTS_GROUP is the API group of the newer Event API. */
export const EVENTS_GROUP = 'events.k8s.io'
/** EVENTS_API_VERSION is the group/version of the newer Event API. */
export const EVENTS_API_VERSION = 'events.k8s.io/v1'

/** EVENT_TYPES are the two event types kube accepts from events.k8s.io clients. */
export const EVENT_TYPES = ['Normal', 'Warning'] as const
/** EventType is Normal or Warning. */
export type EventType = (typeof EVENT_TYPES)[number]

/** MicroTime is a metav1.MicroTime: RFC 3339 with microseconds, e.g. `2026-11-26T10:00:00.123456Z`. */
const MicroTime = Type.String({ format: 'date-time' })

/** EventSource is core/v1 EventSource: the component (and host) that reported an event. */
export const EventSource = Type.Object({
  component: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
})
/** EventSource is who reported an event, in the core API. */
export type EventSource = Static<typeof EventSource>

/** EventSeries is an isochronous run of one event: how many and when last seen. */
export const EventSeries = Type.Object({
  count: Type.Optional(Type.Integer()),
  lastObservedTime: Type.Optional(MicroTime),
})
/** EventSeries is an isochronous run of one event. */
export type EventSeries = Static<typeof EventSeries>

/** Event is core/v1 Event, the form events are stored in. */
export const Event = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    involvedObject: Type.Optional(ObjectReference),
    reason: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    source: Type.Optional(EventSource),
    firstTimestamp: Type.Optional(Time),
    lastTimestamp: Type.Optional(Time),
    count: Type.Optional(Type.Integer()),
    type: Type.Optional(Type.String()),
    eventTime: Type.Optional(MicroTime),
    series: Type.Optional(EventSeries),
    action: Type.Optional(Type.String()),
    related: Type.Optional(ObjectReference),
    reportingComponent: Type.Optional(Type.String()),
    reportingInstance: Type.Optional(Type.String()),
  },
  { description: 'Event is a report of an event somewhere in the cluster.' },
)
/** Event is core/v1 Event. */
export type Event = Static<typeof Event>

/** EventsV1Event is events.k8s.io/v1 Event: the stored Event with the newer API's field names. */
export const EventsV1Event = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    eventTime: Type.Optional(MicroTime),
    series: Type.Optional(EventSeries),
    reportingController: Type.Optional(Type.String()),
    reportingInstance: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    regarding: Type.Optional(ObjectReference),
    related: Type.Optional(ObjectReference),
    note: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    deprecatedSource: Type.Optional(EventSource),
    deprecatedFirstTimestamp: Type.Optional(Time),
    deprecatedLastTimestamp: Type.Optional(Time),
    deprecatedCount: Type.Optional(Type.Integer()),
  },
  {
    description:
      'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system.',
  },
)
/** EventsV1Event is events.k8s.io/v1 Event. */
export type EventsV1Event = Static<typeof EventsV1Event>

/** The fields whose names differ, core/v1 name first; every other field is shared. */
const RENAMED = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
] as const

function rename(
  object: Readonly<Record<string, unknown>>,
  pairs: readonly (readonly [string, string])[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const to = new Map(pairs)
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) out[to.get(key) ?? key] = value
  }
  return out
}

/** eventToV1 converts a stored Event to events.k8s.io/v1. */
export function eventToV1(event: Event): EventsV1Event {
  const renamed = rename(event, RENAMED) as EventsV1Event
  return { ...renamed, kind: 'Event', apiVersion: EVENTS_API_VERSION }
}

/** eventFromV1 converts an events.k8s.io/v1 Event to the stored form. */
export function eventFromV1(event: EventsV1Event): Event {
  const renamed = rename(
    event,
    RENAMED.map(([core, v1]) => [v1, core] as const),
  ) as Event
  return { ...renamed, kind: 'Event', apiVersion: 'v1' }
}

/**
 * EVENT_FIELD_LABELS are the field selectors kube-apiserver accepts on events besides
 * metadata.name and metadata.namespace (pkg/apis/core/v1 AddFieldLabelConversionsForEvent); the
 * events.k8s.io API takes the same core names.
 */
export const EVENT_FIELD_LABELS: ReadonlySet<string> = new Set([
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
])

/** eventFieldValue reads one of EVENT_FIELD_LABELS of a stored Event, as kube's EventToSelectableFields. */
export function eventFieldValue(event: Event, field: string): string {
  if (field.startsWith('involvedObject.')) {
    const key = field.slice('involvedObject.'.length) as keyof ObjectReference
    return event.involvedObject?.[key] ?? ''
  }
  switch (field) {
    case 'reason':
      return event.reason ?? ''
    case 'type':
      return event.type ?? ''
    case 'reportingComponent':
      return event.reportingComponent ?? ''
    case 'source':
      // Events of the newer API carry no source: kube selects them by their controller.
      return event.source?.component || event.reportingComponent || ''
    default:
      return ''
  }
}

/** Kube's limits on the newer API's fields (pkg/apis/core/validation/events.go). */
const REPORTING_INSTANCE_MAX = 128
const ACTION_MAX = 128
const REASON_MAX = 128
const NOTE_MAX = 1024

/** EventAPI is the API a write came through; validation is stricter for events.k8s.io. */
export type EventAPI = 'v1' | typeof EVENTS_API_VERSION

/**
 * validateEvent is kube's legacyValidateEvent, which every write passes: the event's namespace
 * agrees with its object's, and an event with an eventTime (the newer API's) names its
 * controller, instance, action and reason. Names are path segments, as for every kube object.
 */
export function validateEvent(event: Event): FieldError[] {
  return [
    ...validateObjectMeta(event.metadata, { namespaced: true, name: nameIsPathSegment }),
    ...eventRules(event, 'v1'),
  ]
}

function eventRules(event: Event, api: EventAPI): FieldError[] {
  const errors: FieldError[] = []
  const namespace = event.metadata.namespace ?? ''
  const objectNamespace = event.involvedObject?.namespace ?? ''
  const mismatch = () =>
    errors.push(
      invalid('involvedObject.namespace', objectNamespace, 'does not match event.namespace'),
    )
  if (!event.eventTime) {
    const agrees =
      objectNamespace === ''
        ? namespace === '' || namespace === 'default'
        : namespace === objectNamespace
    if (!agrees) mismatch()
  } else {
    if (objectNamespace === '' && namespace !== 'default' && namespace !== 'kube-system') mismatch()
    const controllerField = api === 'v1' ? 'reportingComponent' : 'reportingController'
    const controller = event.reportingComponent ?? ''
    if (controller === '') errors.push(required(controllerField))
    for (const problem of checkQualifiedName(controller)) {
      errors.push(invalid(controllerField, controller, problem))
    }
    const instance = event.reportingInstance ?? ''
    if (instance === '') errors.push(required('reportingInstance'))
    if (instance.length > REPORTING_INSTANCE_MAX) {
      errors.push(
        invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_MAX} characters`),
      )
    }
    const action = event.action ?? ''
    if (action === '') errors.push(required('action'))
    if (action.length > ACTION_MAX) {
      errors.push(invalid('action', '', `can have at most ${ACTION_MAX} characters`))
    }
    const reason = event.reason ?? ''
    if (reason === '') errors.push(required('reason'))
    if (reason.length > REASON_MAX) {
      errors.push(invalid('reason', '', `can have at most ${REASON_MAX} characters`))
    }
    if ((event.message ?? '').length > NOTE_MAX) {
      errors.push(invalid('message', '', `can have at most ${NOTE_MAX} characters`))
    }
  }
  for (const problem of checkDNS1123Subdomain(namespace)) {
    errors.push(invalid('namespace', namespace, problem))
  }
  return errors
}

/**
 * validateEventsV1Create is kube's check of an events.k8s.io/v1 create beyond validateEvent
 * (which every write passes): the newer API's fields as required fields, a DNS-subdomain name,
 * an eventTime, a Normal or Warning type, a well-formed series, and none of the deprecated core
 * fields.
 */
export function validateEventsV1Create(event: Event): FieldError[] {
  const errors = eventRules(event, EVENTS_API_VERSION)
  const name = event.metadata.name ?? ''
  if (name !== '') {
    for (const problem of nameIsDNSSubdomain(name, false)) {
      errors.push(invalid('metadata.name', name, problem))
    }
  }
  if (event.series) errors.push(...validateSeries(event.series))
  if (!event.eventTime) errors.push(required('eventTime'))
  if (!(EVENT_TYPES as readonly string[]).includes(event.type ?? '')) {
    errors.push(invalid('type', '', `has invalid value: ${event.type ?? ''}`))
  }
  if (event.firstTimestamp) errors.push(invalid('firstTimestamp', '', 'needs to be unset'))
  if (event.lastTimestamp) errors.push(invalid('lastTimestamp', '', 'needs to be unset'))
  if (event.count) errors.push(invalid('count', '', 'needs to be unset'))
  if (event.source?.component || event.source?.host) {
    errors.push(invalid('source', '', 'needs to be unset'))
  }
  return errors
}

function validateSeries(series: EventSeries): FieldError[] {
  const errors: FieldError[] = []
  if ((series.count ?? 0) < 2) {
    errors.push(invalid('series.count', '', 'should be at least 2'))
  }
  if (!series.lastObservedTime) errors.push(required('series.lastObservedTime'))
  return errors
}

/** The fields an events.k8s.io/v1 update may not change (kube's ValidateEventUpdate). */
const IMMUTABLE: readonly (keyof Event)[] = [
  'involvedObject',
  'reason',
  'message',
  'source',
  'firstTimestamp',
  'lastTimestamp',
  'count',
  'type',
  'eventTime',
  'action',
  'related',
  'reportingComponent',
  'reportingInstance',
]

/** validateEventsV1Update is kube's check of an events.k8s.io/v1 update: only the series and metadata change. */
export function validateEventsV1Update(next: Event, prev: Event): FieldError[] {
  const errors: FieldError[] = []
  for (const field of IMMUTABLE) {
    if (!isDeepStrictEqual(next[field], prev[field])) {
      const path = field === 'reportingComponent' ? 'reportingController' : field
      errors.push(invalid(path, undefined, 'field is immutable'))
    }
  }
  if (next.series && !isDeepStrictEqual(next.series, prev.series)) {
    errors.push(...validateSeries(next.series))
  }
  return errors
}
