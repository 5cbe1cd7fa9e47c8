import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RegistryBudget, type Slot } from './registry-budget.js'
import { FakeClock } from './testing/fake-clock.js'

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
const signal = new AbortController().signal

describe('RegistryBudget', () => {
  it('limits checks per registry, not across registries', async () => {
    const budget = new RegistryBudget({
      concurrency: 2,
      requestsPerSecond: 100,
      clock: new FakeClock(),
    })
    const a1 = await budget.acquire('a', signal)
    const a2 = await budget.acquire('a', signal)
    let third: Slot | undefined
    void budget.acquire('a', signal).then((s) => (third = s))
    const b1 = await budget.acquire('b', signal)
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
    ['no budget (Infinity) never waits', Infinity, 10_000, []],
  ]
  for (const [name, rate, count, sleeps] of rates) {
    it(`token bucket: ${name}`, async () => {
      const clock = new FakeClock()
      const seen: number[] = []
      const sleeping = {
        ...clock,
        now: () => clock.now(),
        sleep: (ms: number, s: AbortSignal) => {
          seen.push(ms)
          const p = clock.sleep(ms, s)
          clock.advance(ms)
          return p
        },
      }
      const budget = new RegistryBudget({
        concurrency: 1,
        requestsPerSecond: rate,
        clock: sleeping,
      })
      const slot = await budget.acquire('r', signal)
      for (let i = 0; i < count; i++) await slot!.take(1, signal)
      assert.deepEqual(seen, sleeps)
    })
  }

  it('a paused registry hands out no slots, wakes its waiters, and leaves others alone', async () => {
    const clock = new FakeClock()
    const budget = new RegistryBudget({ concurrency: 1, requestsPerSecond: 100, clock })
    const held = await budget.acquire('slow', signal)
    const waiter = budget.acquire('slow', signal)
    budget.pause('slow', clock.now() + 5000)
    assert.equal(await waiter, undefined)
    assert.equal(await budget.acquire('slow', signal), undefined)
    assert.equal(budget.pausedUntil('slow'), clock.now() + 5000)
    assert.ok(await budget.acquire('fast', signal))
    budget.pause('slow', clock.now() + 1000)
    assert.equal(budget.pausedUntil('slow'), clock.now() + 5000, 'a shorter pause keeps the longer')
    held!.release()
    clock.advance(5000)
    assert.equal(budget.pausedUntil('slow'), undefined)
    assert.ok(await budget.acquire('slow', signal))
  })

  it('a waiter gives up when its signal aborts', async () => {
    const budget = new RegistryBudget({
      concurrency: 1,
      requestsPerSecond: 100,
      clock: new FakeClock(),
    })
    await budget.acquire('r', signal)
    const stop = new AbortController()
    const waiting = budget.acquire('r', stop.signal)
    stop.abort(new Error('stopping'))
    await assert.rejects(waiting, /stopping/)
  })
})
