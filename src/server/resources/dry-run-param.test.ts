/**
 * The dryRun parameter of every write, checked as apimachinery's ValidateDryRun does (only
 * `All` exists) before anything is decoded or stored: 422 CreateOptions, UpdateOptions,
 * PatchOptions or DeleteOptions whose one cause echoes every value given as Go's %#v of the
 * list, together with the options' other problems.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, withImageStreamImports, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const G = '/apis/image.openshift.io/v1'
const IS = `${G}/namespaces/team-a/imagestreams`
const SECRETS = '/api/v1/namespaces/team-a/secrets'
const MERGE = 'application/merge-patch+json'
const APPLY = 'application/apply-patch+yaml'
const SUPPORTED = 'supported values: "All"'
const stream = (name: string) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name },
})

interface Case {
  readonly name: string
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  /** The query after `?`, dryRun values included. */
  readonly query: string
  readonly body?: unknown
  readonly contentType?: string
  readonly message: string
}

const CASES: readonly Case[] = [
  {
    name: 'a create with X',
    method: 'POST',
    url: IS,
    query: 'dryRun=X',
    body: stream('created'),
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a secret create with the lowercase all',
    method: 'POST',
    url: SECRETS,
    query: 'dryRun=all',
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'created' } },
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"all"}: ${SUPPORTED}`,
  },
  {
    name: 'an update with All and an empty value',
    method: 'PUT',
    url: `${IS}/ruby`,
    query: 'dryRun=All&dryRun=',
    body: stream('ruby'),
    message: `UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"All", ""}: ${SUPPORTED}`,
  },
  {
    name: 'a merge patch with a quote and a tab',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: `dryRun=${encodeURIComponent('a"\tb')}`,
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"a\\"\\tb"}: ${SUPPORTED}`,
  },
  {
    name: 'an apply without a field manager and with X',
    method: 'PATCH',
    url: `${IS}/ruby`,
    query: 'dryRun=X',
    body: 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ruby\n',
    contentType: APPLY,
    message: `PatchOptions.meta.k8s.io "" is invalid: [fieldManager: Required value: is required for apply patch, dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}]`,
  },
  {
    name: 'a merge patch of an image stream tag with X',
    method: 'PATCH',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    query: 'dryRun=X',
    body: { metadata: { labels: { a: 'b' } } },
    contentType: MERGE,
    message: `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'an image stream import with X',
    method: 'POST',
    url: `${G}/namespaces/team-a/imagestreamimports`,
    query: 'dryRun=X',
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImport',
      metadata: { name: 'ruby' },
      spec: { import: false },
    },
    message: `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete with X in the query',
    method: 'DELETE',
    url: `${IS}/ruby`,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete with X in the DeleteOptions body',
    method: 'DELETE',
    url: `${IS}/ruby`,
    query: '',
    body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['X'] },
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete of a collection with X',
    method: 'DELETE',
    url: IS,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
  {
    name: 'a delete of an image stream tag with X',
    method: 'DELETE',
    url: `${G}/namespaces/team-a/imagestreamtags/ruby:latest`,
    query: 'dryRun=X',
    message: `DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: ${SUPPORTED}`,
  },
]

void describe('the dryRun parameter', () => {
  let fx: Fixture
  let ruby: Json

  before(async () => {
    fx = await startFixture({}, withImageStreamImports)
    await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces',
      body: { metadata: { name: 'team-a' } },
    })
    const created = await fx.request({
      method: 'POST',
      url: IS,
      body: {
        ...stream('ruby'),
        spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'ruby:3' } }] },
      },
    })
    assert.equal(created.statusCode, 201, created.body)
    ruby = created.json()
  })
  after(() => fx.close())

  for (const c of CASES) {
    void it(`${c.name}: 422 and nothing written`, async () => {
      const res = await fx.request({
        method: c.method,
        url: c.query === '' ? c.url : `${c.url}?${c.query}`,
        ...(c.body === undefined ? {} : { body: c.body }),
        ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
      })
      assert.equal(res.statusCode, 422, res.body)
      const status = res.json<Json>()
      assert.equal(status.reason, 'Invalid')
      assert.equal(status.message, c.message)
      assert.equal(status.details.group, 'meta.k8s.io')
      const cause = status.details.causes.find((x: Json) => x.field === 'dryRun')
      assert.equal(cause?.reason, 'FieldValueNotSupported')
      const streams = await fx.request({ method: 'GET', url: IS })
      assert.deepEqual(
        streams.json<Json>().items.map((s: Json) => [s.metadata.name, s.metadata.resourceVersion]),
        [['ruby', ruby.metadata.resourceVersion]],
      )
      const secrets = await fx.request({ method: 'GET', url: SECRETS })
      assert.deepEqual(secrets.json<Json>().items, [])
    })
  }

  void it('All is still a dry run', async () => {
    const res = await fx.request({ method: 'POST', url: `${IS}?dryRun=All`, body: stream('tried') })
    assert.equal(res.statusCode, 201, res.body)
    const gone = await fx.request({ method: 'GET', url: `${IS}/tried` })
    assert.equal(gone.statusCode, 404, gone.body)
  })
})
