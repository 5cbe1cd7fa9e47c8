import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import type { Store } from '../storage/index.js'
import { openPostgresStore } from '../storage/postgres/index.js'
import { testDatabase } from '../storage/postgres/testing/database.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { RegistryBudget, type Clock, type Slot } from './registry-budget.js'
import { FakeClock } from './testing/fake-clock.js'

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
const signal = new AbortController().signal
const database = testDatabase()

/** sqliteStore opens a store of the test's own in a temporary directory. */
async function sqliteStore(t: TestContext): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-budget-'))
  const store = await openSqliteStore({ path: join(dir, 'store.db') })
  t.after(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return store
}

/** replicas opens `n` stores on one fresh PostgreSQL schema, as `n` server replicas do. */
async function replicas(t: TestContext, n: number): Promise<Store[]> {
  const db = await database()
  const schema = db.schema()
  const stores: Store[] = []
  t.after(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await db.dropSchema(schema)
  })
  for (let i = 0; i < n; i++) stores.push(await openPostgresStore({ url: db.url, schema }))
  return stores
}

/** until polls `done` between turns of the event loop; the store's I/O decides how long. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i > 10_000) assert.fail(`gave up waiting for ${what}`)
    await new Promise<void>((resolve) => setTimeout(resolve, 1))
  }
}

async function budget(
  t: TestContext,
  requestsPerSecond: number,
  clock: Clock,
  concurrency = 1,
): Promise<RegistryBudget> {
  const store = await sqliteStore(t)
  return new RegistryBudget({ concurrency, requestsPerSecond, clock, store: store.schedule })
}

describe('RegistryBudget', () => {
  it('limits checks per registry, not across registries', async (t) => {
    const b = await budget(t, 100, new FakeClock(), 2)
    const a1 = await b.acquire('a', signal)
    const a2 = await b.acquire('a', signal)
    let third: Slot | undefined
    void b.acquire('a', signal).then((s) => (third = s))
    const b1 = await b.acquire('b', signal)
    assert.ok(a1 && a2 && b1)
    await tick()
    assert.equal(third, undefined, 'a third check of registry a waits')
    a1.release()
    await tick()
    assert.ok(third, 'a released slot goes to the waiter')
  })

  const rates: [string, number, number, number[]][] = [
    // [name, requests per second, requests taken, expected sleeps in ms]
    ['within the burst nothing waits', 10, 10, []],
    ['beyond the burst each request waits its share', 10, 12, [100, 100]],
    ['a slow registry', 1, 3, [1000, 1000]],
    ['taken in batches of a tenth of a second, the rate still holds', 100, 120, [100, 100]],
    ['no budget (Infinity) never waits', Infinity, 10_000, []],
  ]
  for (const [name, rate, count, sleeps] of rates) {
    it(`token bucket: ${name}`, async (t) => {
      const clock = new FakeClock()
      const seen: number[] = []
      const sleeping: Clock = {
        now: () => clock.now(),
        sleep: (ms: number, s: AbortSignal) => {
          seen.push(ms)
          const p = clock.sleep(ms, s)
          clock.advance(ms)
          return p
        },
      }
      const slot = await (await budget(t, rate, sleeping)).acquire('r', signal)
      for (let i = 0; i < count; i++) assert.equal(await slot!.take(1, signal), true)
      assert.deepEqual(seen, sleeps)
    })
  }

  it('takes from the store a tenth of a second at a time, and concurrent takes of a dry bucket ask once', async (t) => {
    const store = (await sqliteStore(t)).schedule
    const clock = new FakeClock()
    let trips = 0
    const b = new RegistryBudget({
      concurrency: 8,
      requestsPerSecond: 100,
      clock,
      store: {
        takeTokens: (...args) => {
          trips++
          return store.takeTokens(...args)
        },
        pauseRegistry: (...args) => store.pauseRegistry(...args),
      },
    })
    const slots = await Promise.all(Array.from({ length: 4 }, () => b.acquire('r', signal)))
    let sent = 0
    const takes = slots.map(async (slot) => {
      for (let i = 0; i < 30; i++) {
        assert.equal(await slot!.take(1, signal), true)
        sent++
      }
    })
    await until('the burst to be spent', () => clock.sleeping === 4)
    assert.equal(sent, 100)
    assert.equal(trips, 11, 'ten batches of ten, and one finding the bucket dry')
    clock.advance(100)
    await until('the next batch to be spent', () => clock.sleeping === 4)
    assert.equal(sent, 110)
    assert.equal(trips, 13, 'one batch, and one finding the bucket dry')
    clock.advance(100)
    await Promise.all(takes)
    assert.equal(sent, 120)
  })

  it('a request bigger than the bucket goes out once enough has come in', async (t) => {
    const clock = new FakeClock()
    const b = await budget(t, 1, clock)
    const slot = await b.acquire('r', signal)
    let done = false
    void slot!.take(2, signal).then(() => (done = true))
    await until('the take to wait for the bucket', () => clock.sleeping === 1)
    assert.equal(done, false)
    clock.advance(1000)
    await until('the take to finish', () => done)
  })

  it('a paused registry hands out no slots or tokens, wakes its waiters, and leaves others alone', async (t) => {
    const clock = new FakeClock()
    const b = await budget(t, 100, clock)
    const held = await b.acquire('slow', signal)
    const waiter = b.acquire('slow', signal)
    await b.pause('slow', clock.now() + 5000)
    assert.equal(await waiter, undefined)
    assert.equal(await b.acquire('slow', signal), undefined)
    assert.equal(await held!.take(1, signal), false, 'a held slot gets no tokens')
    assert.equal(b.pausedUntil('slow'), clock.now() + 5000)
    assert.ok(await b.acquire('fast', signal))
    await b.pause('slow', clock.now() + 1000)
    assert.equal(b.pausedUntil('slow'), clock.now() + 5000, 'a shorter pause keeps the longer')
    held!.release()
    clock.advance(5000)
    assert.equal(b.pausedUntil('slow'), undefined)
    const slot = await b.acquire('slow', signal)
    assert.equal(await slot!.take(1, signal), true)
  })

  it('a waiter gives up when its signal aborts', async (t) => {
    const b = await budget(t, 100, new FakeClock())
    await b.acquire('r', signal)
    const stop = new AbortController()
    const waiting = b.acquire('r', stop.signal)
    stop.abort(new Error('stopping'))
    await assert.rejects(waiting, /stopping/)
  })
})

describe('RegistryBudget across replicas on one PostgreSQL store', () => {
  const RATE = 20

  // Each replica takes requests one at a time until the shared bucket makes it wait.
  function drain(budgets: RegistryBudget[], stop: AbortSignal): { sent: number[] } {
    const counts = { sent: budgets.map(() => 0) }
    budgets.forEach((b, i) => {
      void (async () => {
        const slot = await b.acquire('quay.io', stop)
        while (await slot!.take(1, stop)) counts.sent[i]!++
      })().catch(() => undefined)
    })
    return counts
  }

  it('three replicas together get one burst with the clock held still, and the rate once it moves', async (t) => {
    const clock = new FakeClock()
    const stores = await replicas(t, 3)
    const budgets = stores.map(
      (store) =>
        new RegistryBudget({
          concurrency: 8,
          requestsPerSecond: RATE,
          clock,
          store: store.schedule,
        }),
    )
    const stop = new AbortController()
    t.after(() => stop.abort(new Error('test over')))
    const counts = drain(budgets, stop.signal)
    const total = () => counts.sent.reduce((a, b) => a + b, 0)
    await until('every replica to wait for the bucket', () => clock.sleeping === 3)
    // A replica waits only once it has spent all it took, so what was sent is all the store granted.
    assert.equal(total(), RATE, `one burst (${RATE}) in all, got ${counts.sent.join('+')}`)
    clock.advance(1000)
    await until('every replica to wait again', () => clock.sleeping === 3)
    assert.equal(
      total(),
      2 * RATE,
      `the burst and one second at ${RATE}/s, got ${counts.sent.join('+')}`,
    )
  })

  it('a pause recorded by one replica is honoured by the others at their next take', async (t) => {
    const clock = new FakeClock()
    const [a, b] = (await replicas(t, 2)).map(
      (store) =>
        new RegistryBudget({
          concurrency: 8,
          requestsPerSecond: 1,
          clock,
          store: store.schedule,
        }),
    ) as [RegistryBudget, RegistryBudget]
    const slot = await b.acquire('quay.io', signal)
    await a.pause('quay.io', clock.now() + 5000)
    assert.ok(slot, 'b had not heard of the pause when it took the slot')
    assert.equal(await slot.take(1, signal), false)
    assert.equal(b.pausedUntil('quay.io'), clock.now() + 5000)
    assert.equal(await b.acquire('quay.io', signal), undefined)
    assert.ok(await b.acquire('ghcr.io', signal), 'other registries are not paused')
    slot.release()
    clock.advance(5000)
    const after = await b.acquire('quay.io', signal)
    assert.equal(await after!.take(1, signal), true)
  })
})
