/**
 * A corpus of malformed requests against the full resource API: every answer is a 4xx
 * `Status` with a reason (and causes where a field is at fault), never a 5xx or a crash; and
 * against the integrated registry mounted beside it: a 4xx in the distribution dialect.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mountRegistry } from '../distribution/testing/mount.js'
import { ADMIN_USER } from './auth/index.js'
import { startFixture, TOKEN, type Fixture } from './resources/testing/fixture.js'

const IS = '/apis/image.openshift.io/v1/namespaces/default/imagestreams'
const SECRETS = '/api/v1/namespaces/default/secrets'
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

describe('malformed requests', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
  })
  after(() => fx?.close())

  const cases: {
    name: string
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH'
    url: string
    body?: unknown
    contentType?: string
    code: number
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
      body: stream({ metadata: { name: 'big', annotations: { a: 'x'.repeat(4 * 1024 * 1024) } } }),
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
  ]
  for (const c of cases) {
    it(`answers ${c.code} to ${c.name}`, async () => {
      const res = await fx.request({
        method: c.method ?? 'POST',
        url: c.url,
        ...(c.body !== undefined && { body: c.body }),
        ...(c.contentType && { contentType: c.contentType }),
      })
      assert.equal(res.statusCode, c.code, res.body)
      const status = res.json<{
        kind: string
        status: string
        reason: string
        details?: { causes?: unknown[] }
      }>()
      assert.equal(status.kind, 'Status')
      assert.equal(status.status, 'Failure')
      assert.ok(status.reason)
      if (c.causes) assert.ok((status.details?.causes ?? []).length > 0, res.body)
    })
  }
})

describe('malformed registry requests', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture({}, mountRegistry(TOKEN, ADMIN_USER))
  })
  after(() => fx?.close())

  const basic = `Basic ${Buffer.from(`any:${TOKEN}`).toString('base64')}`
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
