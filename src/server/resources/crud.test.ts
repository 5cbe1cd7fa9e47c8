/**
 * The generic handlers through a real server and SQLite store (inject): create, get, list,
 * replace and delete for every stored kind, their Status errors word for word, dry runs, field
 * validation, namespaces and their default service accounts, and 405/415 for what discovery
 * does not offer.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { setImmediate } from 'node:timers/promises'
import type { ImageStream } from '../../api/index.js'
import { objectKey } from '../../storage/index.js'
import { startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const DIGEST = `sha256:${'a'.repeat(64)}`

interface Kind {
  readonly name: string
  readonly collection: string
  readonly item: string
  readonly notFound: string
  readonly body: Record<string, unknown>
  /** A change a PUT may make. */
  readonly change: (o: Record<string, unknown>) => Record<string, unknown>
  /** What a DELETE answers, as the kind's upstream store: the object or a Success Status. */
  readonly deleteAnswers: 'object' | 'status'
}

const labelled = (o: Record<string, unknown>) => ({
  ...o,
  metadata: { ...(o.metadata as object), labels: { edited: 'yes' } },
})

const KINDS: Kind[] = [
  {
    name: 'namespaces',
    collection: '/api/v1/namespaces',
    item: '/api/v1/namespaces/crud-ns',
    notFound: 'namespaces "crud-ns" not found',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crud-ns' } },
    change: labelled,
    deleteAnswers: 'object',
  },
  {
    name: 'secrets',
    collection: '/api/v1/namespaces/team-a/secrets',
    item: '/api/v1/namespaces/team-a/secrets/s1',
    notFound: 'secrets "s1" not found',
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, stringData: { a: 'b' } },
    change: labelled,
    deleteAnswers: 'status',
  },
  {
    name: 'serviceaccounts',
    collection: '/api/v1/namespaces/team-a/serviceaccounts',
    item: '/api/v1/namespaces/team-a/serviceaccounts/robot',
    notFound: 'serviceaccounts "robot" not found',
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } },
    change: (o) => ({ ...o, secrets: [{ name: 's1' }] }),
    deleteAnswers: 'object',
  },
  {
    name: 'imagestreams',
    collection: `${G}/namespaces/team-a/imagestreams`,
    item: `${G}/namespaces/team-a/imagestreams/ruby`,
    notFound: 'imagestreams.image.openshift.io "ruby" not found',
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'ruby' },
      spec: { tags: [{ name: '3.1', from: { kind: 'DockerImage', name: 'quay.io/r/ruby:3.1' } }] },
    },
    change: labelled,
    deleteAnswers: 'status',
  },
  {
    name: 'images',
    collection: `${G}/images`,
    item: `${G}/images/${DIGEST}`,
    notFound: `images.image.openshift.io "${DIGEST}" not found`,
    body: {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name: DIGEST },
      dockerImageReference: `quay.io/r/ruby@${DIGEST}`,
    },
    change: labelled,
    deleteAnswers: 'status',
  },
]

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

/** goneAfterTermination GETs `url` until it is 404, yielding to the background namespace cleanup. */
async function goneAfterTermination(fx: Fixture, url: string) {
  for (let i = 0; ; i++) {
    const res = await fx.request({ method: 'GET', url })
    if (res.statusCode === 404 || i > 10_000) return res
    await setImmediate()
  }
}

/** nameOf is the group and resource a kind's URL names. */
function nameOf(kind: Kind): { group: string; resource: string } {
  const group = kind.collection.startsWith(G) ? 'image.openshift.io' : ''
  return { group, resource: kind.name }
}

describe('stored resources: CRUD through the API', () => {
  let fx: Fixture

  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
  })
  after(() => fx.close())

  for (const kind of KINDS) {
    describe(kind.name, () => {
      let created: Json
      it('POST creates (201) with server-set uid, creationTimestamp and resourceVersion', async () => {
        const res = await fx.request({ method: 'POST', url: kind.collection, body: kind.body })
        assert.equal(res.statusCode, 201, res.body)
        created = res.json()
        assert.equal(created.kind, kind.body.kind)
        assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/)
        assert.equal(created.metadata.creationTimestamp, '2026-01-01T00:00:00Z')
        assert.match(created.metadata.resourceVersion, /^\d+$/)
      })
      it('POST again is 409 AlreadyExists', async () => {
        const res = await fx.request({ method: 'POST', url: kind.collection, body: kind.body })
        assert.equal(res.statusCode, 409)
        assert.equal(res.json().reason, 'AlreadyExists')
        assert.equal(res.json().message, kind.notFound.replace('not found', 'already exists'))
      })
      it('GET returns it', async () => {
        const res = await fx.request({ method: 'GET', url: kind.item })
        assert.equal(res.statusCode, 200)
        assert.deepEqual(res.json(), created)
      })
      it('LIST has it, with a list resourceVersion at least its own', async () => {
        const res = await fx.request({ method: 'GET', url: kind.collection })
        assert.equal(res.statusCode, 200)
        const list = res.json<Json>()
        assert.equal(list.kind, `${String(kind.body.kind)}List`)
        assert.ok(list.items.some((i: Json) => i.metadata.uid === created.metadata.uid))
        assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata.resourceVersion))
      })
      it('PUT with a stale resourceVersion is 409 Conflict in the apiserver’s words', async () => {
        const stale = {
          ...kind.change(created),
          metadata: { ...(kind.change(created).metadata as Json), resourceVersion: '1' },
        }
        const res = await fx.request({ method: 'PUT', url: kind.item, body: stale })
        assert.equal(res.statusCode, 409)
        const name = kind.notFound.replace(/ not found$/, '')
        assert.equal(
          res.json().message,
          `Operation cannot be fulfilled on ${name}: the object has been modified; please apply your changes to the latest version and try again`,
        )
      })
      it('PUT replaces; an unchanged PUT keeps the resourceVersion', async () => {
        const res = await fx.request({ method: 'PUT', url: kind.item, body: kind.change(created) })
        assert.equal(res.statusCode, 200, res.body)
        const updated = res.json<Json>()
        assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion)
        assert.equal(updated.metadata.creationTimestamp, created.metadata.creationTimestamp)
        const again = await fx.request({ method: 'PUT', url: kind.item, body: updated })
        assert.equal(again.json().metadata.resourceVersion, updated.metadata.resourceVersion)
      })
      it('DELETE dry-run (in the body) keeps it', async () => {
        const res = await fx.request({
          method: 'DELETE',
          url: kind.item,
          body: { dryRun: ['All'] },
        })
        assert.equal(res.statusCode, 200)
        assert.equal((await fx.request({ method: 'GET', url: kind.item })).statusCode, 200)
      })
      it(`DELETE answers the deleted ${kind.deleteAnswers}; then GET is 404 with the apiserver’s message`, async () => {
        const res = await fx.request({
          method: 'DELETE',
          url: kind.item,
          body: { propagationPolicy: 'Background' },
        })
        assert.equal(res.statusCode, 200, res.body)
        if (kind.deleteAnswers === 'object') {
          assert.equal(res.json().metadata.uid, created.metadata.uid)
        } else {
          const { group, resource } = nameOf(kind)
          assert.deepEqual(res.json(), {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: {
              name: created.metadata.name,
              ...(group ? { group } : {}),
              kind: resource,
              uid: created.metadata.uid,
            },
          })
        }
        const gone = await goneAfterTermination(fx, kind.item)
        assert.equal(gone.statusCode, 404)
        assert.equal(gone.json().reason, 'NotFound')
        assert.equal(gone.json().message, kind.notFound)
      })
      it('PUT and DELETE of a missing object are 404', async () => {
        assert.equal(
          (await fx.request({ method: 'PUT', url: kind.item, body: kind.body })).statusCode,
          404,
        )
        assert.equal((await fx.request({ method: 'DELETE', url: kind.item })).statusCode, 404)
      })
      it('POST with dryRun=All validates and returns without writing', async () => {
        const res = await fx.request({
          method: 'POST',
          url: `${kind.collection}?dryRun=All`,
          body: kind.body,
        })
        assert.equal(res.statusCode, 201, res.body)
        assert.equal(res.json().metadata.resourceVersion, undefined)
        assert.equal((await fx.request({ method: 'GET', url: kind.item })).statusCode, 404)
      })
    })
  }
})

describe('stored resources: admission rules', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
  })
  after(() => fx.close())
  const post = (url: string, body: unknown, contentType?: string) =>
    fx.request({ method: 'POST', url, body, ...(contentType ? { contentType } : {}) })
  const gone = (url: string) => goneAfterTermination(fx, url)
  const IS = `${G}/namespaces/team-a/imagestreams`

  it('the default namespace and its default service account exist from the start', async () => {
    const ns = await fx.request({ method: 'GET', url: '/api/v1/namespaces/default' })
    assert.equal(ns.statusCode, 200)
    // Shaped as a namespace created through the API: labelled, Active, with the server's finalizer.
    assert.deepEqual(ns.json().metadata.labels, { 'kubernetes.io/metadata.name': 'default' })
    assert.deepEqual(ns.json().spec, { finalizers: ['kubernetes'] })
    assert.deepEqual(ns.json().status, { phase: 'Active' })
    const sa = await fx.request({
      method: 'GET',
      url: '/api/v1/namespaces/default/serviceaccounts/default',
    })
    assert.equal(sa.statusCode, 200)
  })

  it('a new namespace gets a default service account, labelled and Active', async () => {
    const res = await post('/api/v1/namespaces', { metadata: { name: 'team-b' } })
    assert.deepEqual(res.json().metadata.labels, { 'kubernetes.io/metadata.name': 'team-b' })
    assert.equal(res.json().status.phase, 'Active')
    const sa = await fx.request({
      method: 'GET',
      url: '/api/v1/namespaces/team-b/serviceaccounts/default',
    })
    assert.equal(sa.statusCode, 200)
  })

  it('a deleted namespace terminates, refuses new content, empties and goes; default may not be deleted', async () => {
    // A finalizer of its own keeps the namespace terminating until a patch removes it.
    await post('/api/v1/namespaces', {
      metadata: { name: 'doomed', finalizers: ['example.com/hold'] },
    })
    await post(`${G}/namespaces/doomed/imagestreams`, { metadata: { name: 'x' } })
    await post('/api/v1/namespaces/doomed/secrets', { metadata: { name: 'x' } })
    const res = await fx.request({ method: 'DELETE', url: '/api/v1/namespaces/doomed' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.json().status.phase, 'Terminating')
    assert.equal(res.json().metadata.deletionTimestamp, '2026-01-01T00:00:00Z')
    assert.deepEqual(res.json().spec.finalizers, ['kubernetes'])
    const refused = await post('/api/v1/namespaces/doomed/secrets', { metadata: { name: 'y' } })
    assert.equal(refused.statusCode, 403)
    assert.deepEqual(refused.json().details, {
      name: 'y',
      kind: 'secrets',
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: 'namespace doomed is being terminated',
          field: 'metadata.namespace',
        },
      ],
    })
    assert.equal(
      refused.json().message,
      'secrets "y" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    )
    const contents = [
      `${G}/namespaces/doomed/imagestreams/x`,
      '/api/v1/namespaces/doomed/secrets/x',
      '/api/v1/namespaces/doomed/serviceaccounts/default',
    ]
    for (const url of contents) assert.equal((await gone(url)).statusCode, 404, url)
    const held = await fx.request({ method: 'GET', url: '/api/v1/namespaces/doomed' })
    assert.equal(held.json().status.phase, 'Terminating')
    assert.deepEqual(held.json().spec.finalizers, [])
    const released = await fx.request({
      method: 'PATCH',
      url: '/api/v1/namespaces/doomed',
      contentType: 'application/merge-patch+json',
      body: { metadata: { finalizers: null } },
    })
    assert.equal(released.statusCode, 200, released.body)
    assert.equal((await gone('/api/v1/namespaces/doomed')).statusCode, 404)
    const forbidden = await fx.request({ method: 'DELETE', url: '/api/v1/namespaces/default' })
    assert.equal(forbidden.statusCode, 403)
    assert.equal(
      forbidden.json().message,
      'namespaces "default" is forbidden: this namespace may not be deleted',
    )
  })

  it('creating in a missing namespace is 404 namespaces "x" not found', async () => {
    const res = await post(`${G}/namespaces/nope/imagestreams`, { metadata: { name: 'x' } })
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().message, 'namespaces "nope" not found')
  })

  const badRequests: [string, string, unknown, RegExp][] = [
    [
      'a namespace that differs from the URL',
      IS,
      { metadata: { name: 'x', namespace: 'other' } },
      /^the namespace of the provided object does not match the namespace sent on the request$/,
    ],
    [
      'a kind that differs from the URL',
      IS,
      { kind: 'Secret', metadata: { name: 'x' } },
      /the kind in the data \(Secret\) does not match the expected kind \(ImageStream\)/,
    ],
    [
      'an apiVersion that differs from the URL',
      IS,
      { apiVersion: 'v1', metadata: { name: 'x' } },
      /^the API version in the data \(v1\) does not match the expected API version \(image.openshift.io\/v1\)$/,
    ],
    [
      'a field of the wrong type',
      IS,
      { metadata: { name: 'x' }, spec: { tags: 'no' } },
      /^ImageStream in version "v1" cannot be handled as a ImageStream: spec.tags: /,
    ],
    [
      'unknown fields with fieldValidation=Strict',
      `${IS}?fieldValidation=Strict`,
      { metadata: { name: 'x' }, bogusTopLevel: 1, spec: { bogus: 2 } },
      /^ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "bogusTopLevel", unknown field "spec.bogus"$/,
    ],
    [
      'a repeated key with fieldValidation=Strict',
      `${IS}?fieldValidation=Strict`,
      '{"metadata":{"name":"x","name":"y"}}',
      /strict decoding error: duplicate field "metadata.name"$/,
    ],
    ['a body that is not an object', IS, [1, 2], /cannot be handled as a ImageStream/],
  ]
  for (const [name, url, body, message] of badRequests) {
    it(`400 for ${name}`, async () => {
      const res = await post(url, body)
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(res.json().reason, 'BadRequest')
      assert.match(res.json().message, message)
    })
  }

  it('unknown fields are dropped with a Warning header by default (Warn)', async () => {
    const res = await post(IS, { metadata: { name: 'warned' }, bogusTopLevel: 1 })
    assert.equal(res.statusCode, 201)
    assert.deepEqual([res.headers.warning].flat(), ['299 - "unknown field \\"bogusTopLevel\\""'])
    assert.equal(res.json().bogusTopLevel, undefined)
    const ignored = await post(`${IS}?fieldValidation=Ignore`, {
      metadata: { name: 'ignored' },
      bogus: 1,
    })
    assert.equal(ignored.statusCode, 201)
    assert.equal(ignored.headers.warning, undefined)
  })

  it('422 Invalid lists every cause, as kubectl prints them', async () => {
    const res = await post(IS, {
      metadata: { name: 'Bad_Name' },
      spec: { tags: [{ from: { kind: 'DockerImage', name: 'x' } }] },
    })
    assert.equal(res.statusCode, 422)
    const status = res.json<Json>()
    assert.equal(status.reason, 'Invalid')
    assert.deepEqual(status.details.kind, 'ImageStream')
    assert.equal(status.details.group, 'image.openshift.io')
    const fields = (status.details.causes as Json[]).map((c) => `${c.reason} ${c.field}`)
    assert.ok(fields.includes('FieldValueRequired spec.tags[0].name'), fields.join('\n'))
    assert.ok(
      fields.some((f) => f.startsWith('FieldValueInvalid metadata.name')),
      fields.join('\n'),
    )
    assert.match(status.message, /^ImageStream.image.openshift.io "Bad_Name" is invalid: \[/)
  })

  it('an import mode other than Legacy or PreserveOriginal is 422 naming the field', async () => {
    const res = await post(IS, {
      metadata: { name: 'modes' },
      spec: {
        tags: [
          {
            name: 'a',
            from: { kind: 'DockerImage', name: 'r/a:1' },
            importPolicy: { importMode: 'Fancy' },
          },
        ],
      },
    })
    assert.equal(res.statusCode, 422)
    assert.equal(res.json().details.causes[0].field, 'spec.tags[a].importPolicy.importMode')
  })

  it('spec and status tags are stored sorted by name, whatever order they came in', async () => {
    const tag = (name: string) => ({
      name,
      reference: true,
      from: { kind: 'DockerImage', name: `r/a:${name}` },
    })
    const res = await post(IS, {
      metadata: { name: 'ordered' },
      spec: { tags: [tag('z'), tag('a'), tag('m')] },
    })
    assert.equal(res.statusCode, 201, res.body)
    const stored = await fx.store.get<ImageStream>(objectKey('imagestreams', 'ordered', 'team-a'))
    assert.deepEqual(
      stored.spec?.tags?.map((t) => t.name),
      ['a', 'm', 'z'],
    )
    assert.deepEqual(
      stored.status?.tags?.map((t) => t.tag),
      ['a', 'm', 'z'],
    )
  })

  it('spec tags get the server’s default import mode', async () => {
    const custom = await startFixture({ defaultImportMode: 'PreserveOriginal' })
    try {
      const res = await custom.request({
        method: 'POST',
        url: `${G}/namespaces/default/imagestreams`,
        body: {
          metadata: { name: 'x' },
          spec: { tags: [{ name: 'a', from: { kind: 'DockerImage', name: 'r/a:1' } }] },
        },
      })
      assert.equal(res.json().spec.tags[0].importPolicy.importMode, 'PreserveOriginal')
    } finally {
      await custom.close()
    }
  })

  it('generateName appends five characters', async () => {
    const res = await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { generateName: 'gen-' },
    })
    assert.equal(res.statusCode, 201)
    assert.match(res.json().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  it('a Secret: stringData merges into data, type defaults to Opaque', async () => {
    const res = await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { name: 'sd' },
      data: { x: 'eQ==' },
      stringData: { a: 'b' },
    })
    assert.deepEqual(res.json().data, { x: 'eQ==', a: 'Yg==' })
    assert.equal(res.json().stringData, undefined)
    assert.equal(res.json().type, 'Opaque')
  })

  it('a kubernetes.io/dockerconfigjson Secret must hold JSON (422, contents redacted)', async () => {
    const res = await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { name: 'bad' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': '' },
    })
    assert.equal(res.statusCode, 422)
    assert.match(
      res.json().message,
      /data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>"/,
    )
  })

  it('kubectl 1.32 protobuf bodies create Secrets (type "" becomes Opaque)', async () => {
    interface Case {
      name: string
      path: string
      protobufHex: string
    }
    const data = JSON.parse(
      readFileSync(new URL('../protobuf/testdata/kubectl-bodies.json', import.meta.url), 'utf8'),
    ) as { cases: Case[] }
    const c = data.cases.find((x) => x.name === 'secret-generic')!
    await post('/api/v1/namespaces', { metadata: { name: 'ns1' } })
    const res = await fx.request({
      method: 'POST',
      url: `${c.path}?fieldManager=kubectl-create&fieldValidation=Strict`,
      body: Buffer.from(c.protobufHex, 'hex'),
      contentType: 'application/vnd.kubernetes.protobuf',
      accept: 'application/vnd.kubernetes.protobuf,application/json',
    })
    assert.equal(res.statusCode, 201, res.body)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    assert.equal(res.json().type, 'Opaque')
    assert.deepEqual(res.json().data, { a: 'Yg==', c: 'ZA==' })
  })

  it('an Image is immutable but for its metadata', async () => {
    const url = `${G}/images/${DIGEST}`
    const created = await post(`${G}/images`, {
      metadata: { name: DIGEST },
      dockerImageReference: `r/x@${DIGEST}`,
      dockerImageManifest: '{"big":1}',
    })
    assert.equal(created.statusCode, 201, created.body)
    const image = created.json<Json>()
    assert.equal(image.dockerImageManifest, undefined, 'the raw manifest is never stored')
    const changed = await fx.request({
      method: 'PUT',
      url,
      body: { ...created.json<Json>(), dockerImageReference: `r/y@${DIGEST}` },
    })
    assert.equal(changed.statusCode, 422)
    assert.equal(changed.json().details.causes[0].field, 'dockerImageReference')
    const labelled = await fx.request({
      method: 'PUT',
      url,
      body: { ...image, metadata: { ...image.metadata, labels: { a: 'b' } } },
    })
    assert.equal(labelled.statusCode, 200, labelled.body)
  })

  it('a name in the body must match the URL', async () => {
    const res = await fx.request({
      method: 'PUT',
      url: '/api/v1/namespaces/team-a/secrets/sd',
      body: { metadata: { name: 'other' } },
    })
    assert.equal(res.statusCode, 400)
    assert.equal(
      res.json().message,
      'the name of the object (other) does not match the name on the URL (sd)',
    )
  })

  it('DELETE preconditions are checked', async () => {
    await post('/api/v1/namespaces/team-a/secrets', { metadata: { name: 'pre' } })
    const res = await fx.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/team-a/secrets/pre',
      body: { preconditions: { uid: 'nope' } },
    })
    assert.equal(res.statusCode, 409)
    assert.match(
      res.json().message,
      /^Operation cannot be fulfilled on secrets "pre": Precondition failed: UID in precondition: nope, UID in object meta: /,
    )
    const query = await fx.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/team-a/secrets/pre?dryRun=All',
    })
    assert.equal(query.statusCode, 200)
    assert.equal(
      (await fx.request({ method: 'GET', url: '/api/v1/namespaces/team-a/secrets/pre' }))
        .statusCode,
      200,
    )
  })

  it('DELETE of a collection deletes what the selector selects', async () => {
    await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { name: 'l1', labels: { batch: 'x' } },
    })
    await post('/api/v1/namespaces/team-a/secrets', {
      metadata: { name: 'l2', labels: { batch: 'x' } },
    })
    const res = await fx.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/team-a/secrets?labelSelector=batch%3Dx',
    })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(
      res.json().items.map((i: Json) => i.metadata.name),
      ['l1', 'l2'],
    )
    assert.equal(
      (await fx.request({ method: 'GET', url: '/api/v1/namespaces/team-a/secrets/l1' })).statusCode,
      404,
    )
  })
})

describe('stored resources: lists', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    for (const ns of ['a', 'b']) {
      await fx.request({
        method: 'POST',
        url: '/api/v1/namespaces',
        body: { metadata: { name: ns } },
      })
      for (const name of ['one', 'two', 'three']) {
        await fx.request({
          method: 'POST',
          url: `${G}/namespaces/${ns}/imagestreams`,
          body: { metadata: { name, labels: { app: name === 'one' ? 'node' : 'ruby' } } },
        })
      }
    }
  })
  after(() => fx.close())
  const names = async (url: string) => {
    const res = await fx.request({ method: 'GET', url })
    assert.equal(res.statusCode, 200, res.body)
    return (res.json().items as Json[]).map(
      (i) => `${String(i.metadata.namespace)}/${String(i.metadata.name)}`,
    )
  }

  const cases: [string, string, string[]][] = [
    ['a namespace', `${G}/namespaces/a/imagestreams`, ['a/one', 'a/three', 'a/two']],
    [
      'all namespaces',
      `${G}/imagestreams`,
      ['a/one', 'a/three', 'a/two', 'b/one', 'b/three', 'b/two'],
    ],
    ['labelSelector=', `${G}/imagestreams?labelSelector=app%3Dnode`, ['a/one', 'b/one']],
    [
      'labelSelector notin',
      `${G}/namespaces/b/imagestreams?labelSelector=app+notin+(node)`,
      ['b/three', 'b/two'],
    ],
    [
      'fieldSelector metadata.name',
      `${G}/imagestreams?fieldSelector=metadata.name%3Dtwo`,
      ['a/two', 'b/two'],
    ],
    [
      'fieldSelector metadata.namespace',
      `${G}/imagestreams?fieldSelector=metadata.namespace%3Db`,
      ['b/one', 'b/three', 'b/two'],
    ],
  ]
  for (const [name, url, want] of cases)
    it(name, async () => assert.deepEqual(await names(url), want))

  it('pages with limit and continue', async () => {
    const first = (
      await fx.request({ method: 'GET', url: `${G}/imagestreams?limit=4` })
    ).json<Json>()
    assert.equal(first.items.length, 4)
    assert.equal(first.metadata.remainingItemCount, 2)
    const token = encodeURIComponent(String(first.metadata.continue))
    const rest = (
      await fx.request({ method: 'GET', url: `${G}/imagestreams?limit=4&continue=${token}` })
    ).json<Json>()
    assert.deepEqual(
      rest.items.map((i: Json) => i.metadata.name),
      ['three', 'two'],
    )
    assert.equal(rest.metadata.continue, undefined)
  })

  const bad: [string, string][] = [
    ['an unsupported field selector', `${G}/imagestreams?fieldSelector=spec.x%3D1`],
    ['a malformed label selector', `${G}/imagestreams?labelSelector=a%3D%3D%3Db`],
    ['a malformed limit', `${G}/imagestreams?limit=ten`],
    ['a bad continue token', `${G}/imagestreams?continue=garbage!`],
  ]
  for (const [name, url] of bad) {
    it(`400 for ${name}`, async () => {
      const res = await fx.request({ method: 'GET', url })
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(res.json().kind, 'Status')
    })
  }
})

describe('routing: verbs discovery does not list, and media types', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
  })
  after(() => fx.close())

  const notAllowed: [string, 'GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?][] = [
    ['list imagestreamimages', 'GET', `${G}/namespaces/default/imagestreamimages`],
    [
      'create imagestreamimages',
      'POST',
      `${G}/namespaces/default/imagestreamimages`,
      { metadata: { name: 'a@b' } },
    ],
    ['watch imagestreamtags', 'GET', `${G}/namespaces/default/imagestreamtags?watch=true`],
    ['deletecollection namespaces', 'DELETE', '/api/v1/namespaces'],
    ['POST to an item', 'POST', '/api/v1/namespaces/default/secrets/x', {}],
    ['PUT to a collection', 'PUT', '/api/v1/namespaces/default/secrets', {}],
    ['create across all namespaces', 'POST', `${G}/imagestreams`, { metadata: { name: 'x' } }],
    ['DELETE of /status', 'DELETE', `${G}/namespaces/default/imagestreams/x/status`],
  ]
  for (const [name, method, url, body] of notAllowed) {
    it(`405 for ${name}`, async () => {
      const res = await fx.request({
        method,
        url,
        ...(body === undefined ? {} : { body }),
      })
      assert.equal(res.statusCode, 405, res.body)
      assert.equal(
        res.json().message,
        'the server does not allow this method on the requested resource',
      )
    })
  }

  it('415 for a PATCH that is not a patch, and a POST that is a patch', async () => {
    const patch = await fx.request({ method: 'PATCH', url: '/api/v1/namespaces/default', body: {} })
    assert.equal(patch.statusCode, 415)
    const post = await fx.request({
      method: 'POST',
      url: '/api/v1/namespaces',
      body: {},
      contentType: 'application/merge-patch+json',
    })
    assert.equal(post.statusCode, 415)
  })

  it('406 for an Accept header nothing can satisfy', async () => {
    const res = await fx.request({ method: 'GET', url: '/api/v1/namespaces', accept: 'text/html' })
    assert.equal(res.statusCode, 406)
  })

  it('an unknown subresource is 404', async () => {
    const res = await fx.request({
      method: 'GET',
      url: '/api/v1/namespaces/default/secrets/x/status',
    })
    assert.equal(res.statusCode, 404)
  })

  it('the empty lists kubectl describe ns reads', async () => {
    for (const [path, kind] of [
      ['resourcequotas', 'ResourceQuotaList'],
      ['limitranges', 'LimitRangeList'],
    ]) {
      const res = await fx.request({
        method: 'GET',
        url: `/api/v1/namespaces/default/${path}?fieldSelector=involvedObject.name%3Dx&limit=500`,
        accept: 'application/vnd.kubernetes.protobuf,application/json',
      })
      assert.equal(res.statusCode, 200)
      assert.equal(res.json().kind, kind)
      assert.deepEqual(res.json().items, [])
    }
  })

  it('requests without the token are 401', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/api/v1/namespaces' })
    assert.equal(res.statusCode, 401)
  })
})
