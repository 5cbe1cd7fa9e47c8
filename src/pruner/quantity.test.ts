import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseQuantity } from './quantity.js'

describe('parseQuantity', () => {
  const cases: [string, number | undefined][] = [
    ['1024', 1024],
    ['1Ki', 1024],
    ['512Mi', 512 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1G', 1e9],
    ['100M', 1e8],
    ['2k', 2000],
    ['1e9', 1e9],
    ['5E3', 5000],
    ['2E', 2e18],
    ['3m', 0.003],
    ['+3', 3],
    ['.5Ki', 512],
    [' 1Gi ', undefined],
    ['', undefined],
    ['Gi', undefined],
    ['1GB', undefined],
    ['1 Gi', undefined],
    ['1Ki2', undefined],
    ['abc', undefined],
  ]
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} is ${String(want)}`, () => {
      assert.equal(parseQuantity(input), want)
    })
  }
})
