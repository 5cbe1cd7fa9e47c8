import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ago, age, dockerHumanDuration, kubeHumanDuration } from './human-duration.js'

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

describe('kubeHumanDuration (apimachinery duration.HumanDuration)', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 20 * S, '3m20s'],
    [10 * M + 5 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 7 * M, '5h7m'],
    [30 * H, '30h'],
    [2 * D, '2d'],
    [3 * D + 4 * H, '3d4h'],
    [100 * D, '100d'],
    [3 * 365 * D, '3y'],
    [3 * 365 * D + 10 * D, '3y10d'],
    [9 * 365 * D, '9y'],
  ]
  for (const [ms, want] of cases)
    it(`${ms} ms -> ${want}`, () => assert.equal(kubeHumanDuration(ms), want))
})

describe('dockerHumanDuration (go-units HumanDuration)', () => {
  const cases: [number, string][] = [
    [500, 'Less than a second'],
    [S, '1 second'],
    [30 * S, '30 seconds'],
    [M, 'About a minute'],
    [5 * M, '5 minutes'],
    [H, 'About an hour'],
    [3 * H, '3 hours'],
    [3 * D, '3 days'],
    [3 * 7 * D, '3 weeks'],
    [90 * D, '3 months'],
    [3 * 365 * D, '3 years'],
  ]
  for (const [ms, want] of cases)
    it(`${ms} ms -> ${want}`, () => assert.equal(dockerHumanDuration(ms), want))
})

describe('age and ago', () => {
  const now = Date.parse('2026-01-01T01:00:00Z')
  it('renders RFC 3339 timestamps', () => {
    assert.equal(age('2026-01-01T00:00:00Z', now), '60m')
    assert.equal(ago('2026-01-01T00:00:00Z', now), 'About an hour ago')
  })
  it('renders missing timestamps as kube does', () => {
    assert.equal(age(undefined, now), '<unknown>')
    assert.equal(ago(undefined, now), '')
  })
})
