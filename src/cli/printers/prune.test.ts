/** The texts of `isctl adm prune images`, against oc's (openshift/oc pkg/cli/admin/prune). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidReferencesError } from '../../pruner/run.js'
import type { PruneEvent, PruneFailure, PruneSummary } from '../../pruner/types.js'
import {
  eventLine,
  failureError,
  failureLine,
  failuresText,
  formatPlan,
  graphFailedText,
  keptInUseLine,
  summaryLine,
} from './prune.js'

const D = `sha256:${'d'.repeat(64)}`
const E = `sha256:${'e'.repeat(64)}`

describe('eventLine', () => {
  const rows: [PruneEvent, string][] = [
    [
      { kind: 'stream', namespace: 'team-a', name: 'app', items: 2 },
      'Deleting 2 items from image stream team-a/app',
    ],
    [{ kind: 'image', name: D }, `Deleting image ${D}`],
    [{ kind: 'blob', digest: E }, `Deleting blob ${E}`],
  ]
  for (const [event, line] of rows) it(line, () => assert.equal(eventLine(event), line))
})

describe('summaryLine', () => {
  const zero: PruneSummary = {
    deletedImages: 0,
    deletedItems: 0,
    updatedStreams: 0,
    deletedBlobs: 0,
  }
  const rows: [Partial<PruneSummary>, string][] = [
    [{}, 'Summary: deleted 0 objects'],
    [
      { deletedImages: 3, deletedItems: 5, updatedStreams: 2, deletedBlobs: 7 },
      'Summary: deleted 3 image object(s), deleted 5 image stream tag item(s), updated 2 image stream(s), deleted 7 blob(s)',
    ],
    [
      { deletedItems: 1, updatedStreams: 1 },
      'Summary: deleted 1 image stream tag item(s), updated 1 image stream(s)',
    ],
    [{ deletedBlobs: 4 }, 'Summary: deleted 4 blob(s)'],
  ]
  for (const [counts, line] of rows) {
    it(line, () => assert.equal(summaryLine({ ...zero, ...counts }), line))
  }
})

describe('failures', () => {
  const stream: PruneFailure = { what: 'stream', which: 'team-a/app', message: 'boom' }
  const image: PruneFailure = { what: 'image', which: D, message: 'forbidden' }
  const blob: PruneFailure = { what: 'blob', which: E, message: 'HTTP 500' }

  it("prints oc's describing-deleter lines", () => {
    assert.equal(
      failureLine(stream),
      'error updating image stream team-a/app to remove image references: boom',
    )
    assert.equal(failureLine(image), `error deleting image ${D} from server: forbidden`)
    assert.equal(failureLine(blob), `error deleting blob ${E} from the registry: HTTP 500`)
  })

  it("aggregates them as oc's pruner does", () => {
    assert.equal(failureError(stream), 'imagestream team-a/app: boom')
    assert.equal(failureError(image), `image ${D}: failed to delete image ${D}: forbidden`)
    assert.equal(failureError(blob), `failed to delete blob ${E}: HTTP 500`)
  })

  it("prints one as kubectl's CheckErr does, several one per line", () => {
    assert.equal(failuresText([stream]), 'error: imagestream team-a/app: boom\n')
    assert.equal(
      failuresText([stream, blob]),
      `imagestream team-a/app: boom\nfailed to delete blob ${E}: HTTP 500\n`,
    )
  })
})

describe('graphFailedText', () => {
  it("frames the pruner's list of invalid references as oc does", () => {
    const err = new InvalidReferencesError([
      {
        object: { kind: 'Pod', namespace: 'team-a', name: 'web-1' },
        reference: 'Bad//Ref',
        message: 'container web: invalid reference format',
      },
    ])
    const text = graphFailedText(err.message)
    assert.equal(
      text,
      [
        'Failed to build graph!',
        '',
        'The following objects have invalid references:',
        '',
        `  ${err.message.split('\n')[2]!.trim()}`,
        '',
        'Either fix the references or delete the objects to make the pruner proceed.',
        'error: failed to build graph - no changes made',
        '',
      ].join('\n'),
    )
    assert.match(
      text,
      /\n {2}pod\/web-1 namespace=team-a: container web: invalid reference format\n/,
    )
  })
})

describe('keptInUseLine', () => {
  it('says why a planned deletion did not happen', () => {
    assert.equal(
      keptInUseLine(D),
      `Kept image ${D}: an image stream or a manifest list references it again`,
    )
  })
})

describe('formatPlan', () => {
  it('prints the plan as indented JSON', () => {
    const plan = {
      streams: [],
      images: [{ name: D, children: [], decision: { action: 'delete', reason: 'pruned' } }],
      blobs: [E],
    } as const
    const text = formatPlan(plan)
    assert.ok(text.endsWith('}\n'))
    assert.deepEqual(JSON.parse(text), plan)
  })
})
