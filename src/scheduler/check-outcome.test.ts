import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, ImportMode } from '../api/index.js'
import type { ScheduleEntry } from '../storage/index.js'
import {
  failureOutcome,
  isUnchanged,
  rateLimitedOutcome,
  successOutcome,
  type OutcomeContext,
} from './check-outcome.js'

const D = (c: string) => `sha256:${c.repeat(64)}`
const LIST = 'application/vnd.oci.image.index.v1+json'
const IMAGE = 'application/vnd.oci.image.manifest.v1+json'

const row: ScheduleEntry = {
  namespace: 'ns',
  stream: 's',
  tag: 't',
  source: 'quay.io/o/a:t',
  registry: 'quay.io',
  intervalMs: 900_000,
  nextCheckAt: 0,
  failures: 0,
}

function stream(image: string | undefined, failed = false): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 's', namespace: 'ns' },
    status: {
      tags: [
        {
          tag: 't',
          items: image ? [{ created: '', dockerImageReference: '', image, generation: 1 }] : [],
          ...(failed && {
            conditions: [
              {
                type: 'ImportSuccess',
                status: 'False',
                reason: 'NotFound',
                message: 'gone',
                generation: 1,
              },
            ],
          }),
        },
      ],
    },
  }
}

describe('isUnchanged', () => {
  const cases: [string, string | undefined, ImageStream, string, string, ImportMode, boolean][] = [
    // [name, row.lastDigest, stream, HEAD digest, HEAD media type, mode, unchanged]
    [
      'single image, first check, same digest',
      undefined,
      stream(D('a')),
      D('a'),
      IMAGE,
      'Legacy',
      true,
    ],
    ['single image moved', D('a'), stream(D('a')), D('b'), IMAGE, 'Legacy', false],
    [
      'PreserveOriginal list unchanged',
      D('l'),
      stream(D('l')),
      D('l'),
      LIST,
      'PreserveOriginal',
      true,
    ],
    [
      'Legacy list, first check: only an import can tell',
      undefined,
      stream(D('c')),
      D('l'),
      LIST,
      'Legacy',
      false,
    ],
    ['Legacy list, recorded digest matches', D('l'), stream(D('c')), D('l'), LIST, 'Legacy', true],
    ['Legacy list moved', D('l'), stream(D('c')), D('m'), LIST, 'Legacy', false],
    [
      'recorded digest but the tag has no image',
      D('a'),
      stream(undefined),
      D('a'),
      IMAGE,
      'Legacy',
      false,
    ],
    [
      'a failed tag re-imports to clear its condition',
      D('a'),
      stream(D('a'), true),
      D('a'),
      IMAGE,
      'Legacy',
      false,
    ],
    [
      'PreserveOriginal now, child in status',
      D('l'),
      stream(D('c')),
      D('l'),
      LIST,
      'PreserveOriginal',
      false,
    ],
  ]
  for (const [name, lastDigest, s, digest, mediaType, mode, want] of cases) {
    it(name, () => {
      assert.equal(isUnchanged({ tag: 't', lastDigest }, s, { digest, mediaType }, mode), want)
    })
  }
})

describe('outcomes', () => {
  const ctx: OutcomeContext = {
    now: 1_000_000,
    jitter: 0.1,
    random: () => 0.5,
    failureBaseMs: 30_000,
  }
  it('a success checks again one interval later and resets failures', () => {
    assert.deepEqual(successOutcome({ ...row, failures: 3, lastError: 'x' }, D('a'), ctx), {
      nextCheckAt: 1_900_000,
      lastCheckAt: 1_000_000,
      lastDigest: D('a'),
      failures: 0,
    })
  })
  const failures: [number, number][] = [
    [0, 30_000],
    [1, 60_000],
    [2, 120_000],
    [10, 900_000],
  ]
  for (const [before, delay] of failures) {
    it(`failure after ${before} failures waits ${delay} ms and keeps the digest`, () => {
      const out = failureOutcome({ ...row, failures: before, lastDigest: D('a') }, 'boom', ctx)
      assert.deepEqual(out, {
        nextCheckAt: 1_000_000 + delay,
        lastCheckAt: 1_000_000,
        lastDigest: D('a'),
        failures: before + 1,
        lastError: 'boom',
      })
    })
  }
  it('a rate limit waits for the registry and leaves the failure count alone', () => {
    assert.deepEqual(
      rateLimitedOutcome({ ...row, failures: 2, lastError: 'e' }, 5_000_000, 1_000_000),
      {
        nextCheckAt: 5_000_000,
        lastCheckAt: 1_000_000,
        lastDigest: undefined,
        failures: 2,
        lastError: 'e',
      },
    )
  })
})
