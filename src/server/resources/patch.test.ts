/**
 * PATCH through a real server and store: each patch type (merge, JSON, strategic, apply),
 * no-op patches that keep the resourceVersion (kubectl's `patched (no change)`), dry runs,
 * preconditions, the `/status` subresource, and the errors kubectl prints.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const IS = `${G}/namespaces/team-a/imagestreams`
const RUBY = `${IS}/ruby`
const MERGE = 'application/merge-patch+json'
const JSON_PATCH = 'application/json-patch+json'
const SMP = 'application/strategic-merge-patch+json'
const APPLY = 'application/apply-patch+yaml'
const DIGEST = `sha256:${'1'.repeat(64)}`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

describe('PATCH', () => {
  let fx: Fixture
  let ruby: Json
  const patch = (url: string, contentType: string, body: unknown) =>
    fx.request({ method: 'PATCH', url, contentType, body })

  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
  })
  after(() => fx.close())
  beforeEach(async () => {
    await fx.request({ method: 'DELETE', url: RUBY })
    const res = await fx.request({
      method: 'POST',
      url: IS,
      body: {
        metadata: { name: 'ruby', labels: { app: 'ruby' } },
        spec: {
          tags: [
            { name: '3.1', from: { kind: 'DockerImage', name: 'quay.io/r/ruby:3.1' } },
            { name: '3.2', from: { kind: 'DockerImage', name: 'quay.io/r/ruby:3.2' } },
          ],
        },
      },
    })
    assert.equal(res.statusCode, 201, res.body)
    ruby = res.json()
  })

  const changes: [string, string, unknown, (o: Json) => void][] = [
    [
      'merge patch',
      MERGE,
      { metadata: { labels: { team: 'a' } } },
      (o) => assert.deepEqual(o.metadata.labels, { app: 'ruby', team: 'a' }),
    ],
    [
      'merge patch deleting a label with null',
      MERGE,
      { metadata: { labels: { app: null } } },
      (o) => assert.equal(o.metadata.labels, undefined),
    ],
    [
      'merge patch replacing the tag list',
      MERGE,
      { spec: { tags: [{ name: '4', from: { kind: 'DockerImage', name: 'r/x:4' } }] } },
      (o) =>
        assert.deepEqual(
          o.spec.tags.map((t: Json) => t.name),
          ['4'],
        ),
    ],
    [
      'JSON patch',
      JSON_PATCH,
      [{ op: 'add', path: '/metadata/labels/team', value: 'a' }],
      (o) => assert.equal(o.metadata.labels.team, 'a'),
    ],
    [
      'strategic merge patch by tag name',
      SMP,
      { spec: { tags: [{ name: '3.1', from: { name: 'quay.io/r/ruby:3.1.1' } }] } },
      (o) => {
        assert.deepEqual(
          o.spec.tags.map((t: Json) => [t.name, t.from.name, t.generation]),
          [
            ['3.1', 'quay.io/r/ruby:3.1.1', 2],
            ['3.2', 'quay.io/r/ruby:3.2', 1],
          ],
        )
        assert.equal(o.metadata.generation, 2)
      },
    ],
    [
      'strategic merge patch deleting a tag',
      SMP,
      { spec: { tags: [{ $patch: 'delete', name: '3.2' }] } },
      (o) =>
        assert.deepEqual(
          o.spec.tags.map((t: Json) => t.name),
          ['3.1'],
        ),
    ],
    [
      'apply (merge of the applied configuration)',
      APPLY,
      {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'ruby' },
        spec: { lookupPolicy: { local: true } },
      },
      (o) => {
        assert.equal(o.spec.lookupPolicy.local, true)
        assert.equal(o.spec.tags.length, 2)
      },
    ],
  ]
  for (const [name, type, body, check] of changes) {
    it(`${name}: 200 with the change, a new resourceVersion; the same patch again changes nothing`, async () => {
      const url =
        type === APPLY ? `${RUBY}?fieldManager=kubectl` : `${RUBY}?fieldManager=kubectl-patch`
      const res = await patch(url, type, body)
      assert.equal(res.statusCode, 200, res.body)
      const patched = res.json<Json>()
      check(patched)
      assert.notEqual(patched.metadata.resourceVersion, ruby.metadata.resourceVersion)
      assert.equal(patched.status.dockerImageRepository, 'registry.test:5000/team-a/ruby')
      if (type !== JSON_PATCH) {
        const again = await patch(url, type, body)
        assert.equal(again.statusCode, 200)
        assert.equal(again.json().metadata.resourceVersion, patched.metadata.resourceVersion)
      }
    })
  }

  it('a no-op patch keeps the resourceVersion (kubectl prints "patched (no change)")', async () => {
    const res = await patch(RUBY, MERGE, { metadata: { labels: { app: 'ruby' } } })
    assert.deepEqual(res.json(), ruby)
  })

  it('apply of an absent object creates it (201); apply needs a fieldManager', async () => {
    const yaml =
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: applied\nspec:\n  lookupPolicy:\n    local: true\n'
    const created = await patch(`${IS}/applied?fieldManager=kubectl&force=false`, APPLY, yaml)
    assert.equal(created.statusCode, 201, created.body)
    assert.equal(created.json().metadata.generation, 1)
    assert.equal(created.json().metadata.namespace, 'team-a')
    const refused = await patch(`${IS}/applied`, APPLY, yaml)
    assert.equal(refused.statusCode, 422)
    assert.equal(
      refused.json().message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    )
    const misnamed = await patch(`${IS}/applied?fieldManager=x`, APPLY, {
      metadata: { name: 'other' },
    })
    assert.equal(misnamed.statusCode, 400)
  })

  it('a dry-run patch returns the result without storing it', async () => {
    const res = await patch(`${RUBY}?dryRun=All`, MERGE, { metadata: { labels: { dry: 'run' } } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.json().metadata.labels.dry, 'run')
    assert.equal(res.json().metadata.resourceVersion, ruby.metadata.resourceVersion)
    assert.deepEqual((await fx.request({ method: 'GET', url: RUBY })).json(), ruby)
  })

  it('a resourceVersion in the patch is a precondition (409)', async () => {
    const res = await patch(RUBY, MERGE, { metadata: { resourceVersion: '1', labels: { x: 'y' } } })
    assert.equal(res.statusCode, 409)
    assert.equal(res.json().reason, 'Conflict')
  })

  it('a JSON patch that does not apply is 422 without details', async () => {
    const res = await patch(RUBY, JSON_PATCH, [{ op: 'remove', path: '/metadata/labels/nope' }])
    assert.equal(res.statusCode, 422)
    assert.deepEqual(res.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'unable to remove nonexistent key: nope',
      reason: 'Invalid',
      code: 422,
    })
  })

  const refusals: [string, string, unknown, number][] = [
    ['renaming through a patch', MERGE, { metadata: { name: 'other' } }, 400],
    ['an invalid result', MERGE, { spec: { tags: [{ name: 'Bad Tag' }] } }, 422],
    [
      'a strategic element without its merge key',
      SMP,
      { spec: { tags: [{ from: { name: 'x' } }] } },
      400,
    ],
    ['a changed kind', MERGE, { kind: 'Secret' }, 400],
  ]
  for (const [name, type, body, code] of refusals) {
    it(`${code} for ${name}`, async () => {
      const res = await patch(RUBY, type, body)
      assert.equal(res.statusCode, code, res.body)
    })
  }

  it('unknown fields in a patch: 400 with Strict, a warning otherwise', async () => {
    const strict = await patch(`${RUBY}?fieldValidation=Strict`, MERGE, { spec: { bogus: 1 } })
    assert.equal(strict.statusCode, 400)
    assert.match(strict.json().message, /strict decoding error: unknown field "spec.bogus"/)
    const warn = await patch(RUBY, MERGE, { spec: { bogus: 1 } })
    assert.equal(warn.statusCode, 200)
    assert.deepEqual([warn.headers.warning].flat(), ['299 - "unknown field \\"spec.bogus\\""'])
  })

  it('a patch of a missing object is 404', async () => {
    const res = await patch(`${IS}/nope`, MERGE, {})
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().message, 'imagestreams.image.openshift.io "nope" not found')
  })

  it('status belongs to /status: the main resource ignores it, /status ignores everything else', async () => {
    const status = {
      tags: [
        {
          tag: '3.1',
          items: [
            {
              created: '2026-01-01T00:00:00Z',
              dockerImageReference: `quay.io/r/ruby@${DIGEST}`,
              image: DIGEST,
              generation: 1,
            },
          ],
        },
      ],
    }
    const main = await patch(RUBY, MERGE, { status })
    assert.equal(main.json().status.tags, undefined)
    const sub = await patch(`${RUBY}/status`, MERGE, {
      status,
      spec: { lookupPolicy: { local: true } },
      metadata: { labels: { x: 'y' } },
    })
    assert.equal(sub.statusCode, 200, sub.body)
    assert.deepEqual(sub.json().status.tags, status.tags)
    assert.equal(sub.json().spec.lookupPolicy.local, false)
    assert.equal(sub.json().metadata.labels.x, undefined)
    assert.equal(sub.json().metadata.generation, 1)
    const get = await fx.request({ method: 'GET', url: `${RUBY}/status` })
    assert.deepEqual(get.json(), sub.json())
    const put = await fx.request({
      method: 'PUT',
      url: `${RUBY}/status`,
      body: { ...sub.json<Json>(), status: {} },
    })
    assert.equal(put.statusCode, 200)
    assert.deepEqual(put.json().status, { dockerImageRepository: 'registry.test:5000/team-a/ruby' })
  })

  it('core kinds: SMP merges ServiceAccount secrets by name; Secret stringData patches data', async () => {
    const sa = await patch('/api/v1/namespaces/team-a/serviceaccounts/default', SMP, {
      secrets: [{ name: 'a' }],
    })
    assert.equal(sa.statusCode, 200, sa.body)
    const sa2 = await patch('/api/v1/namespaces/team-a/serviceaccounts/default', SMP, {
      secrets: [{ name: 'b' }],
    })
    // As the apiserver orders it: the patch's element first, the server's after it.
    assert.deepEqual(sa2.json().secrets, [{ name: 'b' }, { name: 'a' }])
    await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces/team-a/secrets',
      body: { metadata: { name: 's' }, stringData: { a: 'one' } },
    })
    const secret = await patch('/api/v1/namespaces/team-a/secrets/s', SMP, {
      stringData: { a: null, b: 'two' },
    })
    assert.deepEqual(secret.json().data, { a: 'b25l', b: 'dHdv' })
  })
})
