/**
 * The unpaged lists of the views and of the kinds served by their own endpoints (imagestreamtags,
 * imagetags, events.k8s.io events, projects, a stream's import secrets) read a page at a time:
 * every item of a list longer than a page, in order, the same bytes as one page holding them all
 * where the endpoint also pages.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { objectKey } from '../../storage/index.js'
import { STREAM_PAGE } from './operations/read.js'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
// More than two pages of each, so that lists cross pages.
const COUNT = STREAM_PAGE * 2 + 11
const NS = 'many'
const name = (i: number) => `n-${String(i).padStart(5, '0')}`

describe('unpaged lists of views and of their own endpoints', () => {
  let f: Fixture
  before(async () => {
    f = await startFixture()
    await f.store.create(objectKey('namespaces', NS), { metadata: { name: NS } })
    for (let i = 0; i < COUNT; i++) {
      await f.store.create(objectKey('namespaces', name(i)), { metadata: { name: name(i) } })
      // Every third stream has no tags, so that some pages bring fewer views than others.
      const tags = i % 3 === 0 ? [] : ['a', 'b']
      await f.store.create(objectKey('imagestreams', name(i), NS), {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: name(i), namespace: NS },
        spec: { tags: tags.map((t) => ({ name: t })) },
        status: {
          tags: tags.map((tag) => ({
            tag,
            items: [
              {
                created: '2026-01-01T00:00:00Z',
                dockerImageReference: `q.io/x@sha256:${'0'.repeat(64)}`,
                image: `sha256:${'0'.repeat(64)}`,
                generation: 1,
              },
            ],
          })),
        },
      })
      await f.store.create(objectKey('events', name(i), NS), {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: name(i), namespace: NS },
        involvedObject: { kind: 'ImageStream', name: name(i), namespace: NS },
        reason: 'Test',
        message: `event ${i}`,
        type: 'Normal',
      })
      await f.store.create(objectKey('secrets', name(i), NS), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: name(i), namespace: NS },
        // Every other secret is no pull secret, so that the view leaves it out.
        type: i % 2 === 0 ? 'kubernetes.io/dockerconfigjson' : 'Opaque',
        data: i % 2 === 0 ? { '.dockerconfigjson': 'e30=' } : {},
      })
    }
  })
  after(() => f.close())

  const get = (url: string, accept = 'application/json') =>
    f.request({ method: 'GET', url, accept })

  const views: [string, (i: number) => string[]][] = [
    ['imagestreamtags', (i) => (i % 3 === 0 ? [] : [`${name(i)}:a`, `${name(i)}:b`])],
    ['imagetags', (i) => (i % 3 === 0 ? [] : [`${name(i)}:a`, `${name(i)}:b`])],
  ]
  for (const [plural, namesOf] of views) {
    it(`${plural}: every view of every stream, in order, as JSON and as a Table`, async () => {
      const want = Array.from({ length: COUNT }, (_, i) => namesOf(i)).flat()
      for (const url of [`${G}/${plural}`, `${G}/namespaces/${NS}/${plural}`]) {
        const list = await get(url)
        assert.equal(list.statusCode, 200)
        assert.deepEqual(
          list.json().items.map((item: { metadata: { name: string } }) => item.metadata.name),
          want,
        )
        const table = await get(url, TABLE_ACCEPT)
        assert.deepEqual(
          table.json().rows.map((row: { cells: string[] }) => row.cells[0]),
          want,
        )
      }
    })
  }

  it('events.k8s.io events: the bytes of the pages put together', async () => {
    const url = `/apis/events.k8s.io/v1/namespaces/${NS}/events`
    const whole = await get(url)
    assert.equal(whole.statusCode, 200)
    const list = whole.json()
    const items: unknown[] = []
    let next = ''
    do {
      const page = (
        await get(`${url}?limit=100${next ? `&continue=${encodeURIComponent(next)}` : ''}`)
      ).json()
      items.push(...page.items)
      next = page.metadata.continue ?? ''
    } while (next)
    assert.equal(items.length, COUNT)
    assert.equal(
      whole.body,
      JSON.stringify({
        kind: 'EventList',
        apiVersion: 'events.k8s.io/v1',
        metadata: { resourceVersion: list.metadata.resourceVersion },
        items,
      }),
    )
    const table = await get(url, TABLE_ACCEPT)
    assert.equal(table.json().rows.length, COUNT)
  })

  it('projects: every namespace the admin may see', async () => {
    const want = ['default', NS, ...Array.from({ length: COUNT }, (_, i) => name(i))]
    const list = await get('/apis/project.openshift.io/v1/projects')
    assert.equal(list.statusCode, 200)
    const names = list.json().items.map((p: { metadata: { name: string } }) => p.metadata.name)
    assert.deepEqual(
      names.filter((n: string) => want.includes(n)),
      [...want].sort(),
    )
    assert.equal(list.json().kind, 'ProjectList')
    const table = await get('/apis/project.openshift.io/v1/projects', TABLE_ACCEPT)
    assert.equal(table.json().rows.length, names.length)
  })

  it("a stream's import secrets: the bytes of one page holding them all", async () => {
    const url = `${G}/namespaces/${NS}/imagestreams/${name(1)}/secrets`
    for (const accept of ['application/json', TABLE_ACCEPT]) {
      const whole = await get(url, accept)
      assert.equal(whole.statusCode, 200)
      const onePage = await get(`${url}?limit=${COUNT + 1}`, accept)
      assert.equal(whole.body, onePage.body)
    }
    const secrets = (await get(url)).json().items
    assert.deepEqual(
      secrets.map((s: { metadata: { name: string } }) => s.metadata.name),
      Array.from({ length: COUNT }, (_, i) => name(i)).filter((_, i) => i % 2 === 0),
    )
  })
})
