import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagReference } from '../api/index.js'
import {
  failureDelay,
  jittered,
  scheduleSpecs,
  spreadWindow,
  tagInterval,
} from './schedule-spec.js'

const ANNOTATION = 'imagestreams.io/scheduled-import-interval'
const tag = (over: Partial<TagReference> = {}): TagReference => ({
  name: 't',
  from: { kind: 'DockerImage', name: 'quay.io/org/app:1' },
  importPolicy: { scheduled: true },
  ...over,
})

describe('tagInterval', () => {
  const cases: [string, string | undefined, number | undefined][] = [
    ['no annotation', undefined, undefined],
    ['hours', '1h', 3_600_000],
    ['seconds', '90s', 90_000],
    ['compound', '1h30m', 5_400_000],
    ['padded', ' 2m ', 120_000],
    ['no unit', '15', undefined],
    ['below a second', '500ms', undefined],
    ['zero', '0s', undefined],
    ['garbage', 'soon', undefined],
  ]
  for (const [name, value, ms] of cases) {
    it(`${name}: ${JSON.stringify(value)} -> ${ms}`, () => {
      const annotations = value === undefined ? undefined : { [ANNOTATION]: value }
      assert.equal(tagInterval(tag(annotations && { annotations })), ms)
    })
  }
})

describe('scheduleSpecs', () => {
  const stream = (tags: TagReference[]): ImageStream => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    spec: { tags },
  })
  const cases: [string, TagReference, { intervalMs: number; registry: string } | undefined][] = [
    ['a scheduled DockerImage tag', tag(), { intervalMs: 60_000, registry: 'quay.io' }],
    [
      'Docker Hub folded',
      tag({ from: { kind: 'DockerImage', name: 'busybox' } }),
      { intervalMs: 60_000, registry: 'docker.io' },
    ],
    [
      'its own interval',
      tag({ annotations: { [ANNOTATION]: '2h' } }),
      { intervalMs: 7_200_000, registry: 'quay.io' },
    ],
    [
      'an invalid interval falls back to the default',
      tag({ annotations: { [ANNOTATION]: 'weekly' } }),
      { intervalMs: 60_000, registry: 'quay.io' },
    ],
    ['not scheduled', tag({ importPolicy: {} }), undefined],
    ['a reference tag', tag({ reference: true }), undefined],
    ['an ImageStreamTag source', tag({ from: { kind: 'ImageStreamTag', name: 'x:1' } }), undefined],
    [
      'a digest (never moves)',
      tag({ from: { kind: 'DockerImage', name: `quay.io/org/app@sha256:${'a'.repeat(64)}` } }),
      undefined,
    ],
    [
      'an unparsable source',
      tag({ from: { kind: 'DockerImage', name: 'quay.io/org/app:no spaces' } }),
      undefined,
    ],
  ]
  for (const [name, t, want] of cases) {
    it(name, () => {
      const { specs } = scheduleSpecs(stream([t]), 60_000)
      assert.deepEqual(
        specs,
        want
          ? [
              {
                tag: 't',
                source: t.from?.name,
                registry: want.registry,
                intervalMs: want.intervalMs,
              },
            ]
          : [],
      )
    })
  }
  it('reports invalid intervals so they can be logged', () => {
    const t = tag({ annotations: { [ANNOTATION]: 'weekly' } })
    assert.deepEqual(scheduleSpecs(stream([t]), 1000).invalid, [{ tag: 't', value: 'weekly' }])
  })
})

describe('jittered', () => {
  const cases: [number, number, number][] = [
    [0, 0.1, 900],
    [0.5, 0.1, 1000],
    [0.999999, 0.1, 1100],
    [0.3, 0, 1000],
  ]
  for (const [r, jitter, want] of cases) {
    it(`random ${r}, jitter ${jitter} -> ${want}`, () => {
      assert.equal(
        jittered(1000, jitter, () => r),
        want,
      )
    })
  }
  it('stays within ±jitter for any random value', () => {
    for (let i = 0; i < 1000; i++) {
      const v = jittered(900_000, 0.1, Math.random)
      assert.ok(v >= 810_000 && v <= 990_000, String(v))
    }
  })
})

describe('failureDelay', () => {
  const policy = { baseMs: 30_000, factor: 2, maxMs: 900_000 }
  const cases: [number, number][] = [
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [5, 480_000],
    [6, 900_000],
    [40, 900_000],
  ]
  for (const [failures, want] of cases) {
    it(`failure ${failures} -> ${want} ms (capped at the interval)`, () => {
      assert.equal(
        failureDelay(policy, failures, 0.1, () => 0.5),
        want,
      )
    })
  }
})

describe('spreadWindow', () => {
  const cases: [string, number, number, number][] = [
    ['a short restart spreads over the downtime', 5_000, 900_000, 5_000],
    ['a long outage spreads over one interval', 86_400_000, 900_000, 900_000],
    ['nothing overdue', 0, 900_000, 0],
  ]
  for (const [name, lag, interval, want] of cases) {
    it(name, () => assert.equal(spreadWindow(lag, interval), want))
  }
})
