/**
 * The core/v1 kinds we host: Namespace, Secret, ServiceAccount
 * (k8s.io/api/core/v1/types.go), as TypeBox schemas with the upstream JSON names.
 */
import Type from 'typebox'
import type { Static } from 'typebox'
import {
  LocalObjectReference,
  ObjectMeta,
  ObjectReference,
  StringMap,
  Time,
  TypeMetaProperties,
} from './meta.js'

export {
  DOCKERCFG_KEY,
  DOCKER_CONFIG_JSON_KEY,
  MAX_SECRET_SIZE,
  SECRET_TYPES,
} from './constants.js'

/** NamespaceCondition is one namespace status condition (kept for kubectl describe ns). */
export const NamespaceCondition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  lastTransitionTime: Type.Optional(Time),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
/** NamespaceCondition is one namespace status condition. */
export type NamespaceCondition = Static<typeof NamespaceCondition>

/**
 * Namespace is core/v1 Namespace (cluster-scoped; `default` exists from the start,
 * docs/kubernetes-api.md#namespaces-secrets-and-service-accounts).
 */
export const Namespace = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    // List types and merge keys as k8s.io/api's generated OpenAPI gives them.
    spec: Type.Optional(
      Type.Object({
        finalizers: Type.Optional(
          Type.Array(Type.String(), { 'x-kubernetes-list-type': 'atomic' }),
        ),
      }),
    ),
    status: Type.Optional(
      Type.Object({
        phase: Type.Optional(Type.String()),
        conditions: Type.Optional(
          Type.Array(NamespaceCondition, {
            'x-kubernetes-list-map-keys': ['type'],
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-patch-merge-key': 'type',
            'x-kubernetes-patch-strategy': 'merge',
          }),
        ),
      }),
    ),
  },
  { description: 'Namespace provides a scope for names.' },
)
/** Namespace is core/v1 Namespace. */
export type Namespace = Static<typeof Namespace>

/** Secret is core/v1 Secret: `data` values are base64; `stringData` is write-only and merged into `data` by defaulting. */
export const Secret = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    immutable: Type.Optional(Type.Boolean()),
    data: Type.Optional(StringMap),
    stringData: Type.Optional(StringMap),
    type: Type.Optional(Type.String()),
  },
  { description: 'Secret holds secret data of a certain type; pull secrets are used by imports.' },
)
/** Secret is core/v1 Secret. */
export type Secret = Static<typeof Secret>

/**
 * ServiceAccount is core/v1 ServiceAccount; imports never consult it
 * (docs/credentials.md#which-secrets-are-used), `oc secrets link` edits it.
 */
export const ServiceAccount = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    secrets: Type.Optional(
      Type.Array(ObjectReference, {
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(LocalObjectReference, { 'x-kubernetes-list-type': 'atomic' }),
    ),
    automountServiceAccountToken: Type.Optional(Type.Boolean()),
  },
  { description: 'ServiceAccount binds together a name, secrets to mount and pull secrets.' },
)
/** ServiceAccount is core/v1 ServiceAccount. */
export type ServiceAccount = Static<typeof ServiceAccount>
