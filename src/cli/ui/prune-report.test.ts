/** What a prune run prints, and where, from the pruner's events, progress and result. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PrunePlan, PruneSummary } from '../../pruner/types.js'
import type { CommandIO } from '../io.js'
import { PruneReport, type PruneReportOptions } from './prune-report.js'

const D = `sha256:${'d'.repeat(64)}`
const E = `sha256:${'e'.repeat(64)}`

const PLAN: PrunePlan = {
  streams: [
    {
      namespace: 'team-a',
      name: 'app',
      resourceVersion: '12',
      items: [
        {
          tag: 'v1',
          revision: 0,
          image: E,
          created: '2026-01-01T00:00:00Z',
          decision: { action: 'keep', reasons: ['revision'] },
        },
        {
          tag: 'v1',
          revision: 1,
          image: D,
          created: '2025-12-01T00:00:00Z',
          decision: { action: 'delete', reason: 'pruned' },
        },
      ],
      deletedItems: 1,
      statusTags: [],
    },
  ],
  images: [{ name: D, children: [], decision: { action: 'delete', reason: 'pruned' } }],
  blobs: [E],
}
const SUMMARY: PruneSummary = {
  deletedImages: 1,
  deletedItems: 1,
  updatedStreams: 1,
  deletedBlobs: 1,
}

function capture(tty = false) {
  const out: string[] = []
  const err: string[] = []
  const io: CommandIO = {
    stdout: { isTTY: tty, write: (s: string) => out.push(s) } as CommandIO['stdout'],
    stderr: { isTTY: tty, write: (s: string) => err.push(s) } as CommandIO['stderr'],
    env: {},
    now: () => new Date(0),
  }
  return { io, out, err, stdout: () => out.join(''), stderr: () => err.join('') }
}

const TEXT: PruneReportOptions = {
  output: 'text',
  confirm: false,
  pruneRegistry: true,
  interactive: false,
}

/** play feeds the events of PLAN, as the pruner emits them, to a report. */
function play(report: PruneReport): void {
  report.onProgress({ phase: 'image streams', done: 0, total: 1 })
  report.onEvent({ kind: 'stream', namespace: 'team-a', name: 'app', items: 1 })
  report.onProgress({ phase: 'image streams', done: 1, total: 1 })
  report.onEvent({ kind: 'blob', digest: E })
  report.onEvent({ kind: 'image', name: D })
}

describe('PruneReport', () => {
  it('a dry run: the notice on stderr, the actions in order and the summary on stdout', () => {
    const c = capture()
    const report = new PruneReport(c.io, TEXT)
    play(report)
    assert.equal(report.finished({ plan: PLAN, summary: SUMMARY, failures: [], keptInUse: [] }), 0)
    assert.equal(
      c.stdout(),
      [
        'Deleting 1 items from image stream team-a/app',
        `Deleting blob ${E}`,
        `Deleting image ${D}`,
        'Summary: deleted 1 image object(s), deleted 1 image stream tag item(s), updated 1 image stream(s), deleted 1 blob(s)',
        '',
      ].join('\n'),
    )
    assert.equal(
      c.stderr(),
      'Dry run enabled - no modifications will be made. Add --confirm to remove images\n',
    )
  })

  it('with --confirm and --prune-registry=false: no dry-run notice, the API-only one first', () => {
    const c = capture()
    const report = new PruneReport(c.io, { ...TEXT, confirm: true, pruneRegistry: false })
    play(report)
    report.finished({ plan: PLAN, summary: SUMMARY, failures: [], keptInUse: [] })
    assert.equal(c.stderr(), '')
    assert.match(
      c.stdout(),
      /^Only API objects will be removed\. {2}No modifications to the image registry will be made\.\nDeleting 1 items/,
    )
  })

  it('nothing to do: the notices still come, and `deleted 0 objects`', () => {
    const c = capture()
    const zero = { deletedImages: 0, deletedItems: 0, updatedStreams: 0, deletedBlobs: 0 }
    const code = new PruneReport(c.io, TEXT).finished({
      plan: { streams: [], images: [], blobs: [] },
      summary: zero,
      failures: [],
      keptInUse: [],
    })
    assert.equal(code, 0)
    assert.equal(c.stdout(), 'Summary: deleted 0 objects\n')
    assert.match(c.stderr(), /^Dry run enabled/)
  })

  it('-o json: the plan alone on stdout, notices on stderr', () => {
    const c = capture()
    const report = new PruneReport(c.io, { ...TEXT, output: 'json', pruneRegistry: false })
    play(report)
    assert.equal(report.finished({ plan: PLAN, summary: SUMMARY, failures: [], keptInUse: [] }), 0)
    assert.deepEqual(JSON.parse(c.stdout()), PLAN)
    assert.equal(
      c.stderr(),
      'Dry run enabled - no modifications will be made. Add --confirm to remove images\nOnly API objects will be removed.  No modifications to the image registry will be made.\n',
    )
  })

  it('failures: kept images and failed actions on stderr, the summary, then the error; exit 1', () => {
    const c = capture()
    const report = new PruneReport(c.io, { ...TEXT, confirm: true })
    play(report)
    const code = report.finished({
      plan: PLAN,
      summary: { ...SUMMARY, deletedImages: 0 },
      failures: [{ what: 'image', which: D, message: 'forbidden' }],
      keptInUse: [E],
    })
    assert.equal(code, 1)
    assert.match(c.stdout(), /\nSummary: deleted 1 image stream tag item\(s\), updated 1/)
    assert.equal(
      c.stderr(),
      `Kept image ${E}: an image stream or a manifest list references it again\nerror deleting image ${D} from server: forbidden\nerror: image ${D}: failed to delete image ${D}: forbidden\n`,
    )
  })

  it('invalid references: only the graph error, no notice; exit 1', () => {
    const c = capture()
    const report = new PruneReport(c.io, TEXT)
    report.onProgress({ phase: 'workloads', done: 0, total: 1 })
    const code = report.graphFailed('The following objects have invalid references:')
    assert.equal(code, 1)
    assert.equal(c.stdout(), '')
    assert.match(
      c.stderr(),
      /^Failed to build graph!\n[^]*\nerror: failed to build graph - no changes made\n$/,
    )
  })

  it('on a terminal: a progress line, cleared for each action line and at the end', () => {
    const c = capture(true)
    let now = 0
    const report = new PruneReport(c.io, { ...TEXT, interactive: true, clock: () => now })
    report.begin()
    now = 200
    report.onProgress({ phase: 'images', done: 0, total: 2 })
    now = 500
    report.onProgress({ phase: 'images', done: 1, total: 2 })
    report.onEvent({ kind: 'image', name: D })
    report.finished({ plan: PLAN, summary: SUMMARY, failures: [], keptInUse: [] })
    assert.deepEqual(c.err, [
      '\r\x1b[2Klisting image streams and images, planning (0s)',
      '\r\x1b[2Kimages 0/2 (0s)',
      '\r\x1b[2Kimages 1/2 (0s)',
      '\r\x1b[2K',
      'Dry run enabled - no modifications will be made. Add --confirm to remove images\n',
      '\r\x1b[2K',
      '\r\x1b[2K',
    ])
    assert.equal(c.out[0], `Deleting image ${D}\n`)
  })

  it('no progress line when no one is watching', () => {
    const c = capture(false)
    const report = new PruneReport(c.io, TEXT)
    report.begin()
    report.onProgress({ phase: 'images', done: 0, total: 2 })
    report.stopped()
    assert.deepEqual(c.err, [])
  })
})
