import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { jsonEqual } from './json-equal.js'

describe('jsonEqual', () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['equal scalars', 1, 1, true],
    ['different scalars', 1, '1', false],
    ['null and object', null, {}, false],
    ['key order ignored', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, true],
    ['array order kept', [1, 2], [2, 1], false],
    ['array and object', [], {}, false],
    ['extra key', { a: 1 }, { a: 1, b: 2 }, false],
    ['same key count, different keys', { a: 1 }, { b: 1 }, false],
    ['nested arrays of objects', [{ a: [1, { b: 2 }] }], [{ a: [1, { b: 2 }] }], true],
    ['null values', { a: null }, { a: null }, true],
  ]
  for (const [what, a, b, want] of cases) {
    it(what, () => assert.equal(jsonEqual(a, b), want))
  }
})
