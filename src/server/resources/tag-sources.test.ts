/**
 * Spec tags sourced from image streams through a real server
 * (docs/imports.md#tags-from-image-streams): creating or changing such a tag, through imagestreams
 * or imagestreamtags, stores the source's event; a cross-namespace source; an ImageStreamImage;
 * same-stream aliases that follow their target; and the 422 of a source that does not resolve.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const C = `sha256:${'c'.repeat(64)}`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const event = (image: string, created: string, generation = 1) => ({
  created,
  dockerImageReference: `quay.io/r/app@${image}`,
  image,
  generation,
})
const docker = (name: string) => ({
  name,
  from: { kind: 'DockerImage', name: `quay.io/r/${name}` },
})
const ist = (name: string, from: string, namespace?: string) => ({
  name,
  from: { kind: 'ImageStreamTag', name: from, ...(namespace ? { namespace } : {}) },
})
const isi = (name: string, from: string) => ({
  name,
  from: { kind: 'ImageStreamImage', name: from },
})

describe('stream-sourced spec tags', () => {
  let fx: Fixture
  const request = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) =>
    fx.request({
      method,
      url,
      ...(body === undefined ? {} : { body }),
      ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
    })
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) => {
    const res = await request(method, url, body)
    assert.ok(res.statusCode < 300, `${res.statusCode} ${res.body}`)
    return res.json<Json>()
  }
  const heads = (stream: Json) =>
    Object.fromEntries(
      (stream.status?.tags ?? []).map((t: Json) => [t.tag, t.items?.[0]?.image as string]),
    )
  /** source creates a stream whose status the test sets, as an import would have. */
  const source = async (ns: string, name: string, status: Json[]) => {
    const tags = status.map((t) => docker(`${name}:${t.tag as string}`))
    const created = await ok('POST', `${G}/namespaces/${ns}/imagestreams`, {
      metadata: { name },
      spec: { tags: tags.map((t, i) => ({ ...t, name: status[i]!.tag })) },
    })
    return ok('PUT', `${G}/namespaces/${ns}/imagestreams/${name}/status`, {
      ...created,
      status: { tags: status },
    })
  }

  before(async () => {
    fx = await startFixture()
    for (const ns of ['team-a', 'team-b']) {
      await ok('POST', '/api/v1/namespaces', { metadata: { name: ns } })
    }
    await source('team-a', 'src', [
      { tag: '1', items: [event(A, '2026-01-01T00:00:10Z')] },
      { tag: '2', items: [event(B, '2026-01-01T00:00:20Z'), event(C, '2026-01-01T00:00:05Z')] },
    ])
    await source('team-b', 'shared', [{ tag: 'v1', items: [event(C, '2026-01-01T00:00:30Z')] }])
  })
  after(() => fx.close())

  it('create: an ImageStreamTag tag copies the source’s current event', async () => {
    const stream = await ok('POST', `${G}/namespaces/team-a/imagestreams`, {
      metadata: { name: 'copy' },
      spec: { tags: [ist('1', 'src:1'), ist('alias', '1')] },
    })
    assert.deepEqual(stream.status.tags, [
      { tag: '1', items: [event(A, '2026-01-01T00:00:10Z')] },
      { tag: 'alias', items: [event(A, '2026-01-01T00:00:10Z')] },
    ])
    // The view serves the Image, so it must be stored (an istag of a missing Image is 404).
    await ok('POST', `${G}/images`, {
      metadata: { name: A },
      dockerImageReference: `quay.io/r/app@${A}`,
    })
    const istag = await ok('GET', `${G}/namespaces/team-a/imagestreamtags/copy:1`)
    assert.equal(istag.image.metadata.name, A)
  })

  it('update: repointing a tag moves it, and its alias follows', async () => {
    const stream = await ok('PATCH', `${G}/namespaces/team-a/imagestreams/copy`, {
      spec: { tags: [ist('1', 'src:2'), ist('alias', '1')] },
    })
    assert.deepEqual(heads(stream), { '1': B, alias: B })
    assert.equal(stream.status.tags[0].items[0].generation, 2)
    assert.equal(stream.status.tags[0].items.length, 2, 'the previous image stays in history')
  })

  it('an unchanged spec resolves nothing again', async () => {
    const before = await ok('GET', `${G}/namespaces/team-a/imagestreams/copy`)
    const after = await ok('PUT', `${G}/namespaces/team-a/imagestreams/copy`, before)
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion)
  })

  it('imagestreamtags create: a cross-namespace source resolves', async () => {
    const istag = await ok('POST', `${G}/namespaces/team-a/imagestreamtags`, {
      metadata: { name: 'copy:shared' },
      tag: ist('shared', 'shared:v1', 'team-b'),
    })
    assert.equal(istag.image.metadata.name, C)
    assert.equal(istag.image.dockerImageReference, `quay.io/r/app@${C}`)
  })

  it('an ImageStreamImage tag takes the image from anywhere in the source history', async () => {
    fx.clock.advance(60_000)
    const stream = await ok('PATCH', `${G}/namespaces/team-a/imagestreams/copy`, {
      spec: { tags: [ist('1', 'src:2'), ist('alias', '1'), isi('pinned', `src@${C}`)] },
    })
    const pinned = stream.status.tags.find((t: Json) => t.tag === 'pinned')
    assert.deepEqual(pinned.items, [
      { ...event(C, '2026-01-01T00:01:00Z'), generation: stream.metadata.generation },
    ])
  })

  const refused: [string, Json, string][] = [
    [
      'a missing source stream',
      ist('x', 'nothere:1'),
      'spec.tags[x].from.name: Not found: "nothere:1"',
    ],
    [
      'a source in another namespace that has no such stream',
      ist('x', 'src:1', 'team-b'),
      'spec.tags[x].from.name: Not found: "src:1"',
    ],
    [
      'an image the source never had',
      isi('x', `src@sha256:${'f'.repeat(64)}`),
      `spec.tags[x].from.name: Invalid value: "src@sha256:${'f'.repeat(64)}": error generating tag event: imagestreamimage.image.openshift.io "sha256:${'f'.repeat(64)}" not found`,
    ],
  ]
  for (const [name, tag, cause] of refused) {
    it(`422 for ${name}, and nothing is stored`, async () => {
      const res = await request('POST', `${G}/namespaces/team-a/imagestreams`, {
        metadata: { name: 'refused' },
        spec: { tags: [tag] },
      })
      assert.equal(res.statusCode, 422, res.body)
      const status = res.json<Json>()
      assert.deepEqual(
        status.details.causes.map((c: Json) => `${c.field as string}: ${c.message as string}`),
        [cause],
      )
      const gone = await request('GET', `${G}/namespaces/team-a/imagestreams/refused`)
      assert.equal(gone.statusCode, 404)
    })
  }

  it('a source tag without an image is no error: the tag stays empty', async () => {
    const stream = await ok('POST', `${G}/namespaces/team-a/imagestreams`, {
      metadata: { name: 'waiting' },
      spec: { tags: [ist('later', 'src:3')] },
    })
    assert.equal(stream.status?.tags, undefined)
  })
})
