/**
 * Events through the API: core/v1 and events.k8s.io/v1 as two views of one set of objects
 * (conversion both ways, kube's strict checks on the newer API), the field selectors kubectl
 * and client libraries send, kube's Table columns, and a watch of the newer API.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TABLE_ACCEPT, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const CORE = '/api/v1/namespaces/team-a/events'
const V1 = '/apis/events.k8s.io/v1/namespaces/team-a/events'

/** A core Event as client-go's recorder posts it. */
const recorded = (name: string, object: string, type: string, count = 1) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'team-a' },
  involvedObject: {
    kind: 'ImageStream',
    namespace: 'team-a',
    name: object,
    apiVersion: 'image.openshift.io/v1',
  },
  reason: type === 'Warning' ? 'ImportFailed' : 'Imported',
  message: `${object} ${type}`,
  source: { component: 'image-import-controller', host: 'node-1' },
  firstTimestamp: '2025-12-31T23:00:00Z',
  lastTimestamp: '2025-12-31T23:55:00Z',
  count,
  type,
  reportingComponent: 'image-import-controller',
  reportingInstance: 'node-1',
})

/** An Event as an events.k8s.io/v1 client (client-go's tools/events) creates it. */
const newer = (name: string) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name },
  eventTime: '2025-12-31T23:59:00.000000Z',
  reportingController: 'example.com/checker',
  reportingInstance: 'checker-1',
  action: 'Check',
  reason: 'Checked',
  note: 'all good',
  type: 'Normal',
  regarding: { kind: 'ImageStream', namespace: 'team-a', name: 'app' },
})

describe('events API', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
    for (const [name, object, type, count] of [
      ['app.1', 'app', 'Warning', 3],
      ['app.2', 'app', 'Normal', 1],
      ['web.1', 'web', 'Warning', 1],
    ] as const) {
      const res = await fx.request({
        method: 'POST',
        url: CORE,
        body: recorded(name, object, type, count),
      })
      assert.equal(res.statusCode, 201, res.body)
    }
  })
  after(() => fx.close())

  const names = (body: Json) => (body.items as Json[]).map((e) => e.metadata.name as string)

  it('serves a core Event through events.k8s.io/v1 with that API’s field names', async () => {
    const res = await fx.request({ method: 'GET', url: `${V1}/app.1` })
    assert.equal(res.statusCode, 200)
    const e = res.json<Json>()
    assert.equal(e.apiVersion, 'events.k8s.io/v1')
    assert.equal(e.regarding.name, 'app')
    assert.equal(e.note, 'app Warning')
    assert.equal(e.deprecatedCount, 3)
    assert.equal(e.deprecatedLastTimestamp, '2025-12-31T23:55:00Z')
    assert.equal(e.reportingController, 'image-import-controller')
    assert.deepEqual(e.deprecatedSource, { component: 'image-import-controller', host: 'node-1' })
    assert.equal(e.involvedObject, undefined)
    const list = (await fx.request({ method: 'GET', url: V1 })).json<Json>()
    assert.equal(list.kind, 'EventList')
    assert.equal(list.apiVersion, 'events.k8s.io/v1')
    assert.deepEqual(names(list), ['app.1', 'app.2', 'web.1'])
  })

  const selections: [string, string[]][] = [
    ['involvedObject.kind=ImageStream,involvedObject.name=app', ['app.1', 'app.2']],
    ['involvedObject.name=app,type=Warning', ['app.1']],
    ['reason!=ImportFailed', ['app.2']],
    ['involvedObject.namespace=team-a,source=image-import-controller', ['app.1', 'app.2', 'web.1']],
    ['involvedObject.uid=nope', []],
  ]
  for (const [selector, want] of selections) {
    it(`selects ${selector} in both APIs`, async () => {
      for (const base of [CORE, V1]) {
        const res = await fx.request({
          method: 'GET',
          url: `${base}?fieldSelector=${encodeURIComponent(selector)}&limit=500`,
        })
        assert.equal(res.statusCode, 200, res.body)
        assert.deepEqual(names(res.json()), want)
      }
    })
  }

  it('answers the empty EventList kubectl describe reads for an object without events', async () => {
    const res = await fx.request({
      method: 'GET',
      url: '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dx&limit=500',
      accept: 'application/vnd.kubernetes.protobuf,application/json',
    })
    assert.equal(res.statusCode, 200)
    assert.equal(res.json<Json>().kind, 'EventList')
    assert.deepEqual(res.json<Json>().items, [])
  })

  it('refuses a field selector kube does not support on events', async () => {
    const res = await fx.request({ method: 'GET', url: `${CORE}?fieldSelector=message%3Dx` })
    assert.equal(res.statusCode, 400)
    assert.match(res.json<Json>().message as string, /field label not supported: message/)
  })

  it('prints kube’s event columns, every cell of the wide table', async () => {
    const res = await fx.request({ method: 'GET', url: `${CORE}/app.1`, accept: TABLE_ACCEPT })
    const table = res.json<Json>()
    assert.deepEqual(
      (table.columnDefinitions as Json[]).map((c) => `${c.name}/${c.priority}`),
      [
        'Last Seen/0',
        'Type/0',
        'Reason/0',
        'Object/0',
        'Subobject/1',
        'Source/1',
        'Message/0',
        'First Seen/1',
        'Count/1',
        'Name/1',
      ],
    )
    // The fixture's clock is 2026-01-01T00:00:00Z.
    assert.deepEqual(table.rows[0].cells, [
      '5m',
      'Warning',
      'ImportFailed',
      'imagestream/app',
      '',
      'image-import-controller, node-1',
      'app Warning',
      '60m',
      3,
      'app.1',
    ])
    const v1 = await fx.request({ method: 'GET', url: `${V1}/app.1`, accept: TABLE_ACCEPT })
    assert.deepEqual(v1.json<Json>().rows[0].cells, table.rows[0].cells)
  })

  it('creates through events.k8s.io/v1 with kube’s strict checks, visible in core/v1', async () => {
    const bad = await fx.request({
      method: 'POST',
      url: V1,
      body: { ...newer('bad'), eventTime: undefined, deprecatedCount: 2, type: 'Info' },
    })
    assert.equal(bad.statusCode, 422, bad.body)
    assert.deepEqual(
      (bad.json<Json>().details.causes as Json[]).map((c) => c.field as string),
      ['eventTime', 'type', 'count'],
    )
    assert.equal(bad.json<Json>().details.group, 'events.k8s.io')
    const unknown = await fx.request({
      method: 'POST',
      url: `${V1}?fieldValidation=Strict`,
      body: { ...newer('strict'), involvedObject: { name: 'app' } },
    })
    assert.equal(unknown.statusCode, 400)
    assert.match(unknown.json<Json>().message as string, /unknown field "involvedObject"/)
    const good = await fx.request({ method: 'POST', url: V1, body: newer('checked') })
    assert.equal(good.statusCode, 201, good.body)
    assert.equal(good.json<Json>().reportingController, 'example.com/checker')
    const core = (await fx.request({ method: 'GET', url: `${CORE}/checked` })).json<Json>()
    assert.equal(core.apiVersion, 'v1')
    assert.equal(core.message, 'all good')
    assert.equal(core.reportingComponent, 'example.com/checker')
    assert.equal(core.involvedObject.name, 'app')
    assert.equal(core.eventTime, '2025-12-31T23:59:00.000000Z')
  })

  it('events.k8s.io/v1 updates change the series, never the note', async () => {
    await fx.request({ method: 'POST', url: V1, body: newer('series') })
    const note = await fx.request({
      method: 'PATCH',
      url: `${V1}/series`,
      contentType: 'application/merge-patch+json',
      body: { note: 'changed' },
    })
    assert.equal(note.statusCode, 422, note.body)
    assert.match(
      note.json<Json>().message as string,
      /message: Invalid value: .*field is immutable/,
    )
    const series = await fx.request({
      method: 'PATCH',
      url: `${V1}/series`,
      contentType: 'application/merge-patch+json',
      body: { series: { count: 2, lastObservedTime: '2026-01-01T00:00:00.000000Z' } },
    })
    assert.equal(series.statusCode, 200, series.body)
    assert.equal(series.json<Json>().series.count, 2)
    const core = (await fx.request({ method: 'GET', url: `${CORE}/series` })).json<Json>()
    assert.equal(core.series.count, 2)
    // Through core/v1 the older, lenient rules apply.
    const coreNote = await fx.request({
      method: 'PATCH',
      url: `${CORE}/series`,
      contentType: 'application/merge-patch+json',
      body: { message: 'changed' },
    })
    assert.equal(coreNote.statusCode, 200, coreNote.body)
  })

  it('names the newer group in NotFound', async () => {
    const res = await fx.request({ method: 'GET', url: `${V1}/nope` })
    assert.equal(res.statusCode, 404)
    assert.equal(res.json<Json>().message, 'events.events.k8s.io "nope" not found')
  })

  it('watches through events.k8s.io/v1 with converted objects', async () => {
    const res = await fx.request({
      method: 'GET',
      url: `${V1}?watch=true&timeoutSeconds=1&fieldSelector=involvedObject.name%3Dweb`,
    })
    const lines = res.body
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Json)
    assert.deepEqual(
      lines.map((l) => `${l.type} ${l.object.apiVersion} ${l.object.regarding.name}`),
      ['ADDED events.k8s.io/v1 web'],
    )
  })
})
