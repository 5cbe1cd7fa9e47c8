/**
 * project.openshift.io through a real server and SQLite store with RBAC: a project request makes
 * the namespace and its requester's admin binding, projects lists only what each user may see,
 * and the apiserver's texts for what is refused.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const PROJECTS = '/apis/project.openshift.io/v1/projects'
const REQUESTS = '/apis/project.openshift.io/v1/projectrequests'
const ALICE = 'alice-token'
const BOB = 'bob-token'

let f: Fixture

const names = (list: { items: { metadata: { name: string } }[] }) =>
  list.items.map((p) => p.metadata.name).sort()

/** requestProject asks for `name` as `token`, waits until the authorizer saw the admin binding. */
async function requestProject(token: string, name: string, extra: object = {}) {
  const res = await f.request({
    method: 'POST',
    url: REQUESTS,
    body: {
      kind: 'ProjectRequest',
      apiVersion: 'project.openshift.io/v1',
      metadata: { name },
      ...extra,
    },
    token,
  })
  if (res.statusCode === 201) {
    const binding = await f.request({
      method: 'GET',
      url: `/apis/rbac.authorization.k8s.io/v1/namespaces/${name}/rolebindings/admin`,
    })
    await f.synced('rolebindings', binding.json().metadata.resourceVersion)
  }
  return res
}

before(async () => {
  f = await startFixture(
    {},
    undefined,
    {},
    {
      users: {
        [ALICE]: { name: 'alice', groups: ['system:authenticated:oauth', 'system:authenticated'] },
        [BOB]: { name: 'bob', groups: ['system:authenticated'] },
      },
    },
  )
  await f.createNamespace('team-b')
})
after(() => f.close())

describe('project requests', () => {
  it('make the namespace with its annotations and the requester its admin', async () => {
    const res = await requestProject(ALICE, 'alice-web', {
      displayName: 'Alice Web',
      description: 'The web team',
    })
    assert.equal(res.statusCode, 201, res.body)
    const project = res.json()
    assert.equal(project.kind, 'Project')
    assert.equal(project.apiVersion, 'project.openshift.io/v1')
    assert.equal(project.status.phase, 'Active')
    assert.deepEqual(project.metadata.annotations, {
      'openshift.io/description': 'The web team',
      'openshift.io/display-name': 'Alice Web',
      'openshift.io/requester': 'alice',
    })
    const binding = await f.request({
      method: 'GET',
      url: '/apis/rbac.authorization.k8s.io/v1/namespaces/alice-web/rolebindings/admin',
    })
    assert.deepEqual(binding.json().roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'admin',
    })
    assert.deepEqual(binding.json().subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' },
    ])
    const stream = await f.request({
      method: 'POST',
      url: '/apis/image.openshift.io/v1/namespaces/alice-web/imagestreams',
      body: { metadata: { name: 'app' } },
      token: ALICE,
    })
    assert.equal(stream.statusCode, 201, stream.body)
  })

  it('are open to self-provisioners only: the list answers whether one may ask', async () => {
    const allowed = await f.request({ method: 'GET', url: REQUESTS, token: ALICE })
    assert.equal(allowed.statusCode, 200, allowed.body)
    assert.equal(allowed.json().status, 'Success')
    const listed = await f.request({ method: 'GET', url: REQUESTS, token: BOB })
    assert.equal(listed.statusCode, 403)
    assert.equal(listed.json().message, 'You may not request a new project via this API.')
    const refused = await requestProject(BOB, 'bob-web')
    assert.equal(refused.statusCode, 403)
    assert.equal(
      refused.json().message,
      'projectrequests.project.openshift.io is forbidden: User "bob" cannot create resource "projectrequests" in API group "project.openshift.io" at the cluster scope',
    )
  })

  const refusals: [string, string, number, string][] = [
    [
      'a name of one character',
      'a',
      422,
      'ProjectRequest.project.openshift.io "a" is invalid: metadata.name: Invalid value: "a": must be at least 2 characters long',
    ],
    [
      'a name that is no DNS label',
      'Web_1',
      422,
      `ProjectRequest.project.openshift.io "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'a reserved name',
      'openshift',
      403,
      'project.project.openshift.io "openshift" is forbidden: cannot request a project with the name "openshift"',
    ],
    [
      'a reserved prefix',
      'kube-tools',
      403,
      'project.project.openshift.io "kube-tools" is forbidden: cannot request a project starting with "kube-"',
    ],
    [
      'an existing namespace',
      'team-b',
      409,
      'project.project.openshift.io "team-b" already exists',
    ],
  ]
  for (const [what, name, code, message] of refusals) {
    it(`refuse ${what}`, async () => {
      const res = await requestProject(ALICE, name)
      assert.equal(res.statusCode, code, res.body)
      assert.equal(res.json().message, message)
    })
  }
})

describe('projects', () => {
  it('lists only the projects a user may see; the admin sees every one', async () => {
    const mine = await f.request({ method: 'GET', url: PROJECTS, token: ALICE })
    assert.equal(mine.statusCode, 200, mine.body)
    assert.equal(mine.json().kind, 'ProjectList')
    assert.deepEqual(names(mine.json()), ['alice-web'])
    const none = await f.request({ method: 'GET', url: PROJECTS, token: BOB })
    assert.deepEqual(names(none.json()), [])
    const all = await f.request({ method: 'GET', url: PROJECTS })
    assert.deepEqual(names(all.json()), ['alice-web', 'default', 'team-b'])
  })

  it('prints NAME, DISPLAY NAME and STATUS as a Table', async () => {
    const res = await f.request({
      method: 'GET',
      url: PROJECTS,
      token: ALICE,
      accept: TABLE_ACCEPT,
    })
    const table = res.json()
    assert.deepEqual(
      table.columnDefinitions.map((c: { name: string }) => c.name),
      ['Name', 'Display Name', 'Status'],
    )
    assert.deepEqual(table.rows[0].cells, ['alice-web', 'Alice Web', 'Active'])
  })

  it('answers a project one may not see with the apiserver 403, a missing one with 404', async () => {
    const hidden = await f.request({ method: 'GET', url: `${PROJECTS}/team-b`, token: ALICE })
    assert.equal(hidden.statusCode, 403)
    assert.equal(
      hidden.json().message,
      'projects.project.openshift.io "team-b" is forbidden: User "alice" cannot get resource "projects" in API group "project.openshift.io" in the namespace "team-b"',
    )
    const missing = await f.request({ method: 'GET', url: `${PROJECTS}/nope` })
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().message, 'projects.project.openshift.io "nope" not found')
  })

  it('deletes the namespace of a project its admin deletes', async () => {
    const res = await f.request({ method: 'DELETE', url: `${PROJECTS}/alice-web`, token: ALICE })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json().status, 'Success')
    const namespace = await f.request({ method: 'GET', url: '/api/v1/namespaces/alice-web' })
    if (namespace.statusCode === 200) assert.equal(namespace.json().status.phase, 'Terminating')
    else assert.equal(namespace.statusCode, 404)
  })
})
