/**
 * Unpaged lists written as they are read: the same bytes as one JSON document, the items of
 * one snapshot, and other requests served between the pages of a large list.
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { objectKey } from '../../storage/index.js'
import { STREAM_PAGE } from './operations/read.js'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

const G = '/apis/image.openshift.io/v1'
// Enough streams for several pages, in two namespaces, so the list crosses a namespace too.
const COUNT = STREAM_PAGE * 2 + 37

describe('unpaged lists', () => {
  let f: Fixture
  before(async () => {
    f = await startFixture()
    for (let i = 0; i < COUNT; i++) {
      const namespace = i % 2 === 0 ? 'even' : 'odd'
      const name = `is-${String(i).padStart(5, '0')}`
      await f.store.create(objectKey('imagestreams', name, namespace), {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name, namespace, labels: { n: String(i) } },
        spec: {},
      })
    }
  })
  after(() => f.close())

  it('are the bytes of one JSON document holding every item of one snapshot', async () => {
    const whole = await f.request({ method: 'GET', url: `${G}/imagestreams` })
    assert.equal(whole.statusCode, 200)
    assert.match(String(whole.headers['content-type']), /^application\/json/)
    const list = whole.json()
    const items: unknown[] = []
    let next = ''
    do {
      const page = await f.request({
        method: 'GET',
        url: `${G}/imagestreams?limit=100${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
      })
      // As for a single object: a page is written as one Buffer, not through the serialiser.
      assert.equal(page.headers['content-type'], 'application/json; charset=utf-8')
      const paged = page.json()
      assert.equal(paged.metadata.resourceVersion, list.metadata.resourceVersion)
      items.push(...paged.items)
      next = paged.metadata.continue ?? ''
    } while (next)
    assert.equal(items.length, COUNT)
    assert.equal(
      whole.body,
      JSON.stringify({
        kind: 'ImageStreamList',
        apiVersion: 'image.openshift.io/v1',
        metadata: { resourceVersion: list.metadata.resourceVersion },
        items,
      }),
    )
  })

  it('with limit=0 are the same answer', async () => {
    const whole = await f.request({ method: 'GET', url: `${G}/imagestreams` })
    const zero = await f.request({ method: 'GET', url: `${G}/imagestreams?limit=0` })
    assert.equal(zero.body, whole.body)
  })

  it('is an empty items array when nothing matches', async () => {
    const none = await f.request({ method: 'GET', url: `${G}/imagestreams?labelSelector=n%3Dnone` })
    assert.equal(
      none.body,
      JSON.stringify({
        kind: 'ImageStreamList',
        apiVersion: 'image.openshift.io/v1',
        metadata: { resourceVersion: none.json().metadata.resourceVersion },
        items: [],
      }),
    )
  })

  it('keep their selectors and namespace across pages', async () => {
    const odd = await f.request({ method: 'GET', url: `${G}/namespaces/odd/imagestreams` })
    assert.equal(odd.json().items.length, Math.floor(COUNT / 2))
    const one = await f.request({
      method: 'GET',
      url: `${G}/imagestreams?labelSelector=n%3D${COUNT - 1}`,
    })
    assert.deepEqual(
      one.json().items.map((i: { metadata: { name: string } }) => i.metadata.name),
      [`is-${String(COUNT - 1).padStart(5, '0')}`],
    )
  })

  it('as a Table still hold every row', async () => {
    const table = await f.request({ method: 'GET', url: `${G}/imagestreams`, accept: TABLE_ACCEPT })
    assert.equal(table.json().rows.length, COUNT)
  })

  const tables: [string, string, string][] = [
    ['', TABLE_ACCEPT, 'with object metadata'],
    ['includeObject=Object', TABLE_ACCEPT, 'with whole objects'],
    ['includeObject=None', TABLE_ACCEPT, 'without objects'],
    ['', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', 'of meta.k8s.io/v1beta1'],
  ]
  for (const [query, accept, what] of tables) {
    it(`as a Table ${what} are the bytes of the Table built in one step`, async () => {
      const streamed = await f.request({ method: 'GET', url: `${G}/imagestreams?${query}`, accept })
      // A page that holds the whole list is built and sent in one step.
      const whole = await f.request({
        method: 'GET',
        url: `${G}/imagestreams?limit=${COUNT + 1}&${query}`,
        accept,
      })
      assert.equal(whole.json().metadata.continue, undefined)
      assert.equal(streamed.json().kind, 'Table')
      assert.equal(streamed.body, whole.body)
    })
  }

  it('as an empty Table are the bytes of the Table built in one step', async () => {
    const url = `${G}/imagestreams?labelSelector=n%3Dnone`
    const streamed = await f.request({ method: 'GET', url, accept: TABLE_ACCEPT })
    const whole = await f.request({ method: 'GET', url: `${url}&limit=5`, accept: TABLE_ACCEPT })
    assert.equal(streamed.json().rows.length, 0)
    assert.equal(streamed.body, whole.body)
  })

  for (const [what, accept] of [
    ['JSON', 'application/json'],
    ['a Table', TABLE_ACCEPT],
  ] as const) {
    it(`as ${what} let a request sent after the list be answered before the list is complete`, async () => {
      const answered: string[] = []
      const list = f
        .request({ method: 'GET', url: `${G}/imagestreams`, accept })
        .then(() => answered.push('list'))
      const get = f
        .request({ method: 'GET', url: `${G}/namespaces/even/imagestreams/is-00000` })
        .then(() => answered.push('get'))
      await Promise.all([list, get])
      assert.deepEqual(answered, ['get', 'list'])
    })
  }
})
