import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StatusError } from '../../status.js'
import { applyMergePatch } from './json-merge-patch.js'

describe('applyMergePatch (RFC 7386)', () => {
  // RFC 7386 appendix A, plus the cases kubectl produces.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  cases.forEach(([target, patch, want], i) => {
    it(`case ${i + 1}: ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), want)
    })
  })

  it('returns a copy that shares nothing with its inputs', () => {
    const target = { spec: { tags: [{ name: 'a' }] }, keep: { deep: 1 } }
    const out = applyMergePatch(target, { spec: { x: 1 } }) as typeof target
    out.keep.deep = 2
    assert.equal(target.keep.deep, 1)
  })

  it('refuses prototype keys', () => {
    const patch = JSON.parse('{"constructor":{"prototype":{"x":1}}}') as unknown
    assert.throws(() => applyMergePatch({}, patch), StatusError)
  })
})
