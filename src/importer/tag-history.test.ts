import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagEvent } from '../api/index.js'
import { ensureSpecTag, hasTagChanged, setFailure } from './tag-history.js'

const event = (image: string, generation = 1): TagEvent => ({
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: `r/app@sha256:${image.repeat(64)}`,
  image: `sha256:${image.repeat(64)}`,
  generation,
})
const stream = (): ImageStream => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'app', generation: 1 },
  spec: { tags: [{ name: 'v1', generation: 1, from: { kind: 'DockerImage', name: 'r/app:v1' } }] },
})

describe('tag history', () => {
  it('sees a change in the image, the reference or a newer spec generation', () => {
    const s = stream()
    s.status = { tags: [{ tag: 'v1', items: [event('a')] }] }
    assert.equal(hasTagChanged(s, 'v1', event('a')), false)
    assert.equal(hasTagChanged(s, 'v1', event('b')), true)
    s.spec!.tags![0]!.generation = 2
    assert.equal(hasTagChanged(s, 'v1', event('a')), true)
    assert.equal(hasTagChanged(s, 'other', event('a')), true)
  })

  it('records the import mode used on success, merges the flags the request set, keeps Local', () => {
    const s = stream()
    s.spec!.tags![0]!.importPolicy = {
      scheduled: true,
      insecure: true,
      importMode: 'PreserveOriginal',
    }
    s.spec!.tags![0]!.referencePolicy = { type: 'Local' }
    ensureSpecTag(
      s,
      {
        tag: 'v1',
        from: 'r/app:v1',
        importPolicy: { insecure: false, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        mode: 'Legacy',
      },
      { reset: false, generation: 2, succeeded: true },
    )
    assert.deepEqual(s.spec!.tags![0]!.importPolicy, {
      scheduled: true,
      insecure: false,
      importMode: 'Legacy',
    })
    assert.deepEqual(s.spec!.tags![0]!.referencePolicy, { type: 'Local' })
    assert.equal(s.spec!.tags![0]!.generation, 1)
  })

  it('leaves an existing tag’s mode alone when its import failed, and gives a new tag the mode', () => {
    const s = stream()
    s.spec!.tags![0]!.importPolicy = { importMode: 'PreserveOriginal' }
    const update = (tag: string) => ({
      tag,
      from: `r/app:${tag}`,
      importPolicy: { importMode: 'Legacy' },
      referencePolicy: undefined,
      mode: 'Legacy',
    })
    ensureSpecTag(s, update('v1'), { reset: false, generation: 2, succeeded: false })
    ensureSpecTag(s, update('v2'), { reset: false, generation: 2, succeeded: false })
    assert.deepEqual(s.spec!.tags![0]!.importPolicy, { importMode: 'PreserveOriginal' })
    assert.deepEqual(s.spec!.tags![1]!.importPolicy, { importMode: 'Legacy' })
  })

  it('replaces a failure condition only when it differs', () => {
    const s = stream()
    const failure = { reason: 'NotFound', message: 'gone', generation: 2, lastTransitionTime: 't1' }
    assert.equal(setFailure(s, 'v1', failure), true)
    assert.equal(setFailure(s, 'v1', { ...failure, lastTransitionTime: 't2' }), false)
    assert.equal(s.status?.tags?.[0]?.conditions?.[0]?.lastTransitionTime, 't1')
    assert.equal(setFailure(s, 'v1', { ...failure, message: 'other' }), true)
  })
})
