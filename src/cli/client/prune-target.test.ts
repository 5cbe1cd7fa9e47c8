/**
 * The HTTP PruneTarget against a real API server (the resource fixture listening on loopback,
 * reached with the CLI's ApiClient and the fixture's CA and token).
 */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { ImageStream } from '../../api/index.js'
import { StreamConflict } from '../../pruner/types.js'
import { startFixture, TOKEN, type Fixture } from '../../server/resources/testing/fixture.js'
import { ApiClient } from './api-client.js'
import { ApiPruneTarget, type PruneClient } from './prune-target.js'

const G = '/apis/image.openshift.io/v1'
const digest = (c: string) => `sha256:${c.repeat(64)}`
const [A, B, C] = [digest('a'), digest('b'), digest('c')]

const event = (image: string, created: string) => ({
  created,
  dockerImageReference: `quay.io/r/app@${image}`,
  image,
  generation: 1,
})

describe('ApiPruneTarget (HTTPS, real server)', () => {
  let fx: Fixture
  let client: ApiClient

  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const res = await fx.request({ method, url, ...(body === undefined ? {} : { body }) })
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json<ImageStream>()
  }
  const names = (list: readonly { metadata: { namespace?: string; name?: string } }[]) =>
    list.map((o) => [o.metadata.namespace, o.metadata.name].filter(Boolean).join('/')).sort()

  before(async () => {
    fx = await startFixture()
    for (const ns of ['team-a', 'team-b']) await fx.createNamespace(ns)
    for (const [ns, name] of [
      ['team-a', 'app'],
      ['team-a', 'web'],
      ['team-b', 'app'],
    ] as const) {
      await ok('POST', `${G}/namespaces/${ns}/imagestreams`, { metadata: { name } })
    }
    for (const image of [A, B, C]) {
      await ok('POST', `${G}/images`, {
        metadata: { name: image },
        dockerImageReference: `quay.io/r/app@${image}`,
      })
    }
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    const port = (fx.app.server.address() as AddressInfo).port
    client = new ApiClient({
      server: `https://127.0.0.1:${port}`,
      caPem: fx.caCertPem,
      token: TOKEN,
    })
  })
  after(async () => {
    await client.close()
    await fx.close()
  })

  it('lists every stream, or one namespace, across pages', async () => {
    const target = new ApiPruneTarget(client, { pageSize: 2 })
    assert.deepEqual(names(await target.listStreams()), ['team-a/app', 'team-a/web', 'team-b/app'])
    assert.deepEqual(names(await target.listStreams('team-a')), ['team-a/app', 'team-a/web'])
    assert.deepEqual(names(await target.listStreams('nobody')), [])
  })

  it('lists every Image across pages', async () => {
    const target = new ApiPruneTarget(client, { pageSize: 1 })
    assert.deepEqual(names(await target.listImages()), [A, B, C])
  })

  it('reads the list again whole when a continue token expires half-way', async () => {
    let pages = 0
    // The real server answers; between the first and second page its history is compacted.
    const compacting: PruneClient = {
      request: async (method, path, opts) => {
        const answer = client.request(method, path, opts)
        if (++pages === 1) {
          await answer
          fx.clock.advance(2 * 3600 * 1000)
          await ok('POST', `${G}/namespaces/team-b/imagestreams`, { metadata: { name: 'late' } })
          fx.clock.advance(2 * 3600 * 1000)
          await fx.store.compact()
        }
        return (await answer) as never
      },
    }
    const target = new ApiPruneTarget(compacting, { pageSize: 1 })
    assert.deepEqual(names(await target.listStreams()), [
      'team-a/app',
      'team-a/web',
      'team-b/app',
      'team-b/late',
    ])
    assert.equal(pages, 3, 'one page, the expired continue, one whole list')
    await ok('DELETE', `${G}/namespaces/team-b/imagestreams/late`)
  })

  it('getStream reads a stream, and undefined once it is gone', async () => {
    const target = new ApiPruneTarget(client)
    assert.equal((await target.getStream('team-a', 'app'))?.metadata.name, 'app')
    assert.equal(await target.getStream('team-a', 'nope'), undefined)
    assert.equal(await target.getStream('nowhere', 'app'), undefined)
  })

  it('updateStreamStatus writes status.tags conditionally on the resourceVersion', async () => {
    const target = new ApiPruneTarget(client)
    const created = await ok('POST', `${G}/namespaces/team-a/imagestreams`, {
      metadata: { name: 'hist' },
    })
    const withHistory = await ok('PUT', `${G}/namespaces/team-a/imagestreams/hist/status`, {
      ...created,
      status: {
        tags: [
          {
            tag: 'v1',
            items: [event(A, '2026-01-01T00:00:30Z'), event(B, '2026-01-01T00:00:20Z')],
          },
        ],
      },
    })
    const trimmed: ImageStream = {
      ...withHistory,
      status: {
        ...withHistory.status!,
        tags: [{ tag: 'v1', items: [event(A, '2026-01-01T00:00:30Z')] }],
      },
    }
    await target.updateStreamStatus(trimmed)
    const stored = await ok('GET', `${G}/namespaces/team-a/imagestreams/hist`)
    assert.deepEqual(
      stored.status?.tags?.map((t) => [t.tag, t.items?.map((i) => i.image)]),
      [['v1', [A]]],
    )

    // The same (now stale) resourceVersion again: the stream changed meanwhile.
    await assert.rejects(target.updateStreamStatus(trimmed), (err: unknown) => {
      assert.ok(err instanceof StreamConflict)
      assert.match(err.message, /^image stream team-a\/hist changed: /)
      return true
    })
    const unchanged = await ok('GET', `${G}/namespaces/team-a/imagestreams/hist`)
    assert.equal(unchanged.metadata.resourceVersion, stored.metadata.resourceVersion)

    await ok('DELETE', `${G}/namespaces/team-a/imagestreams/hist`)
    await assert.rejects(target.updateStreamStatus(stored), StreamConflict)
  })

  it('deleteImage finds an Image in use while a stream’s history names it', async () => {
    const target = new ApiPruneTarget(client)
    const created = await ok('POST', `${G}/namespaces/team-b/imagestreams`, {
      metadata: { name: 'holder' },
    })
    await ok('PUT', `${G}/namespaces/team-b/imagestreams/holder/status`, {
      ...created,
      status: { tags: [{ tag: 'v1', items: [event(B, '2026-01-01T00:00:30Z')] }] },
    })
    assert.equal(await target.deleteImage(B), 'in-use')
    assert.equal((await fx.request({ method: 'GET', url: `${G}/images/${B}` })).statusCode, 200)
    await ok('DELETE', `${G}/namespaces/team-b/imagestreams/holder`)
  })

  it('deleteImage deletes, then finds nothing', async () => {
    const target = new ApiPruneTarget(client)
    assert.equal(await target.deleteImage(C), 'deleted')
    assert.equal((await fx.request({ method: 'GET', url: `${G}/images/${C}` })).statusCode, 404)
    assert.equal(await target.deleteImage(C), 'not-found')
  })

  it('passes on failures it cannot interpret', async () => {
    const stranger = new ApiClient({
      server: client.server,
      caPem: fx.caCertPem,
      token: 'not-a-token',
    })
    try {
      const target = new ApiPruneTarget(stranger)
      await assert.rejects(target.listImages(), { name: 'ApiError', status: 401 })
      await assert.rejects(target.deleteImage(A), { name: 'ApiError', status: 401 })
      await assert.rejects(target.getStream('team-a', 'app'), { name: 'ApiError', status: 401 })
    } finally {
      await stranger.close()
    }
  })
})
