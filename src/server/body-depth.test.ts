import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { exceedsDepth, exceedsFlowDepth } from './body-depth.js'

/** chain builds `levels` nested objects or arrays without recursion. */
function chain(levels: number, array: boolean): unknown {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = array ? [value] : { a: value }
  return value
}

describe('exceedsDepth', () => {
  const cases: { name: string; value: unknown; limit: number; want: boolean }[] = [
    { name: 'a scalar', value: 'x', limit: 0, want: false },
    { name: 'an empty object at limit 1', value: {}, limit: 1, want: false },
    { name: 'an empty object at limit 0', value: {}, limit: 0, want: true },
    { name: '3 objects at limit 3', value: chain(3, false), limit: 3, want: false },
    { name: '4 objects at limit 3', value: chain(4, false), limit: 3, want: true },
    { name: '4 arrays at limit 3', value: chain(4, true), limit: 3, want: true },
    {
      name: 'a deep branch beside shallow ones',
      value: { a: 1, b: [1, 2], c: chain(5, false) },
      limit: 5,
      want: true,
    },
    {
      name: '1,000,000 levels, without overflowing',
      value: chain(1_000_000, false),
      limit: 500,
      want: true,
    },
  ]
  for (const c of cases) {
    it(`${c.want ? 'refuses' : 'allows'} ${c.name}`, () => {
      assert.equal(exceedsDepth(c.value, c.limit), c.want)
    })
  }
})

describe('exceedsFlowDepth', () => {
  const cases: { name: string; text: string; want: boolean }[] = [
    { name: '3 flow levels', text: 'a: [{b: [1]}]', want: false },
    { name: '4 flow levels', text: 'a: [{b: [[1]]}]', want: true },
    { name: 'brackets in double quotes', text: 'a: "[[[[\\"[[["', want: false },
    { name: 'brackets in single quotes', text: "a: '[[[[''[['", want: false },
    { name: 'brackets in a comment', text: 'a: 1 # [[[[\nb: [2]', want: false },
    { name: 'closed levels that never nest past 3', text: '[[[1]]] [[[2]]] [[[3]]]', want: false },
  ]
  for (const c of cases) {
    it(`${c.want ? 'refuses' : 'allows'} ${c.name}`, () => {
      assert.equal(exceedsFlowDepth(c.text, 3), c.want)
    })
  }
})
