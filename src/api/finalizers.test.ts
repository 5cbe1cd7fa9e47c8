import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deletesOnUpdate, markedForDeletion, type DeletionMeta } from './finalizers.js'

const NOW = '2026-01-01T00:00:00Z'
const EARLIER = '2025-12-31T00:00:00Z'
const held = ['example.com/hold']

describe('markedForDeletion', () => {
  const cases: { case: string; meta: DeletionMeta; want: DeletionMeta }[] = [
    {
      case: 'a first mark stamps now, sets no grace period and bumps the generation',
      meta: { generation: 3, finalizers: held },
      want: {
        generation: 4,
        finalizers: held,
        deletionTimestamp: NOW,
        deletionGracePeriodSeconds: 0,
      },
    },
    {
      case: 'a kind without a generation gets none',
      meta: { finalizers: held },
      want: { finalizers: held, deletionTimestamp: NOW, deletionGracePeriodSeconds: 0 },
    },
    {
      case: 'an earlier mark keeps its time and generation',
      meta: { generation: 4, finalizers: held, deletionTimestamp: EARLIER },
      want: {
        generation: 4,
        finalizers: held,
        deletionTimestamp: EARLIER,
        deletionGracePeriodSeconds: 0,
      },
    },
  ]
  for (const c of cases) {
    it(c.case, () => {
      assert.deepEqual(markedForDeletion({ metadata: c.meta }, NOW).metadata, c.want)
    })
  }

  it('returns an object already marked as it is', () => {
    const marked = { metadata: { deletionTimestamp: EARLIER, deletionGracePeriodSeconds: 0 } }
    assert.equal(markedForDeletion(marked, NOW), marked)
  })
})

describe('deletesOnUpdate', () => {
  const marked: DeletionMeta = { deletionTimestamp: EARLIER, deletionGracePeriodSeconds: 0 }
  const cases: { case: string; next: DeletionMeta; prev: DeletionMeta; want: boolean }[] = [
    {
      case: 'the last finalizer removed from a marked object',
      next: {},
      prev: { ...marked, finalizers: held },
      want: true,
    },
    {
      case: 'a finalizer left',
      next: { finalizers: held },
      prev: { ...marked, finalizers: held },
      want: false,
    },
    { case: 'an object no delete marked', next: {}, prev: { finalizers: held }, want: false },
    {
      case: 'a grace period still running',
      next: {},
      prev: { ...marked, deletionGracePeriodSeconds: 30 },
      want: false,
    },
    {
      case: 'a mark without a grace period (a namespace)',
      next: {},
      prev: { deletionTimestamp: EARLIER },
      want: true,
    },
  ]
  for (const c of cases) {
    it(c.case, () => {
      assert.equal(deletesOnUpdate({ metadata: c.next }, { metadata: c.prev }), c.want)
    })
  }
})
