import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cloneJson, copyAsJson } from './clone-json.js'

describe('cloneJson', () => {
  const cases: { name: string; value: unknown }[] = [
    { name: 'scalars', value: ['a', 1, 1.5, true, false, null] },
    { name: 'nested objects and arrays', value: { a: { b: [1, { c: 'd' }, []] }, e: {} } },
    { name: 'undefined properties', value: { a: undefined, b: 1 } },
    { name: 'a string', value: 'x' },
    { name: 'null', value: null },
  ]
  for (const { name, value } of cases) {
    it(`copies ${name} as structuredClone does`, () => {
      const copy = cloneJson(value)
      assert.deepStrictEqual(copy, structuredClone(value))
      if (typeof value === 'object' && value !== null) assert.notEqual(copy, value)
    })
  }

  it('shares nothing with the original', () => {
    const value = { spec: { tags: [{ name: 'latest' }] } }
    const copy = cloneJson(value)
    copy.spec.tags[0]!.name = 'changed'
    copy.spec.tags.push({ name: 'more' })
    assert.deepEqual(value, { spec: { tags: [{ name: 'latest' }] } })
  })

  it('keeps key order', () => {
    assert.deepEqual(Object.keys(cloneJson({ b: 1, a: 2, c: 3 })), ['b', 'a', 'c'])
  })

  it('keeps an own __proto__ key as a key, without touching the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>
    const copy = cloneJson(value)
    assert.equal(Object.getPrototypeOf(copy), Object.prototype)
    assert.deepEqual(Object.keys(copy), ['__proto__', 'a'])
    assert.deepEqual(copy['__proto__'], { polluted: true })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })
})

describe('copyAsJson', () => {
  const cases: { name: string; value: unknown }[] = [
    { name: 'scalars', value: ['a', 1, 1.5, true, false, null] },
    { name: 'nested objects and arrays', value: { a: { b: [1, { c: 'd' }, []] }, e: {} } },
    { name: 'undefined properties and items', value: { a: undefined, b: [undefined, 1] } },
    { name: 'functions', value: { f: () => 1, g: [() => 2] } },
    { name: 'non-finite numbers', value: { a: NaN, b: [Infinity, -Infinity] } },
    { name: 'a Date', value: { at: new Date(0) } },
    { name: 'an own __proto__ key', value: JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown },
    { name: 'a string', value: 'x' },
    { name: 'null', value: null },
  ]
  for (const { name, value } of cases) {
    it(`copies ${name} as a JSON round trip does`, () => {
      const copy = copyAsJson(value)
      assert.deepStrictEqual(copy, JSON.parse(JSON.stringify(value)))
      assert.equal(JSON.stringify(copy), JSON.stringify(value))
      if (typeof value === 'object' && value !== null) assert.notEqual(copy, value)
    })
  }
})
