import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Namespace } from '../../api/index.js'
import { withDeletionConditions } from './namespace-conditions.js'

const T0 = '2026-01-01T00:00:00Z'
const T1 = '2026-01-01T00:05:00Z'
const ns: Namespace = { metadata: { name: 'a' }, status: { phase: 'Terminating' } }
const held = [
  { resource: 'secrets.', finalizers: ['example.com/b'] },
  { resource: 'imagestreams.image.openshift.io', finalizers: ['example.com/b', 'example.com/a'] },
  { resource: 'secrets.', finalizers: ['example.com/b'] },
]

const condition = (n: Namespace | undefined, type: string) =>
  n?.status?.conditions?.find((c) => c.type === type)

describe('withDeletionConditions', () => {
  it('counts what is left per resource and per finalizer, sorted', () => {
    const next = withDeletionConditions(ns, held, T0)
    assert.equal(
      condition(next, 'NamespaceContentRemaining')?.message,
      'Some resources are remaining: imagestreams.image.openshift.io has 1 resource instances, secrets. has 2 resource instances',
    )
    assert.equal(
      condition(next, 'NamespaceFinalizersRemaining')?.message,
      'Some content in the namespace has finalizers remaining: example.com/a in 1 resource instances, example.com/b in 3 resource instances',
    )
    assert.equal(next?.status?.conditions?.length, 5)
  })

  it('writes nothing when the conditions already say so', () => {
    const once = withDeletionConditions(ns, held, T0)
    assert.ok(once)
    assert.equal(withDeletionConditions(once, held, T1), undefined)
  })

  it('moves lastTransitionTime only for a condition whose status changes', () => {
    const once = withDeletionConditions(ns, held, T0)!
    const fewer = withDeletionConditions(once, held.slice(0, 1), T1)!
    assert.equal(condition(fewer, 'NamespaceContentRemaining')?.lastTransitionTime, T0)
    const none = withDeletionConditions(fewer, [], T1)!
    assert.deepEqual(condition(none, 'NamespaceContentRemaining'), {
      type: 'NamespaceContentRemaining',
      status: 'False',
      reason: 'ContentRemoved',
      message: 'All content successfully removed',
      lastTransitionTime: T1,
    })
    assert.equal(condition(none, 'NamespaceDeletionDiscoveryFailure')?.lastTransitionTime, T0)
  })
})
