/**
 * Schemas of the v1 kinds kubectl sends as protobuf, with the messages they embed. Field numbers
 * come from k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1/generated.proto; the
 * JSON side (key, omitempty, pointer or not) from the Go structs' json tags in types.go. Fields
 * are listed in Go struct order, which is the order encoding/json writes them in.
 */
import type { MessageSchema } from './message.js'
import { messageSchema } from './message.js'

const OWNER_REFERENCE = messageSchema('OwnerReference', [
  // The four identifying fields have no omitempty in Go: an empty one is written as "".
  [5, { json: 'apiVersion', type: 'required-string' }],
  [1, { json: 'kind', type: 'required-string' }],
  [3, { json: 'name', type: 'required-string' }],
  [4, { json: 'uid', type: 'required-string' }],
  [6, { json: 'controller', type: 'optional-bool' }],
  [7, { json: 'blockOwnerDeletion', type: 'optional-bool' }],
])

const MANAGED_FIELDS_ENTRY = messageSchema('ManagedFieldsEntry', [
  [1, { json: 'manager', type: 'string' }],
  [2, { json: 'operation', type: 'string' }],
  [3, { json: 'apiVersion', type: 'string' }],
  [4, { json: 'time', type: 'optional-time' }],
  [6, { json: 'fieldsType', type: 'string' }],
  [7, { json: 'fieldsV1', type: 'fields-v1' }],
  [8, { json: 'subresource', type: 'string' }],
])

const OBJECT_META = messageSchema('ObjectMeta', [
  [1, { json: 'name', type: 'string' }],
  [2, { json: 'generateName', type: 'string' }],
  [3, { json: 'namespace', type: 'string' }],
  [4, { json: 'selfLink', type: 'string' }],
  [5, { json: 'uid', type: 'string' }],
  [6, { json: 'resourceVersion', type: 'string' }],
  [7, { json: 'generation', type: 'int64' }],
  [8, { json: 'creationTimestamp', type: 'time' }],
  [9, { json: 'deletionTimestamp', type: 'optional-time' }],
  [10, { json: 'deletionGracePeriodSeconds', type: 'optional-int64' }],
  [11, { json: 'labels', type: 'string-map' }],
  [12, { json: 'annotations', type: 'string-map' }],
  [13, { json: 'ownerReferences', type: 'messages', schema: OWNER_REFERENCE }],
  [14, { json: 'finalizers', type: 'strings' }],
  [17, { json: 'managedFields', type: 'messages', schema: MANAGED_FIELDS_ENTRY }],
])

/** METADATA is field 1 of every top-level kind, its ObjectMeta. */
export const METADATA = [1, { json: 'metadata', type: 'message', schema: OBJECT_META }] as const

const OBJECT_REFERENCE = messageSchema('ObjectReference', [
  [1, { json: 'kind', type: 'string' }],
  [2, { json: 'namespace', type: 'string' }],
  [3, { json: 'name', type: 'string' }],
  [4, { json: 'uid', type: 'string' }],
  [5, { json: 'apiVersion', type: 'string' }],
  [6, { json: 'resourceVersion', type: 'string' }],
  [7, { json: 'fieldPath', type: 'string' }],
])

const LOCAL_OBJECT_REFERENCE = messageSchema('LocalObjectReference', [
  [1, { json: 'name', type: 'string' }],
])

const NAMESPACE_CONDITION = messageSchema('NamespaceCondition', [
  [1, { json: 'type', type: 'required-string' }],
  [2, { json: 'status', type: 'required-string' }],
  [4, { json: 'lastTransitionTime', type: 'time' }],
  [5, { json: 'reason', type: 'string' }],
  [6, { json: 'message', type: 'string' }],
])

/** SECRET is core/v1 Secret. */
export const SECRET = messageSchema('Secret', [
  METADATA,
  [5, { json: 'immutable', type: 'optional-bool' }],
  [2, { json: 'data', type: 'bytes-map' }],
  [4, { json: 'stringData', type: 'string-map' }],
  [3, { json: 'type', type: 'string' }],
])

/** SERVICE_ACCOUNT is core/v1 ServiceAccount. */
export const SERVICE_ACCOUNT = messageSchema('ServiceAccount', [
  METADATA,
  [2, { json: 'secrets', type: 'messages', schema: OBJECT_REFERENCE }],
  [3, { json: 'imagePullSecrets', type: 'messages', schema: LOCAL_OBJECT_REFERENCE }],
  [4, { json: 'automountServiceAccountToken', type: 'optional-bool' }],
])

/** NAMESPACE is core/v1 Namespace. */
export const NAMESPACE = messageSchema('Namespace', [
  METADATA,
  [
    2,
    {
      json: 'spec',
      type: 'message',
      schema: messageSchema('NamespaceSpec', [[1, { json: 'finalizers', type: 'strings' }]]),
    },
  ],
  [
    3,
    {
      json: 'status',
      type: 'message',
      schema: messageSchema('NamespaceStatus', [
        [1, { json: 'phase', type: 'string' }],
        [2, { json: 'conditions', type: 'messages', schema: NAMESPACE_CONDITION }],
      ]),
    },
  ],
])

/** CORE_V1_KINDS maps each kind accepted as protobuf to its schema. */
export const CORE_V1_KINDS: ReadonlyMap<string, MessageSchema> = new Map([
  ['Secret', SECRET],
  ['ServiceAccount', SERVICE_ACCOUNT],
  ['Namespace', NAMESPACE],
])
