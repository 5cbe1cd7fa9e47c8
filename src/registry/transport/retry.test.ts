import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isRetryableStatus, parseRetryAfter } from './retry.js'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['2', 2000],
    ['0', 0],
    ['999999999', 999999999000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['-5', undefined],
    ['soon', undefined],
  ]
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${want}`, () => assert.equal(parseRetryAfter(input, now), want))
  }
})

describe('isRetryableStatus', () => {
  for (const s of [408, 429, 500, 502, 503, 504])
    it(`${s} retried`, () => assert.ok(isRetryableStatus(s)))
  for (const s of [400, 401, 403, 404, 405, 501]) {
    it(`${s} not retried`, () => assert.ok(!isRetryableStatus(s)))
  }
})
