import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { goJsonCompact, goQuote, goSharpV, goSprint } from './go-values.js'

describe("Go's printing of decoded JSON", () => {
  const value = { b: [1, 1.5, 'x', null, true], a: { 'k"': 'v<' }, c: 1e21 }

  it('prints %v with sorted map keys', () => {
    assert.equal(goSprint(value), 'map[a:map[k":v<] b:[1 1.5 x <nil> true] c:1e+21]')
    assert.equal(goSprint(1.5e-7), '1.5e-07')
    assert.equal(goSprint(1234567.5), '1.2345675e+06')
    assert.equal(goSprint(123456.5), '123456.5')
  })

  it('prints %#v in Go syntax', () => {
    assert.equal(
      goSharpV(value),
      'map[string]interface {}{"a":map[string]interface {}{"k\\"":"v<"}, "b":[]interface {}{1, 1.5, "x", interface {}(nil), true}, "c":1e+21}',
    )
    assert.equal(goQuote('tab\there\u0001é'), '"tab\\there\\x01é"')
  })

  it('marshals compact JSON as encoding/json does', () => {
    assert.equal(
      goJsonCompact(value),
      '{"a":{"k\\"":"v\\u003c"},"b":[1,1.5,"x",null,true],"c":1e+21}',
    )
  })
})
