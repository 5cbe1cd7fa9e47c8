/** listInPages on the SQLite store: one snapshot across pages, a restart after compaction, and abort. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import { listInPages, sharedList } from './list-pages.js'
import { openSqliteStore } from './sqlite/index.js'
import type { ObjectKey, Store, StoreOptions, StoredObject } from './store.js'

const key = (name: string): ObjectKey => ({ resource: 'things', namespace: 'ns', name })
const thing = (name: string): StoredObject => ({ metadata: { name, namespace: 'ns' } })
const names = (items: StoredObject[]) => items.map((o) => o.metadata.name ?? '')

async function storeWith(t: TestContext, count: number, options: StoreOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-pages-'))
  const store = await openSqliteStore({ ...options, path: join(dir, 'store.db') })
  t.after(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  for (let i = 0; i < count; i++) await store.create(key(`t${i}`), thing(`t${i}`))
  return store
}

const sorted = (list: string[]) => [...list].sort()
const expected = (count: number) => sorted(Array.from({ length: count }, (_, i) => `t${i}`))

describe('listInPages', () => {
  it('hands every object over once, in pages, as of the revision it resolves to', async (t) => {
    const store = await storeWith(t, 7)
    const before = await store.currentRevision()
    const pages: string[][] = []
    const resourceVersion = await listInPages(
      store,
      'things',
      async (items) => {
        // Writes after the first page are not part of the list: a watch from its revision gets them.
        if (pages.length === 0) {
          await store.create(key('t9'), thing('t9'))
          await store.delete(key('t6'))
        }
        pages.push(names(items))
      },
      { pageSize: 3 },
    )
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 3, 1],
    )
    assert.deepEqual(sorted(pages.flat()), expected(7))
    assert.equal(resourceVersion, String(before))

    const watching = new AbortController()
    t.after(() => watching.abort())
    const watch = await store.watch('things', {
      fromResourceVersion: resourceVersion,
      signal: watching.signal,
    })
    const seen: string[] = []
    for await (const event of watch) {
      if (event.type === 'BOOKMARK') continue
      seen.push(`${event.type} ${event.object.metadata.name ?? ''}`)
      if (seen.length === 2) break
    }
    assert.deepEqual(seen, ['ADDED t9', 'DELETED t6'])
  })

  it('starts over at the current revision when the history its pages need is compacted', async (t) => {
    const store = await storeWith(t, 5, { compaction: { maxRevisions: 2 } })
    const pages: string[][] = []
    const resourceVersion = await listInPages(
      store,
      'things',
      async (items) => {
        if (pages.length === 0) {
          for (const name of ['t5', 't6', 't7']) await store.create(key(name), thing(name))
          await store.compact()
        }
        pages.push(names(items))
      },
      { pageSize: 2 },
    )
    // The first page, then the whole list again from the newer snapshot.
    assert.deepEqual(pages[0], ['t0', 't1'])
    assert.deepEqual(sorted(pages.slice(1).flat()), expected(8))
    assert.equal(resourceVersion, String(await store.currentRevision()))
  })

  it('stops between pages once its signal aborts', async (t) => {
    const store: Store = await storeWith(t, 5)
    const stop = new AbortController()
    let pages = 0
    await assert.rejects(
      listInPages(
        store,
        'things',
        () => {
          pages++
          stop.abort(new Error('stopped'))
        },
        { pageSize: 2, signal: stop.signal },
      ),
      /stopped/,
    )
    assert.equal(pages, 1)
  })

  it('sharedList reads once for all its consumers, starting when the last one asks', async (t) => {
    const store = await storeWith(t, 5)
    let lists = 0
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'list') lists++
        return Reflect.get(target, property, receiver) as unknown
      },
    })
    const shared = sharedList(counting, 'things', 2, { pageSize: 2 })
    const first: string[] = []
    const second: string[] = []
    const a = shared((items) => void first.push(...names(items)))
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(lists, 0)
    const b = shared((items) => void second.push(...names(items)))
    const [rvA, rvB] = await Promise.all([a, b])
    assert.equal(rvA, rvB)
    assert.equal(lists, 3)
    assert.deepEqual(first, expected(5))
    assert.deepEqual(second, expected(5))
    await assert.rejects(
      shared(() => undefined),
      /2 consumers/,
    )
  })
})
