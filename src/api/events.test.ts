import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  eventFieldValue,
  eventFromV1,
  eventToV1,
  validateEvent,
  validateEventsV1Create,
  validateEventsV1Update,
  type Event,
  type EventsV1Event,
} from './events.js'

/** An Event as client-go's recorder writes it through the core API. */
const CORE: Event = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'app.17f0', namespace: 'demo', resourceVersion: '7' },
  involvedObject: {
    kind: 'ImageStream',
    namespace: 'demo',
    name: 'app',
    uid: 'u-1',
    apiVersion: 'image.openshift.io/v1',
  },
  reason: 'ImportFailed',
  message: 'boom',
  source: { component: 'image-import-controller', host: 'node-1' },
  firstTimestamp: '2026-01-01T00:00:00Z',
  lastTimestamp: '2026-01-01T00:05:00Z',
  count: 3,
  type: 'Warning',
  reportingComponent: 'image-import-controller',
  reportingInstance: 'node-1',
}

/** The same Event through events.k8s.io/v1 (kube's Convert_core_Event_To_v1_Event). */
const V1: EventsV1Event = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'app.17f0', namespace: 'demo', resourceVersion: '7' },
  regarding: {
    kind: 'ImageStream',
    namespace: 'demo',
    name: 'app',
    uid: 'u-1',
    apiVersion: 'image.openshift.io/v1',
  },
  reason: 'ImportFailed',
  note: 'boom',
  deprecatedSource: { component: 'image-import-controller', host: 'node-1' },
  deprecatedFirstTimestamp: '2026-01-01T00:00:00Z',
  deprecatedLastTimestamp: '2026-01-01T00:05:00Z',
  deprecatedCount: 3,
  type: 'Warning',
  reportingController: 'image-import-controller',
  reportingInstance: 'node-1',
}

describe('Event conversion between core/v1 and events.k8s.io/v1', () => {
  it('renames the fields the two APIs spell differently', () => {
    assert.deepEqual(eventToV1(CORE), V1)
    assert.deepEqual(eventFromV1(V1), CORE)
  })

  it('round-trips the newer API’s own fields unchanged', () => {
    const v1: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'x', namespace: 'demo' },
      eventTime: '2026-01-01T00:00:00.123456Z',
      series: { count: 2, lastObservedTime: '2026-01-01T00:01:00.000001Z' },
      action: 'Importing',
      related: { kind: 'Secret', name: 'pull' },
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      reason: 'Tried',
      type: 'Normal',
    }
    const core = eventFromV1(v1)
    assert.equal(core.reportingComponent, 'example.com/ctl')
    assert.deepEqual(core.series, v1.series)
    assert.deepEqual(eventToV1(core), v1)
  })
})

describe('eventFieldValue (kube EventToSelectableFields)', () => {
  const cases: [string, Event, string][] = [
    ['involvedObject.kind', CORE, 'ImageStream'],
    ['involvedObject.name', CORE, 'app'],
    ['involvedObject.namespace', CORE, 'demo'],
    ['involvedObject.uid', CORE, 'u-1'],
    ['involvedObject.apiVersion', CORE, 'image.openshift.io/v1'],
    ['involvedObject.fieldPath', CORE, ''],
    ['reason', CORE, 'ImportFailed'],
    ['type', CORE, 'Warning'],
    ['source', CORE, 'image-import-controller'],
    ['source', { ...CORE, source: {} }, 'image-import-controller'],
    ['reportingComponent', CORE, 'image-import-controller'],
    ['reason', { metadata: {} }, ''],
  ]
  for (const [field, event, want] of cases) {
    it(`${field} = ${JSON.stringify(want)}`, () =>
      assert.equal(eventFieldValue(event, field), want))
  }
})

describe('Event validation (kube core/validation/events.go)', () => {
  const fields = (errors: { field: string }[]) => errors.map((e) => e.field)

  it('accepts what client-go’s recorder writes', () => {
    assert.deepEqual(validateEvent(CORE), [])
  })

  const legacy: [string, Event, string[]][] = [
    [
      'the object in another namespace',
      { ...CORE, involvedObject: { ...CORE.involvedObject, namespace: 'other' } },
      ['involvedObject.namespace'],
    ],
    [
      'a cluster-scoped object outside default',
      { ...CORE, involvedObject: { kind: 'Node', name: 'n' } },
      ['involvedObject.namespace'],
    ],
    [
      'an eventTime without the newer fields',
      { ...CORE, eventTime: '2026-01-01T00:00:00.000000Z', reportingComponent: '', reason: '' },
      // Required, then the two qualified-name problems of "", as kube reports them.
      ['reportingComponent', 'reportingComponent', 'reportingComponent', 'action', 'reason'],
    ],
    ['no name', { ...CORE, metadata: { namespace: 'demo' } }, ['metadata.name']],
  ]
  for (const [what, event, want] of legacy) {
    it(`core/v1 refuses ${what}`, () => assert.deepEqual(fields(validateEvent(event)), want))
  }

  it('events.k8s.io/v1 creates need the newer fields and none of the deprecated ones', () => {
    assert.deepEqual(fields(validateEventsV1Create(CORE)), [
      'eventTime',
      'firstTimestamp',
      'lastTimestamp',
      'count',
      'source',
    ])
    const good = eventFromV1({
      kind: 'Event',
      metadata: { name: 'x', namespace: 'demo' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Check',
      reason: 'Checked',
      type: 'Normal',
      regarding: { kind: 'ImageStream', namespace: 'demo', name: 'app' },
    })
    assert.deepEqual(validateEventsV1Create(good), [])
    assert.deepEqual(fields(validateEventsV1Create({ ...good, type: 'Info' })), ['type'])
    assert.deepEqual(fields(validateEventsV1Create({ ...good, series: { count: 1 } })), [
      'series.count',
      'series.lastObservedTime',
    ])
  })

  it('events.k8s.io/v1 updates may change the series and metadata only', () => {
    const series = { count: 2, lastObservedTime: '2026-01-01T00:01:00.000000Z' }
    assert.deepEqual(validateEventsV1Update({ ...CORE, series }, CORE), [])
    assert.deepEqual(
      validateEventsV1Update({ ...CORE, message: 'other', reportingComponent: 'x' }, CORE).map(
        (e) => `${e.field}: ${e.message}`,
      ),
      [
        'message: Invalid value: field is immutable',
        'reportingController: Invalid value: field is immutable',
      ],
    )
  })
})
