import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RoleBinding, Subject } from '../../api/rbac.js'
import { renderObject } from '../printers/typed-objects.js'
import {
  addSubjects,
  bindingsForRole,
  buildSubjects,
  holdingAll,
  newBinding,
  parseGroupArgs,
  parseUserArgs,
  planRemoval,
  removeSubjects,
  scopeOf,
  splitServiceAccountUser,
  successMessage,
  targetsOf,
  uniqueName,
  type Scope,
} from './policy.js'

const RBAC = 'rbac.authorization.k8s.io'
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name })
const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name })
const sa = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  namespace,
  name,
})
const IN_TEAM: Scope = { namespace: 'team-a', roleKind: 'ClusterRole' }
const CLUSTER: Scope = { namespace: '', roleKind: 'ClusterRole' }

function binding(name: string, role: string, subjects: Subject[], kind = 'ClusterRole') {
  return {
    metadata: { name, namespace: 'team-a' },
    roleRef: { apiGroup: RBAC, kind, name: role },
    subjects,
  } satisfies RoleBinding
}

void describe('operands, as oc validates them before connecting', () => {
  const cases: [string, () => unknown, string][] = [
    ['no role', () => parseUserArgs([]), 'you must specify a role'],
    [
      'a role alone',
      () => parseUserArgs(['edit']),
      'you must specify at least one user or service account',
    ],
    [
      'a full service account name after -z',
      () => parseUserArgs(['edit'], ['system:serviceaccount:ns:ci']),
      '--serviceaccount (-z) should only be used with short-form serviceaccount names (e.g. `default`)',
    ],
    [
      'an invalid -z name',
      () => parseUserArgs(['edit'], ['CI']),
      `"CI" is not a valid serviceaccount name:\n  a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      'a group verb with one operand',
      () => parseGroupArgs(['edit']),
      'you must specify at least two arguments: <role> <group> [group]...',
    ],
  ]
  for (const [name, run, message] of cases) {
    it(name, () => assert.throws(run, { message }))
  }

  it('takes -z alone, repeated or comma-separated, users first in the targets', () => {
    const args = parseUserArgs(['edit', 'alice'], ['ci,deployer', 'builder'])
    assert.deepEqual(args, {
      role: 'edit',
      users: ['alice'],
      groups: [],
      serviceAccounts: ['ci', 'deployer', 'builder'],
    })
    assert.deepEqual(targetsOf(args), ['alice', 'ci', 'deployer', 'builder'])
    assert.deepEqual(parseUserArgs(['edit'], ['ci']).serviceAccounts, ['ci'])
  })
})

void describe('subjects (library-go BuildRBACSubjects)', () => {
  const cases: [string, string, [string, string] | undefined][] = [
    ['a service account user', 'system:serviceaccount:team-a:ci', ['team-a', 'ci']],
    ['a plain user', 'alice', undefined],
    ['too few parts', 'system:serviceaccount:ci', undefined],
    ['too many parts', 'system:serviceaccount:a:b:c', undefined],
    ['an invalid namespace', 'system:serviceaccount:Team:ci', undefined],
    ['a namespace with a dot', 'system:serviceaccount:a.b:ci', undefined],
    ['an empty name', 'system:serviceaccount:team-a:', undefined],
  ]
  for (const [name, input, want] of cases) {
    it(`splits ${name}`, () => assert.deepEqual(splitServiceAccountUser(input), want))
  }

  it('builds users, groups and -z service accounts of the current namespace', () => {
    const args = parseUserArgs(['edit', 'alice', 'system:serviceaccount:other:bot'], ['ci'])
    assert.deepEqual(buildSubjects(args, 'team-a'), [
      user('alice'),
      sa('other', 'bot'),
      sa('team-a', 'ci'),
    ])
    const groups = parseGroupArgs(['view', 'devs', 'system:serviceaccount:x:y'])
    assert.deepEqual(buildSubjects(groups, 'team-a'), [
      group('devs'),
      group('system:serviceaccount:x:y'),
    ])
  })
})

void describe('adding and removing subjects', () => {
  it('appends only what is missing, comparing kind, name and namespace', () => {
    const existing = [user('alice'), sa('team-a', 'ci')]
    assert.deepEqual(addSubjects(existing, [{ kind: 'User', name: 'alice' }, user('bob')]), [
      user('alice'),
      sa('team-a', 'ci'),
      user('bob'),
    ])
    assert.equal(addSubjects(existing, [sa('team-b', 'ci')]).length, 3)
    assert.deepEqual(addSubjects([], [user('a'), user('a')]), [user('a')])
  })

  it('removes every match and counts them', () => {
    assert.deepEqual(removeSubjects([user('a'), group('a'), user('b')], [user('a')]), {
      subjects: [group('a'), user('b')],
      removed: 1,
    })
    assert.deepEqual(removeSubjects([user('a')], [group('a')]), {
      subjects: [user('a')],
      removed: 0,
    })
  })
})

void describe('unique binding names (oc getUniqueName)', () => {
  const cases: [string, string[], string][] = [
    ['the role name when free', ['view'], 'edit'],
    ['-0 after the role name', ['edit'], 'edit-0'],
    ['the first free suffix', ['edit', 'edit-0', 'edit-2'], 'edit-1'],
    ['a UUID after -99', ['edit', ...Array.from({ length: 100 }, (_, i) => `edit-${i}`)], 'uuid'],
  ]
  for (const [name, existing, want] of cases) {
    it(name, () =>
      assert.equal(
        uniqueName('edit', new Set(existing), () => 'uuid'),
        want,
      ),
    )
  }
})

void describe('planning an add', () => {
  const bindings = [
    binding('edit', 'edit', [user('alice')]),
    binding('custom', 'edit', [user('alice'), user('bob')]),
    binding('edit-role', 'edit', [user('carol')], 'Role'),
    binding('view', 'view', [user('carol')]),
  ]

  it('picks the bindings of the role and kind; cluster bindings by name only', () => {
    assert.deepEqual(
      bindingsForRole(bindings, 'edit', IN_TEAM).map((b) => b.metadata.name),
      ['edit', 'custom'],
    )
    assert.deepEqual(
      bindingsForRole(bindings, 'edit', { namespace: 'team-a', roleKind: 'Role' }).map(
        (b) => b.metadata.name,
      ),
      ['edit-role'],
    )
    assert.deepEqual(
      bindingsForRole(bindings, 'edit', CLUSTER).map((b) => b.metadata.name),
      ['edit', 'custom', 'edit-role'],
    )
  })

  it('finds a binding that already holds every subject, else none (a new binding is made)', () => {
    const ofEdit = bindingsForRole(bindings, 'edit', IN_TEAM)
    assert.equal(holdingAll(ofEdit, [user('alice')])?.metadata.name, 'edit')
    assert.equal(holdingAll(ofEdit, [user('bob')])?.metadata.name, 'custom')
    assert.equal(holdingAll(ofEdit, [user('alice'), user('dave')]), undefined)
  })

  it('makes a binding of the scope: RoleBinding in a namespace, ClusterRoleBinding otherwise', () => {
    assert.deepEqual(newBinding('edit-0', 'edit', { namespace: 'team-a', roleKind: 'Role' }), {
      kind: 'RoleBinding',
      apiVersion: `${RBAC}/v1`,
      metadata: { name: 'edit-0', namespace: 'team-a' },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: 'edit' },
    })
    assert.deepEqual(newBinding('view', 'view', CLUSTER), {
      kind: 'ClusterRoleBinding',
      apiVersion: `${RBAC}/v1`,
      metadata: { name: 'view' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
    })
  })
})

void describe('planning a remove', () => {
  it('updates bindings that keep subjects, deletes emptied ones unless autoupdate is "false"', () => {
    const kept = binding('a', 'edit', [user('alice'), user('bob')])
    const emptied = binding('b', 'edit', [user('alice')])
    const pinned = {
      ...binding('c', 'edit', [user('alice')]),
      metadata: {
        name: 'c',
        annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' },
      },
    }
    const untouched = binding('d', 'edit', [user('bob')])
    const steps = planRemoval([kept, emptied, pinned, untouched], [user('alice')])
    assert.deepEqual(
      steps.map((s) => [s.binding.metadata.name, s.action, s.binding.subjects]),
      [
        ['a', 'update', [user('bob')]],
        ['b', 'delete', undefined],
        ['c', 'update', undefined],
      ],
    )
  })

  it('has nothing to do when no binding holds a subject', () => {
    assert.deepEqual(planRemoval([binding('a', 'edit', [user('bob')])], [user('alice')]), [])
  })
})

void describe('messages', () => {
  it('quotes one target, lists several as Go %q of a slice', () => {
    assert.equal(successMessage('added', ['alice']), 'added: "alice"')
    assert.equal(successMessage('removed', ['alice', 'bob']), 'removed: ["alice" "bob"]')
  })

  it('prints the role with its group, as oc names it', () => {
    const role = { kind: 'ClusterRole', apiVersion: `${RBAC}/v1`, metadata: { name: 'edit' } }
    assert.equal(
      renderObject(role, '', successMessage('added', ['alice']), 'client'),
      'clusterrole.rbac.authorization.k8s.io/edit added: "alice" (dry run)\n',
    )
    assert.equal(
      renderObject(role, 'yaml', ''),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  creationTimestamp: null\n  name: edit\nrules: null\n',
    )
  })

  it('refuses a role namespace other than the current one', () => {
    assert.throws(() => scopeOf(false, 'team-a', 'team-b'), {
      message: `role binding in namespace "team-a" can't reference role in different namespace "team-b"`,
    })
    assert.deepEqual(scopeOf(false, 'team-a', 'team-a'), { namespace: 'team-a', roleKind: 'Role' })
    assert.deepEqual(scopeOf(false, 'team-a', ''), IN_TEAM)
    assert.deepEqual(scopeOf(true, 'team-a', ''), CLUSTER)
  })
})
