import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { humanSize, shortHumanDuration } from './humanize.js'

void describe('humanSize (go-units HumanSize: decimal units, %.4g)', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1234, '1.234kB'],
    [1500, '1.5kB'],
    [120_000, '120kB'],
    // 999.999 rounds to 1000 at four digits and stays in kB, as in Go.
    [999_999, '1000kB'],
    [2_814_446, '2.814MB'],
    [12_345_678, '12.35MB'],
    // 100.25 and 100.75 are exact ties: Go rounds half to even.
    [100_250, '100.2kB'],
    [100_750, '100.8kB'],
    [100_250_000, '100.2MB'],
    [1_000_000_000, '1GB'],
    [Number.MAX_SAFE_INTEGER, '9.007PB'],
  ]
  for (const [bytes, want] of cases) {
    void it(`${bytes} -> ${want}`, () => assert.equal(humanSize(bytes), want))
  }
})

void describe('shortHumanDuration (apimachinery ShortHumanDuration)', () => {
  const s = 1000
  const m = 60 * s
  const h = 60 * m
  const d = 24 * h
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1.5 * s, '0s'],
    [0, '0s'],
    [59.9 * s, '59s'],
    [60 * s, '1m'],
    [59 * m + 59 * s, '59m'],
    [h, '1h'],
    [23 * h + 59 * m, '23h'],
    [d, '1d'],
    [5 * d + h, '5d'],
    [364 * d + 23 * h, '364d'],
    [365 * d, '1y'],
    [800 * d, '2y'],
  ]
  for (const [ms, want] of cases) {
    void it(`${ms} ms -> ${want}`, () => assert.equal(shortHumanDuration(ms), want))
  }
})
