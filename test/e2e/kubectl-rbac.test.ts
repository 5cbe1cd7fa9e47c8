/**
 * RBAC end to end: the built `isctl serve` driven by real kubectl 1.32 (docs/access-control.md):
 * `kubectl create role|rolebinding|clusterrolebinding` (sent as protobuf), `kubectl get
 * clusterroles` and rolebindings as server-side Tables, and `kubectl auth can-i` (with
 * `--list`) as the admin. The suites run the compiled CLI (npm test builds it first).
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { useServe } from '../harness/index.js'

describe('kubectl against isctl serve: roles and bindings', () => {
  const suite = useServe()
  const ok = async (args: readonly string[]) => {
    const res = await suite.kubectl(args)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`)
    return res.stdout
  }

  before(() => ok(['create', 'namespace', 'team-a']))

  it('kubectl create role and rolebinding', async () => {
    assert.equal(
      await ok([
        'create',
        'role',
        'stream-reader',
        '--verb=get,list',
        '--resource=imagestreams.image.openshift.io',
        '-n',
        'team-a',
      ]),
      'role.rbac.authorization.k8s.io/stream-reader created\n',
    )
    assert.equal(
      await ok([
        'create',
        'rolebinding',
        'alice-edit',
        '--clusterrole=edit',
        '--user=alice',
        '-n',
        'team-a',
      ]),
      'rolebinding.rbac.authorization.k8s.io/alice-edit created\n',
    )
    assert.equal(
      await ok([
        'create',
        'clusterrolebinding',
        'pruners',
        '--clusterrole=system:image-pruner',
        '--serviceaccount=team-a:pruner',
      ]),
      'clusterrolebinding.rbac.authorization.k8s.io/pruners created\n',
    )
    const role = JSON.parse(
      await ok(['get', 'role', 'stream-reader', '-n', 'team-a', '-o', 'json']),
    ) as {
      rules: unknown[]
    }
    assert.deepEqual(role.rules, [
      { verbs: ['get', 'list'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] },
    ])
  })

  it('kubectl get rolebindings -o wide: NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS', async () => {
    const out = await ok(['get', 'rolebindings', '-n', 'team-a', '-o', 'wide'])
    const [header = '', ...rows] = out.trimEnd().split('\n')
    assert.deepEqual(header.split(/\s+/), [
      'NAME',
      'ROLE',
      'AGE',
      'USERS',
      'GROUPS',
      'SERVICEACCOUNTS',
    ])
    const alice = rows.find((r) => r.startsWith('alice-edit '))
    assert.match(alice ?? '', /^alice-edit\s+ClusterRole\/edit\s+\S+\s+alice\s*$/)
    const pullers = rows.find((r) => r.startsWith('system:image-pullers '))
    assert.match(
      pullers ?? '',
      /^system:image-pullers\s+ClusterRole\/system:image-puller\s+\S+\s+system:serviceaccounts:team-a\s*$/,
    )
  })

  it('kubectl get clusterrolebinding -o wide names service accounts namespace/name', async () => {
    const out = await ok(['get', 'clusterrolebinding', 'pruners', '-o', 'wide'])
    const [, row = ''] = out.trimEnd().split('\n')
    assert.match(row, /^pruners\s+ClusterRole\/system:image-pruner\s+\S+\s+team-a\/pruner\s*$/)
  })

  it('kubectl get clusterroles: NAME CREATED AT, the defaults listed', async () => {
    const out = await ok(['get', 'clusterroles'])
    const [header = '', ...rows] = out.trimEnd().split('\n')
    assert.deepEqual(header.split(/\s{2,}/), ['NAME', 'CREATED AT'])
    const names = rows.map((r) => r.split(/\s+/)[0])
    for (const name of [
      'admin',
      'cluster-admin',
      'edit',
      'view',
      'system:image-puller',
      'registry-viewer',
    ]) {
      assert.ok(names.includes(name), `${name} in ${out}`)
    }
    for (const row of rows) assert.match(row, /\s\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('kubectl auth can-i as the admin, and --list', async () => {
    assert.equal(
      await ok([
        'auth',
        'can-i',
        'create',
        'imagestreamimports.image.openshift.io',
        '-n',
        'team-a',
      ]),
      'yes\n',
    )
    const list = await ok(['auth', 'can-i', '--list', '-n', 'team-a'])
    const [header = '', ...rows] = list.trimEnd().split('\n')
    assert.deepEqual(header.split(/\s{2,}/), [
      'Resources',
      'Non-Resource URLs',
      'Resource Names',
      'Verbs',
    ])
    assert.ok(
      rows.some((r) => /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/.test(r)),
      list,
    )
    assert.ok(
      rows.some((r) => /^\s*\[\*\]\s+\[\]\s+\[\*\]$/.test(r)),
      list,
    )
  })
})
