/**
 * The virtual image kinds through a real server (docs/kubernetes-api.md#virtual-kinds):
 * imagestreamtags (get, list, create, update, patch, delete; the Local reference policy) and
 * imagestreamimages (by digest, by prefix, and children of manifest lists).
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
const NS = `${G}/namespaces/team-a`
const A = `sha256:${'a'.repeat(64)}`
const LIST = `sha256:${'c'.repeat(64)}`
const CHILD = `sha256:${'d'.repeat(64)}`

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const event = (image: string, created: string, generation = 1) => ({
  created,
  dockerImageReference: `quay.io/r/app@${image}`,
  image,
  generation,
})

describe('virtual image kinds', () => {
  let fx: Fixture
  let stream: Json
  const get = (url: string, accept?: string) =>
    fx.request({ method: 'GET', url, ...(accept ? { accept } : {}) })

  before(async () => {
    fx = await startFixture()
    const post = async (url: string, body: unknown) => {
      const res = await fx.request({ method: 'POST', url, body })
      assert.equal(res.statusCode, 201, res.body)
      return res.json<Json>()
    }
    await post('/api/v1/namespaces', { metadata: { name: 'team-a' } })
    await post(`${G}/images`, {
      metadata: { name: A },
      dockerImageReference: `quay.io/r/app@${A}`,
      dockerImageMetadata: {
        kind: 'DockerImage',
        apiVersion: 'image.openshift.io/1.0',
        Architecture: 'amd64',
      },
    })
    await post(`${G}/images`, {
      metadata: { name: LIST },
      dockerImageReference: `quay.io/r/app@${LIST}`,
      dockerImageManifests: [
        {
          digest: CHILD,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          manifestSize: 10,
          architecture: 'arm64',
          os: 'linux',
        },
      ],
    })
    await post(`${G}/images`, {
      metadata: { name: CHILD },
      dockerImageReference: `quay.io/r/app@${CHILD}`,
    })
    const created = await post(`${NS}/imagestreams`, {
      metadata: { name: 'app', labels: { team: 'a' } },
      spec: {
        tags: [
          {
            name: 'latest',
            from: { kind: 'DockerImage', name: 'quay.io/r/app:latest' },
            referencePolicy: { type: 'Local' },
            annotations: { note: 'hi' },
          },
          { name: 'src', from: { kind: 'DockerImage', name: 'quay.io/r/app:src' } },
          { name: 'multi', from: { kind: 'DockerImage', name: 'quay.io/r/app:multi' } },
          { name: 'pending', from: { kind: 'DockerImage', name: 'quay.io/r/app:pending' } },
        ],
      },
    })
    const withStatus = await fx.request({
      method: 'PUT',
      url: `${NS}/imagestreams/app/status`,
      body: {
        ...created,
        status: {
          tags: [
            { tag: 'latest', items: [event(A, '2026-01-01T00:00:10Z')] },
            { tag: 'src', items: [event(A, '2026-01-01T00:00:20Z')] },
            { tag: 'multi', items: [event(LIST, '2026-01-01T00:00:30Z')] },
            {
              tag: 'pending',
              items: [],
              conditions: [
                {
                  type: 'ImportSuccess',
                  status: 'False',
                  reason: 'NotFound',
                  message: 'gone',
                  generation: 1,
                },
              ],
            },
          ],
        },
      },
    })
    assert.equal(withStatus.statusCode, 200, withStatus.body)
    stream = withStatus.json()
  })
  after(() => fx.close())

  describe('imagestreamtags', () => {
    it('GET is the tag’s image with the stream’s identity; Local resolves to the integrated registry', async () => {
      const res = await get(`${NS}/imagestreamtags/app:latest`)
      assert.equal(res.statusCode, 200, res.body)
      const istag = res.json<Json>()
      assert.equal(istag.kind, 'ImageStreamTag')
      assert.deepEqual(istag.metadata, {
        name: 'app:latest',
        namespace: 'team-a',
        uid: stream.metadata.uid,
        resourceVersion: stream.metadata.resourceVersion,
        creationTimestamp: '2026-01-01T00:00:10Z',
        labels: { team: 'a' },
        annotations: { note: 'hi' },
      })
      assert.equal(istag.tag.name, 'latest')
      assert.equal(istag.tag.referencePolicy.type, 'Local')
      assert.equal(istag.generation, 1)
      assert.deepEqual(istag.lookupPolicy, { local: false })
      assert.equal(istag.image.metadata.name, A)
      assert.equal(istag.image.kind, undefined)
      assert.equal(istag.image.metadata.annotations.note, 'hi')
      assert.equal(istag.image.dockerImageMetadata.Architecture, 'amd64')
      assert.equal(istag.image.dockerImageReference, `registry.test:5000/team-a/app@${A}`)
    })

    it('Source policy resolves to the event’s reference', async () => {
      const istag = (await get(`${NS}/imagestreamtags/app:src`)).json<Json>()
      assert.equal(istag.image.dockerImageReference, `quay.io/r/app@${A}`)
    })

    it('the stream’s history of a Local tag keeps the source reference', async () => {
      const is = (await get(`${NS}/imagestreams/app`)).json<Json>()
      const latest = is.status.tags.find((t: Json) => t.tag === 'latest')
      assert.equal(latest.items[0].dockerImageReference, `quay.io/r/app@${A}`)
    })

    const missing: [string, string, number, string][] = [
      [
        'a tag without an image yet',
        'app:pending',
        404,
        'imagestreamtags.image.openshift.io "app:pending" not found',
      ],
      [
        'a tag that does not exist',
        'app:nope',
        404,
        'imagestreamtags.image.openshift.io "app:nope" not found',
      ],
      [
        'a stream that does not exist',
        'nope:latest',
        404,
        'imagestreams.image.openshift.io "nope" not found',
      ],
      ['a name without a tag', 'app', 400, 'ImageStreamTags must be retrieved with <name>:<tag>'],
    ]
    for (const [name, istag, code, message] of missing) {
      it(`GET of ${name} is ${code}`, async () => {
        const res = await get(`${NS}/imagestreamtags/${istag}`)
        assert.equal(res.statusCode, code)
        assert.equal(res.json().message, message)
      })
    }

    it('LIST has every tag with an image; items carry the image name and pull spec', async () => {
      const list = (await get(`${NS}/imagestreamtags`)).json<Json>()
      assert.equal(list.kind, 'ImageStreamTagList')
      assert.deepEqual(
        list.items.map((i: Json) => i.metadata.name),
        ['app:latest', 'app:multi', 'app:src'],
      )
      assert.deepEqual(list.items[0].image, {
        metadata: { name: A },
        dockerImageReference: `registry.test:5000/team-a/app@${A}`,
      })
      const all = (
        await get(`${G}/imagestreamtags?fieldSelector=metadata.name%3Dapp:src`)
      ).json<Json>()
      assert.deepEqual(
        all.items.map((i: Json) => i.metadata.name),
        ['app:src'],
      )
    })

    it('POST adds a spec tag (AlreadyExists when it is there) and can create the stream', async () => {
      const body = {
        metadata: { name: 'app:new' },
        tag: { from: { kind: 'DockerImage', name: 'quay.io/r/app:new' } },
      }
      const res = await fx.request({ method: 'POST', url: `${NS}/imagestreamtags`, body })
      assert.equal(res.statusCode, 201, res.body)
      assert.equal(res.json().metadata.name, 'app:new')
      const updated = (await get(`${NS}/imagestreams/app`)).json<Json>()
      const tag = (updated.spec.tags as Json[]).find((t) => t.name === 'new')!
      assert.equal(updated.metadata.generation, 2)
      assert.equal(tag.generation, 2)
      assert.equal(tag.importPolicy.importMode, 'Legacy')
      const again = await fx.request({ method: 'POST', url: `${NS}/imagestreamtags`, body })
      assert.equal(again.statusCode, 409)
      assert.equal(again.json().reason, 'AlreadyExists')
      const fresh = await fx.request({
        method: 'POST',
        url: `${NS}/imagestreamtags`,
        body: { ...body, metadata: { name: 'fresh:v1' } },
      })
      assert.equal(fresh.statusCode, 201, fresh.body)
      assert.equal((await get(`${NS}/imagestreams/fresh`)).json().spec.tags[0].name, 'v1')
    })

    it('PUT changes the spec tag against the stream’s resourceVersion', async () => {
      const current = (await get(`${NS}/imagestreamtags/app:src`)).json<Json>()
      const changed = {
        ...current,
        tag: { ...current.tag, from: { kind: 'DockerImage', name: 'quay.io/r/app:src2' } },
      }
      const res = await fx.request({
        method: 'PUT',
        url: `${NS}/imagestreamtags/app:src`,
        body: changed,
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().tag.from.name, 'quay.io/r/app:src2')
      const s = (await get(`${NS}/imagestreams/app`)).json<Json>()
      assert.equal(
        (s.spec.tags as Json[]).find((t) => t.name === 'src')!.generation,
        s.metadata.generation,
      )
      const stale = await fx.request({
        method: 'PUT',
        url: `${NS}/imagestreamtags/app:src`,
        body: changed,
      })
      assert.equal(stale.statusCode, 409)
      assert.match(stale.json().message, /another caller has updated the resource version/)
    })

    it('PUT without labels, or with empty ones, keeps the stream’s; other labels are refused', async () => {
      const current = (await get(`${NS}/imagestreamtags/app:src`)).json<Json>()
      assert.deepEqual(current.metadata.labels, { team: 'a' })
      const put = (labels: Json | undefined) =>
        fx.request({
          method: 'PUT',
          url: `${NS}/imagestreamtags/app:src`,
          body: { ...current, metadata: { name: 'app:src', labels } },
        })
      for (const labels of [undefined, {}, { team: 'a' }]) {
        const res = await put(labels)
        assert.equal(res.statusCode, 200, `${JSON.stringify(labels)}: ${res.body}`)
      }
      const refused = await put({ team: 'b' })
      assert.equal(refused.statusCode, 422, refused.body)
      assert.deepEqual(refused.json().details.causes, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata',
          message: 'Invalid value: "": may not update fields other than metadata.annotations',
        },
      ])
    })

    it('PATCH applies to the view: a merge patch switches the reference policy', async () => {
      const res = await fx.request({
        method: 'PATCH',
        url: `${NS}/imagestreamtags/app:latest`,
        contentType: 'application/merge-patch+json',
        body: { tag: { referencePolicy: { type: 'Source' } } },
      })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().image.dockerImageReference, `quay.io/r/app@${A}`)
    })

    it('DELETE removes the spec tag and its history, and answers a Success Status', async () => {
      const res = await fx.request({ method: 'DELETE', url: `${NS}/imagestreamtags/app:src` })
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(res.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'app:src', group: 'image.openshift.io', kind: 'imagestreamtags' },
      })
      const s = (await get(`${NS}/imagestreams/app`)).json<Json>()
      assert.ok(!(s.spec.tags as Json[]).some((t) => t.name === 'src'))
      assert.ok(!(s.status.tags as Json[]).some((t) => t.tag === 'src'))
      const again = await fx.request({ method: 'DELETE', url: `${NS}/imagestreamtags/app:src` })
      assert.equal(again.statusCode, 404)
    })

    it('a dry-run DELETE changes nothing', async () => {
      const res = await fx.request({
        method: 'DELETE',
        url: `${NS}/imagestreamtags/app:latest`,
        body: { dryRun: ['All'] },
      })
      assert.equal(res.statusCode, 200)
      assert.equal((await get(`${NS}/imagestreamtags/app:latest`)).statusCode, 200)
    })
  })

  describe('imagestreamimages', () => {
    it('GET by digest returns the image with the stream’s name', async () => {
      const res = await get(`${NS}/imagestreamimages/app@${A}`)
      assert.equal(res.statusCode, 200, res.body)
      const isimage = res.json<Json>()
      assert.equal(isimage.kind, 'ImageStreamImage')
      assert.equal(isimage.metadata.name, `app@${A}`)
      assert.equal(isimage.metadata.namespace, 'team-a')
      assert.equal(isimage.image.metadata.name, A)
      assert.equal(isimage.image.dockerImageReference, `quay.io/r/app@${A}`)
    })

    it('GET by a unique prefix of the digest', async () => {
      const res = await get(`${NS}/imagestreamimages/app@sha256:aaaaaaaa`)
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().image.metadata.name, A)
    })

    it('GET of a child of a manifest list in the history', async () => {
      const res = await get(`${NS}/imagestreamimages/app@${CHILD}`, TABLE_ACCEPT)
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(res.json().rows[0].cells.slice(2), [`quay.io/r/app@${CHILD}`, CHILD])
    })

    const bad: [string, string, number][] = [
      ['a digest not in the history', `app@sha256:${'e'.repeat(64)}`, 404],
      ['a name without @', 'app', 400],
      ['a missing stream', `nope@${A}`, 404],
    ]
    for (const [name, id, code] of bad) {
      it(`GET of ${name} is ${code}`, async () => {
        assert.equal((await get(`${NS}/imagestreamimages/${id}`)).statusCode, code)
      })
    }
  })
})
