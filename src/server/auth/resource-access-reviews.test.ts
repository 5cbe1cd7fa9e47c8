/**
 * OpenShift's resource access reviews (`oc policy who-can`): the subjects-to-names conversion as
 * a table, then the reviews through a real server with RBAC, users bound by RoleBindings and
 * ClusterRoleBindings, a service account, a binding to a missing role, and the refusals.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Subject } from '../../api/index.js'
import { startFixture, type Fixture } from '../resources/testing/fixture.js'
import { usersAndGroups } from './resource-access-reviews.js'

void describe('usersAndGroups', () => {
  const user = (name: string): Subject => ({ kind: 'User', name })
  const group = (name: string): Subject => ({ kind: 'Group', name })
  const sa = (name: string, namespace?: string): Subject => ({
    kind: 'ServiceAccount',
    name,
    ...(namespace ? { namespace } : {}),
  })
  const cases: [string, Subject[], string, string[], string[]][] = [
    ['nothing', [], 'team-a', [], []],
    [
      'users and groups sorted',
      [user('bob'), group('g2'), user('alice'), group('g1')],
      '',
      ['alice', 'bob'],
      ['g1', 'g2'],
    ],
    ['repeats once', [user('bob'), user('bob'), group('g'), group('g')], '', ['bob'], ['g']],
    [
      'a service account in its namespace',
      [sa('builder', 'team-b')],
      'team-a',
      ['system:serviceaccount:team-b:builder'],
      [],
    ],
    [
      'a service account in the review namespace',
      [sa('builder')],
      'team-a',
      ['system:serviceaccount:team-a:builder'],
      [],
    ],
    ['a service account with no namespace at all is dropped', [sa('builder')], '', [], []],
    ['other kinds are dropped', [{ kind: 'Robot', name: 'r2' }], '', [], []],
  ]
  for (const [name, subjects, namespace, users, groups] of cases) {
    void it(name, () => assert.deepEqual(usersAndGroups(subjects, namespace), { users, groups }))
  }
})

const RBAC = '/apis/rbac.authorization.k8s.io/v1'
const AUTHZ = '/apis/authorization.openshift.io/v1'
const ALICE = 'alice-token'
const BOB = 'bob-token'
const authenticated = ['system:authenticated']

void describe('resource access reviews', () => {
  let f: Fixture

  /** bind creates a binding as the admin and waits until the authorizer applied it. */
  async function bind(
    namespace: string | undefined,
    name: string,
    role: string,
    subjects: Subject[],
  ): Promise<void> {
    const plural = namespace ? 'rolebindings' : 'clusterrolebindings'
    const url = namespace ? `${RBAC}/namespaces/${namespace}/${plural}` : `${RBAC}/${plural}`
    const res = await f.request({
      method: 'POST',
      url,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects,
      },
    })
    assert.equal(res.statusCode, 201, res.body)
    await f.synced(
      plural,
      res.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion,
    )
  }

  const local = (namespace: string, action: object, token?: string) =>
    f.request({
      method: 'POST',
      url: `${AUTHZ}/namespaces/${namespace}/localresourceaccessreviews`,
      body: {
        kind: 'LocalResourceAccessReview',
        apiVersion: 'authorization.openshift.io/v1',
        ...action,
      },
      ...(token ? { token } : {}),
    })
  const cluster = (action: object, token?: string) =>
    f.request({
      method: 'POST',
      url: `${AUTHZ}/resourceaccessreviews`,
      body: {
        kind: 'ResourceAccessReview',
        apiVersion: 'authorization.openshift.io/v1',
        ...action,
      },
      ...(token ? { token } : {}),
    })
  const getStreams = {
    verb: 'get',
    resourceAPIGroup: 'image.openshift.io',
    resource: 'imagestreams',
  }

  before(async () => {
    f = await startFixture(
      {},
      undefined,
      {},
      {
        users: {
          [ALICE]: { name: 'alice', groups: authenticated },
          [BOB]: { name: 'bob', groups: authenticated },
        },
      },
    )
    for (const ns of ['team-a', 'team-b']) await f.createNamespace(ns)
    await bind('team-a', 'admin', 'admin', [{ kind: 'User', name: 'alice' }])
    await bind('team-a', 'view', 'view', [
      { kind: 'User', name: 'bob' },
      { kind: 'ServiceAccount', name: 'robot' },
      { kind: 'Group', name: 'auditors' },
    ])
    await bind('team-b', 'edit', 'edit', [{ kind: 'User', name: 'carol' }])
    await bind(undefined, 'readers', 'view', [{ kind: 'Group', name: 'readers' }])
  })
  after(() => f.close())

  void it('lists who may get image streams in team-a, as oc policy who-can asks', async () => {
    const res = await local('team-a', getStreams)
    assert.equal(res.statusCode, 201, res.body)
    assert.deepEqual(res.json(), {
      kind: 'ResourceAccessReviewResponse',
      apiVersion: 'authorization.openshift.io/v1',
      namespace: 'team-a',
      users: ['alice', 'bob', 'system:serviceaccount:team-a:robot'],
      groups: ['auditors', 'readers', 'system:masters'],
      evalutionError: '',
    })
  })

  void it('leaves out those whose role does not allow the verb', async () => {
    const res = await local('team-a', { ...getStreams, verb: 'delete' })
    assert.equal(res.statusCode, 201, res.body)
    assert.deepEqual(res.json().users, ['alice'])
    assert.deepEqual(res.json().groups, ['system:masters'])
  })

  void it('a cluster review without a namespace counts ClusterRoleBindings only', async () => {
    const res = await cluster(getStreams)
    assert.equal(res.statusCode, 201, res.body)
    const body = res.json()
    assert.equal(body.namespace, undefined)
    assert.deepEqual(body.users, [])
    assert.deepEqual(body.groups, ['readers', 'system:masters'])
  })

  void it('a cluster review naming a namespace counts that namespace', async () => {
    const res = await cluster({ ...getStreams, namespace: 'team-b' })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.json().namespace, 'team-b')
    assert.deepEqual(res.json().users, ['carol'])
  })

  void it('a binding to a missing role is the evaluation error', async () => {
    const res = await f.request({
      method: 'POST',
      url: `${RBAC}/namespaces/team-b/rolebindings`,
      body: {
        metadata: { name: 'ghost' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ghost' },
        subjects: [{ kind: 'User', name: 'dave' }],
      },
    })
    assert.equal(res.statusCode, 201, res.body)
    const { metadata } = res.json<{ metadata: { resourceVersion: string } }>()
    await f.synced('rolebindings', metadata.resourceVersion)
    const review = await local('team-b', getStreams)
    assert.equal(review.statusCode, 201, review.body)
    assert.equal(review.json().evalutionError, 'role.rbac.authorization.k8s.io "ghost" not found')
    assert.deepEqual(review.json().users, ['carol'])
  })

  void it('the admin of a namespace may review it, a viewer may not', async () => {
    assert.equal((await local('team-a', getStreams, ALICE)).statusCode, 201)
    const refused = await local('team-a', getStreams, BOB)
    assert.equal(refused.statusCode, 403, refused.body)
    assert.equal(
      refused.json().message,
      'localresourceaccessreviews.authorization.openshift.io is forbidden: User "bob" cannot create resource "localresourceaccessreviews" in API group "authorization.openshift.io" in the namespace "team-a"',
    )
    const clusterWide = await cluster(getStreams, ALICE)
    assert.equal(clusterWide.statusCode, 403, clusterWide.body)
  })

  void it('refuses a review without verb or resource with the 422 openshift-apiserver writes', async () => {
    const res = await local('team-a', {})
    assert.equal(res.statusCode, 422, res.body)
    assert.equal(
      res.json().message,
      'LocalResourceAccessReview.authorization.openshift.io "" is invalid: [verb: Required value, resource: Required value]',
    )
    const wrongNamespace = await local('team-a', { ...getStreams, namespace: 'team-b' })
    assert.equal(wrongNamespace.statusCode, 422, wrongNamespace.body)
  })

  void it('is listed in discovery', async () => {
    const res = await f.request({ method: 'GET', url: AUTHZ })
    assert.equal(res.statusCode, 200, res.body)
    const names = res.json<{ resources: { name: string }[] }>().resources.map((r) => r.name)
    assert.deepEqual(names.sort(), ['localresourceaccessreviews', 'resourceaccessreviews'])
  })
})
