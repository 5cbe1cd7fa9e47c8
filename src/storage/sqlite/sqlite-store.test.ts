/** The SQLite backend: the shared conformance suite, plus how the reference index is migrated and rebuilt. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import Database from 'better-sqlite3'
import { runStoreConformance } from '../testing/conformance.js'
import { parseSelection } from '../selection.js'
import { isStoreError, objectKey } from '../store.js'
import type {
  ObjectKey,
  ReferenceExtractor,
  Store,
  StoreOptions,
  StoredObject,
  WatchEvent,
} from '../store.js'
import { openSqliteStore } from './index.js'
import { LATEST_SCHEMA } from './migrations.js'
import { countQuery, objectsAfter, pageQuery } from './snapshot.js'

runStoreConformance('sqlite', async (options: StoreOptions) => {
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-store-'))
  const path = join(dir, 'store.db')
  let store: Store = await openSqliteStore({ ...options, path })
  return {
    get store() {
      return store
    },
    async close() {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
    async reopen(reopened: StoreOptions = options) {
      await store.close()
      store = await openSqliteStore({ ...reopened, path })
      return store
    },
  }
})

interface Thing extends StoredObject {
  spec: { uses: string[]; also?: string[] }
}

const thing = (name: string, uses: string[], also?: string[]): Thing => ({
  metadata: { name },
  spec: { uses, ...(also ? { also } : {}) },
})
const tkey = (name: string): ObjectKey => ({ resource: 'things', namespace: '', name })
const USES: ReferenceExtractor = (o) => (o as Thing).spec.uses.map(tkey)
const ALSO: ReferenceExtractor = (o) => ((o as Thing).spec.also ?? []).map(tkey)

async function isReferenced(store: Store, name: string): Promise<boolean> {
  try {
    await store.transaction(async (tx) => {
      await tx.delete(tkey(name), { unreferenced: true })
      throw new Error('rolled back')
    })
  } catch (error) {
    if (isStoreError(error, 'Referenced')) return true
    if (error instanceof Error && error.message === 'rolled back') return false
    throw error
  }
  return false
}

describe('sqlite reference index', () => {
  async function tempPath(t: TestContext): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-refs-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    return join(dir, 'store.db')
  }

  async function write(path: string, options: StoreOptions, things: Thing[]): Promise<void> {
    const store = await openSqliteStore({ ...options, path })
    for (const t of things) await store.create(tkey(t.metadata.name ?? ''), t)
    await store.close()
  }

  it('a database written at schema 2 gets its index built from the stored objects on open', async (t) => {
    const path = await tempPath(t)
    await write(path, {}, [thing('base', []), thing('app', ['base'])])
    // What the previous program left: no migration 3, so no index and no fingerprint.
    const db = new Database(path)
    db.exec(`DROP TABLE object_refs; DROP TABLE store_meta; DROP INDEX objects_list;
      DROP TABLE registry_budgets; DELETE FROM schema_migrations WHERE version >= 3`)
    db.close()
    const store = await openSqliteStore({ path, references: { things: USES } })
    t.after(() => store.close())
    assert.equal(await isReferenced(store, 'base'), true)
    assert.equal(await isReferenced(store, 'app'), false)
    const check = new Database(path, { readonly: true })
    t.after(() => check.close())
    const version = check.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()
    assert.deepEqual(version, { v: LATEST_SCHEMA })
  })

  it('extractors whose source changed rebuild the index; the same declaration does not', async (t) => {
    const path = await tempPath(t)
    await write(path, { references: { things: USES } }, [
      thing('a', []),
      thing('b', []),
      thing('app', ['a'], ['b']),
    ])
    let store = await openSqliteStore({ path, references: { things: ALSO } })
    assert.deepEqual(
      [await isReferenced(store, 'a'), await isReferenced(store, 'b')],
      [false, true],
    )
    await store.close()
    // Unchanged declaration: start-up reads the fingerprint and trusts the index as it is, as a
    // row removed behind the store's back shows.
    const db = new Database(path)
    db.exec('DELETE FROM object_refs')
    db.close()
    store = await openSqliteStore({ path, references: { things: ALSO } })
    t.after(() => store.close())
    assert.equal(await isReferenced(store, 'b'), false)
  })

  it('the rebuild pages through more objects than one page holds', async (t) => {
    const path = await tempPath(t)
    const things = Array.from({ length: 1_203 }, (_, i) => thing(`t${i}`, [`t${i + 1}`]))
    await write(path, {}, things)
    const store = await openSqliteStore({ path, references: { things: USES } })
    t.after(() => store.close())
    const db = new Database(path, { readonly: true })
    t.after(() => db.close())
    assert.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM object_refs').get(), { n: 1_203 })
    assert.equal(await isReferenced(store, 't1202'), true)
    assert.equal(await isReferenced(store, 't0'), false)
  })
})

describe('sqlite paged lists', () => {
  // What SQLite plans for a page and for its remainingItemCount, with and without a namespace,
  // from the first page and from a continue position: every one starts at the position on the
  // list index, and the count reads that index alone (no JSON document per remaining object).
  it('read the page and count the rest from the list index, starting at the continue position', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-pages-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'store.db')
    const store = await openSqliteStore({ path })
    for (const ns of ['a', 'b']) {
      for (let i = 0; i < 20; i++) {
        await store.create(objectKey('imagestreams', `s${i}`, ns), {
          metadata: { name: `s${i}`, namespace: ns },
        })
      }
    }
    await store.close()
    const db = new Database(path, { readonly: true })
    t.after(() => db.close())
    const plan = (sql: string, params: unknown[]): string =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => row.detail)
        .join('; ')
    const cases = [
      { options: {}, after: { namespace: '', name: '' }, range: '(namespace,name)>(?,?)' },
      { options: {}, after: { namespace: 'a', name: 's7' }, range: '(namespace,name)>(?,?)' },
      { options: { namespace: 'a' }, after: { namespace: '', name: '' }, range: 'namespace=?' },
      {
        options: { namespace: 'a' },
        after: { namespace: 'a', name: 's7' },
        range: 'namespace=? AND name>?',
      },
    ]
    for (const { options, after, range } of cases) {
      const { where, params } = objectsAfter('imagestreams', parseSelection(options), 9, after)
      const label = JSON.stringify({ options, after })
      assert.equal(
        plan(countQuery(where), params),
        `SEARCH objects USING COVERING INDEX objects_list (resource=? AND ${range})`,
        label,
      )
      assert.equal(
        plan(pageQuery(where), params),
        `SEARCH objects USING INDEX objects_list (resource=? AND ${range})`,
        label,
      )
      assert.equal(
        plan(pageQuery(where, true), [...params, 5]),
        `SEARCH objects USING INDEX objects_list (resource=? AND ${range})`,
        label,
      )
    }
  })
})

describe('sqlite watch fan-out', () => {
  // The server serialises an event once for every watch that shows it the same way, keyed by
  // the event object: watchers that see a change the same way must get that one object, live
  // or catching up from history.
  it('watchers that see a change the same way share one event object, live or catching up', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-fanout-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const store = await openSqliteStore({ path: join(dir, 'store.db') })
    t.after(() => store.close())
    const stop = new AbortController()
    t.after(() => stop.abort())
    const key = objectKey('things', 'a', 'n')
    const created = await store.create<StoredObject>(key, {
      metadata: { name: 'a', namespace: 'n', labels: { even: 'true' } },
    })
    const from = created.metadata.resourceVersion
    const watch = (options: { labelSelector?: string; fromResourceVersion?: string } = {}) =>
      store.watch('things', { namespace: 'n', signal: stop.signal, ...options })
    const live = await Promise.all([watch(), watch()])
    const selected = await watch({ labelSelector: 'even=true' })
    const updated = await store.update(key, {
      ...created,
      metadata: { ...created.metadata, labels: { even: 'false' } },
    })
    const catching = await Promise.all([
      watch({ fromResourceVersion: from }),
      watch({ fromResourceVersion: from }),
    ])

    const next = async (w: AsyncIterableIterator<WatchEvent>): Promise<WatchEvent> => {
      const result = await w.next()
      assert.ok(!result.done)
      return result.value
    }
    const [a, b, c, d] = await Promise.all([...live, ...catching].map(next))
    assert.ok(a?.type === 'MODIFIED')
    assert.equal(b, a)
    assert.equal(c, a, 'a watcher reading history gets the event live watchers got')
    assert.equal(d, a)
    assert.deepEqual(a.object, updated)
    assert.equal(a.object, b?.object, 'decoded once')

    const left = await next(selected)
    assert.ok(left.type === 'DELETED')
    assert.notEqual(left, a)
    assert.deepEqual(left.object.metadata.labels, { even: 'true' })
    assert.equal(left.object.metadata.resourceVersion, updated.metadata.resourceVersion)
  })
})

describe('sqlite watcher next()', () => {
  // A `for await` loop calls next() only once the last call has settled, and that call pulls at
  // once; calls made while others are pending wait their turn instead.
  it('calls made before any event is there are answered in call order, one event each; later ones end once it stops', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-next-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const store = await openSqliteStore({ path: join(dir, 'store.db') })
    t.after(() => store.close())
    const stop = new AbortController()
    const watcher = await store.watch('things', { namespace: 'n', signal: stop.signal })
    const pending = [watcher.next(), watcher.next(), watcher.next()]
    const names = ['a', 'b', 'c']
    for (const name of names) {
      await store.create(objectKey('things', name, 'n'), { metadata: { name, namespace: 'n' } })
    }
    const results = await Promise.all(pending)
    assert.deepEqual(
      results.map((r) =>
        r.done || r.value.type === 'BOOKMARK'
          ? r
          : `${r.value.type} ${r.value.object.metadata.name}`,
      ),
      names.map((name) => `ADDED ${name}`),
    )
    const after = watcher.next()
    stop.abort()
    assert.deepEqual(await after, { done: true, value: undefined })
    assert.deepEqual(await watcher.next(), { done: true, value: undefined })
  })
})

describe('sqlite group commit', () => {
  async function tempPath(t: TestContext): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-group-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    return join(dir, 'store.db')
  }
  const rv = (o: StoredObject) => Number(o.metadata.resourceVersion)
  const outcome = (r: PromiseSettledResult<StoredObject>) =>
    r.status === 'fulfilled' ? rv(r.value) : (r.reason as { code?: string }).code

  it('writes of one turn share one commit, each answered as if it had come alone, in call order', async (t) => {
    const path = await tempPath(t)
    const store = await openSqliteStore({ path })
    t.after(() => store.close())
    await store.create(tkey('taken'), thing('taken', []))
    const raw = new Database(path)
    t.after(() => raw.close())
    const pageSize = raw.pragma('page_size', { simple: true }) as number
    raw.pragma('wal_checkpoint(TRUNCATE)')
    const names = Array.from({ length: 20 }, (_, i) => `n${i}`)
    const results = await Promise.allSettled([
      ...names.map((n) => store.create(tkey(n), thing(n, []))),
      store.create(tkey('taken'), thing('taken', [])),
      store.update(tkey('n0'), thing('n0', ['x'])),
      store.update(tkey('n1'), thing('n1', ['x']), { expectedResourceVersion: '2' }),
      store.delete(tkey('missing')),
      store.create(tkey('last'), thing('last', [])),
    ])
    assert.deepEqual(results.map(outcome), [
      ...names.map((_, i) => i + 2),
      'AlreadyExists',
      22,
      'Conflict',
      'NotFound',
      23,
    ])
    assert.deepEqual((await store.get<Thing>(tkey('n0'))).spec.uses, ['x'])
    // One commit writes each page it changed once; 23 commits would append a page each at least.
    const walFrames = Math.floor((statSync(`${path}-wal`).size - 32) / (pageSize + 24))
    assert.ok(walFrames < 23, `${walFrames} WAL frames for one turn's writes`)
  })

  it('a group keeps exactly the latest maxRevisions of history, as writes one by one would', async (t) => {
    const path = await tempPath(t)
    const store = await openSqliteStore({ path, compaction: { maxRevisions: 5 } })
    t.after(() => store.close())
    await store.create(tkey('first'), thing('first', []))
    const names = Array.from({ length: 12 }, (_, i) => `n${i}`)
    const results = await Promise.allSettled([
      ...names.map((n) => store.create(tkey(n), thing(n, []))),
      // A refusal at the end of the group takes no revision and trims nothing more.
      store.create(tkey('first'), thing('first', [])),
    ])
    assert.deepEqual(results.map(outcome), [...names.map((_, i) => i + 2), 'AlreadyExists'])
    const raw = new Database(path, { readonly: true })
    t.after(() => raw.close())
    const kept = raw.prepare('SELECT revision FROM events ORDER BY revision').pluck().all()
    assert.deepEqual(kept, [9, 10, 11, 12, 13])
    const { compacted } = raw.prepare('SELECT compacted FROM revision').get() as {
      compacted: number
    }
    assert.equal(compacted, 8)
  })

  it('a transaction called between two writes commits between them', async (t) => {
    const store = await openSqliteStore({ path: await tempPath(t) })
    t.after(() => store.close())
    const results = await Promise.all([
      store.create(tkey('a'), thing('a', [])),
      store.transaction((tx) => tx.create(tkey('b'), thing('b', []))),
      store.create(tkey('c'), thing('c', [])),
    ])
    assert.deepEqual(results.map(rv), [1, 2, 3])
  })

  it('a write that finds the disk full fails alone; the others of its turn commit', async (t) => {
    let pragma!: (source: string) => unknown
    const spaces: (string | undefined)[] = []
    const store = await openSqliteStore({
      path: await tempPath(t),
      writerPragma: (p) => (pragma = p),
      onSpaceChange: (full) => spaces.push(full?.code),
    })
    t.after(() => store.close())
    await store.create(tkey('before'), thing('before', []))
    const [{ page_count: pages }] = pragma('page_count') as [{ page_count: number }]
    pragma(`max_page_count = ${pages}`)
    const big = thing('big', ['x'.repeat(1 << 20)])
    const results = await Promise.allSettled([
      store.create(tkey('small'), thing('small', [])),
      store.create(tkey('big'), big),
      store.create(tkey('after'), thing('after', [])),
    ])
    assert.deepEqual(results.map(outcome), [2, 'StorageFull', 3])
    assert.deepEqual(spaces, ['StorageFull', undefined])
    await assert.rejects(store.get(tkey('big')), (e) => isStoreError(e, 'NotFound'))
  })
})

describe('sqlite cached resources', () => {
  it('get answers what is committed after every kind of write, each time a copy of its own', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-cache-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const store = await openSqliteStore({
      path: join(dir, 'store.db'),
      cachedResources: ['namespaces'],
    })
    t.after(() => store.close())
    const key = objectKey('namespaces', 'a')
    const ns = (phase: string) => ({ metadata: { name: 'a' }, status: { phase } })
    const phase = async () => (await store.get<ReturnType<typeof ns>>(key)).status.phase
    await assert.rejects(store.get(key), (e) => isStoreError(e, 'NotFound'))
    await store.create(key, ns('Active'))
    assert.equal(await phase(), 'Active')
    const first = await store.get<ReturnType<typeof ns>>(key)
    first.status.phase = 'changed by the caller'
    assert.equal(await phase(), 'Active')
    const steps: [string, () => Promise<unknown>][] = [
      ['Updated', () => store.update(key, ns('Updated'))],
      ['Guaranteed', () => store.guaranteedUpdate(key, () => ns('Guaranteed'))],
      ['InTransaction', () => store.transaction((tx) => tx.update(key, ns('InTransaction')))],
      // Single writes of one turn commit as one group.
      [
        'Grouped',
        () => Promise.all([store.update(key, ns('Other')), store.update(key, ns('Grouped'))]),
      ],
    ]
    for (const [want, write] of steps) {
      await write()
      assert.equal(await phase(), want)
    }
    await store.delete(key)
    await assert.rejects(store.get(key), (e) => isStoreError(e, 'NotFound'))
    await store.create(key, ns('Again'))
    assert.equal(await phase(), 'Again')
  })
})

describe('sqlite transactions and async context', () => {
  // node:test itself turns promise hooks on, so this runs in a process of its own.
  it('leave no promise hooks on once they end, so reads between them pay nothing per promise', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-store-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const script = join(dir, 'probe.mts')
    writeFileSync(
      script,
      `import { executionAsyncId } from 'node:async_hooks'
import { objectKey } from ${JSON.stringify(new URL('../store.ts', import.meta.url).href)}
import { openSqliteStore } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)}
// A promise continuation runs in async id 0 unless promise hooks are on.
const promiseAsyncId = () => Promise.resolve().then(() => executionAsyncId())
const seen: Record<string, number> = { before: await promiseAsyncId() }
const store = await openSqliteStore({ path: ${JSON.stringify(join(dir, 'store.db'))} })
const key = objectKey('namespaces', 'a')
await store.transaction(async (tx) => {
  await tx.create(key, { metadata: { name: 'a' } })
  seen.inside = await promiseAsyncId()
})
seen.after = await promiseAsyncId()
await store.get(key)
seen.afterRead = await promiseAsyncId()
await store.close()
console.log(JSON.stringify(seen))
`,
    )
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script])
    const seen = JSON.parse(stdout) as Record<string, number>
    assert.equal(seen.before, 0)
    assert.notEqual(seen.inside, 0, 'the transaction tracks its context')
    assert.equal(seen.after, 0)
    assert.equal(seen.afterRead, 0)
  })
})

describe('sqlite reads of one turn', () => {
  async function openTemp(t: TestContext): Promise<Store> {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-turn-'))
    const store = await openSqliteStore({ path: join(dir, 'store.db') })
    t.after(async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    })
    return store
  }

  it('a read earlier in the turn of a COMMIT does not hide the write from the reads after it', async (t) => {
    const store = await openTemp(t)
    await store.create(tkey('a'), thing('a', []))
    // Queued before the write's group: it reads in the group's turn, before its COMMIT.
    const early = new Promise<Thing>((resolve, reject) =>
      setImmediate(() => void store.get<Thing>(tkey('a')).then(resolve, reject)),
    )
    const written = store.update(tkey('a'), thing('a', ['x']))
    await written
    const after = await store.get<Thing>(tkey('a'))
    assert.deepEqual((await early).spec.uses, [])
    assert.deepEqual(after.spec.uses, ['x'])
  })

  it('a read earlier in the turn of a transaction COMMIT does not hide it from the reads after it', async (t) => {
    const store = await openTemp(t)
    await store.create(tkey('a'), thing('a', []))
    const committed = store.transaction(async (tx) => {
      await tx.update(tkey('a'), thing('a', ['x']))
      // A read in the turn that goes on to COMMIT, before it.
      assert.deepEqual((await store.get<Thing>(tkey('a'))).spec.uses, [])
    })
    await committed
    assert.deepEqual((await store.get<Thing>(tkey('a'))).spec.uses, ['x'])
  })
})
