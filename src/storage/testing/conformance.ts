/**
 * The Store conformance suite: every backend runs it unchanged
 * (docs/architecture.md#storage). It speaks only the Store interface; a backend's test file
 * passes a factory that opens a fresh, isolated store (own file, schema or database) per test
 * and honours the common StoreOptions (clock, compaction window, watch buffer, bookmarks).
 * Nothing here waits on wall-clock time: ordering is observed through events and awaits.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import { ManualClock } from './manual-clock.js'
import type { ObjectFields } from '../field-selector.js'
import { isStoreError } from '../store.js'
import type { CheckOutcome, ScheduleEntry, ScheduleKey, ScheduleSpec } from '../schedule.js'
import type {
  ObjectKey,
  Store,
  StoreErrorCode,
  StoreOptions,
  StoreTransaction,
  StoredObject,
  WatchEvent,
  WatchOptions,
} from '../store.js'

/** StoreUnderTest is one opened store and how to dispose of (or reopen) it. */
export interface StoreUnderTest {
  readonly store: Store
  /** close closes the store (whichever instance is current) and removes its data. */
  close(): Promise<void>
  /**
   * reopen closes the store and opens the same data again, with `options` instead of the
   * original common options when given; persistence tests need it, and every backend keeps its
   * data (a server over a store that cannot reopen would lose everything at restart).
   */
  reopen(options?: StoreOptions): Promise<Store>
}

/** MakeStore opens a fresh, empty store with the given common options. */
export type MakeStore = (options: StoreOptions) => Promise<StoreUnderTest>

interface Widget extends StoredObject {
  spec?: { size?: number; color?: string; refs?: string[] }
}

const W = 'widgets' // namespaced
const G = 'gadgets' // cluster-scoped

/** SIZE_FIELD makes `spec.size` selectable, as a resource with fields of its own declares it. */
const SIZE_FIELD: ObjectFields = {
  names: new Set(['spec.size']),
  valueOf: (object, field) =>
    field === 'spec.size' ? String((object as Widget).spec?.size ?? '') : '',
}

function key(name: string, namespace = 'ns1', resource = W): ObjectKey {
  return { resource, namespace, name }
}

function widget(
  name: string,
  options: { ns?: string; labels?: Record<string, string>; size?: number; refs?: string[] } = {},
): Widget {
  const ns = options.ns ?? 'ns1'
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: {
      name,
      ...(ns === '' ? {} : { namespace: ns }),
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: { size: options.size ?? 1, ...(options.refs ? { refs: options.refs } : {}) },
  }
}

/** gadget builds a cluster-scoped object whose `spec.refs` names other gadgets. */
function gadget(name: string, refs?: string[]): Widget {
  return widget(name, { ns: '', ...(refs ? { refs } : {}) })
}

/** gkey is a gadget's key. */
function gkey(name: string): ObjectKey {
  return key(name, '', G)
}

/** REFERENCES declares that widgets and gadgets reference the gadgets named in `spec.refs`. */
const REFERENCES: NonNullable<StoreOptions['references']> = {
  [W]: (o) =>
    ((o as Widget).spec?.refs ?? []).map((n) => ({ resource: G, namespace: '', name: n })),
  [G]: (o) =>
    ((o as Widget).spec?.refs ?? []).map((n) => ({ resource: G, namespace: '', name: n })),
}

function names(items: readonly StoredObject[]): string[] {
  return items.map(
    (o) => (o.metadata.namespace ? `${o.metadata.namespace}/` : '') + o.metadata.name,
  )
}

function schedSpec(tag: string, overrides: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    tag,
    source: `quay.io/org/app:${tag}`,
    registry: 'quay.io',
    intervalMs: 60_000,
    ...overrides,
  }
}

function rv(object: StoredObject): number {
  return Number(object.metadata.resourceVersion)
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  check?: (error: Record<string, unknown>) => void,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isStoreError(error), `expected a StoreError ${code}, got ${String(error)}`)
    assert.equal(error.code, code, error.message)
    check?.(error as unknown as Record<string, unknown>)
    return true
  })
}

async function take<T extends StoredObject>(
  events: AsyncIterator<WatchEvent<T>>,
  n: number,
): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = []
  while (out.length < n) {
    const r = await events.next()
    if (r.done) assert.fail(`the watch ended after ${out.length} of ${n} events`)
    out.push(r.value)
  }
  return out
}

function summary(events: readonly WatchEvent[]): string[] {
  return events.map((e) =>
    e.type === 'BOOKMARK'
      ? `BOOKMARK ${e.object.metadata.resourceVersion}`
      : `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`,
  )
}

/** runStoreConformance registers the suite for one backend. */
export function runStoreConformance(name: string, makeStore: MakeStore): void {
  async function open(t: TestContext, options: StoreOptions = {}): Promise<StoreUnderTest> {
    const sut = await makeStore(options)
    t.after(() => sut.close())
    return sut
  }

  async function watch<T extends StoredObject = Widget>(
    t: TestContext,
    store: Store,
    resource: string,
    options: Omit<WatchOptions, 'signal'> = {},
  ): Promise<AsyncIterableIterator<WatchEvent<T>>> {
    const controller = new AbortController()
    t.after(() => controller.abort())
    return store.watch<T>(resource, { ...options, signal: controller.signal })
  }

  // Writes a matching sentinel and checks it is the next event: proves nothing came before it.
  async function expectNothingBefore(
    store: Store,
    events: AsyncIterator<WatchEvent>,
    sentinel: Widget,
  ): Promise<void> {
    const created = await store.create(
      key(sentinel.metadata.name ?? '', sentinel.metadata.namespace),
      sentinel,
    )
    assert.deepEqual(summary(await take(events, 1)), [
      `ADDED ${created.metadata.name} ${rv(created)}`,
    ])
  }

  describe(`${name}: Store conformance`, () => {
    describe('create, get, update, delete', () => {
      it('create fills uid, creationTimestamp and resourceVersion; get returns the same', async (t) => {
        const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678))
        const { store } = await open(t, { clock })
        const created = await store.create(key('a'), widget('a', { labels: { x: 'y' } }))
        assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/)
        assert.equal(created.metadata.creationTimestamp, '2026-01-02T03:04:05Z')
        assert.equal(created.metadata.resourceVersion, '1')
        assert.deepEqual(created.metadata.labels, { x: 'y' })
        assert.deepEqual(created.spec, { size: 1 })
        assert.deepEqual(await store.get(key('a')), created)
        assert.equal(await store.currentRevision(), 1)
      })

      it('getJson is the stored document get parses, as written last', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a', { labels: { x: 'y' } }))
        await store.create(key('a', 'ns2'), widget('a', { ns: 'ns2', size: 3 }))
        const updated = await store.update(key('a'), widget('a', { size: 2 }))
        const text = await store.getJson(key('a'))
        assert.deepEqual(JSON.parse(text), updated)
        assert.deepEqual(JSON.parse(text), await store.get(key('a')))
        assert.deepEqual(
          JSON.parse(await store.getJson(key('a', 'ns2'))),
          await store.get(key('a', 'ns2')),
        )
        await store.delete(key('a'))
        await rejectsWith(store.getJson(key('a')), 'NotFound')
      })

      it('every write takes the next revision, across resources', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a'))
        const g = await store.create(key('g', '', G), widget('g', { ns: '' }))
        const a2 = await store.update(key('a'), widget('a', { size: 2 }))
        const gone = await store.delete(key('g', '', G))
        assert.deepEqual([a, g, a2, gone].map(rv), [1, 2, 3, 4])
        assert.equal(await store.currentRevision(), 4)
      })

      it('create on a taken key is AlreadyExists and changes nothing', async (t) => {
        const { store } = await open(t)
        const first = await store.create(key('a'), widget('a'))
        await rejectsWith(store.create(key('a'), widget('a', { size: 9 })), 'AlreadyExists', (e) =>
          assert.deepEqual(e.key, key('a')),
        )
        assert.deepEqual(await store.get(key('a')), first)
        assert.equal(await store.currentRevision(), 1)
      })

      const missing: { op: string; run: (s: Store) => Promise<unknown> }[] = [
        { op: 'get', run: (s) => s.get(key('nope')) },
        { op: 'getJson', run: (s) => s.getJson(key('nope')) },
        { op: 'update', run: (s) => s.update(key('nope'), widget('nope')) },
        { op: 'delete', run: (s) => s.delete(key('nope')) },
        { op: 'guaranteedUpdate', run: (s) => s.guaranteedUpdate(key('nope'), (o) => o) },
        { op: 'get in another namespace', run: (s) => s.get(key('a', 'ns2')) },
        { op: 'getJson in another namespace', run: (s) => s.getJson(key('a', 'ns2')) },
      ]
      for (const c of missing) {
        it(`${c.op} of a missing object is NotFound naming the key`, async (t) => {
          const { store } = await open(t)
          await store.create(key('a'), widget('a'))
          await rejectsWith(c.run(store), 'NotFound', (e) =>
            assert.equal((e.key as ObjectKey).resource, W),
          )
        })
      }

      const invalid: { case: string; key: ObjectKey; object: unknown }[] = [
        { case: 'name differs from the key', key: key('a'), object: widget('b') },
        { case: 'namespace differs from the key', key: key('a'), object: widget('a', { ns: 'x' }) },
        { case: 'namespace on a cluster-scoped key', key: key('a', '', G), object: widget('a') },
        { case: 'no metadata', key: key('a'), object: { kind: 'Widget' } },
        { case: 'empty name', key: key(''), object: widget('') },
      ]
      for (const c of invalid) {
        it(`create refuses an object whose ${c.case} (InvalidObject)`, async (t) => {
          const { store } = await open(t)
          await rejectsWith(store.create(c.key, c.object as Widget), 'InvalidObject')
          assert.equal(await store.currentRevision(), 0)
        })
      }

      it('update replaces the object, keeps uid and creationTimestamp, bumps resourceVersion', async (t) => {
        const clock = new ManualClock()
        const { store } = await open(t, { clock })
        const a = await store.create(key('a'), widget('a'))
        clock.advance(5_000)
        const body = widget('a', { size: 7, labels: { l: 'v' } })
        body.metadata.uid = 'forged'
        const updated = await store.update(key('a'), body)
        assert.equal(updated.metadata.uid, a.metadata.uid)
        assert.equal(updated.metadata.creationTimestamp, a.metadata.creationTimestamp)
        assert.equal(rv(updated), 2)
        assert.deepEqual(updated.spec, { size: 7 })
        assert.deepEqual(await store.get(key('a')), updated)
        assert.equal(body.metadata.resourceVersion, undefined, 'the argument is not mutated')
      })

      it('update and delete with a stale expectedResourceVersion are Conflict', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a'))
        const a2 = await store.update(key('a'), widget('a', { size: 2 }), {
          expectedResourceVersion: a.metadata.resourceVersion,
        })
        const check = (e: Record<string, unknown>): void => {
          assert.deepEqual(e.key, key('a'))
          assert.equal(e.expected, '1')
          assert.equal(e.actual, '2')
        }
        await rejectsWith(
          store.update(key('a'), widget('a', { size: 3 }), { expectedResourceVersion: '1' }),
          'Conflict',
          check,
        )
        await rejectsWith(
          store.delete(key('a'), { expectedResourceVersion: '1' }),
          'Conflict',
          check,
        )
        assert.deepEqual(await store.get(key('a')), a2)
        const gone = await store.delete(key('a'), { expectedResourceVersion: '2' })
        assert.equal(rv(gone), 3)
      })

      it('an update equal to the stored object is a no-op: same resourceVersion, no event', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a', { labels: { b: '2', a: '1' } }))
        const events = await watch(t, store, W)
        // Same content: keys in another order, no uid or timestamp, a stale resourceVersion.
        const same = {
          spec: { size: 1 },
          metadata: {
            labels: { a: '1', b: '2' },
            namespace: 'ns1',
            name: 'a',
            resourceVersion: '0',
          },
          kind: 'Widget',
          apiVersion: 'example.com/v1',
        }
        const result = await store.update(key('a'), same)
        assert.equal(result.metadata.resourceVersion, a.metadata.resourceVersion)
        assert.deepEqual(result, a)
        const viaGuaranteed = await store.guaranteedUpdate<Widget>(key('a'), (o) => ({ ...o }))
        assert.equal(viaGuaranteed.metadata.resourceVersion, a.metadata.resourceVersion)
        assert.equal(await store.currentRevision(), 1)
        await expectNothingBefore(store, events, widget('sentinel'))
      })

      it('delete returns the last state with a new resourceVersion; re-create gets a new uid', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a', { size: 4 }))
        const gone = await store.delete<Widget>(key('a'))
        assert.equal(rv(gone), 2)
        assert.deepEqual(gone.spec, { size: 4 })
        assert.equal(gone.metadata.uid, a.metadata.uid)
        await rejectsWith(store.get(key('a')), 'NotFound')
        const again = await store.create(key('a'), widget('a'))
        assert.notEqual(again.metadata.uid, a.metadata.uid)
        assert.equal(rv(again), 3)
      })

      it('returned objects are copies: mutating them changes nothing stored', async (t) => {
        const { store } = await open(t)
        const input = widget('a')
        const created = await store.create(key('a'), input)
        created.spec = { size: 99 }
        input.spec = { size: 98 }
        const got = await store.get<Widget>(key('a'))
        got.spec = { size: 97 }
        assert.deepEqual((await store.get<Widget>(key('a'))).spec, { size: 1 })
      })
    })

    describe('list', () => {
      async function seed(store: Store): Promise<void> {
        for (const [n, ns] of [
          ['b', 'ns2'],
          ['a', 'ns2'],
          ['c', 'ns1'],
          ['a', 'ns1'],
          ['b', 'ns1'],
        ] as const) {
          await store.create(key(n, ns), widget(n, { ns }))
        }
        await store.create(key('z', '', G), widget('z', { ns: '' }))
        await store.create(key('y', '', G), widget('y', { ns: '' }))
      }

      it('orders by namespace then name; resourceVersion is the current revision', async (t) => {
        const { store } = await open(t)
        await seed(store)
        const all = await store.list(W)
        assert.deepEqual(names(all.items), ['ns1/a', 'ns1/b', 'ns1/c', 'ns2/a', 'ns2/b'])
        assert.equal(all.resourceVersion, '7')
        assert.ok(all.items.every((o) => rv(o) <= Number(all.resourceVersion)))
        assert.equal(all.continue, undefined)
        assert.deepEqual(names((await store.list(W, { namespace: 'ns2' })).items), [
          'ns2/a',
          'ns2/b',
        ])
        assert.equal((await store.list(W, { namespace: '' })).items.length, 5)
        assert.deepEqual(names((await store.list(G)).items), ['y', 'z'])
        assert.deepEqual((await store.list('nothing')).items, [])
      })

      const labelled: [string, Record<string, string> | undefined][] = [
        ['a', { app: 'web', tier: 'front' }],
        ['b', { app: 'web', tier: 'back' }],
        ['c', { app: 'db' }],
        ['d', undefined],
        ['e', { app: 'web', version: '3' }],
      ]
      const labelCases: [string, string[]][] = [
        ['', ['a', 'b', 'c', 'd', 'e']],
        ['app=web', ['a', 'b', 'e']],
        ['app==web', ['a', 'b', 'e']],
        ['app!=web', ['c', 'd']],
        ['app in (web,db)', ['a', 'b', 'c', 'e']],
        ['app notin (web)', ['c', 'd']],
        ['tier', ['a', 'b']],
        ['!tier', ['c', 'd', 'e']],
        ['app=web,tier=front', ['a']],
        ['app=web,!tier', ['e']],
        ['version>2', ['e']],
        ['version<3', []],
        [' app = web , tier in ( back ) ', ['b']],
        ['app=', []],
        ['app notin ()', ['a', 'b', 'c', 'd', 'e']],
      ]
      for (const [selector, want] of labelCases) {
        it(`label selector ${JSON.stringify(selector)}`, async (t) => {
          const { store } = await open(t)
          for (const [n, labels] of labelled) {
            await store.create(key(n), widget(n, labels ? { labels } : {}))
          }
          const got = await store.list(W, { labelSelector: selector })
          assert.deepEqual(
            names(got.items),
            want.map((n) => `ns1/${n}`),
          )
        })
      }

      const fieldCases: [string, string[]][] = [
        ['metadata.name=a', ['ns1/a', 'ns2/a']],
        ['metadata.name==a', ['ns1/a', 'ns2/a']],
        ['metadata.name!=a', ['ns1/b', 'ns1/c', 'ns2/b']],
        ['metadata.namespace=ns2', ['ns2/a', 'ns2/b']],
        ['metadata.namespace=ns2,metadata.name!=a', ['ns2/b']],
        ['metadata.namespace!=ns2,metadata.name=b', ['ns1/b']],
        ['metadata.name=nope', []],
      ]
      for (const [selector, want] of fieldCases) {
        it(`field selector ${JSON.stringify(selector)}`, async (t) => {
          const { store } = await open(t)
          await seed(store)
          assert.deepEqual(names((await store.list(W, { fieldSelector: selector })).items), want)
        })
      }

      it('a field selector combines with the namespace and a label selector', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a', { labels: { k: 'v' } }))
        await store.create(key('a', 'ns2'), widget('a', { ns: 'ns2', labels: { k: 'v' } }))
        await store.create(key('b'), widget('b', { labels: { k: 'v' } }))
        const got = await store.list(W, {
          namespace: 'ns2',
          fieldSelector: 'metadata.name=a',
          labelSelector: 'k=v',
        })
        assert.deepEqual(names(got.items), ['ns2/a'])
      })

      it('a field selector reads the fields a resource declares', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a', { size: 1 }))
        await store.create(key('b'), widget('b', { size: 2 }))
        await store.create(key('c'), widget('c', { size: 3 }))
        const list = (fieldSelector: string) =>
          store.list(W, { fieldSelector, fields: SIZE_FIELD }).then((r) => names(r.items))
        assert.deepEqual(await list('spec.size=2'), ['ns1/b'])
        assert.deepEqual(await list('spec.size!=2,metadata.name!=c'), ['ns1/a'])
        assert.deepEqual(await list('spec.size='), [])
        const page = await store.list(W, {
          fieldSelector: 'spec.size!=9',
          fields: SIZE_FIELD,
          limit: 1,
        })
        assert.equal(page.remainingItemCount, undefined)
        assert.ok(page.continue)
      })

      it('a watch on a declared field sees objects enter and leave the selection', async (t) => {
        const { store } = await open(t)
        const events = await watch(t, store, W, {
          fieldSelector: 'spec.size=2',
          fields: SIZE_FIELD,
        })
        await store.create(key('a'), widget('a', { size: 1 }))
        await store.update(key('a'), widget('a', { size: 2 }))
        await store.update(key('a'), widget('a', { size: 3 }))
        assert.deepEqual(summary(await take(events, 2)), ['ADDED a 2', 'DELETED a 3'])
        const replay = await watch(t, store, W, {
          fieldSelector: 'spec.size=2',
          fields: SIZE_FIELD,
          fromResourceVersion: '0',
        })
        assert.deepEqual(summary(await take(replay, 2)), ['ADDED a 2', 'DELETED a 3'])
      })

      const badSelectors: {
        options: { labelSelector?: string; fieldSelector?: string }
        kind: string
      }[] = [
        { options: { labelSelector: 'app in web' }, kind: 'label' },
        { options: { labelSelector: 'app=web,' }, kind: 'label' },
        { options: { labelSelector: '=web' }, kind: 'label' },
        { options: { labelSelector: 'app in (web' }, kind: 'label' },
        { options: { labelSelector: '-app=web' }, kind: 'label' },
        { options: { labelSelector: 'app=we b' }, kind: 'label' },
        { options: { fieldSelector: 'spec.size=1' }, kind: 'field' },
        { options: { fieldSelector: 'metadata.name' }, kind: 'field' },
        { options: { fieldSelector: 'metadata.name=a\\' }, kind: 'field' },
      ]
      for (const c of badSelectors) {
        it(`an invalid selector is InvalidSelector naming it: ${JSON.stringify(c.options)}`, async (t) => {
          const { store } = await open(t)
          const selector = c.options.labelSelector ?? c.options.fieldSelector
          const check = (e: Record<string, unknown>): void => {
            assert.equal(e.selector, selector)
            assert.equal(e.selectorKind, c.kind)
          }
          await rejectsWith(store.list(W, c.options), 'InvalidSelector', check)
          await rejectsWith(
            store.watch(W, { ...c.options, signal: AbortSignal.abort() }),
            'InvalidSelector',
            check,
          )
        })
      }

      it('limit and continue page through everything, with remainingItemCount', async (t) => {
        const { store } = await open(t)
        for (let i = 0; i < 7; i++) await store.create(key(`w${i}`), widget(`w${i}`))
        const seen: string[] = []
        const remaining: (number | undefined)[] = []
        let token: string | undefined
        let pages = 0
        do {
          const page = await store.list(W, { limit: 3, ...(token ? { continue: token } : {}) })
          seen.push(...names(page.items))
          remaining.push(page.remainingItemCount)
          assert.equal(page.resourceVersion, '7')
          token = page.continue
          pages++
        } while (token)
        assert.equal(pages, 3)
        assert.deepEqual(seen, names((await store.list(W)).items))
        assert.deepEqual(remaining, [4, 1, undefined])
      })

      it('withoutRemainingCount pages the same way and leaves the count out', async (t) => {
        const { store } = await open(t)
        for (let i = 0; i < 5; i++) await store.create(key(`w${i}`), widget(`w${i}`))
        const first = await store.list(W, { limit: 3, withoutRemainingCount: true })
        assert.equal(first.remainingItemCount, undefined)
        assert.ok(first.continue)
        const second = await store.list(W, {
          limit: 3,
          continue: first.continue,
          withoutRemainingCount: true,
        })
        assert.equal(second.remainingItemCount, undefined)
        assert.equal(second.continue, undefined)
        assert.deepEqual(
          [...names(first.items), ...names(second.items)],
          names((await store.list(W)).items),
        )
      })

      it('listJson pages as list does, each item the stored document', async (t) => {
        const { store } = await open(t)
        for (let i = 0; i < 5; i++) {
          const ns = i % 2 ? 'ns1' : 'ns2'
          await store.create(key(`w${i}`, ns), widget(`w${i}`, { ns, labels: { app: `w${i}` } }))
        }
        await store.delete(key('w2', 'ns2'))
        for (const options of [
          { limit: 2 },
          { namespace: 'ns2' },
          { labelSelector: 'app=w3', limit: 1 },
          { fieldSelector: 'metadata.name!=w1' },
        ]) {
          let token: string | undefined
          do {
            const more = token ? { continue: token } : {}
            const objects = await store.list(W, { ...options, ...more })
            const texts = await store.listJson(W, { ...options, ...more })
            assert.deepEqual(
              texts.items.map((text) => JSON.parse(text) as unknown),
              objects.items,
              JSON.stringify(options),
            )
            assert.deepEqual({ ...texts, items: [] }, { ...objects, items: [] })
            token = objects.continue
          } while (token)
        }
      })

      it('paging one namespace counts and continues within it only, at the snapshot', async (t) => {
        const { store } = await open(t)
        // Neighbours on both sides, with names that sort between the namespace's own.
        for (const [n, ns] of [
          ['a', 'ns0'],
          ['z', 'ns0'],
          ['b', 'ns1'],
          ['d', 'ns1'],
          ['f', 'ns1'],
          ['h', 'ns1'],
          ['j', 'ns1'],
          ['c', 'ns2'],
          ['e', 'ns2'],
        ] as const) {
          await store.create(key(n, ns), widget(n, { ns }))
        }
        const first = await store.list(W, { namespace: 'ns1', limit: 2 })
        assert.deepEqual(names(first.items), ['ns1/b', 'ns1/d'])
        assert.equal(first.remainingItemCount, 3)
        // Writes after the first page: a new name inside the next page's range, a delete.
        await store.create(key('g', 'ns1'), widget('g'))
        await store.delete(key('h', 'ns1'))
        const second = await store.list(W, { namespace: 'ns1', limit: 2, continue: first.continue })
        assert.deepEqual(names(second.items), ['ns1/f', 'ns1/h'])
        assert.equal(second.remainingItemCount, 1)
        assert.equal(second.resourceVersion, first.resourceVersion)
        const third = await store.list(W, { namespace: 'ns1', limit: 2, continue: second.continue })
        assert.deepEqual(names(third.items), ['ns1/j'])
        assert.equal(third.continue, undefined)
      })

      it('an exact last page carries no continue token', async (t) => {
        const { store } = await open(t)
        for (const n of ['a', 'b']) await store.create(key(n), widget(n))
        const page = await store.list(W, { limit: 2 })
        assert.equal(page.items.length, 2)
        assert.equal(page.continue, undefined)
      })

      it("continue reads the first page's snapshot despite concurrent writes", async (t) => {
        const { store } = await open(t)
        for (const n of ['a', 'b', 'c', 'd', 'e']) await store.create(key(n), widget(n))
        const first = await store.list<Widget>(W, { limit: 2 })
        assert.deepEqual(names(first.items), ['ns1/a', 'ns1/b'])
        assert.equal(first.resourceVersion, '5')
        // Concurrent writes between pages: change c, delete d, add bb and f, change a.
        await store.update(key('c'), widget('c', { size: 2, labels: { changed: 'yes' } }))
        await store.delete(key('d'))
        await store.create(key('bb'), widget('bb'))
        await store.create(key('f'), widget('f'))
        await store.update(key('a'), widget('a', { size: 3 }))
        const second = await store.list<Widget>(W, { limit: 2, continue: first.continue })
        assert.deepEqual(names(second.items), ['ns1/c', 'ns1/d'])
        assert.equal(second.resourceVersion, '5')
        assert.equal(second.remainingItemCount, 1)
        const c = second.items[0]!
        assert.equal(c.metadata.resourceVersion, '3')
        assert.deepEqual(c.spec, { size: 1 })
        assert.equal(c.metadata.labels, undefined)
        const third = await store.list(W, { limit: 2, continue: second.continue })
        assert.deepEqual(names(third.items), ['ns1/e'])
        assert.equal(third.continue, undefined)
        const now = await store.list(W)
        assert.deepEqual(names(now.items), ['ns1/a', 'ns1/b', 'ns1/bb', 'ns1/c', 'ns1/e', 'ns1/f'])
        assert.equal(now.resourceVersion, '10')
      })

      it('a selector with limit fills pages with matches only and stops at the last match', async (t) => {
        const { store } = await open(t)
        for (let i = 0; i < 9; i++) {
          await store.create(key(`w${i}`), widget(`w${i}`, { labels: { odd: String(i % 2) } }))
        }
        const p1 = await store.list(W, { labelSelector: 'odd=1', limit: 2 })
        assert.deepEqual(names(p1.items), ['ns1/w1', 'ns1/w3'])
        assert.equal(p1.remainingItemCount, undefined)
        const p2 = await store.list(W, { labelSelector: 'odd=1', limit: 2, continue: p1.continue })
        assert.deepEqual(names(p2.items), ['ns1/w5', 'ns1/w7'])
        assert.equal(p2.continue, undefined)
      })

      const badTokens: { case: string; token: (good: string) => string }[] = [
        { case: 'garbage', token: () => 'not a token!' },
        {
          case: 'valid base64 of something else',
          token: () => Buffer.from('{"x":1}').toString('base64url'),
        },
        { case: 'truncated', token: (good) => good.slice(0, good.length - 5) },
      ]
      for (const c of badTokens) {
        it(`a ${c.case} continue token is InvalidContinue`, async (t) => {
          const { store } = await open(t)
          for (const n of ['a', 'b']) await store.create(key(n), widget(n))
          const page = await store.list(W, { limit: 1 })
          await rejectsWith(
            store.list(W, { limit: 1, continue: c.token(page.continue ?? '') }),
            'InvalidContinue',
          )
        })
      }

      it('a continue token from another resource is InvalidContinue', async (t) => {
        const { store } = await open(t)
        for (const n of ['a', 'b']) await store.create(key(n), widget(n))
        const page = await store.list(W, { limit: 1 })
        await rejectsWith(store.list(G, { continue: page.continue }), 'InvalidContinue')
      })

      it('a continue token older than the history window is Expired', async (t) => {
        const { store } = await open(t, { compaction: { maxRevisions: 5 } })
        for (const n of ['a', 'b', 'c']) await store.create(key(n), widget(n))
        const page = await store.list(W, { limit: 1 })
        for (let i = 0; i < 6; i++) await store.update(key('c'), widget('c', { size: 10 + i }))
        await rejectsWith(store.list(W, { limit: 1, continue: page.continue }), 'Expired', (e) => {
          assert.equal(e.requested, 3)
          assert.ok((e.compacted as number) >= 3)
        })
        // Within the window a continue token still works.
        const fresh = await store.list(W, { limit: 1 })
        assert.deepEqual(names((await store.list(W, { continue: fresh.continue })).items), [
          'ns1/b',
          'ns1/c',
        ])
      })
    })

    describe('transaction', () => {
      it('commits every write with consecutive revisions and publishes after commit', async (t) => {
        const { store } = await open(t)
        await store.create(key('old'), widget('old'))
        const events = await watch(t, store, W)
        const result = await store.transaction(async (tx) => {
          const a = await tx.create(key('a'), widget('a'))
          const b = await tx.create(key('b'), widget('b'))
          const old = await tx.update(key('old'), widget('old', { size: 5 }))
          const gone = await tx.delete(key('a'))
          return [a, b, old, gone].map(rv)
        })
        assert.deepEqual(result, [2, 3, 4, 5])
        assert.equal(await store.currentRevision(), 5)
        assert.deepEqual(summary(await take(events, 4)), [
          'ADDED a 2',
          'ADDED b 3',
          'MODIFIED old 4',
          'DELETED a 5',
        ])
      })

      it('a throwing function writes nothing and publishes nothing', async (t) => {
        const { store } = await open(t)
        await store.create(key('old'), widget('old'))
        const events = await watch(t, store, W)
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.create(key('a'), widget('a'))
            await tx.update(key('old'), widget('old', { size: 5 }))
            throw new Error('boom')
          }),
          /boom/,
        )
        assert.equal(await store.currentRevision(), 1)
        await rejectsWith(store.get(key('a')), 'NotFound')
        assert.deepEqual((await store.get<Widget>(key('old'))).spec, { size: 1 })
        const next = await store.create(key('n'), widget('n'))
        assert.equal(rv(next), 2, 'revisions of a rolled-back transaction are not skipped')
        assert.deepEqual(summary(await take(events, 1)), ['ADDED n 2'])
      })

      it('a typed error inside rolls back the earlier writes and propagates', async (t) => {
        const { store } = await open(t)
        await store.create(key('taken'), widget('taken'))
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.create(key('a'), widget('a'))
            await tx.create(key('taken'), widget('taken'))
          }),
          'AlreadyExists',
        )
        await rejectsWith(store.get(key('a')), 'NotFound')
        assert.equal(await store.currentRevision(), 1)
      })

      it('reads its own writes; others see them only after commit', async (t) => {
        const { store } = await open(t)
        let release!: () => void
        const hold = new Promise<void>((resolve) => (release = resolve))
        let written!: () => void
        const wrote = new Promise<void>((resolve) => (written = resolve))
        const done = store.transaction(async (tx) => {
          await tx.create(key('a'), widget('a'))
          assert.equal(rv(await tx.get(key('a'))), 1)
          const bumped = await tx.guaranteedUpdate<Widget>(key('a'), (o) => ({
            ...o,
            spec: { size: 2 },
          }))
          assert.equal(rv(bumped), 2)
          written()
          await hold
        })
        await wrote
        await rejectsWith(store.get(key('a')), 'NotFound')
        assert.deepEqual((await store.list(W)).items, [])
        release()
        await done
        assert.equal(rv(await store.get(key('a'))), 2)
      })

      it('writes outside the transaction wait for it and keep revisions monotonic', async (t) => {
        const { store } = await open(t)
        let release!: () => void
        const hold = new Promise<void>((resolve) => (release = resolve))
        let started!: () => void
        const began = new Promise<void>((resolve) => (started = resolve))
        const tx = store.transaction(async (handle) => {
          await handle.create(key('in'), widget('in'))
          started()
          await hold
          return rv(await handle.create(key('in2'), widget('in2')))
        })
        await began
        const outside = store.create(key('out'), widget('out'))
        release()
        const [lastInside, out] = await Promise.all([tx, outside])
        assert.ok(rv(out) > lastInside)
        const all = (await store.list(W)).items.map(rv).sort((x, y) => x - y)
        assert.deepEqual(all, [1, 2, 3])
      })

      it('the handle is unusable after the transaction ends', async (t) => {
        const { store } = await open(t)
        let leaked: StoreTransaction | undefined
        await store.transaction((tx) => {
          leaked = tx
        })
        await rejectsWith(leaked!.create(key('late'), widget('late')), 'TransactionMisuse')
        await rejectsWith(store.get(key('late')), 'NotFound')
      })

      it('a Store write inside its own transaction is refused, not deadlocked', async (t) => {
        const { store } = await open(t)
        await rejectsWith(
          store.transaction(() => store.create(key('a'), widget('a'))),
          'TransactionMisuse',
        )
        await rejectsWith(store.get(key('a')), 'NotFound')
      })

      it('a Store write after awaits inside a later transaction is refused too', async (t) => {
        const { store } = await open(t)
        await store.transaction((tx) => tx.create(key('first'), widget('first')))
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.get(key('first'))
            await new Promise<void>((resolve) => setImmediate(resolve))
            return store.update(key('first'), widget('first'))
          }),
          'TransactionMisuse',
        )
        // Outside any transaction the same write goes through.
        await store.update(key('first'), widget('first'))
      })
    })

    describe('references', () => {
      const UNREFERENCED = { unreferenced: true } as const

      // Refused with Referenced naming the key and one of `referrers`, and nothing written.
      async function refused(store: Store, name: string, referrers: ObjectKey[]): Promise<void> {
        const before = await store.currentRevision()
        await rejectsWith(store.delete(gkey(name), UNREFERENCED), 'Referenced', (e) => {
          assert.deepEqual(e.key, gkey(name))
          assert.ok(
            referrers.some((r) => JSON.stringify(r) === JSON.stringify(e.referrer)),
            `referrer ${JSON.stringify(e.referrer)} is none of ${JSON.stringify(referrers)}`,
          )
        })
        assert.equal(await store.currentRevision(), before)
        await store.get(gkey(name))
      }

      it('a delete with unreferenced is refused while an object references the key; nothing is written', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w', { refs: ['g'] }))
        const events = await watch(t, store, G)
        await rejectsWith(store.delete(gkey('g'), UNREFERENCED), 'Referenced', (e) => {
          assert.deepEqual(e.key, gkey('g'))
          assert.deepEqual(e.referrer, key('w'))
          assert.match(String(e.message), /^gadgets\/g is still referenced by widgets\/ns1\/w$/)
        })
        assert.equal(await store.currentRevision(), 2)
        const sentinel = await store.create(gkey('s'), gadget('s'))
        assert.deepEqual(summary(await take(events, 1)), [`ADDED s ${rv(sentinel)}`])
      })

      it('an update with unreferenced is refused while an object references the key, and allowed once not', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        const g = await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w', { refs: ['g'] }))
        const labelled = { ...g, metadata: { ...g.metadata, labels: { marked: 'yes' } } }
        const before = await store.currentRevision()
        await rejectsWith(store.update(gkey('g'), labelled, UNREFERENCED), 'Referenced', (e) => {
          assert.deepEqual(e.referrer, key('w'))
        })
        assert.equal(await store.currentRevision(), before)
        await store.delete(key('w'))
        const updated = await store.update(gkey('g'), labelled, UNREFERENCED)
        assert.deepEqual(updated.metadata.labels, { marked: 'yes' })
      })

      it('a delete without unreferenced ignores references: the reference dangles', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w', { refs: ['g'] }))
        await store.delete(gkey('g'))
        assert.deepEqual((await store.get<Widget>(key('w'))).spec?.refs, ['g'])
      })

      const freed: { case: string; drop: (s: Store) => Promise<unknown> }[] = [
        { case: 'updated without it', drop: (s) => s.update(key('w'), widget('w')) },
        {
          case: 'changed by guaranteedUpdate',
          drop: (s) => s.guaranteedUpdate<Widget>(key('w'), (o) => ({ ...o, spec: { size: 2 } })),
        },
        { case: 'deleted', drop: (s) => s.delete(key('w')) },
      ]
      for (const c of freed) {
        it(`the delete is allowed once the referrer is ${c.case}`, async (t) => {
          const { store } = await open(t, { references: REFERENCES })
          await store.create(gkey('g'), gadget('g'))
          await store.create(key('w'), widget('w', { refs: ['g'] }))
          await refused(store, 'g', [key('w')])
          await c.drop(store)
          await store.delete(gkey('g'), UNREFERENCED)
          await rejectsWith(store.get(gkey('g')), 'NotFound')
        })
      }

      it('an update re-indexes: a dropped target is free, kept and added ones are referenced', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        for (const n of ['a', 'b', 'c']) await store.create(gkey(n), gadget(n))
        await store.create(key('w'), widget('w', { refs: ['a', 'b'] }))
        await refused(store, 'a', [key('w')])
        await store.update(key('w'), widget('w', { refs: ['c', 'b'] }))
        await refused(store, 'b', [key('w')])
        await refused(store, 'c', [key('w')])
        await store.delete(gkey('a'), UNREFERENCED)
      })

      it('every referrer counts, in any namespace or resource, until the last one goes', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        const referrers = [key('w'), key('w', 'ns2'), gkey('list')]
        await store.create(key('w'), widget('w', { refs: ['g'] }))
        await store.create(key('w', 'ns2'), widget('w', { ns: 'ns2', refs: ['g'] }))
        await store.create(gkey('list'), gadget('list', ['g', 'other']))
        for (const [i, referrer] of referrers.entries()) {
          await refused(store, 'g', referrers.slice(i))
          await store.delete(referrer)
        }
        await store.delete(gkey('g'), UNREFERENCED)
      })

      it('duplicate targets and targets that do not exist are fine', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w', { refs: ['g', 'g', 'absent'] }))
        await refused(store, 'g', [key('w')])
        await store.create(gkey('absent'), gadget('absent'))
        await refused(store, 'absent', [key('w')])
        await store.update(key('w'), widget('w', { refs: ['absent'] }))
        await store.delete(gkey('g'), UNREFERENCED)
      })

      it('an object that references only itself can be deleted', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g', ['g']))
        await store.delete(gkey('g'), UNREFERENCED)
      })

      it('objects of a resource without an extractor reference nothing', async (t) => {
        const { store } = await open(t, { references: { [W]: REFERENCES[W]! } })
        await store.create(gkey('child'), gadget('child'))
        await store.create(gkey('list'), gadget('list', ['child']))
        await store.delete(gkey('child'), UNREFERENCED)
      })

      it('a re-created referrer is indexed anew', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        for (const n of ['a', 'b']) await store.create(gkey(n), gadget(n))
        await store.create(key('w'), widget('w', { refs: ['a'] }))
        await store.delete(key('w'))
        await store.create(key('w'), widget('w', { refs: ['b'] }))
        await store.delete(gkey('a'), UNREFERENCED)
        await refused(store, 'b', [key('w')])
      })

      it('in a transaction, a reference written earlier refuses the delete and the error rolls back all', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w'))
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.update(key('w'), widget('w', { refs: ['g'] }))
            await tx.delete(gkey('g'), UNREFERENCED)
          }),
          'Referenced',
          (e) => assert.deepEqual(e.referrer, key('w')),
        )
        assert.equal((await store.get<Widget>(key('w'))).spec?.refs, undefined)
        assert.equal(await store.currentRevision(), 2)
        await store.delete(gkey('g'), UNREFERENCED)
      })

      it('in a transaction, deleting the referrer first lets the target go', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('child'), gadget('child'))
        await store.create(gkey('list'), gadget('list', ['child']))
        await store.transaction(async (tx) => {
          await rejectsWith(tx.delete(gkey('child'), UNREFERENCED), 'Referenced')
          await tx.delete(gkey('list'), UNREFERENCED)
          await tx.delete(gkey('child'), UNREFERENCED)
        })
        assert.deepEqual((await store.list(G)).items, [])
      })

      it('a delete waiting behind a transaction that adds a reference is refused', async (t) => {
        const { store } = await open(t, { references: REFERENCES })
        await store.create(gkey('g'), gadget('g'))
        await store.create(key('w'), widget('w'))
        let release!: () => void
        const hold = new Promise<void>((resolve) => (release = resolve))
        let started!: () => void
        const began = new Promise<void>((resolve) => (started = resolve))
        const adding = store.transaction(async (tx) => {
          await tx.update(key('w'), widget('w', { refs: ['g'] }))
          started()
          await hold
        })
        await began
        const deleting = store.delete(gkey('g'), UNREFERENCED)
        release()
        await adding
        await rejectsWith(deleting, 'Referenced', (e) => assert.deepEqual(e.referrer, key('w')))
      })
    })

    describe('guaranteedUpdate', () => {
      it('applies every one of 50 concurrent read-modify-writes', async (t) => {
        const { store } = await open(t)
        const start = await store.create(key('counter'), {
          ...widget('counter'),
          spec: { size: 0 },
        })
        const calls = { n: 0 }
        await Promise.all(
          Array.from({ length: 50 }, () =>
            store.guaranteedUpdate<Widget>(
              key('counter'),
              (o) => {
                calls.n++
                return { ...o, spec: { size: (o.spec?.size ?? 0) + 1 } }
              },
              { maxRetries: 100 },
            ),
          ),
        )
        const end = await store.get<Widget>(key('counter'))
        assert.equal(end.spec?.size, 50)
        assert.equal(rv(end), rv(start) + 50)
        assert.ok(calls.n >= 50)
      })

      it('fn returning undefined writes nothing and returns the current object', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a'))
        const got = await store.guaranteedUpdate(key('a'), () => undefined)
        assert.deepEqual(got, a)
        assert.equal(await store.currentRevision(), 1)
      })

      it('an error thrown by fn propagates and nothing is written', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a'))
        await assert.rejects(
          store.guaranteedUpdate(key('a'), () => {
            throw new Error('refused')
          }),
          /refused/,
        )
        assert.equal(await store.currentRevision(), 1)
      })

      it('with maxRetries 0 a conflict is returned to the caller', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a'))
        await rejectsWith(
          store.guaranteedUpdate<Widget>(
            key('a'),
            async (o) => {
              // Someone else writes between our read and our write.
              await store.update(key('a'), widget('a', { size: 100 + (o.spec?.size ?? 0) }))
              return { ...o, spec: { size: 5 } }
            },
            { maxRetries: 0 },
          ),
          'Conflict',
        )
        assert.deepEqual((await store.get<Widget>(key('a'))).spec, { size: 101 })
      })

      it('a conflict is retried on the fresh object', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a'))
        let interfered = false
        const result = await store.guaranteedUpdate<Widget>(key('a'), async (o) => {
          if (!interfered) {
            interfered = true
            await store.update(key('a'), widget('a', { size: 10 }))
          }
          return { ...o, spec: { size: (o.spec?.size ?? 0) + 1 } }
        })
        assert.deepEqual(result.spec, { size: 11 })
        assert.equal(rv(result), 3)
      })
    })

    describe('watch', () => {
      it('follows live changes in order and only of its resource and namespace', async (t) => {
        const { store } = await open(t)
        const events = await watch(t, store, W, { namespace: 'ns1' })
        await store.create(key('a'), widget('a'))
        await store.create(key('a', 'ns2'), widget('a', { ns: 'ns2' }))
        await store.create(key('g', '', G), widget('g', { ns: '' }))
        await store.update(key('a'), widget('a', { size: 2 }))
        const gone = await store.delete<Widget>(key('a'))
        const got = await take(events, 3)
        assert.deepEqual(summary(got), ['ADDED a 1', 'MODIFIED a 4', 'DELETED a 5'])
        const last = got[2]!.object as Widget
        assert.deepEqual(last.spec, { size: 2 })
        assert.deepEqual(last, gone)
      })

      it('replays every change after fromResourceVersion, then goes live', async (t) => {
        const { store } = await open(t)
        const a = await store.create(key('a'), widget('a'))
        await store.create(key('b'), widget('b'))
        await store.update(key('a'), widget('a', { size: 2 }))
        await store.delete(key('b'))
        const events = await watch(t, store, W, { fromResourceVersion: a.metadata.resourceVersion })
        await store.create(key('c'), widget('c'))
        assert.deepEqual(summary(await take(events, 4)), [
          'ADDED b 2',
          'MODIFIED a 3',
          'DELETED b 4',
          'ADDED c 5',
        ])
      })

      it('replays from 0 when nothing has been compacted; from the current revision only new changes', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a'))
        const fromZero = await watch(t, store, W, { fromResourceVersion: '0' })
        const fromNow = await watch(t, store, W, { fromResourceVersion: '1' })
        await store.create(key('b'), widget('b'))
        assert.deepEqual(summary(await take(fromZero, 2)), ['ADDED a 1', 'ADDED b 2'])
        assert.deepEqual(summary(await take(fromNow, 1)), ['ADDED b 2'])
      })

      it('selector transitions: stops matching -> DELETED (old state, new RV), starts -> ADDED', async (t) => {
        const { store } = await open(t)
        const events = await watch(t, store, W, { labelSelector: 'app=web' })
        await store.create(key('x'), widget('x', { labels: { app: 'web' } }))
        await store.create(key('y'), widget('y', { labels: { app: 'db' } }))
        await store.update(key('x'), widget('x', { labels: { app: 'db' }, size: 2 }))
        await store.update(key('y'), widget('y', { labels: { app: 'web' } }))
        await store.update(key('y'), widget('y', { labels: { app: 'web' }, size: 3 }))
        await store.update(key('x'), widget('x', { labels: { app: 'db' }, size: 4 }))
        await store.delete(key('x'))
        await store.delete(key('y'))
        const got = await take(events, 5)
        assert.deepEqual(summary(got), [
          'ADDED x 1',
          'DELETED x 3',
          'ADDED y 4',
          'MODIFIED y 5',
          'DELETED y 8',
        ])
        const left = got[1]!.object as Widget
        assert.deepEqual(
          left.metadata.labels,
          { app: 'web' },
          'DELETED carries the last matching state',
        )
        assert.deepEqual(left.spec, { size: 1 })
      })

      it('selector transitions replay the same from history', async (t) => {
        const { store } = await open(t)
        await store.create(key('x'), widget('x', { labels: { app: 'web' } }))
        await store.update(key('x'), widget('x', { labels: { app: 'db' } }))
        await store.update(key('x'), widget('x', { labels: { app: 'web' } }))
        const events = await watch(t, store, W, {
          labelSelector: 'app=web',
          fromResourceVersion: '0',
        })
        assert.deepEqual(summary(await take(events, 3)), ['ADDED x 1', 'DELETED x 2', 'ADDED x 3'])
      })

      it('a field selector on metadata.name follows one object', async (t) => {
        const { store } = await open(t)
        const events = await watch(t, store, W, { fieldSelector: 'metadata.name=b' })
        for (const n of ['a', 'b', 'c']) await store.create(key(n), widget(n))
        await store.update(key('b'), widget('b', { size: 2 }))
        assert.deepEqual(summary(await take(events, 2)), ['ADDED b 2', 'MODIFIED b 4'])
      })

      it('fromResourceVersion older than the history window is Expired', async (t) => {
        const { store } = await open(t, { compaction: { maxRevisions: 5 } })
        for (let i = 0; i < 12; i++) await store.create(key(`w${i}`), widget(`w${i}`))
        await rejectsWith(
          store.watch(W, { fromResourceVersion: '1', signal: AbortSignal.abort() }),
          'Expired',
          (e) => {
            assert.equal(e.requested, 1)
            assert.ok((e.compacted as number) > 1)
          },
        )
        const events = await watch(t, store, W, { fromResourceVersion: '7' })
        assert.deepEqual(summary(await take(events, 5)).at(-1), 'ADDED w11 12')
      })

      it('history older than maxAgeMs is compacted: Expired, while the current revision still works', async (t) => {
        const clock = new ManualClock()
        const { store } = await open(t, { clock, compaction: { maxAgeMs: 60_000 } })
        await store.create(key('a'), widget('a'))
        await store.create(key('b'), widget('b'))
        clock.advance(30_000)
        await store.create(key('c'), widget('c'))
        clock.advance(40_000)
        const compacted = await store.compact()
        assert.equal(compacted, 2)
        await rejectsWith(
          store.watch(W, { fromResourceVersion: '1', signal: AbortSignal.abort() }),
          'Expired',
        )
        const events = await watch(t, store, W, { fromResourceVersion: '2' })
        assert.deepEqual(summary(await take(events, 1)), ['ADDED c 3'])
        clock.advance(60_000)
        assert.equal(await store.compact(), 3)
        const fromNow = await watch(t, store, W, { fromResourceVersion: '3' })
        await store.create(key('d'), widget('d'))
        assert.deepEqual(summary(await take(fromNow, 1)), ['ADDED d 4'])
      })

      const badStarts: { rv: string; code: StoreErrorCode }[] = [
        { rv: '99', code: 'TooLargeResourceVersion' },
        { rv: 'abc', code: 'InvalidResourceVersion' },
        { rv: '-1', code: 'InvalidResourceVersion' },
        { rv: '1.5', code: 'InvalidResourceVersion' },
      ]
      for (const c of badStarts) {
        it(`fromResourceVersion ${JSON.stringify(c.rv)} is ${c.code}`, async (t) => {
          const { store } = await open(t)
          await store.create(key('a'), widget('a'))
          await rejectsWith(
            store.watch(W, { fromResourceVersion: c.rv, signal: AbortSignal.abort() }),
            c.code,
          )
        })
      }

      it('a slow watcher does not block writers and still receives every event in order', async (t) => {
        const { store } = await open(t, { watchBufferSize: 4 })
        const events = await watch(t, store, W)
        // Nobody consumes while 40 writes complete: if writers waited for the watcher, these
        // awaits would never finish.
        for (let i = 0; i < 40; i++) await store.create(key(`w${i}`), widget(`w${i}`))
        const got = await take(events, 40)
        assert.deepEqual(
          summary(got),
          Array.from({ length: 40 }, (_, i) => `ADDED w${i} ${i + 1}`),
        )
        await store.delete(key('w0'))
        assert.deepEqual(summary(await take(events, 1)), ['DELETED w0 41'])
      })

      it('a slow watcher holds at most watchBufferBytes, says it fell behind, and still receives every event', async (t) => {
        const bound = 64 * 1024
        const { store } = await open(t, { watchBufferBytes: bound })
        let fellBehind = 0
        const events = await watch(t, store, W, { onFallBehind: () => fellBehind++ })
        const big = (name: string): Widget => ({
          ...widget(name),
          spec: { color: 'x'.repeat(20 * 1024) },
        })
        let peak = 0
        for (let i = 0; i < 20; i++) {
          await store.create(key(`w${i}`), big(`w${i}`))
          peak = Math.max(peak, store.watchStats().bufferedBytes)
        }
        assert.equal(store.watchStats().watchers, 1)
        assert.ok(peak <= bound, `buffered ${peak} bytes, bound ${bound}`)
        assert.ok(peak > bound / 2, `buffered ${peak} bytes: the bound was not reached`)
        assert.equal(fellBehind, 1)
        // Catching up reads history in pages that respect the same bound.
        const got: WatchEvent<Widget>[] = []
        while (got.length < 20) {
          got.push(...(await take(events, 1)))
          assert.ok(store.watchStats().bufferedBytes <= bound)
        }
        assert.deepEqual(
          summary(got),
          Array.from({ length: 20 }, (_, i) => `ADDED w${i} ${i + 1}`),
        )
        assert.equal(store.watchStats().bufferedBytes, 0)
      })

      it('a stopped watcher releases its buffer', async (t) => {
        const { store } = await open(t)
        const controller = new AbortController()
        await store.watch(W, { signal: controller.signal })
        await store.create(key('a'), widget('a'))
        assert.equal(store.watchStats().watchers, 1)
        assert.ok(store.watchStats().bufferedBytes > 0)
        controller.abort()
        assert.deepEqual(store.watchStats(), { watchers: 0, bufferedBytes: 0 })
      })

      it('a watcher that falls behind the history window ends with Expired after its buffered events', async (t) => {
        const { store } = await open(t, { watchBufferSize: 2, compaction: { maxRevisions: 5 } })
        const events = await watch(t, store, W)
        for (let i = 0; i < 12; i++) await store.create(key(`w${i}`), widget(`w${i}`))
        const got: string[] = []
        await rejectsWith(
          (async () => {
            for (;;) {
              const r = await events.next()
              if (r.done) return
              got.push(...summary([r.value]))
            }
          })(),
          'Expired',
        )
        assert.ok(got.length <= 2, `buffered events only, got ${got.join(', ')}`)
        assert.deepEqual(got, ['ADDED w0 1', 'ADDED w1 2'].slice(0, got.length))
        assert.equal((await events.next()).done, true)
      })

      it('a slow watcher is not expired by compaction of history it does not need', async (t) => {
        const { store } = await open(t, { watchBufferSize: 1, compaction: { maxRevisions: 5 } })
        const events = await watch(t, store, W)
        await store.create(key('a'), widget('a'))
        // Other resources' writes push the compaction floor past revision 1.
        for (let i = 0; i < 9; i++)
          await store.create(key(`g${i}`, '', G), widget(`g${i}`, { ns: '' }))
        await store.create(key('b'), widget('b'))
        assert.deepEqual(summary(await take(events, 2)), ['ADDED a 1', 'ADDED b 11'])
      })

      it('abort ends the watch: a waiting next() completes with done', async (t) => {
        const { store } = await open(t)
        const controller = new AbortController()
        const events = await store.watch(W, { signal: controller.signal })
        const pending = events.next()
        controller.abort()
        assert.equal((await pending).done, true)
        await store.create(key('a'), widget('a'))
        assert.equal((await events.next()).done, true)
      })

      it('breaking out of for-await ends the watch', async (t) => {
        const { store } = await open(t)
        const events = await store.watch(W, { signal: new AbortController().signal })
        await store.create(key('a'), widget('a'))
        await store.create(key('b'), widget('b'))
        for await (const e of events) {
          assert.equal(e.type, 'ADDED')
          break
        }
        assert.equal((await events.next()).done, true)
      })

      it('bookmarks carry the current revision when asked for, and only then', async (t) => {
        const clock = new ManualClock()
        const { store } = await open(t, { clock, bookmarkIntervalMs: 1_000 })
        await store.create(key('g', '', G), widget('g', { ns: '' }))
        const withMarks = await watch(t, store, W, { bookmarks: true })
        const without = await watch(t, store, W)
        await store.create(key('a'), widget('a'))
        await store.create(key('g2', '', G), widget('g2', { ns: '' }))
        clock.advance(1_000)
        assert.deepEqual(summary(await take(withMarks, 2)), ['ADDED a 2', 'BOOKMARK 3'])
        // A consumer waiting for the next event is woken by the bookmark tick.
        const waiting = withMarks.next()
        clock.advance(1_000)
        const r = await waiting
        assert.equal(r.done, false)
        assert.deepEqual(summary([r.value as WatchEvent]), ['BOOKMARK 3'])
        await store.create(key('b'), widget('b'))
        assert.deepEqual(summary(await take(withMarks, 1)), ['ADDED b 4'])
        assert.deepEqual(summary(await take(without, 2)), ['ADDED a 2', 'ADDED b 4'])
      })

      it('close ends every watch and later calls fail with StoreClosed', async (t) => {
        const sut = await makeStore({})
        t.after(() => sut.close())
        const events = await sut.store.watch(W, { signal: new AbortController().signal })
        const pending = events.next()
        await sut.store.close()
        assert.equal((await pending).done, true)
        await rejectsWith(sut.store.get(key('a')), 'StoreClosed')
        await rejectsWith(sut.store.create(key('a'), widget('a')), 'StoreClosed')
        await rejectsWith(sut.store.list(W), 'StoreClosed')
      })
    })

    describe('schedule', () => {
      const T = Date.UTC(2026, 0, 1)
      const LEASE = 30_000

      // Scheduled tags of one stream as `ns/stream:tag`, for order assertions.
      function ids(entries: readonly ScheduleKey[]): string[] {
        return entries.map((e) => `${e.namespace}/${e.stream}:${e.tag}`)
      }

      function byTag(entries: readonly ScheduleEntry[]): Map<string, ScheduleEntry> {
        return new Map(entries.map((e) => [e.tag, e]))
      }

      // Syncs one stream with tags due at the given times (tag -> nextCheckAt).
      async function seed(
        store: Store,
        stream: string,
        due: Record<string, number>,
        registry = 'quay.io',
        namespace = 'ns1',
      ): Promise<void> {
        const specs = Object.keys(due).map((tag) => schedSpec(tag, { registry }))
        await store.schedule.syncStream(namespace, stream, specs, (s) => due[s.tag] ?? 0)
      }

      function success(digest: string, at: number): CheckOutcome {
        return { nextCheckAt: at + 60_000, lastCheckAt: at, lastDigest: digest, failures: 0 }
      }

      it('syncStream inserts new tags due at firstCheckAt with no check state', async (t) => {
        const { store } = await open(t)
        const asked: string[] = []
        await store.schedule.syncStream('ns1', 'app', [schedSpec('v2'), schedSpec('v1')], (s) => {
          asked.push(s.tag)
          return T + (s.tag === 'v1' ? 1 : 2)
        })
        assert.deepEqual(asked, ['v2', 'v1'])
        assert.deepEqual(await store.schedule.list('ns1', 'app'), [
          { namespace: 'ns1', stream: 'app', ...schedSpec('v1'), nextCheckAt: T + 1, failures: 0 },
          { namespace: 'ns1', stream: 'app', ...schedSpec('v2'), nextCheckAt: T + 2, failures: 0 },
        ])
      })

      const resyncs: { case: string; spec: ScheduleSpec; kept: boolean }[] = [
        { case: 'unchanged', spec: schedSpec('a'), kept: true },
        {
          case: 'registry renamed only',
          spec: schedSpec('a', { registry: 'quay.example' }),
          kept: true,
        },
        {
          case: 'source changed',
          spec: schedSpec('a', { source: 'quay.io/org/other:a' }),
          kept: false,
        },
        { case: 'interval changed', spec: schedSpec('a', { intervalMs: 120_000 }), kept: false },
      ]
      for (const c of resyncs) {
        it(`syncStream with the tag ${c.case} ${c.kept ? 'keeps' : 'resets'} its row`, async (t) => {
          const { store } = await open(t)
          await seed(store, 'app', { a: T, b: T })
          await store.schedule.claimDue(T, 10, LEASE)
          await store.schedule.complete(
            { namespace: 'ns1', stream: 'app', tag: 'a' },
            success('sha256:a', T),
          )
          const asked: string[] = []
          await store.schedule.syncStream('ns1', 'app', [c.spec], (s) => {
            asked.push(s.tag)
            return T + 5
          })
          const rows = await store.schedule.list('ns1', 'app')
          assert.deepEqual(ids(rows), ['ns1/app:a'], 'b, no longer in the specs, is gone')
          const expected: ScheduleEntry = c.kept
            ? { namespace: 'ns1', stream: 'app', ...c.spec, ...success('sha256:a', T) }
            : { namespace: 'ns1', stream: 'app', ...c.spec, nextCheckAt: T + 5, failures: 0 }
          assert.deepEqual(rows[0], expected)
          assert.deepEqual(asked, c.kept ? [] : ['a'])
          if (!c.kept) {
            assert.deepEqual(ids(await store.schedule.claimDue(T + 5, 10, LEASE)), ['ns1/app:a'])
          }
        })
      }

      it('syncStream and removeStream touch only their stream', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T, b: T })
        await seed(store, 'web', { a: T })
        await seed(store, 'app', { a: T }, 'quay.io', 'ns2')
        await store.schedule.syncStream('ns1', 'app', [schedSpec('b')], () => T)
        assert.deepEqual(ids(await store.schedule.list()), ['ns1/app:b', 'ns1/web:a', 'ns2/app:a'])
        await store.schedule.removeStream('ns1', 'app')
        assert.deepEqual(ids(await store.schedule.list()), ['ns1/web:a', 'ns2/app:a'])
        await store.schedule.syncStream('ns1', 'web', [], () => T)
        assert.deepEqual(ids(await store.schedule.list()), ['ns2/app:a'])
      })

      it('syncStream with a duplicate tag is refused and changes nothing', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T })
        await assert.rejects(
          store.schedule.syncStream('ns1', 'app', [schedSpec('b'), schedSpec('b')], () => T),
        )
        assert.deepEqual(ids(await store.schedule.list()), ['ns1/app:a'])
      })

      const lists: { filter: [string?, string?]; want: string[] }[] = [
        { filter: [], want: ['ns1/app:a', 'ns1/app:b', 'ns1/web:a', 'ns2/app:a'] },
        { filter: [''], want: ['ns1/app:a', 'ns1/app:b', 'ns1/web:a', 'ns2/app:a'] },
        { filter: ['ns1'], want: ['ns1/app:a', 'ns1/app:b', 'ns1/web:a'] },
        { filter: ['ns1', 'app'], want: ['ns1/app:a', 'ns1/app:b'] },
        { filter: [undefined, 'app'], want: ['ns1/app:a', 'ns1/app:b', 'ns2/app:a'] },
        { filter: ['ns3'], want: [] },
      ]
      for (const c of lists) {
        it(`list(${c.filter.map((f) => JSON.stringify(f)).join(', ')}) orders by namespace, stream, tag`, async (t) => {
          const { store } = await open(t)
          // Due times opposite to key order: list must not follow them.
          await seed(store, 'web', { a: T + 1 })
          await seed(store, 'app', { b: T + 2, a: T + 3 })
          await seed(store, 'app', { a: T }, 'quay.io', 'ns2')
          assert.deepEqual(ids(await store.schedule.list(...c.filter)), c.want)
        })
      }

      it('claimDue returns due rows earliest first, up to the limit', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T + 3, b: T + 1, c: T + 2, d: T + 4, e: T + 10 })
        const first = await store.schedule.claimDue(T + 4, 3, LEASE)
        assert.deepEqual(ids(first), ['ns1/app:b', 'ns1/app:c', 'ns1/app:a'])
        assert.deepEqual(first[0], {
          namespace: 'ns1',
          stream: 'app',
          ...schedSpec('b'),
          nextCheckAt: T + 1,
          failures: 0,
        })
        assert.deepEqual(ids(await store.schedule.claimDue(T + 4, 3, LEASE)), ['ns1/app:d'])
        assert.deepEqual(await store.schedule.claimDue(T + 4, 3, LEASE), [])
        assert.deepEqual(await store.schedule.claimDue(T + 10, 0, LEASE), [])
      })

      it('a leased row is not claimed again until its lease ends; complete releases it', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T, b: T + 1 })
        assert.deepEqual(ids(await store.schedule.claimDue(T + 1, 10, LEASE)), [
          'ns1/app:a',
          'ns1/app:b',
        ])
        assert.deepEqual(await store.schedule.claimDue(T + LEASE, 10, LEASE), [])
        // The lease ends at T + 1 + LEASE: b is claimable again from then on.
        assert.deepEqual(ids(await store.schedule.claimDue(T + 1 + LEASE, 10, LEASE)), [
          'ns1/app:a',
          'ns1/app:b',
        ])
        // complete releases a at once, even though its new lease runs to T + 1 + 2 * LEASE.
        await store.schedule.complete(
          { namespace: 'ns1', stream: 'app', tag: 'a' },
          { nextCheckAt: T + 2, lastCheckAt: T + 2, lastDigest: 'sha256:a', failures: 0 },
        )
        assert.deepEqual(ids(await store.schedule.claimDue(T + 2 + LEASE, 10, LEASE)), [
          'ns1/app:a',
        ])
      })

      it('release makes a claimed row claimable at its due time, recording nothing', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T })
        const key = { namespace: 'ns1', stream: 'app', tag: 'a' }
        assert.deepEqual(ids(await store.schedule.claimDue(T, 10, LEASE)), ['ns1/app:a'])
        await store.schedule.postpone('quay.io', T + 50)
        await store.schedule.release(key)
        assert.deepEqual(await store.schedule.claimDue(T + 49, 10, LEASE), [])
        const [row] = await store.schedule.claimDue(T + 50, 10, LEASE)
        assert.equal(row?.nextCheckAt, T + 50)
        assert.equal(row?.lastCheckAt, undefined)
        assert.equal(row?.failures, 0)
      })

      it('complete records the outcome; a later success clears the failure', async (t) => {
        const { store } = await open(t)
        const a = { namespace: 'ns1', stream: 'app', tag: 'a' }
        await seed(store, 'app', { a: T })
        await store.schedule.claimDue(T, 1, LEASE)
        const failed: CheckOutcome = {
          nextCheckAt: T + 500,
          lastCheckAt: T + 1,
          failures: 2,
          lastError: 'unauthorized',
        }
        await store.schedule.complete(a, failed)
        assert.deepEqual(await store.schedule.list(), [{ ...a, ...schedSpec('a'), ...failed }])
        await store.schedule.claimDue(T + 500, 1, LEASE)
        await store.schedule.complete(a, success('sha256:x', T + 501))
        assert.deepEqual(await store.schedule.list(), [
          { ...a, ...schedSpec('a'), ...success('sha256:x', T + 501) },
        ])
      })

      it('complete of a row removed or reset meanwhile is ignored', async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { a: T })
        await seed(store, 'web', { a: T })
        await store.schedule.claimDue(T, 10, LEASE)
        await store.schedule.removeStream('ns1', 'app')
        const moved = schedSpec('a', { source: 'quay.io/org/moved:a' })
        await store.schedule.syncStream('ns1', 'web', [moved], () => T + 7)
        for (const stream of ['app', 'web']) {
          await store.schedule.complete(
            { namespace: 'ns1', stream, tag: 'a' },
            success('sha256:old', T),
          )
        }
        assert.deepEqual(await store.schedule.list(), [
          { namespace: 'ns1', stream: 'web', ...moved, nextCheckAt: T + 7, failures: 0 },
        ])
        // The reset also dropped the lease: the new source is checked without waiting for it.
        assert.deepEqual(ids(await store.schedule.claimDue(T + 7, 10, LEASE)), ['ns1/web:a'])
      })

      it("postpone moves only that registry's rows due before until, keeping their order", async (t) => {
        const { store } = await open(t)
        await seed(store, 'app', { c: T + 1, a: T + 2, b: T + 2, late: T + 100, at: T + 50 })
        await seed(store, 'web', { a: T }, 'ghcr.io')
        assert.equal(await store.schedule.postpone('quay.io', T + 50), 3)
        const due = (rows: ScheduleEntry[]) =>
          rows.map((r) => `${r.stream}:${r.tag}@${r.nextCheckAt - T}`)
        assert.deepEqual(due(await store.schedule.list()), [
          'app:a@51',
          'app:at@50',
          'app:b@52',
          'app:c@50',
          'app:late@100',
          'web:a@0',
        ])
        assert.equal(await store.schedule.postpone('docker.io', T + 1_000), 0)
      })

      it('spreadOverdue spaces overdue rows evenly over the window in their order', async (t) => {
        const { store } = await open(t)
        const now = T + 1_000
        await seed(store, 'app', { d: T + 900, a: T, c: T + 10, b: T + 10, now, later: now + 5 })
        assert.equal(await store.schedule.spreadOverdue(now, 1_000), 4)
        const rows = byTag(await store.schedule.list())
        const at = (tag: string) => (rows.get(tag)?.nextCheckAt ?? NaN) - now
        assert.deepEqual(['a', 'b', 'c', 'd', 'now', 'later'].map(at), [0, 250, 500, 750, 0, 5])
        assert.equal(await store.schedule.spreadOverdue(now, 1_000), 0)
      })

      it('stats count depth, due rows and the oldest due time', async (t) => {
        const { store } = await open(t)
        assert.deepEqual(await store.schedule.stats(T), { depth: 0, due: 0 })
        await seed(store, 'app', { a: T - 5, b: T, c: T + 1 })
        await seed(store, 'web', { a: T - 9 })
        assert.deepEqual(await store.schedule.stats(T), { depth: 4, due: 3, oldestDueAt: T - 9 })
        // Leased rows are still due: they count toward the lag until complete moves them.
        await store.schedule.claimDue(T, 1, LEASE)
        assert.deepEqual(await store.schedule.stats(T), { depth: 4, due: 3, oldestDueAt: T - 9 })
        assert.deepEqual(await store.schedule.stats(T - 10), { depth: 4, due: 0 })
      })

      const BUCKET = { rate: 10, burst: 10 }

      it('takeTokens: a new bucket starts full, refills at the rate up to the burst, never backwards', async (t) => {
        const { store } = await open(t)
        const take = (want: number, at: number, registry = 'quay.io') =>
          store.schedule.takeTokens(registry, want, at, BUCKET)
        assert.deepEqual(await take(3, T), { granted: 3, tokens: 7, pausedUntil: 0 })
        assert.deepEqual(await take(10, T), { granted: 7, tokens: 0, pausedUntil: 0 })
        assert.deepEqual(await take(1, T), { granted: 0, tokens: 0, pausedUntil: 0 })
        // 150 ms at 10/s is 1.5 tokens: the whole one is granted, the half stays.
        assert.deepEqual(await take(2, T + 150), { granted: 1, tokens: 0.5, pausedUntil: 0 })
        // A clock behind the last refill (another replica's) adds nothing.
        assert.deepEqual(await take(1, T + 100), { granted: 0, tokens: 0.5, pausedUntil: 0 })
        assert.deepEqual(await take(1, T + 200), { granted: 1, tokens: 0, pausedUntil: 0 })
        // A long quiet spell fills the bucket to its burst, no further.
        assert.deepEqual(await take(50, T + 3_600_000), { granted: 10, tokens: 0, pausedUntil: 0 })
        assert.deepEqual(await take(4, T, 'ghcr.io'), { granted: 4, tokens: 6, pausedUntil: 0 })
      })

      it('takeTokens: concurrent takes together get the burst, no more', async (t) => {
        const { store } = await open(t)
        const grants = await Promise.all(
          Array.from({ length: 25 }, () => store.schedule.takeTokens('quay.io', 1, T, BUCKET)),
        )
        assert.equal(
          grants.reduce((sum, g) => sum + g.granted, 0),
          10,
        )
      })

      it('pauseRegistry: takes grant nothing until the pause ends; a shorter pause keeps the longer', async (t) => {
        const { store } = await open(t)
        // A registry paused before its first take: its bucket is full once the pause ends.
        await store.schedule.pauseRegistry('ghcr.io', T + 10)
        assert.deepEqual(await store.schedule.takeTokens('ghcr.io', 20, T + 10, BUCKET), {
          granted: 10,
          tokens: 0,
          pausedUntil: T + 10,
        })
        assert.equal((await store.schedule.takeTokens('quay.io', 4, T, BUCKET)).granted, 4)
        await store.schedule.pauseRegistry('quay.io', T + 5_000)
        await store.schedule.pauseRegistry('quay.io', T + 1_000)
        // The bucket refills while paused: 6 left plus 1 s at 10/s, up to the burst.
        assert.deepEqual(await store.schedule.takeTokens('quay.io', 1, T + 4_999, BUCKET), {
          granted: 0,
          tokens: 10,
          pausedUntil: T + 5_000,
        })
        assert.deepEqual(await store.schedule.takeTokens('quay.io', 1, T + 5_000, BUCKET), {
          granted: 1,
          tokens: 9,
          pausedUntil: T + 5_000,
        })
        assert.equal((await store.schedule.takeTokens('docker.io', 1, T, BUCKET)).granted, 1)
      })

      it('queue writes take no revision and publish no event', async (t) => {
        const { store } = await open(t)
        await store.create(key('a'), widget('a'))
        const events = await watch(t, store, W)
        await seed(store, 'app', { a: T, b: T })
        await store.schedule.claimDue(T, 10, LEASE)
        await store.schedule.complete(
          { namespace: 'ns1', stream: 'app', tag: 'a' },
          success('sha256:a', T),
        )
        await store.schedule.postpone('quay.io', T + 10)
        await store.schedule.spreadOverdue(T + 20, 100)
        await store.schedule.removeStream('ns1', 'app')
        await store.schedule.takeTokens('quay.io', 1, T, BUCKET)
        await store.schedule.pauseRegistry('quay.io', T + 10)
        assert.equal(await store.currentRevision(), 1)
        await expectNothingBefore(store, events, widget('sentinel'))
      })

      it('a queue write inside a store transaction is refused; a closed store refuses all', async (t) => {
        const sut = await makeStore({})
        t.after(() => sut.close())
        await rejectsWith(
          sut.store.transaction(() => sut.store.schedule.removeStream('ns1', 'app')),
          'TransactionMisuse',
        )
        await sut.store.close()
        await rejectsWith(sut.store.schedule.claimDue(T, 1, LEASE), 'StoreClosed')
        await rejectsWith(sut.store.schedule.list(), 'StoreClosed')
        await rejectsWith(sut.store.schedule.takeTokens('quay.io', 1, T, BUCKET), 'StoreClosed')
        await rejectsWith(sut.store.schedule.pauseRegistry('quay.io', T), 'StoreClosed')
      })

      it('reopen keeps the rows, their check state and their leases, and the token buckets', async (t) => {
        const sut = await open(t)
        await sut.store.schedule.takeTokens('quay.io', 7, T, BUCKET)
        await sut.store.schedule.pauseRegistry('quay.io', T + 50)
        await seed(sut.store, 'app', { a: T, b: T + 1, c: T + 2 })
        await sut.store.schedule.claimDue(T + 2, 2, LEASE)
        await sut.store.schedule.complete(
          { namespace: 'ns1', stream: 'app', tag: 'a' },
          success('sha256:a', T),
        )
        const before = await sut.store.schedule.list()
        const store = await sut.reopen()
        assert.deepEqual(await store.schedule.list(), before)
        assert.deepEqual(ids(await store.schedule.claimDue(T + 2, 10, LEASE)), ['ns1/app:c'])
        assert.deepEqual(await store.schedule.takeTokens('quay.io', 1, T + 50, BUCKET), {
          granted: 1,
          tokens: 2.5,
          pausedUntil: T + 50,
        })
      })
    })

    describe('ping', () => {
      it('resolves on an open store and fails with StoreClosed after close', async (t) => {
        const sut = await makeStore({})
        t.after(() => sut.close())
        await sut.store.ping()
        await sut.store.close()
        await rejectsWith(sut.store.ping(), 'StoreClosed')
      })
    })

    describe('singleton', () => {
      it('grants a free name, refuses it while held, grants it again after release', async (t) => {
        const { store } = await open(t)
        const never = new AbortController().signal
        const lease = await store.singleton('prune', never)
        assert.ok(lease, 'a free name is granted')
        assert.equal(lease.signal.aborted, false)
        assert.equal(await store.singleton('prune', never), undefined)
        await lease.release()
        assert.equal(lease.signal.aborted, true, 'release ends the lease')
        await lease.release()
        const again = await store.singleton('prune', never)
        assert.ok(again, 'a released name is granted again')
        await again.release()
      })

      it('keeps names apart', async (t) => {
        const { store } = await open(t)
        const never = new AbortController().signal
        const a = await store.singleton('a', never)
        const b = await store.singleton('b', never)
        assert.ok(a && b)
        await a.release()
        assert.equal(b.signal.aborted, false, "releasing one name leaves the other's lease")
        await b.release()
      })

      it('grants nothing to an aborted signal', async (t) => {
        const { store } = await open(t)
        assert.equal(await store.singleton('prune', AbortSignal.abort()), undefined)
        const lease = await store.singleton('prune', new AbortController().signal)
        assert.ok(lease, 'the refused attempt held nothing')
        await lease.release()
      })

      it('close ends every lease, and a closed store grants none', async (t) => {
        const sut = await makeStore({})
        t.after(() => sut.close())
        const lease = await sut.store.singleton('prune', new AbortController().signal)
        assert.ok(lease)
        await sut.store.close()
        assert.equal(lease.signal.aborted, true)
        await rejectsWith(sut.store.singleton('prune', new AbortController().signal), 'StoreClosed')
      })
    })

    describe('persistence', () => {
      it('reopen keeps objects, the revision and the history', async (t) => {
        const sut = await open(t)
        const a = await sut.store.create(key('a'), widget('a', { labels: { k: 'v' } }))
        await sut.store.update(key('a'), widget('a', { size: 2 }))
        await sut.store.create(key('g', '', G), widget('g', { ns: '' }))
        const store = await sut.reopen()
        assert.equal(await store.currentRevision(), 3)
        const got = await store.get<Widget>(key('a'))
        assert.equal(got.metadata.uid, a.metadata.uid)
        assert.deepEqual(got.spec, { size: 2 })
        const events = await watch(t, store, W, { fromResourceVersion: '0' })
        const b = await store.create(key('b'), widget('b'))
        assert.equal(rv(b), 4)
        assert.deepEqual(summary(await take(events, 3)), ['ADDED a 1', 'MODIFIED a 2', 'ADDED b 4'])
      })

      it('reopen keeps the compacted revision', async (t) => {
        const sut = await open(t, { compaction: { maxRevisions: 2 } })
        for (const n of ['a', 'b', 'c', 'd']) await sut.store.create(key(n), widget(n))
        const store = await sut.reopen()
        await rejectsWith(
          store.watch(W, { fromResourceVersion: '1', signal: AbortSignal.abort() }),
          'Expired',
        )
        const events = await watch(t, store, W, { fromResourceVersion: '2' })
        assert.deepEqual(summary(await take(events, 2)), ['ADDED c 3', 'ADDED d 4'])
      })
      it('reopen with another declaration rebuilds the index from the stored objects', async (t) => {
        const sut = await open(t)
        await sut.store.create(gkey('g'), gadget('g'))
        await sut.store.create(gkey('list'), gadget('list', ['g']))
        await sut.store.create(key('w'), widget('w', { refs: ['g'] }))
        let store = await sut.reopen({ references: REFERENCES })
        await rejectsWith(store.delete(gkey('g'), { unreferenced: true }), 'Referenced')
        store = await sut.reopen({ references: REFERENCES })
        await store.delete(key('w'))
        await rejectsWith(store.delete(gkey('g'), { unreferenced: true }), 'Referenced', (e) =>
          assert.deepEqual(e.referrer, gkey('list')),
        )
        store = await sut.reopen({ references: { [W]: REFERENCES[W]! } })
        await store.delete(gkey('g'), { unreferenced: true })
      })
    })
  })
}
