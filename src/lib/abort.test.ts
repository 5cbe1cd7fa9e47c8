import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deadline } from './abort.js'

describe('deadline', () => {
  it('aborts with a TimeoutError when time runs out, and says so', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const d = deadline(undefined, 5)
    t.mock.timers.tick(4)
    assert.equal(d.signal.aborted, false)
    t.mock.timers.tick(1)
    assert.equal((d.signal.reason as Error).name, 'TimeoutError')
    assert.equal(d.expired(), true)
    d.dispose()
  })

  it('aborts with the parent reason when the parent aborts first', () => {
    const parent = new AbortController()
    const d = deadline(parent.signal, 60_000)
    parent.abort(new Error('stopping'))
    assert.equal(d.signal.aborted, true)
    assert.equal((d.signal.reason as Error).message, 'stopping')
    assert.equal(d.expired(), false)
    d.dispose()
  })

  it('starts aborted under an aborted parent', () => {
    const parent = new AbortController()
    parent.abort(new Error('gone'))
    const d = deadline(parent.signal, 60_000)
    assert.equal(d.signal.aborted, true)
    d.dispose()
  })

  it('once disposed, neither the timer nor the parent aborts it', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const parent = new AbortController()
    const d = deadline(parent.signal, 5)
    d.dispose()
    parent.abort()
    t.mock.timers.tick(10)
    assert.equal(d.signal.aborted, false)
  })

  it('once disarmed, the timer no longer aborts it but the parent still does', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const parent = new AbortController()
    const d = deadline(parent.signal, 5)
    d.disarm()
    t.mock.timers.tick(10)
    assert.equal(d.signal.aborted, false)
    parent.abort(new Error('client left'))
    assert.equal((d.signal.reason as Error).message, 'client left')
    d.dispose()
  })
})
