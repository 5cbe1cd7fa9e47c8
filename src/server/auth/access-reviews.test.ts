import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TOKEN, type Fixture } from '../resources/testing/fixture.js'
import { bytes, envelope, msg } from '../protobuf/testing/encoder.js'
import { hashToken } from './index.js'

const G = '/apis/authorization.k8s.io/v1'
const SAR = `${G}/subjectaccessreviews`
const LSAR = (ns: string) => `${G}/namespaces/${ns}/localsubjectaccessreviews`
const PROTOBUF = 'application/vnd.kubernetes.protobuf'
const BOB = { authorization: 'Bearer bob-token' }

const getImageStreams = (namespace: string) => ({
  verb: 'get',
  group: 'image.openshift.io',
  resource: 'imagestreams',
  namespace,
})

void describe('SubjectAccessReview and LocalSubjectAccessReview', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture(
      {},
      undefined,
      {},
      {
        tokens: [
          {
            sha256: hashToken('bob-token'),
            user: { name: 'bob', groups: ['system:authenticated'] },
          },
        ],
      },
    )
  })
  after(() => fx.close())

  const json = (body: string) => JSON.parse(body) as Record<string, unknown>

  void it('are listed in discovery beside the self reviews, create only', async () => {
    const res = await fx.request({ method: 'GET', url: G })
    const list = json(res.body) as {
      resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[]
    }
    const names = list.resources.map((r) => [r.name, r.namespaced, r.kind, r.verbs.join()])
    assert.deepEqual(names, [
      ['localsubjectaccessreviews', true, 'LocalSubjectAccessReview', 'create'],
      ['selfsubjectaccessreviews', false, 'SelfSubjectAccessReview', 'create'],
      ['selfsubjectrulesreviews', false, 'SelfSubjectRulesReview', 'create'],
      ['subjectaccessreviews', false, 'SubjectAccessReview', 'create'],
    ])
  })

  const answers: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'an admin is allowed',
      SAR,
      { user: 'root', groups: ['system:masters'], resourceAttributes: getImageStreams('default') },
      { allowed: true },
    ],
    [
      'another user is not, with the authorizer’s reason',
      SAR,
      { user: 'alice', resourceAttributes: getImageStreams('default') },
      { allowed: false, reason: 'only the admin user has access for now' },
    ],
    [
      'a group alone is a subject',
      SAR,
      { groups: ['system:masters'], nonResourceAttributes: { verb: 'get', path: '/metrics' } },
      { allowed: true },
    ],
    [
      'every user may read /version',
      SAR,
      { user: 'alice', nonResourceAttributes: { verb: 'get', path: '/version' } },
      { allowed: true },
    ],
    [
      'a local review asks in its namespace',
      LSAR('team'),
      { user: 'alice', groups: ['system:masters'], resourceAttributes: getImageStreams('team') },
      { allowed: true },
    ],
  ]
  for (const [name, url, spec, status] of answers) {
    void it(`answers for the spec’s subject: ${name}`, async () => {
      const local = url !== SAR
      const kind = local ? 'LocalSubjectAccessReview' : 'SubjectAccessReview'
      const res = await fx.request({
        method: 'POST',
        url,
        body: { apiVersion: 'authorization.k8s.io/v1', kind, spec },
      })
      assert.equal(res.statusCode, 201, res.body)
      assert.deepEqual(json(res.body), {
        kind,
        apiVersion: 'authorization.k8s.io/v1',
        metadata: local
          ? { namespace: 'team', creationTimestamp: null }
          : { creationTimestamp: null },
        spec,
        status,
      })
    })
  }

  void it('reads a protobuf SubjectAccessReview', async () => {
    const body = envelope(
      'authorization.k8s.io/v1',
      'SubjectAccessReview',
      Buffer.concat([
        msg(1),
        msg(
          2,
          msg(
            1,
            bytes(1, 'default'),
            bytes(2, 'list'),
            bytes(3, 'image.openshift.io'),
            bytes(5, 'imagestreams'),
          ),
          bytes(3, 'alice'),
          bytes(4, 'system:masters'),
        ),
      ]),
    )
    const res = await fx.request({ method: 'POST', url: SAR, body, contentType: PROTOBUF })
    assert.equal(res.statusCode, 201, res.body)
    assert.deepEqual(json(res.body).status, { allowed: true })
  })

  void it('reads a protobuf LocalSubjectAccessReview', async () => {
    const body = envelope(
      'authorization.k8s.io/v1',
      'LocalSubjectAccessReview',
      Buffer.concat([
        msg(1, bytes(3, 'team')),
        msg(
          2,
          msg(1, bytes(1, 'team'), bytes(2, 'delete'), bytes(5, 'secrets')),
          bytes(3, 'alice'),
        ),
      ]),
    )
    const res = await fx.request({ method: 'POST', url: LSAR('team'), body, contentType: PROTOBUF })
    assert.equal(res.statusCode, 201, res.body)
    assert.deepEqual(json(res.body).status, {
      allowed: false,
      reason: 'only the admin user has access for now',
    })
  })

  const refused: [string, string, Record<string, unknown>, number, string][] = [
    [
      'no subject',
      SAR,
      { spec: { resourceAttributes: getImageStreams('default') } },
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    ],
    [
      'neither attributes nor subject',
      SAR,
      { spec: {} },
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]',
    ],
    [
      'both attributes',
      SAR,
      {
        spec: {
          user: 'alice',
          resourceAttributes: getImageStreams('default'),
          nonResourceAttributes: { verb: 'get', path: '/x' },
        },
      },
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: "{\\"verb\\":\\"get\\",\\"path\\":\\"/x\\"}": cannot be specified in combination with resourceAttributes',
    ],
    [
      'a name',
      SAR,
      { metadata: { name: 'x' }, spec: { user: 'alice', resourceAttributes: {} } },
      422,
      'SubjectAccessReview.authorization.k8s.io "" is invalid: metadata: Invalid value: "{\\"name\\":\\"x\\",\\"creationTimestamp\\":null}": must be empty',
    ],
    [
      'a local review about another namespace',
      LSAR('team'),
      { spec: { user: 'alice', resourceAttributes: getImageStreams('other') } },
      422,
      'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace',
    ],
    [
      'a local review of a path',
      LSAR('team'),
      { spec: { user: 'alice', nonResourceAttributes: { verb: 'get', path: '/x' } } },
      422,
      'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: "{\\"verb\\":\\"get\\",\\"path\\":\\"/x\\"}": disallowed on this kind of request',
    ],
    [
      'a local review whose body names another namespace',
      LSAR('team'),
      {
        metadata: { namespace: 'other' },
        spec: { user: 'alice', resourceAttributes: getImageStreams('other') },
      },
      400,
      'the namespace of the provided object does not match the namespace sent on the request',
    ],
    [
      'another kind',
      SAR,
      { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: {} } },
      400,
      'the request body is "SelfSubjectAccessReview" of "", want SubjectAccessReview of authorization.k8s.io/v1',
    ],
  ]
  for (const [name, url, body, status, message] of refused) {
    void it(`refuses ${name}`, async () => {
      const res = await fx.request({ method: 'POST', url, body })
      assert.equal(res.statusCode, status, res.body)
      assert.equal(json(res.body).message, message)
    })
  }

  void it('refuses callers who may not create them', async () => {
    const spec = { user: 'bob', resourceAttributes: getImageStreams('team') }
    const cluster = await fx.request({ method: 'POST', url: SAR, headers: BOB, body: { spec } })
    assert.equal(cluster.statusCode, 403)
    assert.equal(
      json(cluster.body).message,
      'subjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope: only the admin user has access for now',
    )
    const local = await fx.request({
      method: 'POST',
      url: LSAR('team'),
      headers: BOB,
      body: { spec },
    })
    assert.equal(local.statusCode, 403)
    assert.equal(
      json(local.body).message,
      'localsubjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "localsubjectaccessreviews" in API group "authorization.k8s.io" in the namespace "team": only the admin user has access for now',
    )
  })

  void it('refuses an admin impersonating someone who may not create them', async () => {
    const res = await fx.request({
      method: 'POST',
      url: SAR,
      headers: { authorization: `Bearer ${TOKEN}`, 'impersonate-user': 'alice' },
      body: { spec: { user: 'alice', resourceAttributes: getImageStreams('team') } },
    })
    assert.equal(res.statusCode, 403)
    assert.match(String(json(res.body).message), /User "alice" cannot create resource/)
  })
})
