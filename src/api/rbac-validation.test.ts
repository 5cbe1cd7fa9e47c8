/** RBAC validation with Kubernetes' messages (pkg/apis/rbac/validation), table-driven. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatFieldError } from './field-errors.js'
import { defaultBinding, type ClusterRole, type Role, type RoleBinding } from './rbac.js'
import { validateObject, validateUpdate } from './validation.js'

const messages = (errors: readonly Parameters<typeof formatFieldError>[0][]) =>
  errors.map(formatFieldError)

const role = (rules: Role['rules'], name = 'r'): Role => ({
  metadata: { name, namespace: 'team-a' },
  rules,
})

void describe('Role and ClusterRole', () => {
  const cases: [string, 'Role' | 'ClusterRole', Role | ClusterRole, string[]][] = [
    [
      'a valid role',
      'Role',
      role([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
      [],
    ],
    [
      'a rule without verbs, groups or resources',
      'Role',
      role([{}]),
      [
        'rules[0].verbs: Required value: verbs must contain at least one value',
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[0].resources: Required value: resource rules must supply at least one resource',
      ],
    ],
    [
      'URLs in a Role',
      'Role',
      role([{ verbs: ['get'], nonResourceURLs: ['/version'] }]),
      [
        'rules[0].nonResourceURLs: Invalid value: []string{"/version"}: namespaced rules cannot apply to non-resource URLs',
      ],
    ],
    [
      'URLs and resources in one rule',
      'ClusterRole',
      {
        metadata: { name: 'c' },
        rules: [{ verbs: ['get'], resources: ['secrets'], nonResourceURLs: ['/x'] }],
      },
      [
        'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
      ],
    ],
    [
      'URLs in a ClusterRole',
      'ClusterRole',
      { metadata: { name: 'c' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] },
      [],
    ],
    [
      'a name with a slash',
      'Role',
      role([], 'a/b'),
      ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
    ],
    ['a name with a colon', 'ClusterRole', { metadata: { name: 'system:x' } }, []],
    [
      'an empty aggregationRule',
      'ClusterRole',
      { metadata: { name: 'c' }, aggregationRule: {} },
      [
        'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
      ],
    ],
  ]
  for (const [name, kind, object, want] of cases) {
    void it(name, () => assert.deepEqual(messages(validateObject(kind, object)), want))
  }
})

const binding = (over: Partial<RoleBinding> = {}): RoleBinding =>
  defaultBinding({
    metadata: { name: 'b', namespace: 'team-a' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }],
    ...over,
  })

void describe('RoleBinding and ClusterRoleBinding', () => {
  const cases: [string, 'RoleBinding' | 'ClusterRoleBinding', RoleBinding, string[]][] = [
    ['a valid binding, apiGroups defaulted', 'RoleBinding', binding(), []],
    [
      'a roleRef of another kind',
      'RoleBinding',
      binding({ roleRef: { kind: 'Secret', name: 'x' } }),
      ['roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"'],
    ],
    [
      'a ClusterRoleBinding to a Role',
      'ClusterRoleBinding',
      { ...binding({ roleRef: { kind: 'Role', name: 'x' } }), metadata: { name: 'b' } },
      ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"'],
    ],
    [
      'a roleRef in another group, without a name',
      'RoleBinding',
      binding({ roleRef: { apiGroup: 'example.com', kind: 'Role' } }),
      [
        'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
        'roleRef.name: Required value',
      ],
    ],
    [
      'subjects of every wrong sort',
      'ClusterRoleBinding',
      {
        ...binding({
          subjects: [
            { kind: 'Robot', name: 'r2' },
            { kind: 'ServiceAccount', name: 'Builder', apiGroup: 'rbac.authorization.k8s.io' },
            { kind: 'Group', apiGroup: 'example.com', name: 'g' },
            { kind: 'User' },
          ],
        }),
        metadata: { name: 'b' },
      },
      [
        'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
        "subjects[1].name: Invalid value: \"Builder\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        'subjects[1].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
        'subjects[1].namespace: Required value',
        'subjects[2].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
        'subjects[3].name: Required value',
      ],
    ],
    [
      'a service account of the binding namespace',
      'RoleBinding',
      binding({ subjects: [{ kind: 'ServiceAccount', name: 'builder' }] }),
      [],
    ],
  ]
  for (const [name, kind, object, want] of cases) {
    void it(name, () => assert.deepEqual(messages(validateObject(kind, object)), want))
  }

  void it('roleRef cannot change', () => {
    const prev = binding()
    const next = binding({ roleRef: { kind: 'ClusterRole', name: 'edit' } })
    assert.deepEqual(messages(validateUpdate('RoleBinding', prev, next)), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ])
    const subjects = binding({ subjects: [{ kind: 'Group', name: 'g' }] })
    assert.deepEqual(messages(validateUpdate('RoleBinding', prev, defaultBinding(subjects))), [])
  })
})
