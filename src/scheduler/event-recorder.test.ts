import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Event } from '../api/index.js'
import { objectKey, type Store } from '../storage/index.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { ManualClock } from '../storage/testing/manual-clock.js'
import { EventExpiry, lastSeen, sweepIntervalMs } from './event-expiry.js'
import { EventRecorder, type EventSpec } from './event-recorder.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')

const failure = (message = 'manifest unknown', name = 'app'): EventSpec => ({
  involvedObject: { kind: 'ImageStream', namespace: 'demo', name, uid: `uid-${name}` },
  type: 'Warning',
  reason: 'ImportFailed',
  message,
  component: 'image-import-controller',
})

describe('EventRecorder', () => {
  let dir: string
  let store: Store
  // The store stamps creationTimestamp with its clock: the same time as the recorder's.
  const clock = new ManualClock(T0)
  let now = T0
  const advance = (ms: number) => {
    now += ms
    clock.advance(ms)
  }
  const warnings: string[] = []
  const recorder = (flushDelayMs = 60_000) =>
    new EventRecorder({
      store,
      host: 'node-1',
      logger: { warn: (_context, message) => warnings.push(message) },
      flushDelayMs,
      maxQueued: 4,
      now: () => now,
    })
  const events = async () =>
    (await store.list<Event>('events', { namespace: 'demo' })).items.sort((a, b) =>
      (a.message ?? '').localeCompare(b.message ?? ''),
    )

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-events-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite'), clock })
  })
  after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    warnings.length = 0
    for (const e of (await store.list('events')).items) {
      await store.delete(objectKey('events', e.metadata.name ?? '', e.metadata.namespace ?? ''))
    }
    await store
      .create(objectKey('namespaces', 'demo'), { metadata: { name: 'demo' } })
      .catch(() => {})
  })

  it('writes nothing until flushed, then one Event per distinct occurrence, repeats counted', async () => {
    const r = recorder()
    r.record(failure())
    advance(5_000)
    r.record(failure())
    r.record(failure('other'))
    assert.deepEqual(await events(), [])
    await r.flush()
    const [first, other] = await events()
    assert.equal(first?.count, 2)
    assert.equal(first?.lastTimestamp, new Date(now).toISOString().replace('.000Z', 'Z'))
    assert.equal(
      Date.parse(first?.lastTimestamp ?? '') - Date.parse(first?.firstTimestamp ?? ''),
      5_000,
    )
    assert.equal(first?.metadata.name, `app.${(BigInt(now - 5_000) * 1_000_000n).toString(16)}`)
    assert.deepEqual(first?.source, { component: 'image-import-controller', host: 'node-1' })
    assert.equal(first?.reportingComponent, 'image-import-controller')
    assert.equal(first?.reportingInstance, 'node-1')
    assert.deepEqual(first?.involvedObject, failure().involvedObject)
    assert.equal(other?.count, 1)
    await r.close()
  })

  it('a repeat in a later batch raises the stored Event’s count instead of adding one', async () => {
    const r = recorder()
    r.record(failure())
    await r.flush()
    const [stored] = await events()
    advance(60_000)
    r.record(failure())
    r.record(failure())
    await r.flush()
    const all = await events()
    assert.equal(all.length, 1)
    assert.equal(all[0]?.metadata.name, stored?.metadata.name)
    assert.equal(all[0]?.count, 3)
    assert.equal(all[0]?.firstTimestamp, stored?.firstTimestamp)
    assert.equal(
      Date.parse(all[0]?.lastTimestamp ?? '') - Date.parse(stored?.lastTimestamp ?? ''),
      60_000,
    )
    await r.close()
  })

  it('an expired (deleted) Event is recorded anew on its next occurrence', async () => {
    const r = recorder()
    r.record(failure())
    await r.flush()
    const [stored] = await events()
    await store.delete(objectKey('events', stored?.metadata.name ?? '', 'demo'))
    advance(1_000)
    r.record(failure())
    await r.flush()
    const all = await events()
    assert.equal(all.length, 1)
    assert.equal(all[0]?.count, 1)
    assert.notEqual(all[0]?.metadata.name, stored?.metadata.name)
    await r.close()
  })

  it('writes on its own after the flush delay', async () => {
    const r = recorder(10)
    r.record(failure())
    for (let i = 0; i < 500 && (await events()).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.equal((await events()).length, 1)
    await r.close()
  })

  it('keeps nothing for a namespace that is gone or terminating, and drops beyond maxQueued with a warning', async () => {
    const r = recorder()
    r.record({ ...failure(), involvedObject: { ...failure().involvedObject, namespace: 'gone' } })
    await store
      .create(objectKey('namespaces', 'ending'), {
        metadata: { name: 'ending', deletionTimestamp: '2026-01-01T00:00:00Z' },
      })
      .catch(() => {})
    r.record({ ...failure(), involvedObject: { ...failure().involvedObject, namespace: 'ending' } })
    for (const m of ['a', 'b', 'c']) r.record(failure(m, m))
    await r.flush()
    assert.equal((await store.list('events')).items.length, 2)
    assert.deepEqual(warnings, ['too many distinct events at once; some were dropped'])
    await r.close()
    r.record(failure('after close'))
    await r.flush()
    assert.equal((await store.list('events')).items.length, 2)
  })

  it('EventExpiry deletes Events last seen more than the TTL ago, keeping repeating ones', async () => {
    const r = recorder()
    r.record(failure('old'))
    r.record(failure('repeating'))
    await r.flush()
    advance(50 * 60_000)
    r.record(failure('repeating'))
    r.record(failure('recent'))
    await r.flush()
    const expiry = new EventExpiry({ store, logger: { warn: () => {} }, clock })
    assert.equal(await expiry.sweep(), 0)
    advance(20 * 60_000)
    assert.equal(await expiry.sweep(), 1)
    assert.deepEqual(
      (await events()).map((e) => e.message),
      ['recent', 'repeating'],
    )
    await r.close()
  })

  it('EventExpiry honours a given TTL: kept for the TTL after last seen, deleted after', async () => {
    const r = recorder()
    r.record(failure('short-lived'))
    await r.flush()
    const expiry = new EventExpiry({ store, logger: { warn: () => {} }, ttlMs: 2000, clock })
    advance(2000)
    assert.equal(await expiry.sweep(), 0)
    assert.deepEqual(
      (await events()).map((e) => e.message),
      ['short-lived'],
    )
    advance(1000)
    assert.equal(await expiry.sweep(), 1)
    assert.deepEqual(await events(), [])
    await r.close()
  })

  it('EventExpiry with a short TTL sweeps every half TTL on its clock', async () => {
    const r = recorder()
    r.record(failure('old'))
    await r.flush()
    advance(3000)
    r.record(failure('recent'))
    await r.flush()
    const expiry = new EventExpiry({ store, logger: { warn: () => {} }, ttlMs: 2000, clock })
    expiry.start()
    // One tick, a second on: 'old' was last seen 4 s ago, 'recent' 1 s ago.
    advance(1000)
    await expiry.stop()
    assert.deepEqual(
      (await events()).map((e) => e.message),
      ['recent'],
    )
    await r.close()
  })
})

describe('sweepIntervalMs', () => {
  for (const [ttlMs, intervalMs] of [
    [60 * 60_000, 60_000],
    [10 * 60_000, 60_000],
    [90_000, 45_000],
    [2000, 1000],
    [500, 1000],
  ] as const) {
    it(`sweeps every ${intervalMs} ms for a TTL of ${ttlMs} ms`, () => {
      assert.equal(sweepIntervalMs(ttlMs), intervalMs)
    })
  }
})

describe('lastSeen', () => {
  const cases: [string, Event, string][] = [
    [
      'lastTimestamp',
      {
        metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
        lastTimestamp: '2026-01-01T01:00:00Z',
      },
      '2026-01-01T01:00:00.000Z',
    ],
    [
      'a series',
      {
        metadata: { creationTimestamp: '2026-01-01T00:00:00Z' },
        eventTime: '2026-01-01T00:00:00.000000Z',
        series: { count: 2, lastObservedTime: '2026-01-01T02:00:00.000000Z' },
      },
      '2026-01-01T02:00:00.000Z',
    ],
    [
      'creation only',
      { metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } },
      '2026-01-01T00:00:00.000Z',
    ],
  ]
  for (const [what, event, want] of cases) {
    it(what, () => assert.equal(new Date(lastSeen(event)).toISOString(), want))
  }
})
