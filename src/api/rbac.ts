/**
 * The rbac.authorization.k8s.io/v1 kinds (k8s.io/api/rbac/v1/types.go): Role, ClusterRole,
 * RoleBinding, ClusterRoleBinding, as TypeBox schemas with the upstream JSON names, and their
 * defaulting (k8s.io/kubernetes pkg/apis/rbac/v1/defaults.go). What they mean is in
 * docs/access-control.md.
 */
import Type from 'typebox'
import type { Static } from 'typebox'
import { MapOf, ObjectMeta, TypeMetaProperties } from './meta.js'

import { RBAC_GROUP } from './constants.js'
import { cloneJson } from '../lib/clone-json.js'

export { RBAC_GROUP } from './constants.js'

const atomicStrings = Type.Optional(
  Type.Array(Type.String(), { 'x-kubernetes-list-type': 'atomic' }),
)

/** PolicyRule is rbac/v1 PolicyRule: verbs on resources of API groups, or on non-resource URLs. */
export const PolicyRule = Type.Object({
  verbs: atomicStrings,
  apiGroups: atomicStrings,
  resources: atomicStrings,
  resourceNames: atomicStrings,
  nonResourceURLs: atomicStrings,
})
/** PolicyRule is rbac/v1 PolicyRule. */
export type PolicyRule = Static<typeof PolicyRule>

const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(MapOf(Type.String())),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object({
          key: Type.String(),
          operator: Type.String(),
          values: atomicStrings,
        }),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
    ),
  },
  { 'x-kubernetes-map-type': 'atomic' },
)

/** Subject is rbac/v1 Subject: a User, Group or ServiceAccount a binding grants its role to. */
export const Subject = Type.Object(
  {
    kind: Type.Optional(Type.String()),
    apiGroup: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
  },
  { 'x-kubernetes-map-type': 'atomic' },
)
/** Subject is rbac/v1 Subject. */
export type Subject = Static<typeof Subject>

/** RoleRef is rbac/v1 RoleRef: the Role or ClusterRole a binding grants. */
export const RoleRef = Type.Object(
  {
    apiGroup: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
  },
  { 'x-kubernetes-map-type': 'atomic' },
)
/** RoleRef is rbac/v1 RoleRef. */
export type RoleRef = Static<typeof RoleRef>

const rules = Type.Optional(Type.Array(PolicyRule, { 'x-kubernetes-list-type': 'atomic' }))

/** Role is rbac/v1 Role: rules that apply in its own namespace. */
export const Role = Type.Object(
  { ...TypeMetaProperties, metadata: ObjectMeta, rules },
  {
    description:
      'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
  },
)
/** Role is rbac/v1 Role. */
export type Role = Static<typeof Role>

/** ClusterRole is rbac/v1 ClusterRole: rules a ClusterRoleBinding grants everywhere, a RoleBinding in one namespace. */
export const ClusterRole = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    rules,
    aggregationRule: Type.Optional(
      Type.Object({
        clusterRoleSelectors: Type.Optional(
          Type.Array(LabelSelector, { 'x-kubernetes-list-type': 'atomic' }),
        ),
      }),
    ),
  },
  {
    description:
      'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  },
)
/** ClusterRole is rbac/v1 ClusterRole. */
export type ClusterRole = Static<typeof ClusterRole>

const bindingProperties = {
  ...TypeMetaProperties,
  metadata: ObjectMeta,
  subjects: Type.Optional(Type.Array(Subject, { 'x-kubernetes-list-type': 'atomic' })),
  roleRef: Type.Optional(RoleRef),
}

/** RoleBinding is rbac/v1 RoleBinding: grants a Role or ClusterRole in its namespace. */
export const RoleBinding = Type.Object(bindingProperties, {
  description:
    'RoleBinding references a role, but does not contain it. It can reference a Role in the same namespace or a ClusterRole in the global namespace.',
})
/** RoleBinding is rbac/v1 RoleBinding. */
export type RoleBinding = Static<typeof RoleBinding>

/** ClusterRoleBinding is rbac/v1 ClusterRoleBinding: grants a ClusterRole in every namespace and at the cluster scope. */
export const ClusterRoleBinding = Type.Object(bindingProperties, {
  description:
    'ClusterRoleBinding references a ClusterRole, but not contain it. It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
})
/** ClusterRoleBinding is rbac/v1 ClusterRoleBinding. */
export type ClusterRoleBinding = Static<typeof ClusterRoleBinding>

/** AnyBinding is either binding kind: RoleBinding and ClusterRoleBinding have one shape. */
export type AnyBinding = RoleBinding

/**
 * defaultBinding sets roleRef.apiGroup, and the apiGroup of User and Group subjects, to the RBAC
 * group when empty (SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding, SetDefaults_Subject).
 */
export function defaultBinding<T extends AnyBinding>(binding: T): T {
  const copy = cloneJson(binding)
  copy.roleRef = { ...copy.roleRef, apiGroup: copy.roleRef?.apiGroup || RBAC_GROUP }
  if (copy.subjects) {
    copy.subjects = copy.subjects.map((s) =>
      !s.apiGroup && (s.kind === 'User' || s.kind === 'Group') ? { ...s, apiGroup: RBAC_GROUP } : s,
    )
  }
  return copy
}
