/**
 * meta/v1 and the shared core/v1 reference types as TypeBox schemas, wire-compatible with
 * Kubernetes JSON (k8s.io/apimachinery/pkg/apis/meta/v1/types.go; docs/kubernetes-api.md).
 * Fields Go marks `omitempty` or that Go decoding tolerates missing are optional here; unknown
 * fields are allowed by the schemas and removed by `prune` (schema.ts), as the apiserver does.
 */
import Type from 'typebox'
import type { Static, TSchema, TUnsafe } from 'typebox'

/** MapOf is a JSON object with arbitrary keys (Go `map[string]T`), in OpenAPI-3.0 form (`additionalProperties`). */
export function MapOf<T extends TSchema>(value: T): TUnsafe<Record<string, Static<T>>> {
  // Type.Record emits patternProperties, which OpenAPI 3.0 (and so `kubectl explain`) lacks.
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value })
}

/** Time is a metav1.Time: RFC 3339 in UTC with seconds, e.g. `2026-11-26T10:00:00Z`. */
export const Time = Type.String({ format: 'date-time' })

/** StringMap is a `map[string]string` (labels, annotations, Config.Labels). */
export const StringMap = MapOf(Type.String())
/** StringMap is a `map[string]string`. */
export type StringMap = Static<typeof StringMap>

/** TypeMetaProperties are `kind` and `apiVersion`, spread into every kind's schema (Go's inline TypeMeta). */
export const TypeMetaProperties = {
  kind: Type.Optional(Type.String()),
  apiVersion: Type.Optional(Type.String()),
}

/** TypeMeta is the `kind`/`apiVersion` pair every object carries on the wire. */
export const TypeMeta = Type.Object(TypeMetaProperties)
/** TypeMeta is the `kind`/`apiVersion` pair every object carries on the wire. */
export type TypeMeta = Static<typeof TypeMeta>

/**
 * OwnerReference names an owning object (minimal: kept verbatim, validated for required fields).
 * The `x-kubernetes-list-type`/`-map-type` and patch extensions in this file are those
 * k8s.io/apimachinery's generated OpenAPI gives the same fields: clients (kubectl apply,
 * server-side apply) merge by them.
 */
export const OwnerReference = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    name: Type.String(),
    uid: Type.String(),
    controller: Type.Optional(Type.Boolean()),
    blockOwnerDeletion: Type.Optional(Type.Boolean()),
  },
  { 'x-kubernetes-map-type': 'atomic' },
)
/** OwnerReference names an owning object. */
export type OwnerReference = Static<typeof OwnerReference>

/** ManagedFieldsEntry is one manager's record of the fields it owns (docs/kubernetes-api.md#managed-fields). */
export const ManagedFieldsEntry = Type.Object({
  manager: Type.Optional(Type.String()),
  operation: Type.Optional(Type.String()),
  apiVersion: Type.Optional(Type.String()),
  time: Type.Optional(Time),
  fieldsType: Type.Optional(Type.String()),
  fieldsV1: Type.Optional(Type.Unknown()),
  subresource: Type.Optional(Type.String()),
})
/** ManagedFieldsEntry is one field manager's record. */
export type ManagedFieldsEntry = Static<typeof ManagedFieldsEntry>

/** ObjectMeta is metav1.ObjectMeta: the metadata of every persisted object. */
export const ObjectMeta = Type.Object(
  {
    name: Type.Optional(Type.String()),
    generateName: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
    selfLink: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
    resourceVersion: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer()),
    creationTimestamp: Type.Optional(Time),
    deletionTimestamp: Type.Optional(Time),
    deletionGracePeriodSeconds: Type.Optional(Type.Integer()),
    labels: Type.Optional(StringMap),
    annotations: Type.Optional(StringMap),
    ownerReferences: Type.Optional(
      Type.Array(OwnerReference, {
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    finalizers: Type.Optional(
      Type.Array(Type.String(), {
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    managedFields: Type.Optional(
      Type.Array(ManagedFieldsEntry, { 'x-kubernetes-list-type': 'atomic' }),
    ),
  },
  { description: 'Standard object metadata.' },
)
/** ObjectMeta is metav1.ObjectMeta. */
export type ObjectMeta = Static<typeof ObjectMeta>

/** ListMeta is metav1.ListMeta: the metadata of lists, Tables and Status objects. */
export const ListMeta = Type.Object({
  selfLink: Type.Optional(Type.String()),
  resourceVersion: Type.Optional(Type.String()),
  continue: Type.Optional(Type.String()),
  remainingItemCount: Type.Optional(Type.Integer()),
})
/** ListMeta is metav1.ListMeta. */
export type ListMeta = Static<typeof ListMeta>

/** ObjectReference is core/v1 ObjectReference (`spec.tags[].from`, ServiceAccount `secrets[]`). */
export const ObjectReference = Type.Object(
  {
    kind: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
    apiVersion: Type.Optional(Type.String()),
    resourceVersion: Type.Optional(Type.String()),
    fieldPath: Type.Optional(Type.String()),
  },
  { 'x-kubernetes-map-type': 'atomic' },
)
/** ObjectReference is core/v1 ObjectReference. */
export type ObjectReference = Static<typeof ObjectReference>

/** LocalObjectReference is core/v1 LocalObjectReference: a name in the same namespace. */
export const LocalObjectReference = Type.Object(
  { name: Type.Optional(Type.String()) },
  { 'x-kubernetes-map-type': 'atomic' },
)
/** LocalObjectReference is a name in the same namespace. */
export type LocalObjectReference = Static<typeof LocalObjectReference>

/**
 * StatusCause is one cause of a failure; for Invalid, one field error
 * (docs/kubernetes-api.md#status-errors).
 */
export const StatusCause = Type.Object({
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
})
/** StatusCause is one cause of a failure. */
export type StatusCause = Static<typeof StatusCause>

/** StatusDetails names the object a Status is about; `kind` is the plural for NotFound/AlreadyExists/Conflict and the Kind for Invalid. */
export const StatusDetails = Type.Object({
  name: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  uid: Type.Optional(Type.String()),
  causes: Type.Optional(Type.Array(StatusCause, { 'x-kubernetes-list-type': 'atomic' })),
  retryAfterSeconds: Type.Optional(Type.Integer()),
})
/** StatusDetails names the object a Status is about. */
export type StatusDetails = Static<typeof StatusDetails>

/** Status is metav1.Status: every API error body, some success bodies, and each import entry's result. */
export const Status = Type.Object({
  ...TypeMetaProperties,
  metadata: Type.Optional(ListMeta),
  status: Type.Optional(Type.Union([Type.Literal('Success'), Type.Literal('Failure')])),
  message: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  details: Type.Optional(StatusDetails),
  code: Type.Optional(Type.Integer()),
})
/** Status is metav1.Status. */
export type Status = Static<typeof Status>

/** ListOf builds the schema of a `<Kind>List` whose items follow `item`. */
export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({
    ...TypeMetaProperties,
    metadata: Type.Optional(ListMeta),
    items: Type.Array(item),
  })
}

/**
 * List is a `<Kind>List`: `metadata.resourceVersion` is at least every item's
 * (docs/kubernetes-api.md#lists-and-selectors).
 */
export interface List<T> {
  kind?: string
  apiVersion?: string
  metadata?: ListMeta
  items: T[]
}

/** WATCH_EVENT_TYPES are the event types of the watch stream (docs/kubernetes-api.md#watch). */
export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const
/** WatchEventType is one of WATCH_EVENT_TYPES. */
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number]

/** WatchEventOf builds the schema of one watch line `{type, object}`; an ERROR event's object is a Status. */
export function WatchEventOf<T extends TSchema>(object: T) {
  return Type.Object({
    type: Type.Union(WATCH_EVENT_TYPES.map((t) => Type.Literal(t))),
    object,
  })
}

/** WatchEvent is one newline-delimited watch event. */
export interface WatchEvent<T> {
  type: WatchEventType
  object: T
}

/** TableColumnDefinition is one column of a server-side Table; `format: 'name'` marks the name column. */
export const TableColumnDefinition = Type.Object({
  name: Type.String(),
  type: Type.String(),
  format: Type.String(),
  description: Type.String(),
  priority: Type.Integer(),
})
/** TableColumnDefinition is one column of a server-side Table. */
export type TableColumnDefinition = Static<typeof TableColumnDefinition>

/** TableRowCondition is a row condition (kube uses `Completed` for finished pods; we send none). */
export const TableRowCondition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
/** TableRowCondition is a row condition. */
export type TableRowCondition = Static<typeof TableRowCondition>

/** TableRow has one cell per column; `object` is a PartialObjectMetadata or, with includeObject=Object, the full object. */
export const TableRow = Type.Object({
  cells: Type.Array(Type.Unknown()),
  conditions: Type.Optional(Type.Array(TableRowCondition)),
  object: Type.Optional(Type.Unknown()),
})
/** TableRow is one row of a Table. */
export type TableRow = Static<typeof TableRow>

/**
 * Table is meta.k8s.io/v1 Table, answered when Accept has `as=Table`
 * (docs/kubernetes-api.md#tables).
 */
export const Table = Type.Object({
  ...TypeMetaProperties,
  metadata: Type.Optional(ListMeta),
  columnDefinitions: Type.Array(TableColumnDefinition),
  rows: Type.Array(TableRow),
})
/** Table is meta.k8s.io/v1 Table. */
export type Table = Static<typeof Table>

/** PartialObjectMetadata is a Table row's default `object`: kind, apiVersion and full metadata. */
export const PartialObjectMetadata = Type.Object({
  ...TypeMetaProperties,
  metadata: ObjectMeta,
})
/** PartialObjectMetadata is a Table row's default `object`. */
export type PartialObjectMetadata = Static<typeof PartialObjectMetadata>
