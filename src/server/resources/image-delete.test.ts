/**
 * Image deletes through a real server (docs/kubernetes-api.md#image-deletes-and-references): an
 * Image that a stream's history or a manifest list names is refused with 409 Conflict and a
 * `Referenced` cause, a dry run answers the same, and a collection delete is all or nothing.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const NS = 'prune-a'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

let next = 0
/** digest returns a fresh digest, so the tests share one server without sharing images. */
const digest = () => `sha256:${(++next).toString(16).padStart(64, '0')}`

const manifest = (d: string) => ({
  digest: d,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  manifestSize: 10,
  architecture: 'amd64',
  os: 'linux',
})

describe('Image delete while referenced', () => {
  let fx: Fixture

  const imageUrl = (name: string) => `${G}/images/${name}`
  const exists = async (name: string) =>
    (await fx.request({ method: 'GET', url: imageUrl(name) })).statusCode === 200
  const del = (name: string, query = '') =>
    fx.request({ method: 'DELETE', url: `${imageUrl(name)}${query}` })

  async function image(name: string, children: string[] = []): Promise<void> {
    const res = await fx.request({
      method: 'POST',
      url: `${G}/images`,
      body: {
        metadata: { name, labels: { set: 'default' } },
        dockerImageReference: `quay.io/r/app@${name}`,
        ...(children.length > 0 ? { dockerImageManifests: children.map(manifest) } : {}),
      },
    })
    assert.equal(res.statusCode, 201, res.body)
  }

  /** stream creates NS/name whose tag `latest` has `images` as its history, newest first. */
  async function stream(name: string, images: string[]): Promise<void> {
    const created = await fx.request({
      method: 'POST',
      url: `${G}/namespaces/${NS}/imagestreams`,
      body: { metadata: { name } },
    })
    assert.equal(created.statusCode, 201, created.body)
    const items = images.map((d, i) => ({
      created: `2026-01-01T00:00:${String(59 - i).padStart(2, '0')}Z`,
      dockerImageReference: `quay.io/r/app@${d}`,
      image: d,
      generation: 1,
    }))
    const res = await fx.request({
      method: 'PUT',
      url: `${G}/namespaces/${NS}/imagestreams/${name}/status`,
      body: { ...created.json<Json>(), status: { tags: [{ tag: 'latest', items }] } },
    })
    assert.equal(res.statusCode, 200, res.body)
  }

  before(async () => {
    fx = await startFixture()
    await fx.createNamespace(NS)
  })
  after(() => fx.close())

  it('an Image in a stream’s history is refused with 409 naming the stream and what to do', async () => {
    const old = digest()
    await image(old)
    await stream('app', [digest(), old])
    const res = await del(old)
    assert.equal(res.statusCode, 409, res.body)
    assert.deepEqual(res.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        `images.image.openshift.io "${old}" is still referenced by imagestreams ${NS}/app: ` +
        "remove it from the stream's history (isctl tag -d, or isctl adm prune images) first",
      reason: 'Conflict',
      details: {
        name: old,
        group: 'image.openshift.io',
        kind: 'images',
        causes: [{ reason: 'Referenced', message: `still referenced by imagestreams ${NS}/app` }],
      },
      code: 409,
    })
    assert.equal(await exists(old), true)
  })

  it('the delete succeeds once the tag is removed from the stream (isctl tag -d)', async () => {
    const d = digest()
    await image(d)
    await stream('tagged', [d])
    assert.equal((await del(d)).statusCode, 409)
    const untag = await fx.request({
      method: 'DELETE',
      url: `${G}/namespaces/${NS}/imagestreamtags/tagged:latest`,
    })
    assert.equal(untag.statusCode, 200, untag.body)
    const res = await del(d)
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(await exists(d), false)
  })

  it('a manifest list’s child is refused while the list exists; the list goes first', async () => {
    const child = digest()
    const list = digest()
    await image(child)
    await image(list, [child])
    const refused = await del(child)
    assert.equal(refused.statusCode, 409, refused.body)
    assert.equal(
      refused.json<Json>().message,
      `images.image.openshift.io "${child}" is still referenced by images ${list}: ` +
        'delete that manifest list first',
    )
    assert.equal((await del(list)).statusCode, 200)
    assert.equal((await del(child)).statusCode, 200)
  })

  it('a dry run answers as the delete would, and keeps the Image either way', async () => {
    const used = digest()
    const free = digest()
    await image(used)
    await image(free)
    await stream('dry', [used])
    const refused = await del(used, '?dryRun=All')
    assert.equal(refused.statusCode, 409, refused.body)
    assert.equal(refused.json<Json>().details.causes[0].reason, 'Referenced')
    const allowed = await del(free, '?dryRun=All')
    assert.equal(allowed.statusCode, 200, allowed.body)
    assert.equal(await exists(used), true)
    assert.equal(await exists(free), true)
  })

  it('preconditions are still checked first', async () => {
    const d = digest()
    await image(d)
    const res = await fx.request({
      method: 'DELETE',
      url: imageUrl(d),
      body: { preconditions: { uid: 'not-it' } },
    })
    assert.equal(res.statusCode, 409, res.body)
    assert.match(res.json<Json>().message, /Precondition failed: UID in precondition: not-it/)
    assert.equal(await exists(d), true)
  })

  describe('deletecollection', () => {
    const collection = (set: string, query = '') =>
      fx.request({ method: 'DELETE', url: `${G}/images?labelSelector=set%3D${set}${query}` })

    async function labelled(set: string, names: string[]): Promise<void> {
      for (const name of names) {
        const res = await fx.request({
          method: 'PATCH',
          url: imageUrl(name),
          contentType: 'application/merge-patch+json',
          body: { metadata: { labels: { set } } },
        })
        assert.equal(res.statusCode, 200, res.body)
      }
    }

    it('is all or nothing: one Image a stream names refuses the collection', async () => {
      const [a, b, used] = [digest(), digest(), digest()]
      for (const d of [a, b, used]) await image(d)
      await labelled('mixed', [a, b, used])
      await stream('holder', [used])
      for (const query of ['', '&dryRun=All']) {
        const res = await collection('mixed', query)
        assert.equal(res.statusCode, 409, res.body)
        assert.equal(res.json<Json>().details.name, used)
        for (const d of [a, b, used]) assert.equal(await exists(d), true, d)
      }
    })

    it('deletes manifest lists before their children when both are in the collection', async () => {
      const [c1, c2, lone] = [digest(), digest(), digest()]
      const list = digest()
      for (const d of [c1, c2, lone]) await image(d)
      await image(list, [c1, c2])
      await labelled('family', [c1, c2, list, lone])
      const res = await collection('family')
      assert.equal(res.statusCode, 200, res.body)
      const names = res
        .json<Json>()
        .items.map((i: Json) => i.metadata.name)
        .sort()
      assert.deepEqual(names, [c1, c2, lone, list].sort())
      for (const d of [c1, c2, lone, list]) assert.equal(await exists(d), false, d)
    })
  })
})
