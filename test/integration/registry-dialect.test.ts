/**
 * The integrated registry mounted on the API server as `isctl serve` mounts it: names and
 * references it cannot serve are answered in distribution's dialect
 * (docs/integrated-registry.md#errors) with valid credentials, whether the router or a route
 * refuses them, never with the API's Kubernetes Status; and the access log of both keeps no
 * credential given in a query string (docs/kubernetes-api.md#security-and-redaction).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mountRegistry } from '../../src/distribution/testing/mount.js'
import { ADMIN_USER } from '../../src/server/auth/index.js'
import { startFixture, TOKEN, type Fixture } from '../../src/server/resources/testing/fixture.js'

const BASIC = `Basic ${Buffer.from(`any:${TOKEN}`).toString('base64')}`

describe('the integrated registry dialect on the API server', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture({}, mountRegistry(TOKEN, ADMIN_USER))
  })
  after(() => fx?.close())

  const long = (n: number) => 'a'.repeat(n)
  const cases: { name: string; url: string; code: string; detail?: unknown }[] = [
    {
      name: 'a name over 255 characters, each segment under the router limit',
      url: `/v2/default/${long(300)}/manifests/latest`,
      code: 'NAME_INVALID',
      detail: 'repository name must not be more than 255 characters',
    },
    {
      name: 'a name over the router limit (manifests)',
      url: `/v2/default/${long(5000)}/manifests/latest`,
      code: 'NAME_INVALID',
      detail: 'repository name must not be more than 255 characters',
    },
    {
      name: 'a name over the router limit (tags/list)',
      url: `/v2/${long(2000)}/app/tags/list`,
      code: 'NAME_INVALID',
      detail: 'repository name must not be more than 255 characters',
    },
    {
      name: 'a name over 255 characters in more segments than a stream has',
      url: `/v2/${Array(100).fill('abc').join('/')}/manifests/latest`,
      code: 'NAME_INVALID',
      detail: 'repository name must not be more than 255 characters',
    },
    {
      name: 'a name outside the grammar',
      url: '/v2/default/Upper_/manifests/latest',
      code: 'NAME_INVALID',
      detail: 'invalid reference format',
    },
    {
      name: 'a tag of 129 characters',
      url: `/v2/default/app/manifests/${long(129)}`,
      code: 'TAG_INVALID',
      detail: { Tag: long(129) },
    },
    {
      name: 'a tag over the router limit',
      url: `/v2/default/app/manifests/${long(5000)}`,
      code: 'TAG_INVALID',
      detail: { Tag: long(5000) },
    },
    {
      name: 'a digest over the router limit',
      url: `/v2/default/app/blobs/sha256:${long(5000)}`,
      code: 'DIGEST_INVALID',
    },
  ]
  for (const c of cases) {
    for (const [scheme, authorization] of [
      ['Basic', BASIC],
      ['Bearer', `Bearer ${TOKEN}`],
    ] as const) {
      it(`answers 400 ${c.code} to ${c.name} (${scheme} credentials)`, async () => {
        const res = await fx.app.inject({ method: 'GET', url: c.url, headers: { authorization } })
        assert.equal(res.statusCode, 400, res.body)
        assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0')
        const [error] = res.json<{ errors: { code: string; detail: unknown }[] }>().errors
        assert.equal(error?.code, c.code, res.body)
        if (c.detail !== undefined) assert.deepEqual(error?.detail, c.detail)
      })
    }
  }

  it('answers an over-long name without credentials with the registry challenge, not a Status', async () => {
    const res = await fx.app.inject({ method: 'GET', url: `/v2/default/${long(5000)}/tags/list` })
    assert.equal(res.statusCode, 401, res.body)
    assert.equal(res.headers['www-authenticate'], 'Basic realm="imagestreams"')
    assert.equal(res.json<{ errors: { code: string }[] }>().errors[0]?.code, 'UNAUTHORIZED')
  })

  it('logs requests to the API and to /v2/ with query credentials redacted', async () => {
    const secret = 'SECRET-a1b2c3'
    const urls = [
      `/apis/image.openshift.io/v1/namespaces/default/imagestreams?access_token=${secret}`,
      `/v2/?access_token=${secret}&watch=true`,
      `/v2/default/app/tags/list?Token=${secret}`,
      `/api/v1/namespaces?password=${secret}&client_secret=${secret}`,
    ]
    for (const url of urls) {
      const res = await fx.request({ method: 'GET', url })
      assert.ok(res.statusCode < 500, res.body)
    }
    const text = fx.logs.join('')
    assert.ok(!text.includes(secret), text)
    assert.ok(text.includes('"url":"/v2/?access_token=REDACTED&watch=true"'), text)
    assert.ok(text.includes('imagestreams?access_token=REDACTED"'), text)
  })

  it('still answers the API with a Status for an over-long segment', async () => {
    const res = await fx.request({
      method: 'GET',
      url: `/apis/image.openshift.io/v1/namespaces/default/imagestreams/${long(5000)}`,
    })
    assert.equal(res.statusCode, 400, res.body)
    assert.equal(res.json<{ kind: string }>().kind, 'Status')
  })
})
