/**
 * RBAC through a real server and SQLite store (inject), with users beside the admin: roles and
 * bindings as API objects, the decisions they lead to with the apiserver's 403 texts, the access
 * reviews `kubectl auth can-i` sends, escalation prevention, and the default policy.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { startFixture, type Fixture } from '../resources/testing/fixture.js'

const RBAC = '/apis/rbac.authorization.k8s.io/v1'
const IS = '/apis/image.openshift.io/v1'
const ALICE = 'alice-token'
const BOB = 'bob-token'
const CAROL = 'carol-token'
const authenticated = ['system:authenticated']

let f: Fixture

/** write makes a request as `token` and waits until the authorizer saw an RBAC object it wrote. */
async function write(
  token: string | undefined,
  method: 'POST' | 'PUT',
  url: string,
  body: unknown,
): Promise<LightMyRequestResponse> {
  const res = await f.request({ method, url, body, ...(token ? { token } : {}) })
  if (res.statusCode < 300 && url.startsWith(RBAC)) {
    const resource = url.split('/').filter((p) => p !== '')[url.includes('/namespaces/') ? 5 : 3]
    const object: { metadata: { resourceVersion: string } } = res.json()
    await f.synced(resource ?? '', object.metadata.resourceVersion)
  }
  return res
}

const roleBinding = (name: string, role: string, user: string, kind = 'ClusterRole') => ({
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
  subjects: [{ kind: 'User', name: user }],
})

const stream = (name: string) => ({ metadata: { name } })

before(async () => {
  f = await startFixture(
    {},
    undefined,
    {},
    {
      users: {
        [ALICE]: { name: 'alice', groups: authenticated },
        [BOB]: { name: 'bob', groups: authenticated },
        [CAROL]: { name: 'carol', groups: authenticated },
      },
    },
  )
  for (const ns of ['team-a', 'team-b']) await f.createNamespace(ns)
  for (const [ns, name, role, user] of [
    ['team-a', 'alice-edit', 'edit', 'alice'],
    ['team-a', 'bob-view', 'view', 'bob'],
  ] as const) {
    const res = await write(
      undefined,
      'POST',
      `${RBAC}/namespaces/${ns}/rolebindings`,
      roleBinding(name, role, user),
    )
    assert.equal(res.statusCode, 201, res.body)
  }
})
after(() => f.close())

void describe('decisions', () => {
  void it('edit in team-a: alice creates image streams and imports there', async () => {
    const created = await f.request({
      method: 'POST',
      url: `${IS}/namespaces/team-a/imagestreams`,
      body: stream('app'),
      token: ALICE,
    })
    assert.equal(created.statusCode, 201, created.body)
    const dryImport = await f.request({
      method: 'POST',
      url: `${IS}/namespaces/team-a/imagestreamimports?dryRun=All`,
      body: { metadata: { name: 'app' }, spec: { import: false, images: [] } },
      token: ALICE,
    })
    assert.notEqual(dryImport.statusCode, 403, dryImport.body)
  })

  void it('edit in team-a is nothing in team-b: the apiserver 403, no reason appended', async () => {
    const res = await f.request({
      method: 'GET',
      url: `${IS}/namespaces/team-b/imagestreams`,
      token: ALICE,
    })
    assert.equal(res.statusCode, 403)
    assert.equal(
      res.json().message,
      'imagestreams.image.openshift.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b"',
    )
    const create = await f.request({
      method: 'POST',
      url: `${IS}/namespaces/team-b/imagestreams`,
      body: stream('app'),
      token: ALICE,
    })
    assert.equal(
      create.json().message,
      'imagestreams.image.openshift.io is forbidden: User "alice" cannot create resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b"',
    )
  })

  void it('view: bob lists streams but may not read secrets', async () => {
    const list = await f.request({
      method: 'GET',
      url: `${IS}/namespaces/team-a/imagestreams`,
      token: BOB,
    })
    assert.equal(list.statusCode, 200, list.body)
    const secrets = await f.request({
      method: 'GET',
      url: '/api/v1/namespaces/team-a/secrets',
      token: BOB,
    })
    assert.equal(secrets.statusCode, 403)
    assert.equal(
      secrets.json().message,
      'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "team-a"',
    )
  })

  void it('a namespace is in itself: view in team-a reads team-a, not team-b', async () => {
    const own = await f.request({ method: 'GET', url: '/api/v1/namespaces/team-a', token: BOB })
    assert.equal(own.statusCode, 200, own.body)
    const other = await f.request({ method: 'GET', url: '/api/v1/namespaces/team-b', token: BOB })
    assert.equal(
      other.json().message,
      'namespaces "team-b" is forbidden: User "bob" cannot get resource "namespaces" in API group "" in the namespace "team-b"',
    )
  })

  void it('every user may read discovery and ask what it may do; nothing else', async () => {
    const version = await f.request({ method: 'GET', url: '/version', token: CAROL })
    assert.equal(version.statusCode, 200)
    const ns = await f.request({ method: 'GET', url: '/api/v1/namespaces', token: CAROL })
    assert.equal(ns.statusCode, 403)
    assert.equal(
      ns.json().message,
      'namespaces is forbidden: User "carol" cannot list resource "namespaces" in API group "" at the cluster scope',
    )
  })

  void it('a binding to a missing role is named in the reason', async () => {
    await write(
      undefined,
      'POST',
      `${RBAC}/namespaces/team-b/rolebindings`,
      roleBinding('carol-ghost', 'ghost', 'carol', 'Role'),
    )
    const res = await f.request({
      method: 'GET',
      url: `${IS}/namespaces/team-b/imagestreams`,
      token: CAROL,
    })
    assert.equal(
      res.json().message,
      'imagestreams.image.openshift.io is forbidden: User "carol" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "team-b": RBAC: role.rbac.authorization.k8s.io "ghost" not found',
    )
  })
})

void describe('access reviews (kubectl auth can-i)', () => {
  const can = async (token: string, resourceAttributes: Record<string, string>) => {
    const res = await f.request({
      method: 'POST',
      url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { spec: { resourceAttributes } },
      token,
    })
    assert.equal(res.statusCode, 201, res.body)
    return res.json().status.allowed as boolean
  }
  const cases: [string, string, Record<string, string>, boolean][] = [
    [
      'alice create imagestreamimports -n team-a',
      ALICE,
      {
        verb: 'create',
        group: 'image.openshift.io',
        resource: 'imagestreamimports',
        namespace: 'team-a',
      },
      true,
    ],
    [
      'alice update imagestreams -n team-a',
      ALICE,
      {
        verb: 'update',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        namespace: 'team-a',
      },
      true,
    ],
    [
      'alice get secrets -n team-a',
      ALICE,
      { verb: 'get', resource: 'secrets', namespace: 'team-a' },
      true,
    ],
    [
      'alice create rolebindings -n team-a',
      ALICE,
      {
        verb: 'create',
        group: 'rbac.authorization.k8s.io',
        resource: 'rolebindings',
        namespace: 'team-a',
      },
      false,
    ],
    [
      'alice get imagestreams -n team-b',
      ALICE,
      { verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', namespace: 'team-b' },
      false,
    ],
    [
      'alice get imagestreams/layers -n team-a (pull)',
      ALICE,
      {
        verb: 'get',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        namespace: 'team-a',
        name: 'app',
      },
      true,
    ],
    [
      'bob get imagestreams/layers -n team-a (view does not pull, as OpenShift)',
      BOB,
      {
        verb: 'get',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        namespace: 'team-a',
        name: 'app',
      },
      false,
    ],
    [
      'bob update imagestreams/layers -n team-a (push)',
      BOB,
      {
        verb: 'update',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        namespace: 'team-a',
        name: 'app',
      },
      false,
    ],
    [
      'bob list secrets -n team-a',
      BOB,
      { verb: 'list', resource: 'secrets', namespace: 'team-a' },
      false,
    ],
    [
      'carol list clusterroles',
      CAROL,
      { verb: 'list', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      true,
    ],
  ]
  for (const [name, token, attrs, allowed] of cases) {
    void it(`${name}: ${allowed ? 'yes' : 'no'}`, async () => {
      assert.equal(await can(token, attrs), allowed)
    })
  }

  void it('lists what alice may do in team-a (kubectl auth can-i --list)', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: { spec: { namespace: 'team-a' } },
      token: ALICE,
    })
    const status: {
      resourceRules: { verbs: string[]; resources: string[] }[]
      nonResourceRules: { nonResourceURLs: string[] }[]
      incomplete: boolean
    } = res.json().status
    assert.ok(
      status.resourceRules.some(
        (r) => r.resources.includes('imagestreamimports') && r.verbs.includes('create'),
      ),
    )
    assert.ok(status.resourceRules.some((r) => r.resources.includes('selfsubjectaccessreviews')))
    assert.ok(status.nonResourceRules.some((r) => r.nonResourceURLs.includes('/version')))
    assert.equal(status.incomplete, false)
    const elsewhere = await f.request({
      method: 'POST',
      url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      body: { spec: { namespace: 'team-b' } },
      token: ALICE,
    })
    const rules: { resources: string[] }[] = elsewhere.json().status.resourceRules
    assert.ok(!rules.some((r) => r.resources.includes('imagestreams')))
  })
})

void describe('escalation prevention', () => {
  void it('alice with edit may not bind admin in team-a', async () => {
    const plain = await write(
      ALICE,
      'POST',
      `${RBAC}/namespaces/team-a/rolebindings`,
      roleBinding('carol-admin', 'admin', 'carol'),
    )
    assert.equal(
      plain.json().message,
      'rolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "team-a"',
    )
    // Allowed to create roles and bindings, so that escalation is what decides.
    await write(undefined, 'POST', `${RBAC}/clusterroles`, {
      metadata: { name: 'rbac-writer' },
      rules: [
        {
          verbs: ['create'],
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles', 'rolebindings'],
        },
      ],
    })
    await write(undefined, 'POST', `${RBAC}/namespaces/team-a/rolebindings`, {
      metadata: { name: 'alice-rbac' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'rbac-writer' },
      subjects: [{ kind: 'User', name: 'alice' }],
    })
    const res = await write(
      ALICE,
      'POST',
      `${RBAC}/namespaces/team-a/rolebindings`,
      roleBinding('carol-admin', 'admin', 'carol'),
    )
    assert.equal(res.statusCode, 403, res.body)
    assert.equal(
      res.json().message,
      'rolebindings.rbac.authorization.k8s.io "carol-admin" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["authorization.k8s.io"], Resources:["localsubjectaccessreviews"], Verbs:["create"]}\n' +
        '{APIGroups:["authorization.openshift.io"], Resources:["localresourceaccessreviews"], Verbs:["create"]}\n' +
        '{APIGroups:["project.openshift.io"], Resources:["projects"], Verbs:["delete" "patch" "update"]}\n' +
        '{APIGroups:["rbac.authorization.k8s.io"], Resources:["rolebindings"], Verbs:["get" "list" "watch" "delete" "deletecollection" "patch" "update"]}\n' +
        '{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["get" "list" "watch" "delete" "deletecollection" "patch" "update"]}',
    )
  })

  void it('alice may bind a role whose rules she holds (view)', async () => {
    const res = await write(
      ALICE,
      'POST',
      `${RBAC}/namespaces/team-a/rolebindings`,
      roleBinding('carol-view', 'view', 'carol'),
    )
    assert.equal(res.statusCode, 201, res.body)
  })

  void it('a user with bind on the role may bind it without holding its rules', async () => {
    await write(undefined, 'POST', `${RBAC}/clusterroles`, {
      metadata: { name: 'bind-admin' },
      rules: [
        {
          verbs: ['bind'],
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
          resourceNames: ['admin'],
        },
      ],
    })
    await write(
      undefined,
      'POST',
      `${RBAC}/namespaces/team-a/rolebindings`,
      roleBinding('alice-bind', 'bind-admin', 'alice'),
    )
    const res = await write(
      ALICE,
      'POST',
      `${RBAC}/namespaces/team-a/rolebindings`,
      roleBinding('carol-admin', 'admin', 'carol'),
    )
    assert.equal(res.statusCode, 201, res.body)
  })

  void it('roles: rules one does not hold are refused, unless one may escalate', async () => {
    const role = {
      metadata: { name: 'deleter' },
      rules: [{ verbs: ['delete'], apiGroups: [''], resources: ['namespaces'] }],
    }
    const res = await write(ALICE, 'POST', `${RBAC}/namespaces/team-a/roles`, role)
    assert.equal(res.statusCode, 403, res.body)
    assert.equal(
      res.json().message,
      'roles.rbac.authorization.k8s.io "deleter" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["namespaces"], Verbs:["delete"]}',
    )
    const held = await write(ALICE, 'POST', `${RBAC}/namespaces/team-a/roles`, {
      metadata: { name: 'puller' },
      rules: [
        { verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/layers'] },
      ],
    })
    assert.equal(held.statusCode, 201, held.body)
  })

  void it('an aggregationRule takes cluster-admin, even with rules one holds', async () => {
    await write(undefined, 'POST', `${RBAC}/clusterroles`, {
      metadata: { name: 'clusterrole-writer' },
      rules: [
        {
          verbs: ['create'],
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
        },
      ],
    })
    await write(undefined, 'POST', `${RBAC}/clusterrolebindings`, {
      metadata: { name: 'carol-clusterrole-writer' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'clusterrole-writer',
      },
      subjects: [{ kind: 'User', name: 'carol' }],
    })
    const res = await write(CAROL, 'POST', `${RBAC}/clusterroles`, {
      metadata: { name: 'gatherer' },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { gather: 'true' } }] },
    })
    assert.equal(res.statusCode, 403, res.body)
    assert.equal(
      res.json().message,
      'clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    )
  })
})

void describe('default policy', () => {
  void it('every namespace gets system:image-pullers for its service accounts', async () => {
    const res = await f.request({
      method: 'GET',
      url: `${RBAC}/namespaces/team-b/rolebindings/system:image-pullers`,
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json().subjects, [
      {
        kind: 'Group',
        apiGroup: 'rbac.authorization.k8s.io',
        name: 'system:serviceaccounts:team-b',
      },
    ])
    assert.deepEqual(res.json().roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:image-puller',
    })
  })

  void it('a service account of team-b may pull there, not in team-a', async () => {
    const sa = {
      name: 'system:serviceaccount:team-b:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team-b', 'system:authenticated'],
    }
    const pull = (namespace: string) =>
      f.app.authorizer.authorize(sa, {
        kind: 'resource',
        verb: 'get',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        namespace,
        name: 'app',
      })
    assert.equal((await pull('team-b')).allowed, true)
    assert.equal((await pull('team-a')).allowed, false)
  })
})
