import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LoginThrottle } from './login-throttle.js'

describe('LoginThrottle', () => {
  const setup = () => {
    let t = 1_000_000
    const throttle = new LoginThrottle({ now: () => t })
    return { throttle, advance: (ms: number) => (t += ms) }
  }

  it('locks a name out for a minute on the fifth failure within a minute', () => {
    const { throttle, advance } = setup()
    for (let i = 0; i < 4; i++) assert.equal(throttle.failed('alice'), false)
    assert.equal(throttle.lockedFor('alice'), 0)
    assert.equal(throttle.failed('alice'), true)
    assert.equal(throttle.lockedFor('alice'), 60_000)
    assert.equal(throttle.lockedFor('bob'), 0)
    advance(59_999)
    assert.equal(throttle.lockedFor('alice'), 1)
    advance(1)
    assert.equal(throttle.lockedFor('alice'), 0)
  })

  it('forgets failures older than the window', () => {
    const { throttle, advance } = setup()
    for (let i = 0; i < 4; i++) throttle.failed('alice')
    advance(60_001)
    assert.equal(throttle.failed('alice'), false)
    assert.equal(throttle.lockedFor('alice'), 0)
  })

  it('a success clears the failures', () => {
    const { throttle } = setup()
    for (let i = 0; i < 4; i++) throttle.failed('alice')
    throttle.succeeded('alice')
    assert.equal(throttle.failed('alice'), false)
  })
})
