/**
 * The field selectors each stored resource takes beyond metadata.name and metadata.namespace,
 * as kube-apiserver's per-kind field label sets: events by their object, reason, type and
 * source (`kubectl events --for`, `kubectl describe`).
 */
import { EVENT_FIELD_LABELS, eventFieldValue } from '../../api/index.js'
import type { ObjectFields } from '../../storage/index.js'

const EVENT_FIELDS: ObjectFields = {
  names: EVENT_FIELD_LABELS,
  valueOf: (object, field) => eventFieldValue(object, field),
}

/** objectFieldsOf is a resource's extra selectable fields, as a store selection option. */
export function objectFieldsOf(plural: string): { fields?: ObjectFields } {
  return plural === 'events' ? { fields: EVENT_FIELDS } : {}
}
