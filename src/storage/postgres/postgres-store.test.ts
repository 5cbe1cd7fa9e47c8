/** The PostgreSQL backend: the shared conformance suite, plus what several replicas share. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import { runStoreConformance } from '../testing/conformance.js'
import { isStoreError, objectKey } from '../store.js'
import type { ObjectKey, Store, StoreOptions, StoredObject, WatchEvent } from '../store.js'
import { openPostgresStore } from './index.js'
import type { PostgresStoreOptions } from './index.js'
import { LATEST_SCHEMA } from './migrations.js'
import { testDatabase } from './testing/database.js'
import type { TestDatabase } from './testing/database.js'

const database = testDatabase()

runStoreConformance('postgres', async (options: StoreOptions) => {
  const db = await database()
  const schema = db.schema()
  let store: Store = await openPostgresStore({ ...options, url: db.url, schema })
  return {
    get store() {
      return store
    },
    async close() {
      await store.close()
      await db.dropSchema(schema)
    },
    async reopen(reopened: StoreOptions = options) {
      await store.close()
      store = await openPostgresStore({ ...reopened, url: db.url, schema })
      return store
    },
  }
})

interface Widget extends StoredObject {
  spec?: { size?: number }
}

const widget = (name: string, size = 1): Widget => ({
  metadata: { name, namespace: 'ns' },
  spec: { size },
})
const wkey = (name: string): ObjectKey => objectKey('widgets', name, 'ns')

function summary(events: readonly WatchEvent[]): string[] {
  return events.map((e) =>
    e.type === 'BOOKMARK'
      ? `BOOKMARK ${e.object.metadata.resourceVersion}`
      : `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`,
  )
}

async function take(events: AsyncIterator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = []
  while (out.length < n) {
    const r = await events.next()
    if (r.done) assert.fail(`the watch ended after ${out.length} of ${n} events`)
    out.push(r.value)
  }
  return out
}

/** Replicas opens stores on one fresh schema, each with its own application_name. */
async function replicas(
  t: TestContext,
  names: readonly string[],
  options: Partial<PostgresStoreOptions> = {},
): Promise<{ stores: Store[]; db: TestDatabase; schema: string; app: (name: string) => string }> {
  const db = await database()
  const schema = db.schema()
  const prefix = `${schema}-${db.name}`
  const app = (name: string): string => `${prefix}-${name}`
  const stores: Store[] = []
  t.after(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await db.dropSchema(schema)
  })
  for (const name of names) {
    stores.push(
      await openPostgresStore({ url: db.url, schema, applicationName: app(name), ...options }),
    )
  }
  return { stores, db, schema, app }
}

// Polls the server until `sql` returns a row: for states the test cannot await (a backend
// waiting for a lock), never for timing. The bound only turns a state that never comes into a
// failure instead of a hang.
async function until(db: TestDatabase, sql: string, params: unknown[]): Promise<void> {
  const giveUp = Date.now() + 120_000
  while ((await db.admin(sql, params)).rowCount === 0) {
    if (Date.now() > giveUp) assert.fail(`never true: ${sql}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function waitingForLock(db: TestDatabase, applicationName: string): Promise<void> {
  return until(
    db,
    "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
    [applicationName],
  )
}

/** terminate ends every backend of an application, as a server restart would; returns their pids. */
async function terminate(db: TestDatabase, applicationName: string): Promise<number[]> {
  const { rows } = await db.admin(
    'SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  )
  return rows.map((row: { pid: number }) => row.pid)
}

function unavailable(error: unknown): boolean {
  return isStoreError(error, 'Unavailable')
}

describe('postgres replicas', () => {
  it('open concurrently on a fresh schema: all succeed and each migration is applied once', async (t) => {
    const db = await database()
    const schema = db.schema()
    t.after(() => db.dropSchema(schema))
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openPostgresStore({ url: db.url, schema })),
    )
    t.after(() => Promise.all(stores.map((s) => s.close())))
    const { rows } = await db.admin(`SELECT version FROM ${schema}.schema_migrations ORDER BY 1`)
    assert.deepEqual(
      rows.map((r: { version: number }) => r.version),
      Array.from({ length: LATEST_SCHEMA }, (_, i) => i + 1),
    )
    const created = await Promise.all(
      stores.map((s, i) => s.create(wkey(`w${i}`), widget(`w${i}`))),
    )
    assert.deepEqual(
      created.map((o) => Number(o.metadata.resourceVersion)).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6],
    )
  })

  it('a schema written by a newer program is refused with UnsupportedSchema', async (t) => {
    const { stores, db, schema } = await replicas(t, ['a'])
    await db.admin(
      `INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES ($1, 'future', 'now')`,
      [LATEST_SCHEMA + 1],
    )
    await assert.rejects(openPostgresStore({ url: db.url, schema }), (error: unknown) =>
      isStoreError(error, 'UnsupportedSchema'),
    )
    assert.equal(await stores[0]?.currentRevision(), 0)
  })

  it('a schema at version 1 gets the later migrations on open', async (t) => {
    const { stores, db, schema } = await replicas(t, ['a'])
    await stores[0]?.close()
    // Back to version 1: no token buckets, the due-queue under its first index.
    await db.admin(
      `DROP TABLE ${schema}.registry_budgets; DROP INDEX ${schema}.schedule_due_order;
       CREATE INDEX schedule_due ON ${schema}.schedule (next_check_at, lease_until);
       DELETE FROM ${schema}.schema_migrations WHERE version >= 2`,
    )
    const store = await openPostgresStore({ url: db.url, schema })
    t.after(() => store.close())
    const { rows } = await db.admin(`SELECT MAX(version) AS v FROM ${schema}.schema_migrations`)
    assert.deepEqual(rows, [{ v: LATEST_SCHEMA }])
    const indexes = await db.admin(
      `SELECT indexname FROM pg_indexes WHERE schemaname = '${schema}' AND tablename = 'schedule' AND indexname LIKE 'schedule_due%'`,
    )
    assert.deepEqual(indexes.rows, [{ indexname: 'schedule_due_order' }])
    const bucket = { rate: 5, burst: 5 }
    assert.deepEqual(await store.schedule.takeTokens('quay.io', 2, 1_000, bucket), {
      granted: 2,
      tokens: 3,
      pausedUntil: 0,
    })
  })

  it('a take waits for the bucket row another transaction holds and sees what it wrote', async (t) => {
    const { stores, db, schema, app } = await replicas(t, ['a'])
    const [a] = stores as [Store]
    const bucket = { rate: 10, burst: 10 }
    await a.schedule.takeTokens('quay.io', 1, 1_000, bucket)
    await db.admin('BEGIN')
    try {
      await db.admin(
        `UPDATE ${schema}.registry_budgets SET tokens = 0.25 WHERE registry = 'quay.io'`,
      )
      const take = a.schedule.takeTokens('quay.io', 5, 1_000, bucket)
      await waitingForLock(db, app('a'))
      await db.admin('COMMIT')
      assert.deepEqual(await take, { granted: 0, tokens: 0.25, pausedUntil: 0 })
    } catch (error) {
      await db.admin('ROLLBACK')
      throw error
    }
  })

  it("a write through one instance reaches another instance's watchers, live and replayed", async (t) => {
    const { stores } = await replicas(t, ['a', 'b'])
    const [a, b] = stores as [Store, Store]
    const stop = new AbortController()
    t.after(() => stop.abort())
    const live = await b.watch('widgets', { signal: stop.signal })
    const first = await a.create(wkey('x'), widget('x'))
    await a.update(wkey('x'), widget('x', 2))
    await b.create(wkey('y'), widget('y'))
    assert.deepEqual(summary(await take(live, 3)), ['ADDED x 1', 'MODIFIED x 2', 'ADDED y 3'])
    const replay = await b.watch('widgets', {
      signal: stop.signal,
      fromResourceVersion: first.metadata.resourceVersion,
    })
    assert.deepEqual(summary(await take(replay, 2)), ['MODIFIED x 2', 'ADDED y 3'])
    // A list on one instance and a watch from its resourceVersion on the other see every
    // change exactly once.
    const listed = await a.list('widgets')
    const after = await b.watch('widgets', {
      signal: stop.signal,
      fromResourceVersion: listed.resourceVersion,
    })
    await a.delete(wkey('y'))
    assert.deepEqual(summary(await take(after, 1)), ['DELETED y 4'])
  })

  const held: { case: string; commit: boolean; want: string[] }[] = [
    { case: 'commits', commit: true, want: ['ADDED held 2', 'ADDED other 3'] },
    { case: 'rolls back', commit: false, want: ['ADDED other 2'] },
  ]
  for (const c of held) {
    it(`a writer holding its revision open while another waits: the watcher of a third instance misses nothing when it ${c.case}`, async (t) => {
      const { stores, db, app } = await replicas(t, ['holder', 'writer', 'watcher'])
      const [holder, writer, watcher] = stores as [Store, Store, Store]
      await holder.create(wkey('base'), widget('base'))
      const stop = new AbortController()
      t.after(() => stop.abort())
      const events = await watcher.watch('widgets', { signal: stop.signal })
      let release!: () => void
      const hold = new Promise<void>((resolve) => (release = resolve))
      let took!: () => void
      const taken = new Promise<void>((resolve) => (took = resolve))
      const holding = holder.transaction(async (tx) => {
        await tx.create(wkey('held'), widget('held'))
        took()
        await hold
        if (!c.commit) throw new Error('rolled back')
      })
      await taken
      const other = writer.create(wkey('other'), widget('other'))
      // The second writer is blocked on the revision row until the first one ends.
      await waitingForLock(db, app('writer'))
      release()
      if (c.commit) await holding
      else await assert.rejects(holding, /rolled back/)
      const written = await other
      assert.equal(written.metadata.resourceVersion, c.commit ? '3' : '2')
      assert.deepEqual(summary(await take(events, c.want.length)), c.want)
      // Nothing else arrives before a sentinel: no event missed or repeated.
      const sentinel = await writer.create(wkey('sentinel'), widget('sentinel'))
      assert.deepEqual(summary(await take(events, 1)), [
        `ADDED sentinel ${sentinel.metadata.resourceVersion}`,
      ])
      assert.equal(await watcher.currentRevision(), Number(sentinel.metadata.resourceVersion))
    })
  }

  it('writers on several instances at once: every watcher sees every revision once, in order', async (t) => {
    const { stores } = await replicas(t, ['a', 'b', 'c'])
    const stop = new AbortController()
    t.after(() => stop.abort())
    const watches = await Promise.all(
      stores.map((s) => s.watch('widgets', { signal: stop.signal })),
    )
    const perStore = 20
    await Promise.all(
      stores.map(async (s, i) => {
        for (let n = 0; n < perStore; n++) {
          await s.create(wkey(`s${i}-${n}`), widget(`s${i}-${n}`))
        }
      }),
    )
    const total = perStore * stores.length
    for (const events of watches) {
      const got = await take(events, total)
      assert.deepEqual(
        got.map((e) => Number(e.object.metadata.resourceVersion)),
        Array.from({ length: total }, (_, i) => i + 1),
      )
    }
  })

  it('claimDue on two instances at once never hands out a row twice', async (t) => {
    const { stores } = await replicas(t, ['a', 'b'])
    const [a] = stores as [Store, Store]
    const T = Date.UTC(2026, 0, 1)
    const rows = 300
    for (let s = 0; s < rows / 30; s++) {
      const specs = Array.from({ length: 30 }, (_, i) => ({
        tag: `t${i}`,
        source: `quay.io/org/app:t${i}`,
        registry: 'quay.io',
        intervalMs: 60_000,
      }))
      await a.schedule.syncStream('ns', `s${s}`, specs, () => T + s)
    }
    const claimed: string[] = []
    const claimer = async (store: Store): Promise<void> => {
      for (;;) {
        const got = await store.schedule.claimDue(T + 100, 7, 60_000)
        if (got.length === 0) return
        claimed.push(...got.map((e) => `${e.stream}:${e.tag}`))
      }
    }
    await Promise.all(stores.flatMap((s) => [claimer(s), claimer(s), claimer(s)]))
    assert.equal(claimed.length, rows)
    assert.equal(new Set(claimed).size, rows)
  })
  it('a singleton held by one replica is refused to the others until released or its connection ends', async (t) => {
    const { stores, db, app } = await replicas(t, ['a', 'b'])
    const [a, b] = stores as [Store, Store]
    const signal = new AbortController().signal
    const first = await a.singleton('scheduled-prune', signal)
    assert.ok(first, 'a takes the free lease')
    assert.equal(await b.singleton('scheduled-prune', signal), undefined)
    assert.ok(await b.singleton('other', signal), 'another name is free')
    await first.release()
    assert.equal(first.signal.aborted, true)
    const second = await b.singleton('scheduled-prune', signal)
    assert.ok(second, 'b takes it once a released it')
    assert.equal(await a.singleton('scheduled-prune', signal), undefined)
    // The server drops b's connections, as a crash of b would: its lock goes with them.
    await terminate(db, app('b'))
    await new Promise<void>((resolve) => {
      if (second.signal.aborted) resolve()
      else second.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    assert.ok(await a.singleton('scheduled-prune', signal), 'a takes the lease b lost')
  })
})

describe('postgres group commit', () => {
  const rv = (o: StoredObject): number => Number(o.metadata.resourceVersion)
  const outcome = (r: PromiseSettledResult<StoredObject>): number | string | undefined =>
    r.status === 'fulfilled' ? rv(r.value) : (r.reason as { code?: string }).code

  it('writes queued together share one transaction, each answered as if it had come alone, in call order', async (t) => {
    const { stores, db, schema } = await replicas(t, ['a'])
    const [store] = stores as [Store]
    await store.create(wkey('taken'), widget('taken'))
    const names = Array.from({ length: 20 }, (_, i) => `n${i}`)
    const results = await Promise.allSettled([
      ...names.map((n) => store.create(wkey(n), widget(n))),
      store.create(wkey('taken'), widget('taken')),
      store.update(wkey('n0'), widget('n0', 2)),
      store.update(wkey('n1'), widget('n1', 2), { expectedResourceVersion: '2' }),
      store.delete(wkey('missing')),
      store.create(wkey('last'), widget('last')),
    ])
    assert.deepEqual(results.map(outcome), [
      ...names.map((_, i) => i + 2),
      'AlreadyExists',
      22,
      'Conflict',
      'NotFound',
      23,
    ])
    // Rows written by one transaction carry its id.
    const { rows } = await db.admin(
      `SELECT COUNT(DISTINCT xmin::text)::int AS n FROM ${schema}.objects WHERE name <> 'taken'`,
    )
    assert.deepEqual(rows, [{ n: 1 }])
  })

  it('a write that fails for another reason runs again alone; the others of its group commit', async (t) => {
    const { stores } = await replicas(t, ['a'])
    const [store] = stores as [Store]
    // A name too long for the key index: only the database refuses it.
    const long = randomBytes(4_000).toString('hex')
    const results = await Promise.allSettled([
      store.create(wkey('a'), widget('a')),
      store.create(wkey(long), widget(long)),
      store.create(wkey('c'), widget('c')),
    ])
    // 54000 program_limit_exceeded, as the driver reports it: no store error, no Unavailable.
    assert.deepEqual(results.map(outcome), [1, '54000', 2])
    assert.deepEqual(
      (await store.list('widgets')).items.map((o) => o.metadata.name),
      ['a', 'c'],
    )
  })

  it('a transaction called between two writes commits between them', async (t) => {
    const { stores } = await replicas(t, ['a'])
    const [store] = stores as [Store]
    const results = await Promise.all([
      store.create(wkey('a'), widget('a')),
      store.transaction((tx) => tx.create(wkey('b'), widget('b'))),
      store.create(wkey('c'), widget('c')),
    ])
    assert.deepEqual(results.map(rv), [1, 2, 3])
  })
})

describe('postgres connection loss', () => {
  it('a server that cannot be reached fails the open with Unavailable', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await assert.rejects(
      openPostgresStore({ url: `postgres://postgres@127.0.0.1:${port}/none` }),
      (error: unknown) => unavailable(error) && (error as Error).cause instanceof Error,
    )
  })

  it('a transaction whose connection is lost fails with Unavailable and writes nothing', async (t) => {
    const { stores, db, app } = await replicas(t, ['a'])
    const [store] = stores as [Store]
    let release!: () => void
    const hold = new Promise<void>((resolve) => (release = resolve))
    let took!: () => void
    const taken = new Promise<void>((resolve) => (took = resolve))
    const tx = store.transaction(async (handle) => {
      await handle.create(wkey('lost'), widget('lost'))
      took()
      await hold
    })
    await taken
    await terminate(db, app('a'))
    release()
    await assert.rejects(tx, unavailable)
    const gone = async (): Promise<boolean> => {
      try {
        await store.get(wkey('lost'))
        return false
      } catch (error) {
        if (isStoreError(error, 'NotFound')) return true
        if (unavailable(error)) return gone()
        throw error
      }
    }
    assert.equal(await gone(), true)
  })

  it('a connection that stops answering without closing is noticed by the heartbeat', async (t) => {
    const db = await database()
    const schema = db.schema()
    const stores: Store[] = []
    const sockets = new Set<Socket>()
    t.after(async () => {
      await Promise.all(stores.map((s) => s.close()))
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
      await db.dropSchema(schema)
    })
    // A TCP proxy to the server that can go silent, as a network partition does: bytes are
    // dropped, nothing is closed.
    const upstream = new URL(db.url)
    let silent = false
    const proxy = createServer((client) => {
      const server = connect(Number(upstream.port || 5432), upstream.hostname)
      sockets.add(client).add(server)
      client.on('data', (data) => silent || server.write(data))
      server.on('data', (data) => silent || client.write(data))
      for (const [a, b] of [
        [client, server],
        [server, client],
      ] as const) {
        a.on('error', () => a.destroy())
        a.on('close', () => b.destroy())
      }
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const { port } = proxy.address() as AddressInfo
    const url = `postgres://postgres@127.0.0.1:${port}/${db.name}`
    const store = await openPostgresStore({
      url,
      schema,
      heartbeatMs: 200,
      connectTimeoutMs: 500,
      reconnect: { initialMs: 10, maxMs: 100 },
    })
    stores.push(store)
    const stop = new AbortController()
    t.after(() => stop.abort())
    const events = await store.watch('widgets', { signal: stop.signal })
    silent = true
    await assert.rejects(events.next(), unavailable)
    silent = false
    const watchAgain = async (): Promise<AsyncIterableIterator<WatchEvent>> => {
      try {
        return await store.watch('widgets', { signal: stop.signal })
      } catch (error) {
        if (!unavailable(error)) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
        return watchAgain()
      }
    }
    const resumed = await watchAgain()
    const other = await openPostgresStore({ url: db.url, schema })
    stores.push(other)
    await other.create(wkey('after'), widget('after'))
    assert.deepEqual(summary(await take(resumed, 1)), ['ADDED after 1'])
  })

  it('losing the LISTEN connection ends the watches with Unavailable; the store reconnects', async (t) => {
    const { stores, db, app } = await replicas(t, ['a', 'b'], {
      reconnect: { initialMs: 10, maxMs: 50 },
    })
    const [a, b] = stores as [Store, Store]
    const stop = new AbortController()
    t.after(() => stop.abort())
    const events = await a.watch('widgets', { signal: stop.signal })
    await b.create(wkey('before'), widget('before'))
    assert.deepEqual(summary(await take(events, 1)), ['ADDED before 1'])
    const lost = await terminate(db, app('a'))
    await assert.rejects(events.next(), unavailable)
    assert.equal((await events.next()).done, true)
    // Watches are refused until the listener is back; then they follow writes again, also
    // those committed while it was away.
    await b.create(wkey('meanwhile'), widget('meanwhile'))
    await until(
      db,
      "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%' AND NOT pid = ANY($2)",
      [app('a'), lost],
    )
    const watchAgain = async (): Promise<AsyncIterableIterator<WatchEvent>> => {
      try {
        return await a.watch('widgets', { signal: stop.signal, fromResourceVersion: '1' })
      } catch (error) {
        if (!unavailable(error)) throw error
        await new Promise((resolve) => setTimeout(resolve, 5))
        return watchAgain()
      }
    }
    const resumed = await watchAgain()
    assert.deepEqual(summary(await take(resumed, 1)), ['ADDED meanwhile 2'])
    await b.create(wkey('after'), widget('after'))
    assert.deepEqual(summary(await take(resumed, 1)), ['ADDED after 3'])
    assert.equal((await a.get(wkey('after'))).metadata.name, 'after')
  })
})
