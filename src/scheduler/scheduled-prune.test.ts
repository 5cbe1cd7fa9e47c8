import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { IMAGE_REFERENCES, type Image, type ImageStream } from '../api/index.js'
import { StreamConflict } from '../pruner/index.js'
import { DAY, HOUR, digest, image, stream } from '../pruner/testing/fixtures.js'
import { objectKey, type Store } from '../storage/index.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { exists as objectExists } from '../storage/testing/exists.js'
import type { PruneMetrics, PruneRunResult, PrunedKind } from './metrics.js'
import { PRUNE_LEASE, ScheduledPrune } from './scheduled-prune.js'
import { storePruneTarget } from './store-prune-target.js'

/** recordingMetrics keeps what the pruner counted. */
function recordingMetrics() {
  const runs: PruneRunResult[] = []
  const counts = new Map<PrunedKind, number>()
  const metrics: PruneMetrics = {
    run: (result) => void runs.push(result),
    pruned: (kind, n) => void counts.set(kind, (counts.get(kind) ?? 0) + n),
  }
  return { metrics, runs, counts }
}

const quietLogger = {
  warn: (_context: Record<string, unknown>, _message: string): unknown => undefined,
  info: (_context: Record<string, unknown>, _message: string): unknown => undefined,
}

describe('scheduled pruner over the store', () => {
  let dir: string
  let store: Store
  const dropped: string[] = []

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-prune-'))
    store = await openSqliteStore({ path: join(dir, 'db.sqlite'), references: IMAGE_REFERENCES })
    dropped.length = 0
    // a: four revisions of one tag; old-1 and old-2 fall outside keep-tag-revisions=2.
    for (const label of ['new', 'mid', 'old-1', 'old-2', 'stray']) {
      await store.create(objectKey('images', digest(label)), image({ label }))
    }
    await store.create(
      objectKey('imagestreams', 'a', 'team'),
      stream('team', 'a', { latest: ['new', 'mid', 'old-1', 'old-2'] }),
    )
  })
  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const pruner = (
    over: {
      workloadsFile?: string
      metrics?: PruneMetrics
      logger?: typeof quietLogger
      leases?: Pick<Store, 'singleton'>
    } = {},
  ) =>
    new ScheduledPrune({
      target: storePruneTarget({
        store,
        dropCached: (d) => {
          dropped.push(d)
          return Promise.resolve({ blob: true, manifest: false })
        },
      }),
      leases: store,
      intervalMs: 60_000,
      keepTagRevisions: 2,
      keepYoungerThanMs: 60 * 60_000,
      keepPulledWithinMs: 7 * DAY,
      ignoreInvalidRefs: false,
      logger: quietLogger,
      // The store stamps objects with the real time: prune as if two hours had passed.
      now: () => Date.now() + 2 * HOUR,
      ...over,
    })

  const historyOf = async () =>
    (
      await store.get<ImageStream>(objectKey('imagestreams', 'a', 'team'))
    ).status?.tags?.[0]?.items?.map((i) => i.image)
  const exists = (label: string) => objectExists(store, objectKey('images', digest(label)))

  it('trims history, deletes unreferenced Images and their cached blobs, and counts it all', async () => {
    const { metrics, runs, counts } = recordingMetrics()
    const result = await pruner({ metrics }).runOnce()
    assert.ok(result)
    assert.deepEqual(await historyOf(), [digest('new'), digest('mid')])
    for (const [label, kept] of [
      ['new', true],
      ['mid', true],
      ['old-1', false],
      ['old-2', false],
      ['stray', false],
    ] as const) {
      assert.equal(await exists(label), kept, label)
    }
    assert.ok(dropped.includes(digest('old-1-layer')))
    assert.ok(!dropped.includes(digest('new-layer')))
    assert.deepEqual(runs, ['success'])
    assert.equal(counts.get('image'), 3)
    assert.equal(counts.get('item'), 2)
    assert.equal(counts.get('stream'), 1)
    assert.equal(counts.get('blob'), result.summary.deletedBlobs)
  })

  it('re-reads the workloads file before every run', async () => {
    const file = join(dir, 'workloads.json')
    const pod = (ref: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'team' },
        spec: { containers: [{ name: 'c', image: ref }] },
        status: { phase: 'Running' },
      })
    writeFileSync(file, pod(`upstream.test/a@${digest('old-2')}`))
    const p = pruner({ workloadsFile: file })
    await p.runOnce()
    assert.equal(await exists('old-2'), true)
    assert.equal(await exists('old-1'), false)
    writeFileSync(file, pod(`upstream.test/a@${digest('new')}`))
    await p.runOnce()
    assert.equal(await exists('old-2'), false)
  })

  it('stops a run on invalid workload references, deleting nothing, and counts a failure', async () => {
    const file = join(dir, 'workloads.json')
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'team' },
        spec: { containers: [{ name: 'c', image: 'Not A Reference!' }] },
        status: { phase: 'Running' },
      }),
    )
    const { metrics, runs } = recordingMetrics()
    const warnings: string[] = []
    const logger = { ...quietLogger, warn: (_c: unknown, m: string) => warnings.push(m) }
    assert.equal(await pruner({ workloadsFile: file, metrics, logger }).runOnce(), undefined)
    assert.deepEqual(runs, ['failure'])
    assert.match(warnings[0] ?? '', /invalid image references/)
    assert.equal((await historyOf())?.length, 4)
    assert.equal(await exists('stray'), true)
  })

  it('skips a run while another holder has the prune lease, and runs once it is released', async () => {
    const { metrics, runs } = recordingMetrics()
    const skipped: string[] = []
    const logger = { ...quietLogger, info: (_c: unknown, m: string) => skipped.push(m) }
    const other = await store.singleton(PRUNE_LEASE, new AbortController().signal)
    assert.ok(other)
    const p = pruner({ metrics, logger })
    assert.equal(await p.runOnce(), undefined)
    assert.deepEqual(runs, [])
    assert.match(skipped[0] ?? '', /another replica is pruning/)
    assert.equal((await historyOf())?.length, 4)
    await other.release()
    assert.ok(await p.runOnce())
    assert.deepEqual(runs, ['success'])
    assert.ok(
      await store.singleton(PRUNE_LEASE, new AbortController().signal),
      'the run released it',
    )
  })

  it('stops a run whose lease is lost, counting it neither as a success nor as a failure', async () => {
    const { metrics, runs } = recordingMetrics()
    const said: string[] = []
    const logger = { ...quietLogger, info: (_c: unknown, m: string) => said.push(m) }
    // The lease a replica loses with its database connection: granted, then at once ended.
    const leases: Pick<Store, 'singleton'> = {
      singleton: async (name, signal) => {
        const lease = await store.singleton(name, signal)
        await lease?.release()
        return lease
      },
    }
    assert.equal(await pruner({ metrics, logger, leases }).runOnce(), undefined)
    assert.deepEqual(runs, [])
    assert.deepEqual(said, ['scheduled prune stopped'])
    assert.equal((await historyOf())?.length, 4)
  })

  it('counts a run the shutdown stopped neither as a success nor as a failure', async () => {
    const { metrics, runs } = recordingMetrics()
    const p = pruner({ metrics })
    await p.stop()
    assert.equal(await p.runOnce(), undefined)
    assert.deepEqual(runs, [])
    assert.equal((await historyOf())?.length, 4)
  })

  it('target: a status written from a stale resourceVersion is a StreamConflict, nothing written', async () => {
    const target = storePruneTarget({ store })
    const [stale] = await target.listStreams('team')
    await store.guaranteedUpdate<ImageStream>(objectKey('imagestreams', 'a', 'team'), (s) => ({
      ...s,
      metadata: { ...s.metadata, labels: { moved: 'yes' } },
    }))
    const trimmed = structuredClone(stale!)
    trimmed.status!.tags![0]!.items = trimmed.status!.tags![0]!.items!.slice(0, 1)
    await assert.rejects(target.updateStreamStatus(trimmed), StreamConflict)
    assert.equal((await historyOf())?.length, 4)
    await store.delete(objectKey('imagestreams', 'a', 'team'))
    await assert.rejects(target.updateStreamStatus(trimmed), StreamConflict)
  })

  it('target: an Image a stream or list references is in use, a missing one not found', async () => {
    const target = storePruneTarget({ store })
    assert.equal(await target.deleteImage(digest('old-1')), 'in-use')
    assert.equal(await target.deleteImage(digest('stray')), 'deleted')
    assert.equal(await target.deleteImage(digest('stray')), 'not-found')
    await store.create(
      objectKey('images', digest('list')),
      image({ label: 'list', children: ['stray-child'] }),
    )
    await store.create(objectKey('images', digest('stray-child')), image({ label: 'stray-child' }))
    assert.equal(await target.deleteImage(digest('stray-child')), 'in-use')
  })

  it('target: an Image with finalizers is marked, not removed, and a referenced one is not marked', async () => {
    const target = storePruneTarget({ store })
    const held = (name: string) => {
      const object = image({ label: name })
      return { ...object, metadata: { ...object.metadata, finalizers: ['example.com/hold'] } }
    }
    await store.create(objectKey('images', digest('held')), held('held'))
    assert.equal(await target.deleteImage(digest('held')), 'deleted')
    const marked = await store.get<Image>(objectKey('images', digest('held')))
    assert.ok(marked.metadata.deletionTimestamp)
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 0)
    const old = await store.get<Image>(objectKey('images', digest('old-1')))
    await store.update(objectKey('images', digest('old-1')), {
      ...old,
      metadata: { ...old.metadata, finalizers: ['example.com/hold'] },
    })
    assert.equal(await target.deleteImage(digest('old-1')), 'in-use')
    const kept = await store.get<Image>(objectKey('images', digest('old-1')))
    assert.equal(kept.metadata.deletionTimestamp, undefined)
  })
})
