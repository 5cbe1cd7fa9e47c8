/**
 * The pruner's executor over the real thing: storePruneTarget on a SQLite store with the Image
 * reference guard, gated (GatedStore) where a test needs a write to land mid-run, the way an
 * import racing a prune would (docs/pruning.md#concurrent-writes).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { IMAGE_REFERENCES, type Image, type ImageStream } from '../api/index.js'
import {
  InvalidReferencesError,
  NO_WORKLOADS,
  parseWorkloads,
  runPrune,
  type PruneEvent,
  type RunPruneOptions,
  type WorkloadInput,
} from '../pruner/index.js'
import {
  HOUR,
  digest,
  image,
  labelOf,
  options,
  REGISTRY,
  stream,
} from '../pruner/testing/fixtures.js'
import { objectKey, type Store } from '../storage/index.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { exists as objectExists } from '../storage/testing/exists.js'
import { GatedStore } from '../storage/testing/gated-store.js'
import { storePruneTarget } from './store-prune-target.js'

/**
 * WORLD, with keep-tag-revisions=1: ns/app trims c and d (d shares a layer with the kept a),
 * ns/multi trims the old list with its two children, other/web trims y.
 */
const WORLD = {
  images: [
    image({ label: 'a', layers: ['base', 'a-top'] }),
    image({ label: 'b' }),
    image({ label: 'c' }),
    image({ label: 'd', layers: ['base', 'd-top'] }),
    image({ label: 'list2', children: ['c2a'] }),
    image({ label: 'c2a' }),
    image({ label: 'list1', children: ['c1a', 'c1b'] }),
    image({ label: 'c1a' }),
    image({ label: 'c1b' }),
    image({ label: 'x' }),
    image({ label: 'y' }),
  ],
  streams: [
    stream('ns', 'app', { latest: ['a', 'c', 'd'], stable: ['b'] }),
    stream('ns', 'multi', { latest: ['list2', 'list1'] }),
    stream('other', 'web', { v1: ['x', 'y'] }),
  ],
}

function render(e: PruneEvent): string {
  switch (e.kind) {
    case 'stream':
      return `Deleting ${e.items} items from image stream ${e.namespace}/${e.name}`
    case 'image':
      return `Deleting image ${labelOf(e.name)}`
    case 'blob':
      return `Deleting blob ${labelOf(e.digest)}`
  }
}

const labels = (names: Iterable<string>) => [...names].map(labelOf).sort()

/** byDigest orders labels as the plan orders Images within a level: by name. */
const byDigest = (...ls: string[]) => ls.sort((x, y) => (digest(x) < digest(y) ? -1 : 1))

describe('runPrune over the store', () => {
  let dir: string
  let path: string
  let base: Store
  let store: GatedStore
  /** Blobs the integrated registry was told to drop. */
  let dropped: string[]
  /** Blobs the integrated registry fails to drop. */
  let failingBlobs: Set<string>
  /** Set: listing the Images fails after the first time, as when the server went away. */
  let relistFailure: Error | undefined

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-prune-run-'))
    path = join(dir, 'db.sqlite')
    // A write another connection locks fails fast, as a store that cannot write would.
    base = await openSqliteStore({ path, references: IMAGE_REFERENCES, busyTimeoutMs: 50 })
    store = new GatedStore(base)
    dropped = []
    failingBlobs = new Set()
    relistFailure = undefined
  })
  afterEach(async () => {
    await base.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const seed = async (world: { images: readonly Image[]; streams: readonly ImageStream[] }) => {
    for (const i of world.images) await base.create(objectKey('images', i.metadata.name!), i)
    for (const s of world.streams) {
      await base.create(objectKey('imagestreams', s.metadata.name!, s.metadata.namespace), s)
    }
  }

  const run = async (
    over: Partial<RunPruneOptions> = {},
    workloads: WorkloadInput = NO_WORKLOADS,
  ) => {
    const events: string[] = []
    const target = storePruneTarget({
      store,
      dropCached: (d) => {
        if (failingBlobs.has(d)) return Promise.reject(new Error(`blob ${d}: 500`))
        dropped.push(d)
        return Promise.resolve()
      },
    })
    const listImages = target.listImages.bind(target)
    let lists = 0
    target.listImages = () =>
      lists++ > 0 && relistFailure !== undefined ? Promise.reject(relistFailure) : listImages()
    const result = await runPrune(target, workloads, {
      ...options({ keepTagRevisions: 1 }),
      // The store stamps objects with the real time: prune as if two hours had passed.
      now: Date.now() + 2 * HOUR,
      confirm: true,
      numWorkers: 5,
      ignoreInvalidRefs: false,
      onEvent: (e) => events.push(render(e)),
      ...over,
    })
    return { ...result, events }
  }

  const streamOf = (namespace: string, name: string) =>
    base.get<ImageStream>(objectKey('imagestreams', name, namespace))
  const items = async (namespace: string, name: string) =>
    ((await streamOf(namespace, name)).status?.tags ?? []).flatMap((t) =>
      (t.items ?? []).map((i) => labelOf(i.image)),
    )
  const imagesLeft = async () =>
    labels((await base.list<Image>('images')).items.map((i) => i.metadata.name!))
  const exists = (label: string) => objectExists(base, objectKey('images', digest(label)))
  /** addItem is an import naming `label` in tag `tag` of a stream, as the newest item. */
  const addItem = (namespace: string, name: string, tag: string, label: string) =>
    base.guaranteedUpdate<ImageStream>(objectKey('imagestreams', name, namespace), (s) => {
      const tags = [...(s.status?.tags ?? [])]
      const at = tags.findIndex((t) => t.tag === tag)
      const item = {
        created: new Date().toISOString(),
        dockerImageReference: `upstream.test/${name}@${digest(label)}`,
        image: digest(label),
        generation: 9,
      }
      if (at < 0) tags.push({ tag, items: [item] })
      else tags[at] = { ...tags[at]!, items: [item, ...(tags[at]!.items ?? [])] }
      return { ...s, status: { ...s.status, tags } }
    })

  it('a dry run writes nothing and reports exactly what the confirmed run then does', async () => {
    await seed(WORLD)
    const dry = await run({ confirm: false })
    assert.equal((await imagesLeft()).length, 11)
    assert.deepEqual(await items('ns', 'app'), ['a', 'c', 'd', 'b'])
    assert.equal(dropped.length, 0)

    const done = await run()
    assert.deepEqual(done.events, dry.events)
    assert.deepEqual(done.summary, dry.summary)
    assert.deepEqual(done.summary, {
      deletedImages: 6,
      deletedItems: 4,
      updatedStreams: 3,
      deletedBlobs: 16,
    })
    assert.deepEqual(done.failures, [])
    assert.deepEqual(dry.events.slice(0, 3), [
      'Deleting 2 items from image stream ns/app',
      'Deleting 1 items from image stream ns/multi',
      'Deleting 1 items from image stream other/web',
    ])
    assert.ok(dry.events.includes('Deleting blob d-top'))
    assert.ok(!dry.events.includes('Deleting blob base'), 'a layer a kept image uses stays')

    assert.deepEqual(await items('ns', 'app'), ['a', 'b'])
    assert.deepEqual(await items('ns', 'multi'), ['list2'])
    assert.deepEqual(await items('other', 'web'), ['x'])
    assert.deepEqual(await imagesLeft(), ['a', 'b', 'c2a', 'list2', 'x'])
    assert.equal(dropped.length, 16)
    assert.ok(!dropped.includes(digest('base')))
    assert.ok(dropped.includes(digest('d-top')) && dropped.includes(digest('list1')))
  })

  it('prints each deleted Image after its blobs, and deletes lists before their children', async () => {
    await seed(WORLD)
    const { events, keptInUse, failures } = await run()
    // The store refuses an Image a list still names: c1a and c1b went, so list1 went first.
    assert.deepEqual(keptInUse, [])
    assert.deepEqual(failures, [])
    assert.equal(await exists('c1a'), false)
    const imageLines = events.filter((e) => e.startsWith('Deleting image'))
    assert.ok(imageLines.indexOf('Deleting image list1') < imageLines.indexOf('Deleting image c1a'))
    const y = events.indexOf('Deleting image y')
    assert.deepEqual(events.slice(y - 3, y), [
      'Deleting blob y-layer',
      'Deleting blob y-config',
      'Deleting blob y',
    ])
  })

  it('reports in plan order though workers finish in any order', async () => {
    await seed(WORLD)
    // ns/app's write lands last, after other/web's.
    const app = store.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
    const web = store.hold({ op: 'update', resource: 'imagestreams', name: 'web' })
    const running = run()
    await Promise.all([app.reached, web.reached])
    web.release()
    app.release()
    const { events } = await running
    assert.deepEqual(events.slice(0, 3), [
      'Deleting 2 items from image stream ns/app',
      'Deleting 1 items from image stream ns/multi',
      'Deleting 1 items from image stream other/web',
    ])
    const rv = async (ns: string, name: string) =>
      Number((await streamOf(ns, name)).metadata.resourceVersion)
    assert.ok((await rv('ns', 'multi')) < (await rv('other', 'web')))
    assert.ok((await rv('other', 'web')) < (await rv('ns', 'app')))
  })

  it('re-plans a stream that changed under it, never overwriting the change', async () => {
    await seed(WORLD)
    const hold = store.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
    const running = run()
    await hold.reached
    // An import lands meanwhile: a new current item, and its Image.
    await base.create(objectKey('images', digest('n')), image({ label: 'n' }))
    await addItem('ns', 'app', 'latest', 'n')
    hold.release()
    const result = await running
    assert.deepEqual(await items('ns', 'app'), ['n', 'b'])
    assert.ok(result.events.includes('Deleting 3 items from image stream ns/app'))
    assert.equal(result.summary.deletedItems, 5)
    const app = result.plan.streams.find((s) => s.name === 'app')!
    assert.equal(app.deletedItems, 3)
    assert.deepEqual(app.items[0]!.decision, { action: 'keep', reasons: ['new'] })
    assert.deepEqual(result.failures, [])
    assert.equal(await exists('n'), true)
  })

  it('gives up on a stream that keeps changing, and says so', async () => {
    await seed(WORLD)
    const key = objectKey('imagestreams', 'app', 'ns')
    let hold = store.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
    const running = run()
    for (let write = 1; write <= 5; write++) {
      await hold.reached
      await base.guaranteedUpdate<ImageStream>(key, (s) => ({
        ...s,
        metadata: { ...s.metadata, labels: { written: String(write) } },
      }))
      const caught = hold
      if (write < 5) hold = store.hold({ op: 'update', resource: 'imagestreams', name: 'app' })
      caught.release()
    }
    const result = await running
    assert.deepEqual(await items('ns', 'app'), ['a', 'c', 'd', 'b'])
    assert.deepEqual(result.failures, [
      {
        what: 'stream',
        which: 'ns/app',
        message: 'it changed 5 times while being pruned; left as it is for the next run',
      },
    ])
    assert.equal(result.summary.updatedStreams, 2)
    // Its items still name c and d, so the store keeps those Images, and their blobs stay.
    assert.deepEqual(labels(result.keptInUse), ['c', 'd'])
    assert.equal(await exists('c'), true)
    assert.ok(!dropped.includes(digest('c-layer')) && !dropped.includes(digest('d-top')))
    assert.ok(!result.events.some((e) => / [cd](-|$)/.test(e)), result.events.join('\n'))
  })

  it('skips a stream deleted meanwhile without a failure', async () => {
    await seed(WORLD)
    const hold = store.hold({ op: 'update', resource: 'imagestreams', name: 'web' })
    const running = run()
    await hold.reached
    await base.delete(objectKey('imagestreams', 'web', 'other'))
    hold.release()
    const result = await running
    assert.deepEqual(result.failures, [])
    assert.equal(result.summary.updatedStreams, 2)
    assert.ok(!result.events.some((e) => e.includes('other/web')))
  })

  it("counts an Image a stream took up again ('in-use') as kept, and keeps its blobs", async () => {
    await seed(WORLD)
    const hold = store.hold({ op: 'delete', resource: 'images', name: digest('y') })
    const running = run()
    await hold.reached
    await addItem('other', 'web', 'v2', 'y')
    hold.release()
    const result = await running
    assert.deepEqual(labels(result.keptInUse), ['y'])
    assert.deepEqual(result.failures, [])
    assert.equal(result.summary.deletedImages, 5)
    assert.equal(result.summary.deletedBlobs, 13)
    assert.ok(!result.events.some((e) => / y(-|$)/.test(e)), result.events.join('\n'))
    assert.ok(!dropped.includes(digest('y-layer')) && !dropped.includes(digest('y')))
    assert.equal(await exists('y'), true)
  })

  it("counts an Image someone else deleted ('not-found') as done, and drops its blobs", async () => {
    await seed(WORLD)
    const hold = store.hold({ op: 'delete', resource: 'images', name: digest('c') })
    const running = run()
    await hold.reached
    await base.delete(objectKey('images', digest('c')))
    hold.release()
    const result = await running
    assert.ok(result.events.includes('Deleting image c'))
    assert.ok(result.events.includes('Deleting blob c-layer'))
    assert.ok(dropped.includes(digest('c-layer')))
    assert.equal(result.summary.deletedImages, 6)
    assert.deepEqual(result.failures, [])
  })

  it('collects a blob that would not go as a failure and goes on', async () => {
    await seed(WORLD)
    failingBlobs.add(digest('c-layer'))
    const result = await run()
    assert.deepEqual(result.failures, [
      { what: 'blob', which: digest('c-layer'), message: `blob ${digest('c-layer')}: 500` },
    ])
    assert.equal(await exists('c'), false)
    assert.ok(dropped.includes(digest('c-config')))
    assert.ok(!result.events.includes('Deleting blob c-layer'))
    assert.ok(result.events.includes('Deleting image c'))
    assert.equal(result.summary.deletedBlobs, 15)
  })

  it('drops no blob when it cannot list the Images again, each a failure', async () => {
    await seed(WORLD)
    relistFailure = new Error('connection refused')
    const result = await run()
    assert.equal(result.summary.deletedImages, 6)
    assert.equal(result.summary.deletedBlobs, 0)
    assert.equal(dropped.length, 0)
    assert.equal(result.failures.length, 16)
    assert.deepEqual(result.failures[0], {
      what: 'blob',
      which: result.plan.blobs[0],
      message: 'not deleted: listing the Images that may still use it failed: connection refused',
    })
    assert.ok(!result.events.some((e) => e.startsWith('Deleting blob')))
    assert.ok(result.events.includes('Deleting image y'))
  })

  describe('blobs an Image still present shares with a deleted one stay', () => {
    // keep-tag-revisions=1: p and q fall out of s/one; they share a layer, which the plan gives
    // to the first of them.
    const [first, second] = byDigest('p', 'q') as [string, string]
    const shared = {
      images: [
        image({ label: 'k' }),
        image({ label: 'p', layers: ['pq-shared', 'p-top'] }),
        image({ label: 'q', layers: ['pq-shared', 'q-top'] }),
      ],
      streams: [stream('s', 'one', { latest: ['k', 'p', 'q'] })],
    }

    it('when a stream takes up again the Image that did not get the shared blob', async () => {
      await seed(shared)
      const hold = store.hold({ op: 'delete', resource: 'images', name: digest(second) })
      const running = run()
      await hold.reached
      await addItem('s', 'one', 'back', second)
      hold.release()
      const result = await running
      assert.deepEqual(labels(result.keptInUse), [second])
      assert.equal(await exists(second), true)
      assert.deepEqual(
        labels(dropped),
        labels([first, `${first}-config`, `${first}-top`].map(digest)),
      )
      assert.deepEqual(result.events.slice(1), [
        `Deleting blob ${first}-top`,
        `Deleting blob ${first}-config`,
        `Deleting blob ${first}`,
        `Deleting image ${first}`,
      ])
      assert.equal(result.summary.deletedBlobs, 3)
    })

    it('when an import writes an Image with that blob after the run listed the Images', async () => {
      await seed(shared)
      const hold = store.hold({ op: 'delete', resource: 'images', name: digest(first) })
      const running = run()
      await hold.reached
      await base.create(
        objectKey('images', digest('late')),
        image({ label: 'late', layers: ['pq-shared', 'q-top'] }),
      )
      await addItem('s', 'one', 'late', 'late')
      hold.release()
      const result = await running
      assert.deepEqual(result.failures, [])
      assert.equal(result.summary.deletedImages, 2)
      for (const blob of ['pq-shared', 'q-top', 'late-layer']) {
        assert.ok(!dropped.includes(digest(blob)), blob)
        assert.ok(!result.events.includes(`Deleting blob ${blob}`), blob)
      }
      assert.ok(dropped.includes(digest('p-top')) && dropped.includes(digest('q-config')))
      assert.equal(result.summary.deletedBlobs, dropped.length)
    })

    it('when deleting the Image that did not get the shared blob fails', async () => {
      // No stream: list l and d are old and unused, and l's child f goes after l.
      await seed({
        images: [
          image({ label: 'l', children: ['f'] }),
          image({ label: 'f', layers: ['df-shared', 'f-top'] }),
          image({ label: 'd', layers: ['df-shared', 'd-top'] }),
        ],
        streams: [],
      })
      // Another writer holds the database while f's delete runs: the store cannot write it.
      const locker = await openSqliteStore({ path, references: IMAGE_REFERENCES })
      let unlock!: () => void
      const unlocked = new Promise<void>((resolve) => (unlock = resolve))
      let lockedOut: Promise<void> | undefined
      try {
        const hold = store.hold({ op: 'delete', resource: 'images', name: digest('f') })
        const running = run()
        await hold.reached
        await new Promise<void>((locked) => {
          lockedOut = locker.transaction(async () => {
            locked()
            await unlocked
          })
        })
        hold.release()
        const result = await running
        assert.equal(result.failures.length, 1)
        assert.deepEqual(
          { ...result.failures[0], message: undefined },
          { what: 'image', which: digest('f'), message: undefined },
        )
        assert.match(result.failures[0]!.message, /locked/)
        assert.equal(await exists('f'), true)
        assert.equal(await exists('l'), false)
        assert.ok(!dropped.includes(digest('df-shared')) && !dropped.includes(digest('f-top')))
        assert.ok(dropped.includes(digest('d-top')) && dropped.includes(digest('l')))
        assert.ok(!result.events.includes('Deleting blob df-shared'))
        assert.ok(!result.events.includes('Deleting image f'))
      } finally {
        unlock()
        await lockedOut
        await locker.close()
      }
    })
  })

  it('deletes no blob without pruneRegistry', async () => {
    await seed(WORLD)
    const result = await run({ pruneRegistry: false })
    assert.equal(result.summary.deletedBlobs, 0)
    assert.equal(dropped.length, 0)
    assert.equal(result.summary.deletedImages, 6)
  })

  it('with a namespace trims only its streams and deletes no Image, lists still protected', async () => {
    await seed(WORLD)
    const workloads = parseWorkloads([
      {
        name: 'pods.json',
        text: JSON.stringify({
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'ns' },
          spec: { containers: [{ name: 'c', image: `${REGISTRY}/ns/multi@${digest('c1b')}` }] },
          status: { phase: 'Running' },
        }),
      },
    ])
    const result = await run({ namespace: 'ns' }, workloads)
    assert.deepEqual(await items('ns', 'multi'), ['list2', 'list1'])
    assert.deepEqual(await items('other', 'web'), ['x', 'y'])
    assert.deepEqual(await items('ns', 'app'), ['a', 'b'])
    assert.equal((await imagesLeft()).length, 11)
    assert.equal(dropped.length, 0)
    assert.deepEqual(result.summary, {
      deletedImages: 0,
      deletedItems: 2,
      updatedStreams: 1,
      deletedBlobs: 0,
    })
  })

  it('resolves tags on the integrated registry from the streams it lists', async () => {
    await seed(WORLD)
    const workloads = parseWorkloads([
      {
        name: 'deploy.yaml',
        text: [
          'kind: Deployment',
          'metadata: {name: web, namespace: other}',
          'spec: {template: {spec: {containers: [{name: c, image: "' +
            REGISTRY +
            '/other/web:v1"}]}}}',
        ].join('\n'),
      },
    ])
    const result = await run({ keepTagRevisions: 0 }, workloads)
    assert.deepEqual(await items('other', 'web'), ['x'])
    const web = result.plan.streams.find((s) => s.name === 'web')!
    assert.deepEqual(web.items[0]!.decision, { action: 'keep', reasons: ['tag-in-use'] })
  })

  it('stops on invalid references unless told to ignore them', async () => {
    await seed(WORLD)
    const workloads = parseWorkloads([
      {
        name: 'pods.json',
        text: JSON.stringify({
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'ns' },
          spec: { containers: [{ name: 'c', image: 'Bad/Ref' }] },
          status: { phase: 'Running' },
        }),
      },
    ])
    await assert.rejects(run({}, workloads), (err: unknown) => {
      assert.ok(err instanceof InvalidReferencesError)
      assert.equal(
        err.message,
        [
          'The following objects have invalid references:',
          '',
          '  pod/p namespace=ns: container c: invalid image reference "Bad/Ref": repository name "Ref" must be lowercase; write "ref"',
          '',
          'Either fix the references or delete the objects to make the pruner proceed.',
        ].join('\n'),
      )
      assert.equal(err.invalid.length, 1)
      return true
    })
    assert.equal((await imagesLeft()).length, 11)
    assert.deepEqual(await items('ns', 'app'), ['a', 'c', 'd', 'b'])
    const result = await run({ ignoreInvalidRefs: true }, workloads)
    assert.equal(result.summary.deletedImages, 6)
  })

  it('reports progress per stage', async () => {
    await seed(WORLD)
    const progress: string[] = []
    await run({ onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`) })
    assert.equal(progress[0], 'streams 0/3')
    assert.ok(progress.includes('streams 3/3'))
    assert.ok(progress.includes('images 6/6'))
    assert.equal(progress.at(-1), 'blobs 16/16')
  })

  it('stops when its signal aborts', async () => {
    await seed(WORLD)
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await assert.rejects(run({ signal: controller.signal }), /stop/)
  })
})
