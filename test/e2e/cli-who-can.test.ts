/**
 * `isctl policy who-can` and `isctl adm policy who-can` against a real `isctl serve`: the users
 * and groups a role granted through `isctl policy add-role-to-user`, printed as oc prints them,
 * cluster-wide with `-A`, and as JSON.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { succeeded, useServe } from '../harness/index.js'

void describe('isctl policy who-can', () => {
  const suite = useServe()

  before(async () => {
    await succeeded(suite.kubectl(['create', 'namespace', 'team-a']))
    await succeeded(suite.run(['policy', 'add-role-to-user', 'view', 'bob', '-n', 'team-a']))
  })

  it('lists bob, given view in team-a, among who may get image streams there', async () => {
    const res = await suite.run(['policy', 'who-can', 'get', 'imagestreams', '-n', 'team-a'])
    assert.deepEqual(res, {
      code: 0,
      stdout:
        'resourceaccessreviewresponse.authorization.openshift.io/<unknown> \n' +
        '\n' +
        'Namespace: team-a\n' +
        'Verb:      get\n' +
        'Resource:  imagestreams.image.openshift.io\n' +
        '\n' +
        'Users:  bob\n' +
        'Groups: system:masters\n' +
        '\n',
      stderr: '',
    })
  })

  it('resolves short names and leaves bob out of what view does not allow', async () => {
    const res = await suite.run(['adm', 'policy', 'who-can', 'delete', 'is', '-n', 'team-a'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(
      res.stdout,
      /\nResource: {2}imagestreams\.image\.openshift\.io\n\nUsers: {2}none\n/,
    )
  })

  it('asks about a subresource the server serves without a warning', async () => {
    const res = await suite.run([
      'policy',
      'who-can',
      'get',
      'is',
      '--subresource=layers',
      '-n',
      'team-a',
    ])
    assert.equal(res.stderr, '')
    assert.match(
      res.stdout,
      /\nResource: {2}imagestreams\.image\.openshift\.io\/layers\n\nUsers: {2}none\nGroups: system:masters\n {8}system:serviceaccounts:team-a\n/,
    )
  })

  it('with -A counts cluster-wide bindings only', async () => {
    const res = await suite.run(['policy', 'who-can', 'get', 'imagestreams', '-A', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(JSON.parse(res.stdout), {
      kind: 'ResourceAccessReviewResponse',
      apiVersion: 'authorization.openshift.io/v1',
      users: [],
      groups: ['system:masters'],
      evalutionError: '',
    })
  })

  it('warns about a resource the server does not have and still asks', async () => {
    const res = await suite.run(['policy', 'who-can', 'get', 'pods', '-n', 'team-a'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, "Warning: the server doesn't have a resource type 'pods'\n")
    assert.match(res.stdout, /\nResource: {2}pods\n/)
  })

  it('refuses a wrong number of arguments as oc does', async () => {
    const res = await suite.run(['policy', 'who-can', 'get'])
    assert.deepEqual(res, {
      code: 1,
      stdout: '',
      stderr:
        'error: you must specify two or three arguments: verb, resource, and optional resourceName\n',
    })
  })
})
