/**
 * Validation of the RBAC kinds with Kubernetes' messages (k8s.io/kubernetes
 * pkg/apis/rbac/validation/validation.go): names are path segments, every rule has verbs,
 * resource rules name groups and resources, non-resource URLs only in ClusterRoles, bindings
 * refer to a Role or ClusterRole of the RBAC group and may not change that reference, subjects
 * are Users, Groups or ServiceAccounts with the API group each kind takes.
 */
import { isDeepStrictEqual } from 'node:util'
import type { FieldError } from './field-errors.js'
import { invalid, notSupported, required } from './field-errors.js'
import { goQuote } from '../lib/go-quote.js'
import { nameIsDNSSubdomain, nameIsPathSegment } from './names.js'
import {
  RBAC_GROUP,
  type AnyBinding,
  type ClusterRole,
  type PolicyRule,
  type Role,
  type RoleRef,
  type Subject,
} from './rbac.js'
import { childPath, keyPath } from './schema.js'
import { validateObjectMeta } from './validation.js'

/** invalidGo is a FieldValueInvalid whose value Go prints with %#v (slices, structs). */
function invalidGo(field: string, rendered: string, detail: string): FieldError {
  return {
    type: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${rendered}: ${detail}`,
    detail,
  }
}

const goStrings = (values: readonly string[]): string =>
  `[]string{${values.map(goQuote).join(', ')}}`

/** validatePolicyRule is ValidatePolicyRule; `namespaced` rules (a Role's) may not name URLs. */
export function validatePolicyRule(
  rule: PolicyRule,
  namespaced: boolean,
  path: string,
): FieldError[] {
  const errors: FieldError[] = []
  if (!rule.verbs?.length) {
    errors.push(required(childPath(path, 'verbs'), 'verbs must contain at least one value'))
  }
  const urls = rule.nonResourceURLs ?? []
  if (urls.length > 0) {
    const field = childPath(path, 'nonResourceURLs')
    if (namespaced) {
      errors.push(
        invalidGo(field, goStrings(urls), 'namespaced rules cannot apply to non-resource URLs'),
      )
    }
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errors.push(
        invalidGo(
          field,
          goStrings(urls),
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      )
    }
    return errors
  }
  if (!rule.apiGroups?.length) {
    errors.push(
      required(childPath(path, 'apiGroups'), 'resource rules must supply at least one api group'),
    )
  }
  if (!rule.resources?.length) {
    errors.push(
      required(childPath(path, 'resources'), 'resource rules must supply at least one resource'),
    )
  }
  return errors
}

function validateRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean) {
  return (rules ?? []).flatMap((rule, i) =>
    validatePolicyRule(rule, namespaced, keyPath('rules', i)),
  )
}

/** validateRole is ValidateRole. */
export function validateRole(role: Role): FieldError[] {
  return [
    ...validateObjectMeta(role.metadata, { namespaced: true, name: nameIsPathSegment }),
    ...validateRules(role.rules, true),
  ]
}

/** validateClusterRole is ValidateClusterRole. */
export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errors = [
    ...validateObjectMeta(role.metadata, { namespaced: false, name: nameIsPathSegment }),
    ...validateRules(role.rules, false),
  ]
  if (role.aggregationRule && !role.aggregationRule.clusterRoleSelectors?.length) {
    errors.push(
      required(
        'aggregationRule.clusterRoleSelectors',
        'at least one clusterRoleSelector required if aggregationRule is non-nil',
      ),
    )
  }
  return errors
}

/** validateSubject is ValidateRoleBindingSubject. */
function validateSubject(subject: Subject, namespaced: boolean, path: string): FieldError[] {
  const errors: FieldError[] = []
  const name = subject.name ?? ''
  const apiGroup = subject.apiGroup ?? ''
  if (name === '') errors.push(required(childPath(path, 'name')))
  switch (subject.kind ?? '') {
    case 'ServiceAccount':
      if (name !== '') {
        for (const problem of nameIsDNSSubdomain(name, false)) {
          errors.push(invalid(childPath(path, 'name'), name, problem))
        }
      }
      if (apiGroup !== '') errors.push(notSupported(childPath(path, 'apiGroup'), apiGroup, ['']))
      if (!namespaced && !subject.namespace) errors.push(required(childPath(path, 'namespace')))
      break
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) {
        errors.push(notSupported(childPath(path, 'apiGroup'), apiGroup, [RBAC_GROUP]))
      }
      break
    default:
      errors.push(
        notSupported(childPath(path, 'kind'), subject.kind ?? '', [
          'ServiceAccount',
          'User',
          'Group',
        ]),
      )
  }
  return errors
}

/** validateBinding is ValidateRoleBinding (`namespaced`) and ValidateClusterRoleBinding. */
export function validateBinding(binding: AnyBinding, namespaced: boolean): FieldError[] {
  const errors = validateObjectMeta(binding.metadata, { namespaced, name: nameIsPathSegment })
  const ref = binding.roleRef ?? {}
  if (ref.apiGroup !== RBAC_GROUP) {
    errors.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]))
  }
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']
  if (!kinds.includes(ref.kind ?? ''))
    errors.push(notSupported('roleRef.kind', ref.kind ?? '', kinds))
  if (!ref.name) {
    errors.push(required('roleRef.name'))
  } else {
    for (const problem of nameIsPathSegment(ref.name, false)) {
      errors.push(invalid('roleRef.name', ref.name, problem))
    }
  }
  binding.subjects?.forEach((s, i) => {
    errors.push(...validateSubject(s, namespaced, keyPath('subjects', i)))
  })
  return errors
}

const goRoleRef = (ref: RoleRef): string =>
  `rbac.RoleRef{APIGroup:${goQuote(ref.apiGroup ?? '')}, Kind:${goQuote(ref.kind ?? '')}, Name:${goQuote(ref.name ?? '')}}`

/** validateBindingUpdate is the roleRef rule of ValidateRoleBindingUpdate: it may not change. */
export function validateBindingUpdate(next: AnyBinding, prev: AnyBinding): FieldError[] {
  if (isDeepStrictEqual(next.roleRef ?? {}, prev.roleRef ?? {})) return []
  return [invalidGo('roleRef', goRoleRef(next.roleRef ?? {}), 'cannot change roleRef')]
}
