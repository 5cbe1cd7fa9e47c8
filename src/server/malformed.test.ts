/**
 * A corpus of malformed requests against the full resource API: every answer is a 4xx
 * `Status` with a reason (and causes where a field is at fault), never a 5xx or a crash; and
 * against the integrated registry mounted beside it: a 4xx in the distribution dialect. The
 * corpus runs once as the admin (the admin-only policy) and once as a user holding `edit` in
 * the namespace it targets (RBAC with the default roles), whose requests take the authorizer's
 * paths a `system:masters` request skips.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mountRegistry } from '../distribution/testing/mount.js'
import { ADMIN_USER, type UserInfo } from './auth/index.js'
import { startFixture, TOKEN, type Fixture } from './resources/testing/fixture.js'

const IS = '/apis/image.openshift.io/v1/namespaces/default/imagestreams'
const SECRETS = '/api/v1/namespaces/default/secrets'
const RBAC = '/apis/rbac.authorization.k8s.io/v1'
const AUTHZ = '/apis/authorization.openshift.io/v1'
const ROLE_REF = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }
const stream = (over: object) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'ok' },
  ...over,
})
const secret = (over: object) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  ...over,
})
const b64 = (s: string) => Buffer.from(s).toString('base64')

const EDITOR_TOKEN = 'editor-token'
const EDITOR: UserInfo = { name: 'eve', groups: ['system:authenticated'] }

/** Identity is who sends the corpus, and the server that identity needs. */
interface Identity {
  readonly name: string
  readonly token: string
  readonly user: UserInfo
  /** Whether the server authorizes with RBAC (and `edit` bound in `default`). */
  readonly rbac: boolean
}

const IDENTITIES: readonly Identity[] = [
  { name: 'the admin', token: TOKEN, user: ADMIN_USER, rbac: false },
  { name: 'an editor of the namespace', token: EDITOR_TOKEN, user: EDITOR, rbac: true },
]

/**
 * startFor starts a fixture `identity` can use: for an RBAC identity, one with the user and a
 * RoleBinding of `edit` in `default`, applied before the corpus runs.
 */
async function startFor(
  identity: Identity,
  extend?: Parameters<typeof startFixture>[1],
): Promise<Fixture> {
  if (!identity.rbac) return startFixture({}, extend)
  const fx = await startFixture({}, extend, {}, { users: { [identity.token]: identity.user } })
  const res = await fx.request({
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    body: {
      metadata: { name: 'edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', name: identity.user.name }],
    },
  })
  assert.equal(res.statusCode, 201, res.body)
  const { metadata } = res.json<{ metadata: { resourceVersion: string } }>()
  await fx.synced('rolebindings', metadata.resourceVersion)
  return fx
}

for (const identity of IDENTITIES) {
  describe(`malformed requests as ${identity.name}`, () => {
    let fx: Fixture
    before(async () => {
      fx = await startFor(identity)
    })
    after(() => fx?.close())

    const cases: {
      name: string
      method?: 'GET' | 'POST' | 'PUT' | 'PATCH'
      url: string
      body?: unknown
      contentType?: string
      headers?: Record<string, string>
      code: number
      /** The answer to the editor when it differs: what `edit` in `default` does not allow is a 403 first. */
      editorCode?: number
      causes?: boolean
    }[] = [
      { name: 'bad JSON', url: IS, body: '{"kind":', contentType: 'application/json', code: 400 },
      { name: 'a JSON array', url: IS, body: '[]', contentType: 'application/json', code: 400 },
      { name: 'the wrong kind for the URL', url: IS, body: secret({}), code: 400 },
      {
        name: 'an invalid stream name',
        url: IS,
        body: stream({ metadata: { name: 'Not_Valid' } }),
        code: 422,
        causes: true,
      },
      {
        name: 'a name too long',
        url: IS,
        body: stream({ metadata: { name: 'a'.repeat(300) } }),
        code: 422,
        causes: true,
      },
      {
        name: 'an invalid DockerImage reference',
        url: IS,
        body: stream({
          spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'Upper/Case:tag' } }] },
        }),
        code: 422,
        causes: true,
      },
      {
        name: 'an unknown from kind',
        url: IS,
        body: stream({ spec: { tags: [{ name: 'v1', from: { kind: 'Bogus', name: 'x' } }] } }),
        code: 422,
        causes: true,
      },
      {
        name: 'an invalid import mode',
        url: IS,
        body: stream({
          spec: {
            tags: [
              {
                name: 'v1',
                from: { kind: 'DockerImage', name: 'a/b:c' },
                importPolicy: { importMode: 'Sometimes' },
              },
            ],
          },
        }),
        code: 422,
        causes: true,
      },
      {
        name: 'duplicate tag names',
        url: IS,
        body: stream({ spec: { tags: [{ name: 'v1' }, { name: 'v1' }] } }),
        code: 422,
        causes: true,
      },
      // The apiserver refuses what it cannot decode with 400, before validation.
      { name: 'a wrong field type', url: IS, body: stream({ spec: { tags: 'nope' } }), code: 400 },
      {
        name: 'a dockerconfigjson secret without its key',
        url: SECRETS,
        body: secret({ type: 'kubernetes.io/dockerconfigjson', data: {} }),
        code: 422,
        causes: true,
      },
      {
        name: 'a dockerconfigjson secret without auths',
        url: SECRETS,
        body: secret({
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64('{"x":{}}') },
        }),
        code: 422,
        causes: true,
      },
      {
        name: 'a dockerconfigjson secret that is not JSON',
        url: SECRETS,
        body: secret({
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64('{') },
        }),
        code: 422,
        causes: true,
      },
      {
        name: 'secret data that is not base64',
        url: SECRETS,
        body: secret({ data: { a: '***' } }),
        code: 422,
      },
      {
        name: 'an oversized body',
        url: IS,
        body: stream({
          metadata: { name: 'big', annotations: { a: 'x'.repeat(4 * 1024 * 1024) } },
        }),
        code: 413,
      },
      {
        name: 'an unsupported content type',
        url: IS,
        body: '<xml/>',
        contentType: 'application/xml',
        code: 415,
      },
      {
        name: 'a protobuf body that is not protobuf',
        url: SECRETS,
        body: 'k8s\0garbage',
        contentType: 'application/vnd.kubernetes.protobuf',
        code: 415,
      },
      {
        name: 'a namespace that does not exist',
        url: '/apis/image.openshift.io/v1/namespaces/nowhere/imagestreams',
        body: stream({}),
        code: 404,
        editorCode: 403,
      },
      {
        name: 'JSON nested 3,000 deep',
        url: IS,
        body: `{"metadata":{"name":"deep","annotations":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}}`,
        contentType: 'application/json',
        code: 400,
      },
      {
        name: 'a merge patch nested 3,000 deep',
        method: 'PATCH',
        url: `${IS}/missing`,
        body: `{"metadata":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
        contentType: 'application/merge-patch+json',
        code: 400,
      },
      {
        name: 'YAML nested 3,000 deep',
        url: IS,
        body: `metadata: {name: deep}\nspec: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
        contentType: 'application/yaml',
        code: 400,
      },
      {
        name: 'a watch timeout past int64',
        method: 'GET',
        url: `${IS}?watch=true&timeoutSeconds=99999999999999999999`,
        code: 400,
      },
      {
        name: 'a huge watch timeout with a resourceVersion that is not one',
        method: 'GET',
        url: `${IS}?watch=true&timeoutSeconds=9999999999&resourceVersion=abc`,
        code: 400,
      },
      {
        name: 'an unsupported resourceVersionMatch',
        method: 'GET',
        url: `${IS}?resourceVersion=1&resourceVersionMatch=Bogus`,
        code: 422,
        causes: true,
      },
      {
        name: 'a JSON patch that is not a list',
        method: 'PATCH',
        url: `${IS}/missing`,
        body: '{}',
        contentType: 'application/json-patch+json',
        code: 404,
      },
      {
        name: 'impersonating a group without a user',
        method: 'GET',
        url: IS,
        headers: { 'impersonate-group': 'g' },
        code: 400,
      },
      {
        name: 'impersonating a malformed service account name',
        method: 'GET',
        url: IS,
        headers: { 'impersonate-user': 'system:serviceaccount:a:b:c' },
        // The admin may impersonate, and the user it becomes may not list; the editor may not impersonate.
        code: 403,
      },
      {
        name: 'an impersonated extra with a bad percent-encoding',
        method: 'GET',
        url: IS,
        headers: { 'impersonate-user': 'x', 'impersonate-extra-%zz': 'v' },
        // The admin may impersonate, and the user it becomes may not list; the editor may not impersonate.
        code: 403,
      },
      {
        name: 'a continue token that is not one',
        method: 'GET',
        url: `${IS}?limit=1&continue=garbage`,
        code: 400,
      },
      {
        name: 'a project name with a bad percent-encoding',
        method: 'GET',
        url: '/apis/project.openshift.io/v1/projects/%zz',
        code: 400,
      },
      {
        name: 'a self subject rules review whose namespace is a number',
        url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        body: { spec: { namespace: 5 } },
        code: 400,
      },
      {
        name: 'a self subject review that is a JSON array',
        url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: '[]',
        contentType: 'application/json',
        code: 400,
      },
      {
        name: 'a list with a label selector that does not parse',
        method: 'GET',
        url: `${IS}?labelSelector=${encodeURIComponent('a in (')}`,
        code: 400,
      },
      {
        name: 'a list with a field selector that does not parse',
        method: 'GET',
        url: `${IS}?fieldSelector=${encodeURIComponent('metadata.name===x')}`,
        code: 400,
      },
      {
        name: 'a role binding whose subjects are not a list',
        url: `${RBAC}/namespaces/default/rolebindings`,
        body: { metadata: { name: 'b' }, roleRef: ROLE_REF, subjects: 'eve' },
        code: 400,
        editorCode: 403,
      },
      {
        name: 'a role binding without a roleRef',
        url: `${RBAC}/namespaces/default/rolebindings`,
        body: { metadata: { name: 'b' }, subjects: [{ kind: 'User', name: 'x' }] },
        code: 422,
        editorCode: 403,
        causes: true,
      },
      {
        name: 'a self subject access review whose attributes are a string',
        url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: { spec: { resourceAttributes: 'get' } },
        code: 422,
        causes: true,
      },
      {
        name: 'a local subject access review of another namespace',
        url: '/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews',
        body: {
          metadata: { namespace: 'default' },
          spec: { user: 'x', resourceAttributes: { namespace: 'other', verb: 'get' } },
        },
        code: 422,
        editorCode: 403,
        causes: true,
      },
      {
        name: 'a local resource access review that is a JSON array',
        url: `${AUTHZ}/namespaces/default/localresourceaccessreviews`,
        body: '[]',
        contentType: 'application/json',
        code: 400,
        editorCode: 403,
      },
      {
        name: 'a local resource access review without verb or resource',
        url: `${AUTHZ}/namespaces/default/localresourceaccessreviews`,
        body: { kind: 'LocalResourceAccessReview', verb: 5, resource: ['x'] },
        code: 422,
        editorCode: 403,
        causes: true,
      },
      {
        name: 'a resource access review of a non-resource URL with a resource',
        url: `${AUTHZ}/resourceaccessreviews`,
        body: { verb: 'get', isNonResourceURL: true, resource: 'x', content: {} },
        code: 422,
        editorCode: 403,
        causes: true,
      },
    ]
    for (const c of cases) {
      const code = identity.rbac ? (c.editorCode ?? c.code) : c.code
      it(`answers ${code} to ${c.name}`, async () => {
        const res = await fx.request({
          method: c.method ?? 'POST',
          url: c.url,
          token: identity.token,
          ...(c.headers && { headers: c.headers }),
          ...(c.body !== undefined && { body: c.body }),
          ...(c.contentType && { contentType: c.contentType }),
        })
        assert.ok(res.statusCode < 500, res.body)
        assert.equal(res.statusCode, code, res.body)
        const status = res.json<{
          kind: string
          status: string
          reason: string
          details?: { causes?: unknown[] }
        }>()
        assert.equal(status.kind, 'Status')
        assert.equal(status.status, 'Failure')
        assert.ok(status.reason)
        if (c.causes && code === c.code)
          assert.ok((status.details?.causes ?? []).length > 0, res.body)
      })
    }
  })
}

for (const identity of IDENTITIES) {
  describe(`malformed registry requests as ${identity.name}`, () => {
    let fx: Fixture
    before(async () => {
      fx = await startFor(identity, mountRegistry(identity.token, identity.user))
    })
    after(() => fx?.close())

    const basic = `Basic ${Buffer.from(`any:${identity.token}`).toString('base64')}`
    const cases: { name: string; url: string; code: string }[] = [
      {
        name: 'an over-long name',
        url: `/v2/default/${'a'.repeat(300)}/tags/list`,
        code: 'NAME_INVALID',
      },
      {
        name: 'a name over the router limit',
        url: `/v2/${'a'.repeat(3000)}/app/tags/list`,
        code: 'NAME_INVALID',
      },
      {
        name: 'an over-long tag',
        url: `/v2/default/app/manifests/${'t'.repeat(200)}`,
        code: 'TAG_INVALID',
      },
      {
        name: 'a tag over the router limit',
        url: `/v2/default/app/manifests/${'t'.repeat(3000)}`,
        code: 'TAG_INVALID',
      },
      { name: 'a bad percent-encoding', url: '/v2/default/app/manifests/%zz', code: 'TAG_INVALID' },
    ]
    for (const c of cases) {
      it(`answers 400 ${c.code} to ${c.name} under /v2/`, async () => {
        const res = await fx.app.inject({
          method: 'GET',
          url: c.url,
          headers: { authorization: basic },
        })
        assert.equal(res.statusCode, 400, res.body)
        assert.equal(res.json<{ errors: { code: string }[] }>().errors[0]?.code, c.code, res.body)
      })
    }
  })
}
