import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Yielder } from './yielder.js'

describe('Yielder', () => {
  it('is not due within its slice, and lets waiting callbacks run when it yields', async () => {
    assert.equal(new Yielder(undefined, 60_000).due(), false)
    const y = new Yielder(undefined, 0)
    assert.equal(y.due(), true)
    let ran = false
    setImmediate(() => (ran = true))
    await y.tick()
    assert.equal(ran, true)
  })

  it('throws the reason when its signal aborted', async () => {
    const controller = new AbortController()
    const y = new Yielder(controller.signal, 0)
    controller.abort(new Error('stop'))
    await assert.rejects(y.yield(), /stop/)
  })
})
