import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sortYielding, Yielder } from './yielder.js'

describe('Yielder', () => {
  it('is not due within its slice, and lets waiting callbacks run when it yields', async () => {
    assert.equal(new Yielder(undefined, 60_000).due(), false)
    const y = new Yielder(undefined, 0)
    assert.equal(y.due(), true)
    let ran = false
    setImmediate(() => (ran = true))
    await y.yield()
    assert.equal(ran, true)
  })

  it('throws the reason when its signal aborted', async () => {
    const controller = new AbortController()
    const y = new Yielder(controller.signal, 0)
    controller.abort(new Error('stop'))
    await assert.rejects(y.yield(), /stop/)
  })
})

describe('sortYielding', () => {
  const sizes = [0, 1, 2047, 2048, 2049, 10_000]
  for (const n of sizes) {
    it(`sorts ${n} items stably, as Array.prototype.sort does`, async () => {
      // Few distinct keys, so ties are many; the index tells their original order.
      const items = Array.from({ length: n }, (_, i) => ({ key: (i * 7919) % 13, i }))
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key
      const sorted = await sortYielding(items, byKey, new Yielder(undefined, 0))
      assert.deepEqual(sorted, [...items].sort(byKey))
    })
  }
})
