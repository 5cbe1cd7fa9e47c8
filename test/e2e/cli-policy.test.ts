/**
 * `isctl policy` and `isctl adm policy` against a real `isctl serve`, checked with real kubectl:
 * the binding an add creates (named after the role, then `-0`, `-1` as oc names them), an add
 * that changes nothing, `-z`, a named binding, removal down to deletion, cluster role bindings,
 * dry runs that write nothing, and oc's error texts.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { succeeded, useServe } from '../harness/index.js'

interface BindingJson {
  metadata: { name: string }
  roleRef: { apiGroup: string; kind: string; name: string }
  subjects?: { kind: string; apiGroup?: string; name: string; namespace?: string }[]
}

void describe('isctl policy add-role-to-user and friends', () => {
  const suite = useServe()

  const binding = async (name: string, ns = 'team-a') =>
    JSON.parse(
      await succeeded(suite.kubectl(['get', 'rolebinding', name, '-n', ns, '-o', 'json'])),
    ) as BindingJson
  const editBindings = async () =>
    (
      JSON.parse(
        await succeeded(suite.kubectl(['get', 'rolebindings', '-n', 'team-a', '-o', 'json'])),
      ) as { items: BindingJson[] }
    ).items
      .filter((b) => b.roleRef.name === 'edit')
      .map((b) => [b.metadata.name, b.subjects?.map((s) => s.name) ?? []])

  before(async () => {
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
  })

  it('grants a cluster role in the namespace with a RoleBinding named after it', async () => {
    const res = await suite.run(['policy', 'add-role-to-user', 'edit', 'alice', '-n', 'team-a'])
    assert.deepEqual(res, {
      code: 0,
      stdout: 'clusterrole.rbac.authorization.k8s.io/edit added: "alice"\n',
      stderr: '',
    })
    const edit = await binding('edit')
    assert.deepEqual(edit.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'edit',
    })
    assert.deepEqual(edit.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    ])
  })

  it('writes nothing when a binding of the role already holds the user', async () => {
    const before = await binding('edit')
    const res = await suite.run(['policy', 'add-role-to-user', 'edit', 'alice', '-n', 'team-a'])
    assert.equal(res.stdout, 'clusterrole.rbac.authorization.k8s.io/edit added: "alice"\n')
    assert.deepEqual(await binding('edit'), before)
  })

  it('adds another user with a new binding, edit-0, as oc does', async () => {
    const res = await suite.run(['policy', 'add-role-to-user', 'edit', 'bob', '-n', 'team-a'])
    assert.equal(res.stdout, 'clusterrole.rbac.authorization.k8s.io/edit added: "bob"\n')
    assert.deepEqual(await editBindings(), [
      ['edit', ['alice']],
      ['edit-0', ['bob']],
    ])
  })

  it('grants a service account of the namespace with -z, warning that it does not exist', async () => {
    const res = await suite.run(['policy', 'add-role-to-user', 'edit', '-z', 'ci', '-n', 'team-a'])
    assert.deepEqual(res, {
      code: 0,
      stdout: 'clusterrole.rbac.authorization.k8s.io/edit added: "ci"\n',
      stderr: "Warning: ServiceAccount 'ci' not found\n",
    })
    assert.deepEqual((await binding('edit-1')).subjects, [
      { kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' },
    ])
  })

  it('adds to the binding --rolebinding-name names, and refuses one of another role', async () => {
    const res = await suite.run([
      'policy',
      'add-role-to-user',
      'edit',
      'dave',
      '--rolebinding-name=edit-0',
      '-n',
      'team-a',
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(
      (await binding('edit-0')).subjects?.map((s) => s.name),
      ['bob', 'dave'],
    )
    const wrong = await suite.run([
      'policy',
      'add-role-to-user',
      'view',
      'dave',
      '--rolebinding-name=edit-0',
      '-n',
      'team-a',
    ])
    assert.deepEqual(wrong, {
      code: 1,
      stdout: '',
      stderr: 'error: rolebinding edit-0 found for role edit, not view\n',
    })
  })

  it('removes a user: a binding left empty is deleted, others keep their other subjects', async () => {
    await succeeded(
      suite.run([
        'policy',
        'add-role-to-user',
        'edit',
        'bob',
        '--rolebinding-name=edit',
        '-n',
        'team-a',
      ]),
    )
    const res = await suite.run([
      'policy',
      'remove-role-from-user',
      'edit',
      'alice',
      'bob',
      '-n',
      'team-a',
    ])
    assert.deepEqual(res, {
      code: 0,
      stdout: 'clusterrole.rbac.authorization.k8s.io/edit removed: ["alice" "bob"]\n',
      stderr: '',
    })
    assert.deepEqual(await editBindings(), [
      ['edit-0', ['dave']],
      ['edit-1', ['ci']],
    ])
    const again = await suite.run([
      'policy',
      'remove-role-from-user',
      'edit',
      'alice',
      '-n',
      'team-a',
    ])
    assert.deepEqual(again, {
      code: 1,
      stdout: '',
      stderr: 'error: unable to find target [alice]\n',
    })
    const none = await suite.run([
      'policy',
      'remove-role-from-user',
      'view',
      'alice',
      '-n',
      'team-a',
    ])
    assert.equal(none.stderr, 'error: unable to locate any RoleBinding for ClusterRole "view"\n')
  })

  it('removes with -o json and prints the changed bindings', async () => {
    const res = await suite.run([
      'policy',
      'remove-role-from-user',
      'edit',
      '-z',
      'ci',
      '-o',
      'json',
      '-n',
      'team-a',
    ])
    assert.equal(res.code, 0, res.stderr)
    const list = JSON.parse(res.stdout) as { kind: string; items: BindingJson[] }
    assert.equal(list.kind, 'List')
    assert.deepEqual(
      list.items.map((b) => [b.metadata.name, b.subjects]),
      [['edit-1', undefined]],
    )
    assert.deepEqual(await editBindings(), [['edit-0', ['dave']]])
  })

  it('grants a cluster role everywhere with a ClusterRoleBinding', async () => {
    const res = await suite.run(['adm', 'policy', 'add-cluster-role-to-user', 'view', 'carol'])
    assert.deepEqual(res, {
      code: 0,
      stdout: 'clusterrole.rbac.authorization.k8s.io/view added: "carol"\n',
      stderr: '',
    })
    const crb = JSON.parse(
      await succeeded(suite.kubectl(['get', 'clusterrolebinding', 'view', '-o', 'json'])),
    ) as BindingJson
    assert.deepEqual(crb.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'view',
    })
    assert.deepEqual(crb.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' },
    ])
    const removed = await suite.run([
      'adm',
      'policy',
      'remove-cluster-role-from-user',
      'view',
      'carol',
    ])
    assert.equal(removed.stdout, 'clusterrole.rbac.authorization.k8s.io/view removed: "carol"\n')
    const gone = await suite.kubectl(['get', 'clusterrolebinding', 'view'])
    assert.match(gone.stderr, /NotFound/)
  })

  it('prints the binding a client dry run would create, and writes nothing', async () => {
    const res = await suite.run([
      'policy',
      'add-role-to-user',
      'admin',
      'erin',
      '--dry-run=client',
      '-o',
      'yaml',
      '-n',
      'team-a',
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  creationTimestamp: null
  name: admin
  namespace: team-a
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: erin
`,
    )
    const line = await suite.run([
      'policy',
      'add-role-to-user',
      'admin',
      'erin',
      '--dry-run=client',
      '-n',
      'team-a',
    ])
    assert.equal(
      line.stdout,
      'rolebinding.rbac.authorization.k8s.io/admin added: "erin" (dry run)\n',
    )
    const server = await suite.run([
      'policy',
      'add-role-to-group',
      'admin',
      'devs',
      '--dry-run=server',
      '-n',
      'team-a',
    ])
    assert.equal(
      server.stdout,
      'clusterrole.rbac.authorization.k8s.io/admin added: "devs" (server dry run)\n',
    )
    const missing = await suite.kubectl(['get', 'rolebinding', 'admin', '-n', 'team-a'])
    assert.match(missing.stderr, /NotFound/)
  })

  it('grants a Role of the namespace with --role-namespace', async () => {
    await succeeded(
      suite.kubectl([
        'create',
        'role',
        'stream-reader',
        '--verb=get',
        '--resource=imagestreams.image.openshift.io',
        '-n',
        'team-a',
      ]),
    )
    const res = await suite.run([
      'policy',
      'add-role-to-group',
      'stream-reader',
      'devs',
      'ops',
      '--role-namespace=team-a',
      '-n',
      'team-a',
    ])
    assert.deepEqual(res, {
      code: 0,
      stdout: 'role.rbac.authorization.k8s.io/stream-reader added: ["devs" "ops"]\n',
      stderr: '',
    })
    const b = await binding('stream-reader')
    assert.equal(b.roleRef.kind, 'Role')
    assert.deepEqual(
      b.subjects?.map((s) => [s.kind, s.name]),
      [
        ['Group', 'devs'],
        ['Group', 'ops'],
      ],
    )
  })

  it('warns about a role that does not exist, and refuses another role namespace', async () => {
    const res = await suite.run(['policy', 'add-role-to-user', 'nosuch', 'alice', '-n', 'team-a'])
    assert.equal(res.stderr, "Warning: role 'nosuch' not found\n")
    const other = await suite.run([
      'policy',
      'add-role-to-user',
      'edit',
      'alice',
      '--role-namespace=team-b',
      '-n',
      'team-a',
    ])
    assert.deepEqual(other, {
      code: 1,
      stdout: '',
      stderr: `error: role binding in namespace "team-a" can't reference role in different namespace "team-b"\n`,
    })
  })

  it('says what is missing from the operands, as oc does', async () => {
    const cases: [string[], string][] = [
      [['policy', 'add-role-to-user'], 'error: you must specify a role\n'],
      [
        ['policy', 'remove-role-from-user', 'edit'],
        'error: you must specify at least one user or service account\n',
      ],
      [
        ['adm', 'policy', 'add-cluster-role-to-group', 'view'],
        'error: you must specify at least two arguments: <role> <group> [group]...\n',
      ],
    ]
    for (const [args, stderr] of cases) {
      assert.deepEqual(await suite.run(args), { code: 1, stdout: '', stderr })
    }
  })
})
