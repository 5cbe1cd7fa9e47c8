/**
 * The fieldManager parameter of every write, checked as apimachinery's ValidateFieldManager
 * does (at most 128 bytes, printable characters only) before anything is decoded or stored:
 * 422 CreateOptions, UpdateOptions or PatchOptions with one cause per problem. Deletes take no
 * field manager and ignore it.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, withImageStreamImports, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const G = '/apis/image.openshift.io/v1'
const IS = `${G}/namespaces/team-a/imagestreams`
const MERGE = 'application/merge-patch+json'
const APPLY = 'application/apply-patch+yaml'
const LONG = 'm'.repeat(129)
const TOO_LONG = 'fieldManager: Too long: may not be more than 128 bytes'
const stream = (name: string) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name },
})

interface Case {
  readonly name: string
  readonly method: 'POST' | 'PUT' | 'PATCH'
  readonly url: string
  readonly manager: string
  readonly body: unknown
  readonly contentType?: string
  readonly force?: boolean
  readonly message: string
}

const CASES: readonly Case[] = [
  {
    name: 'a create with 129 characters',
    method: 'POST',
    url: IS,
    manager: LONG,
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'a create with 65 two-byte characters (130 bytes)',
    method: 'POST',
    url: IS,
    manager: 'é'.repeat(65),
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'an update with 129 characters',
    method: 'PUT',
    url: `${IS}/ruby`,
    manager: LONG,
    body: stream('ruby'),
    message: `UpdateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'a merge patch with a tab',
    method: 'PATCH',
    url: `${IS}/ruby`,
    manager: 'my\tmanager',
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message:
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "my\\tmanager": invalid character U+0009 (at position 2)',
  },
  {
    name: 'an apply with 129 characters and a no-break space after a two-byte character',
    method: 'PATCH',
    url: `${IS}/ruby`,
    manager: `${'m'.repeat(126)}é\u00a0`,
    body: 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ruby\n',
    contentType: APPLY,
    message: `PatchOptions.meta.k8s.io "" is invalid: [${TOO_LONG}, fieldManager: Invalid value: "${'m'.repeat(126)}é\\u00a0": invalid character U+00A0 (at position 128)]`,
  },
  {
    name: 'a forced merge patch with 129 characters',
    method: 'PATCH',
    url: `${IS}/ruby`,
    manager: LONG,
    force: true,
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: [force: Forbidden: may not be specified for non-apply patch, ${TOO_LONG}]`,
  },
  {
    name: 'a merge patch of an image stream tag with 129 characters',
    method: 'PATCH',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    manager: LONG,
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
  {
    name: 'an image stream import with 129 characters',
    method: 'POST',
    url: `${G}/namespaces/team-a/imagestreamimports`,
    manager: LONG,
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImport',
      metadata: { name: 'ruby' },
      spec: { import: false },
    },
    message: `CreateOptions.meta.k8s.io "" is invalid: ${TOO_LONG}`,
  },
]

void describe('the fieldManager parameter', () => {
  let fx: Fixture
  let ruby: Json

  before(async () => {
    fx = await startFixture({}, withImageStreamImports)
    await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces',
      body: { metadata: { name: 'team-a' } },
    })
    const created = await fx.request({ method: 'POST', url: IS, body: stream('ruby') })
    assert.equal(created.statusCode, 201, created.body)
    ruby = created.json()
  })
  after(() => fx.close())

  for (const c of CASES) {
    void it(`${c.name}: 422 and nothing written`, async () => {
      const query = new URLSearchParams({ fieldManager: c.manager })
      if (c.force !== undefined) query.set('force', String(c.force))
      const res = await fx.request({
        method: c.method,
        url: `${c.url}?${query.toString()}`,
        body: c.body,
        ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
      })
      assert.equal(res.statusCode, 422, res.body)
      const status = res.json<Json>()
      assert.equal(status.reason, 'Invalid')
      assert.equal(status.message, c.message)
      assert.equal(status.details.group, 'meta.k8s.io')
      assert.ok(status.details.causes.some((cause: Json) => cause.field === 'fieldManager'))
      const list = await fx.request({ method: 'GET', url: IS })
      assert.deepEqual(
        list.json<Json>().items.map((s: Json) => [s.metadata.name, s.metadata.resourceVersion]),
        [['ruby', ruby.metadata.resourceVersion]],
      )
    })
  }

  void it('128 bytes of printable characters are recorded as the manager', async () => {
    const manager = `${'m'.repeat(124)}éé`
    const res = await fx.request({
      method: 'POST',
      url: `${IS}?fieldManager=${encodeURIComponent(manager)}`,
      body: { ...stream('kept'), spec: { lookupPolicy: { local: true } } },
    })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.json<Json>().metadata.managedFields[0].manager, manager)
  })

  void it('a delete ignores the parameter, as DeleteOptions have none', async () => {
    const res = await fx.request({ method: 'DELETE', url: `${IS}/kept?fieldManager=${LONG}` })
    assert.equal(res.statusCode, 200, res.body)
  })
})
