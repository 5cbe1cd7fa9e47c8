import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ScheduleSpec } from '../../storage/index.js'
import { MemoryScheduleStore } from './memory-schedule.js'

const spec = (tag: string, registry = 'r.example', intervalMs = 1000): ScheduleSpec => ({
  tag,
  source: `${registry}/app:${tag}`,
  registry,
  intervalMs,
})
const tags = (rows: { tag: string }[]) => rows.map((r) => r.tag)

describe('MemoryScheduleStore (the contract of storage/schedule.ts)', () => {
  it('syncStream adds, keeps, resets and removes rows', async () => {
    const s = new MemoryScheduleStore()
    await s.syncStream('ns', 'app', [spec('a'), spec('b')], () => 100)
    await s.claimDue(100, 10, 50)
    await s.complete(
      { namespace: 'ns', stream: 'app', tag: 'a' },
      {
        nextCheckAt: 1100,
        lastCheckAt: 100,
        lastDigest: 'sha256:x',
        failures: 0,
      },
    )
    await s.syncStream('ns', 'app', [spec('a'), spec('b', 'r.example', 5000), spec('c')], () => 7)
    const rows = await s.list('ns', 'app')
    assert.deepEqual(
      rows.map((r) => [r.tag, r.nextCheckAt, r.lastDigest]),
      [
        ['a', 1100, 'sha256:x'],
        ['b', 7, undefined],
        ['c', 7, undefined],
      ],
    )
    await s.syncStream('ns', 'app', [spec('c')], () => 7)
    assert.deepEqual(tags(await s.list()), ['c'])
    await s.removeStream('ns', 'app')
    assert.deepEqual(await s.list(), [])
  })

  const claims: [string, number, number, string[]][] = [
    ['only due rows, earliest first', 20, 10, ['b', 'a']],
    ['up to the limit', 20, 1, ['b']],
    ['nothing due yet', 5, 10, []],
  ]
  for (const [name, now, limit, want] of claims) {
    it(`claimDue: ${name}`, async () => {
      const s = new MemoryScheduleStore()
      const due: Record<string, number> = { a: 20, b: 10, c: 30 }
      await s.syncStream('ns', 'app', [spec('a'), spec('b'), spec('c')], (x) => due[x.tag]!)
      assert.deepEqual(tags(await s.claimDue(now, limit, 100)), want)
    })
  }

  it('a leased row is not claimed again until its lease ends or it completes', async () => {
    const s = new MemoryScheduleStore()
    await s.syncStream('ns', 'app', [spec('a')], () => 0)
    assert.deepEqual(tags(await s.claimDue(10, 10, 100)), ['a'])
    assert.deepEqual(tags(await s.claimDue(50, 10, 100)), [])
    assert.deepEqual(tags(await s.claimDue(110, 10, 100)), ['a'])
  })

  it('postpone moves one registry past the pause in order and spreadOverdue spreads the rest', async () => {
    const s = new MemoryScheduleStore()
    const due: Record<string, number> = { a: 1, b: 2, c: 3, d: 4 }
    await s.syncStream(
      'ns',
      'app',
      [spec('a', 'slow'), spec('b', 'slow'), spec('c'), spec('d')],
      (x) => due[x.tag]!,
    )
    assert.equal(await s.postpone('slow', 500), 2)
    assert.equal(await s.spreadOverdue(100, 50), 2)
    const next = Object.fromEntries((await s.list()).map((r) => [r.tag, r.nextCheckAt]))
    assert.deepEqual(next, { a: 500, b: 501, c: 100, d: 125 })
    assert.deepEqual(await s.stats(120), { depth: 4, due: 1, oldestDueAt: 100 })
  })
})
