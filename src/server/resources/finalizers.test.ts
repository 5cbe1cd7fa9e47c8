/**
 * `metadata.finalizers` through a real server (docs/kubernetes-api.md#update-and-delete): a
 * delete only marks an object that has some and answers it, a second delete changes nothing,
 * the update that removes the last one removes the object, none may be added once it is marked,
 * watchers see MODIFIED then DELETED, and a namespace waits for its finalized contents.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setImmediate } from 'node:timers/promises'
import { startFixture, type Fixture, type RequestOptions } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const NS = 'fin'
const HOLD = 'example.com/hold'
const MERGE = 'application/merge-patch+json'
const JSON_PATCH = 'application/json-patch+json'
const STRATEGIC = 'application/strategic-merge-patch+json'
const APPLY = 'application/apply-patch+yaml'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

let next = 0
const digest = () => `sha256:${(++next).toString(16).padStart(64, 'f')}`

interface Kind {
  readonly name: string
  /** The kind as an Invalid Status names it. */
  readonly invalid: string
  readonly collection: string
  readonly body: (name: string) => Json
}

const KINDS: Kind[] = [
  {
    name: 'secrets',
    invalid: 'Secret',
    collection: `/api/v1/namespaces/${NS}/secrets`,
    body: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name } }),
  },
  {
    name: 'serviceaccounts',
    invalid: 'ServiceAccount',
    collection: `/api/v1/namespaces/${NS}/serviceaccounts`,
    body: (name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }),
  },
  {
    name: 'imagestreams',
    invalid: 'ImageStream.image.openshift.io',
    collection: `${G}/namespaces/${NS}/imagestreams`,
    body: (name) => ({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name },
    }),
  },
  {
    name: 'images',
    invalid: 'Image.image.openshift.io',
    collection: `${G}/images`,
    body: (name) => ({
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata: { name },
      dockerImageReference: `quay.io/r/app@${name}`,
    }),
  },
]

/** nameFor gives each case its own object: images are named by digest. */
const nameFor = (kind: Kind, base: string) => (kind.name === 'images' ? digest() : base)

/** lines splits a watch body into its events as type and name. */
const events = (body: string) =>
  body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json)
    .map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.deletionTimestamp ?? '-'}`)

describe('finalizers', () => {
  let fx: Fixture

  const req = (o: RequestOptions) => fx.request(o)
  /** The fixture's clock as a first delete stamps it (docs/kubernetes-api.md#object-metadata). */
  const stamp = () => new Date(fx.clock.now()).toISOString().replace('.000Z', 'Z')
  const get = (url: string) => req({ method: 'GET', url })
  const patch = (url: string, contentType: string, body: unknown, query = '') =>
    req({ method: 'PATCH', url: `${url}${query}`, contentType, body })

  async function create(kind: Kind, name: string, finalizers = [HOLD]): Promise<Json> {
    const body = kind.body(name)
    const res = await req({
      method: 'POST',
      url: kind.collection,
      body: { ...body, metadata: { ...body.metadata, finalizers } },
    })
    assert.equal(res.statusCode, 201, res.body)
    return res.json()
  }

  /** until GETs `url` until `done` holds for the answer, yielding to the namespace terminator. */
  async function until(url: string, done: (status: number, body: Json) => boolean) {
    for (let i = 0; ; i++) {
      const res = await get(url)
      if (done(res.statusCode, res.json()) || i > 10_000) return res
      await setImmediate()
    }
  }

  before(async () => {
    fx = await startFixture()
    await fx.createNamespace(NS)
  })
  after(() => fx.close())

  for (const kind of KINDS) {
    it(`${kind.name}: a delete marks the object and answers it; a second delete changes nothing`, async () => {
      const name = nameFor(kind, 'held')
      const url = `${kind.collection}/${name}`
      const created = await create(kind, name)
      const first = await req({ method: 'DELETE', url })
      const markedAt = stamp()
      assert.equal(first.statusCode, 200, first.body)
      const marked = first.json()
      assert.equal(marked.kind, kind.body(name).kind)
      assert.equal(marked.metadata.deletionTimestamp, markedAt)
      assert.equal(marked.metadata.deletionGracePeriodSeconds, 0)
      assert.deepEqual(marked.metadata.finalizers, [HOLD])
      assert.ok(Number(marked.metadata.resourceVersion) > Number(created.metadata.resourceVersion))
      assert.deepEqual((await get(url)).json(), marked)
      fx.clock.advance(60_000)
      const second = await req({ method: 'DELETE', url })
      assert.equal(second.statusCode, 200, second.body)
      assert.deepEqual(second.json(), marked)
    })

    it(`${kind.name}: no finalizer may be added while deleting; the deletion fields stay the server's`, async () => {
      const name = nameFor(kind, 'adding')
      const url = `${kind.collection}/${name}`
      await create(kind, name)
      const marked = (await req({ method: 'DELETE', url })).json()
      const added = await patch(url, MERGE, {
        metadata: { finalizers: [HOLD, 'example.com/b', 'example.com/a'] },
      })
      assert.equal(added.statusCode, 422, added.body)
      assert.equal(
        added.json().message,
        `${kind.invalid} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a", "example.com/b"}`,
      )
      const cleared = await patch(url, MERGE, {
        metadata: { deletionTimestamp: null, deletionGracePeriodSeconds: 30 },
      })
      assert.equal(cleared.statusCode, 200, cleared.body)
      assert.equal(cleared.json().metadata.deletionTimestamp, marked.metadata.deletionTimestamp)
      assert.equal(cleared.json().metadata.deletionGracePeriodSeconds, 0)
      assert.equal(cleared.json().metadata.resourceVersion, marked.metadata.resourceVersion)
    })

    it(`${kind.name}: removing the last finalizer removes the object; watchers see MODIFIED, then DELETED`, async () => {
      const name = nameFor(kind, 'released')
      const url = `${kind.collection}/${name}`
      const created = await create(kind, name, [HOLD, 'example.com/other'])
      await req({ method: 'DELETE', url })
      const markedAt = stamp()
      const one = await patch(url, JSON_PATCH, [{ op: 'remove', path: '/metadata/finalizers/1' }])
      assert.equal(one.statusCode, 200, one.body)
      assert.equal((await get(url)).statusCode, 200)
      const last = await patch(url, JSON_PATCH, [{ op: 'remove', path: '/metadata/finalizers' }])
      assert.equal(last.statusCode, 200, last.body)
      assert.equal(last.json().metadata.name, name)
      assert.equal(last.json().metadata.deletionTimestamp, markedAt)
      assert.equal(last.json().metadata.finalizers, undefined)
      assert.equal((await get(url)).statusCode, 404)
      const watched = await get(
        `${kind.collection}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3D${name}&resourceVersion=${created.metadata.resourceVersion}`,
      )
      assert.deepEqual(events(watched.body), [
        `MODIFIED ${name} ${markedAt}`,
        `MODIFIED ${name} ${markedAt}`,
        `DELETED ${name} ${markedAt}`,
      ])
    })
  }

  const streams = `${G}/namespaces/${NS}/imagestreams`
  const removals: { via: string; remove: (url: string, current: Json) => Promise<Json> }[] = [
    { via: 'PUT', remove: (url, o) => req({ method: 'PUT', url, body: withoutFinalizers(o) }) },
    { via: 'merge patch', remove: (url) => patch(url, MERGE, { metadata: { finalizers: null } }) },
    {
      via: 'JSON patch',
      remove: (url) => patch(url, JSON_PATCH, [{ op: 'remove', path: '/metadata/finalizers' }]),
    },
    {
      via: 'strategic merge patch',
      remove: (url) =>
        patch(url, STRATEGIC, { metadata: { '$deleteFromPrimitiveList/finalizers': [HOLD] } }),
    },
    {
      via: 'server-side apply',
      remove: (url, o) =>
        patch(
          url,
          APPLY,
          { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } },
          '?fieldManager=holder',
        ),
    },
  ]
  for (const r of removals) {
    it(`an update by ${r.via} that leaves no finalizer removes the marked object and answers it`, async () => {
      const name = `by-${r.via.replaceAll(' ', '-').toLowerCase()}`
      const url = `${streams}/${name}`
      const applied = await patch(
        url,
        APPLY,
        {
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name, finalizers: [HOLD] },
        },
        '?fieldManager=holder',
      )
      assert.equal(applied.statusCode, 201, applied.body)
      const marked = (await req({ method: 'DELETE', url })).json()
      const markedAt = stamp()
      const res = await r.remove(url, marked)
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().kind, 'ImageStream')
      assert.equal(res.json().metadata.deletionTimestamp, markedAt)
      assert.equal(res.json().metadata.finalizers, undefined)
      assert.equal((await get(url)).statusCode, 404)
    })
  }

  it('a dry run marks nothing; preconditions still guard the delete', async () => {
    const url = `${streams}/guarded`
    const created = await create(KINDS[2]!, 'guarded')
    const dry = await req({ method: 'DELETE', url: `${url}?dryRun=All` })
    const markedAt = stamp()
    assert.equal(dry.statusCode, 200, dry.body)
    assert.equal(dry.json().metadata.deletionTimestamp, markedAt)
    assert.equal((await get(url)).json().metadata.deletionTimestamp, undefined)
    const stale = await req({
      method: 'DELETE',
      url,
      body: { preconditions: { resourceVersion: '1' } },
    })
    assert.equal(stale.statusCode, 409, stale.body)
    assert.equal((await get(url)).json().metadata.deletionTimestamp, undefined)
    const current = await req({
      method: 'DELETE',
      url,
      body: { preconditions: { resourceVersion: created.metadata.resourceVersion } },
    })
    assert.equal(current.statusCode, 200, current.body)
    assert.equal(current.json().metadata.deletionTimestamp, markedAt)
    const dryRelease = await patch(url, MERGE, { metadata: { finalizers: null } }, '?dryRun=All')
    assert.equal(dryRelease.statusCode, 200, dryRelease.body)
    assert.equal((await get(url)).statusCode, 200)
  })

  it('a collection delete marks the items with finalizers and removes the others', async () => {
    const label = { metadata: { labels: { set: 'coll' } } }
    for (const [name, finalizers] of [
      ['coll-held', [HOLD]],
      ['coll-free', []],
    ] as const) {
      const res = await req({
        method: 'POST',
        url: streams,
        body: { metadata: { ...label.metadata, name, finalizers } },
      })
      assert.equal(res.statusCode, 201, res.body)
    }
    const res = await req({ method: 'DELETE', url: `${streams}?labelSelector=set%3Dcoll` })
    const markedAt = stamp()
    assert.equal(res.statusCode, 200, res.body)
    assert.equal((await get(`${streams}/coll-free`)).statusCode, 404)
    const held = await get(`${streams}/coll-held`)
    assert.equal(held.json().metadata.deletionTimestamp, markedAt)
  })

  it('finalizer names are qualified names', async () => {
    const res = await req({
      method: 'POST',
      url: streams,
      body: { metadata: { name: 'badly-held', finalizers: ['example.com/Bad Name'] } },
    })
    assert.equal(res.statusCode, 422, res.body)
    assert.match(
      res.json().message,
      /^ImageStream.image.openshift.io "badly-held" is invalid: metadata.finalizers: Invalid value: "example.com\/Bad Name": name part must consist of alphanumeric characters/,
    )
  })

  /** refer makes the stream `stream` name the Image `image` in its history. */
  async function refer(stream: string, image: string) {
    const created = await create(KINDS[2]!, stream, [])
    const status = await req({
      method: 'PUT',
      url: `${streams}/${stream}/status`,
      body: {
        ...created,
        status: {
          tags: [
            {
              tag: 'latest',
              items: [
                {
                  created: stamp(),
                  dockerImageReference: `quay.io/r/app@${image}`,
                  image,
                  generation: 1,
                },
              ],
            },
          ],
        },
      },
    })
    assert.equal(status.statusCode, 200, status.body)
  }

  it('a referenced Image is refused with 409 before it is marked', async () => {
    const name = digest()
    await create(KINDS[3]!, name)
    await refer('refers', name)
    const refused = await req({ method: 'DELETE', url: `${G}/images/${name}` })
    assert.equal(refused.statusCode, 409, refused.body)
    assert.equal(refused.json().details.causes[0].reason, 'Referenced')
    assert.equal((await get(`${G}/images/${name}`)).json().metadata.deletionTimestamp, undefined)
  })

  it('removing the last finalizer of an Image named again meanwhile is refused with 409', async () => {
    const name = digest()
    const url = `${G}/images/${name}`
    await create(KINDS[3]!, name)
    const marked = (await req({ method: 'DELETE', url })).json()
    await refer('refers-later', name)
    const refused = await patch(url, JSON_PATCH, [{ op: 'remove', path: '/metadata/finalizers' }])
    assert.equal(refused.statusCode, 409, refused.body)
    assert.equal(refused.json().details.causes[0].reason, 'Referenced')
    assert.deepEqual((await get(url)).json(), marked)
  })

  it('a deleted namespace waits for its contents with finalizers, then goes', async () => {
    await fx.createNamespace('fin-ns')
    const stream = `${G}/namespaces/fin-ns/imagestreams/kept`
    const posted = await req({
      method: 'POST',
      url: `${G}/namespaces/fin-ns/imagestreams`,
      body: { metadata: { name: 'kept', finalizers: [HOLD] } },
    })
    assert.equal(posted.statusCode, 201, posted.body)
    const deleted = await req({ method: 'DELETE', url: '/api/v1/namespaces/fin-ns' })
    const markedAt = stamp()
    assert.equal(deleted.statusCode, 200, deleted.body)
    const marked = await until(stream, (_s, o) => o.metadata?.deletionTimestamp !== undefined)
    assert.equal(marked.json().metadata.deletionTimestamp, markedAt)
    const account = await until(
      '/api/v1/namespaces/fin-ns/serviceaccounts/default',
      (s) => s === 404,
    )
    assert.equal(account.statusCode, 404)
    const waiting = await until('/api/v1/namespaces/fin-ns', (_s, o) =>
      (o.status?.conditions ?? []).some((c: Json) => c.status === 'True'),
    )
    assert.equal(waiting.json().status.phase, 'Terminating')
    assert.deepEqual(waiting.json().spec.finalizers, ['kubernetes'])
    assert.deepEqual(
      waiting.json().status.conditions.map((c: Json) => [c.type, c.status, c.reason, c.message]),
      [
        [
          'NamespaceDeletionDiscoveryFailure',
          'False',
          'ResourcesDiscovered',
          'All resources successfully discovered',
        ],
        [
          'NamespaceDeletionGroupVersionParsingFailure',
          'False',
          'ParsedGroupVersions',
          'All legacy kube types successfully parsed',
        ],
        [
          'NamespaceDeletionContentFailure',
          'False',
          'ContentDeleted',
          'All content successfully deleted, may be waiting on finalization',
        ],
        [
          'NamespaceContentRemaining',
          'True',
          'SomeResourcesRemain',
          'Some resources are remaining: imagestreams.image.openshift.io has 1 resource instances',
        ],
        [
          'NamespaceFinalizersRemaining',
          'True',
          'SomeFinalizersRemain',
          'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
        ],
      ],
    )
    const released = await patch(stream, MERGE, { metadata: { finalizers: null } })
    assert.equal(released.statusCode, 200, released.body)
    const gone = await until('/api/v1/namespaces/fin-ns', (s) => s === 404)
    assert.equal(gone.statusCode, 404)
  })
})

function withoutFinalizers(o: Json): Json {
  const { finalizers: _dropped, ...metadata } = o.metadata
  return { ...o, metadata }
}
