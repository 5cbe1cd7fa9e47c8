/**
 * What a list or watch selects (namespace, label selector, field selector), and how one
 * committed change looks to a watcher with that selection. Backend-neutral: every backend
 * filters and converts its history rows here, so selector transitions behave the same in all.
 */
import { parseFieldSelector } from './field-selector.js'
import type { FieldSelector } from './field-selector.js'
import { parseLabelSelector } from './label-selector.js'
import type { LabelSelector } from './label-selector.js'
import type {
  ObjectEventType,
  ObjectKey,
  SelectionOptions,
  StoredObject,
  WatchEvent,
} from './store.js'

/** Labels are an object's metadata.labels (undefined when it has none). */
export type Labels = Readonly<Record<string, string>> | undefined

/** Selection is a parsed SelectionOptions. */
export interface Selection {
  /** Only this namespace, or every namespace when undefined. */
  readonly namespace: string | undefined
  /** A single name the field selector pins (metadata.name=X), for index lookups. */
  readonly name: string | undefined
  /** filtersContent is true when label or field selectors apply (no remainingItemCount then). */
  readonly filtersContent: boolean
  /** readsObject is true when matching needs the object (a field selector on its own fields). */
  readonly readsObject: boolean
  matches(namespace: string, name: string, labels: Labels, object?: StoredObject): boolean
}

/** parseSelection parses the selectors once; throws InvalidSelector. */
export function parseSelection(options: SelectionOptions): Selection {
  const labels: LabelSelector = parseLabelSelector(options.labelSelector ?? '')
  const fields: FieldSelector = parseFieldSelector(options.fieldSelector ?? '', options.fields)
  const namespace = options.namespace === '' ? undefined : options.namespace
  const pinnedName = fields.requirements.find(
    (r) => r.field === 'metadata.name' && r.operator === '=',
  )?.value
  return {
    namespace,
    name: pinnedName,
    filtersContent: !labels.empty || !fields.empty,
    readsObject: fields.readsObject,
    matches: (ns, name, objectLabels, object) =>
      (namespace === undefined || ns === namespace) &&
      fields.matches(ns, name, object) &&
      labels.matches(objectLabels),
  }
}

/** labelsOf returns an object's labels, ignoring a malformed labels field. */
export function labelsOf(object: StoredObject | undefined): Labels {
  const labels: unknown = object?.metadata?.labels
  return labels !== null && typeof labels === 'object'
    ? (labels as Record<string, string>)
    : undefined
}

/**
 * Change is one committed write, as a backend's history (events table) records it: the new
 * state (for DELETED: the last state with the deletion's resourceVersion) and the previous state,
 * both as JSON, plus both label sets so watchers filter without parsing.
 */
export interface Change {
  readonly revision: number
  readonly key: ObjectKey
  readonly type: ObjectEventType
  readonly object: string
  readonly prev: string | undefined
  readonly labels: Labels
  readonly prevLabels: Labels
}

/** Delivery is how a watcher sees a Change: which event type and which JSON to decode. */
export interface Delivery {
  readonly type: ObjectEventType
  /** 'prev' means the previous state, to be stamped with the change's revision. */
  readonly source: 'object' | 'prev'
}

/**
 * Decoded is what the watchers of one Change share: each side parsed at most once, and one
 * event per delivery. It lives as long as the Change or one of its events is referenced.
 */
interface Decoded {
  object?: StoredObject
  prev?: StoredObject
  readonly events: Map<string, WatchEvent>
}

const decodedChanges = new WeakMap<Change, Decoded>()

function decodedOf(change: Change): Decoded {
  let decoded = decodedChanges.get(change)
  if (!decoded) decodedChanges.set(change, (decoded = { events: new Map() }))
  return decoded
}

/** stateOf parses one side of a change on first use; the result is shared, not to be changed. */
function stateOf(change: Change, source: 'object' | 'prev'): StoredObject | undefined {
  const json = source === 'prev' ? change.prev : change.object
  if (json === undefined) return undefined
  const decoded = decodedOf(change)
  return (decoded[source] ??= JSON.parse(json) as StoredObject)
}

/**
 * deliveryFor maps a change onto a selection as the apiserver's watch cache does
 * (cacher.go convertToWatchEvent): new state matches and old did not -> ADDED; both -> the
 * change's own type; only the old state -> DELETED carrying the old state; neither -> nothing.
 */
export function deliveryFor(selection: Selection, change: Change): Delivery | undefined {
  const { namespace, name } = change.key
  // Only selectors on an object's own fields need the parsed object, shared by all watchers.
  const state = (source: 'object' | 'prev') =>
    selection.readsObject ? stateOf(change, source) : undefined
  const now =
    change.type !== 'DELETED' && selection.matches(namespace, name, change.labels, state('object'))
  const before =
    change.prev !== undefined &&
    selection.matches(namespace, name, change.prevLabels, state('prev'))
  if (now && before) return change.type === 'ADDED' ? ADDED : MODIFIED
  if (now) return ADDED
  if (before) return DELETED_BEFORE
  return undefined
}

// The deliveries there are, made once: one is worked out per watcher for every change.
const ADDED: Delivery = { type: 'ADDED', source: 'object' }
const MODIFIED: Delivery = { type: 'MODIFIED', source: 'object' }
const DELETED_BEFORE: Delivery = { type: 'DELETED', source: 'prev' }

/** decode is the object a delivery carries; a previous state gets the change's revision. */
function decode(change: Change, delivery: Delivery): StoredObject {
  const prev = delivery.source === 'prev' ? stateOf(change, 'prev') : undefined
  if (prev === undefined) return stateOf(change, 'object') as StoredObject
  return { ...prev, metadata: { ...prev.metadata, resourceVersion: String(change.revision) } }
}

/**
 * sharedEvent is the event a delivery of a change makes, the same object for every watcher
 * that gets this delivery, so that consumers can share what they derive from it (the server
 * serialises it once per format). The object is decoded on first read, once.
 */
export function sharedEvent<T extends StoredObject>(
  change: Change,
  delivery: Delivery,
): WatchEvent<T> {
  const { events } = decodedOf(change)
  const key = delivery.source === 'prev' ? 'DELETED/prev' : delivery.type
  let event = events.get(key)
  if (!event) {
    let object: StoredObject | undefined
    // Once decoded, the event lets go of the change's JSON: a watcher that queues the event
    // then holds the object, not its text besides.
    let from: Change | undefined = change
    event = {
      type: delivery.type,
      get object() {
        if (object === undefined) {
          object = decode(from!, delivery)
          from = undefined
        }
        return object
      },
    }
    events.set(key, event)
  }
  return event as WatchEvent<T>
}
