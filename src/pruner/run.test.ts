import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { factsOf } from './plan.js'
import { InvalidReferencesError, runPrune, type RunPruneOptions } from './run.js'
import { ago, digest, image, labelOf, options, REGISTRY, stream } from './testing/fixtures.js'
import { MemoryTarget } from './testing/memory-target.js'
import type { PruneEvent } from './types.js'
import { NO_WORKLOADS, parseWorkloads, type WorkloadInput } from './workloads.js'

/**
 * world, with keep-tag-revisions=1: ns/app trims c and d (d shares a layer with the kept a),
 * ns/multi trims the old list with its two children, other/web trims y.
 */
function world(): MemoryTarget {
  const images = [
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
  ]
  return new MemoryTarget({
    streams: [
      stream('ns', 'app', { latest: ['a', 'c', 'd'], stable: ['b'] }),
      stream('ns', 'multi', { latest: ['list2', 'list1'] }),
      stream('other', 'web', { v1: ['x', 'y'] }),
    ],
    images,
    blobs: images.flatMap((i) => factsOf(i).blobs),
  })
}

function run(
  target: MemoryTarget,
  over: Partial<RunPruneOptions> = {},
  workloads: WorkloadInput = NO_WORKLOADS,
) {
  const events: string[] = []
  const result = runPrune(target, workloads, {
    ...options({ keepTagRevisions: 1 }),
    confirm: true,
    numWorkers: 5,
    ignoreInvalidRefs: false,
    onEvent: (e) => events.push(render(e)),
    ...over,
  })
  return result.then((r) => ({ ...r, events }))
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

function items(target: MemoryTarget, key: string): string[] {
  return (target.streams.get(key)!.status?.tags ?? []).flatMap((t) =>
    (t.items ?? []).map((i) => labelOf(i.image)),
  )
}

const labels = (names: Iterable<string>) => [...names].map(labelOf).sort()

describe('runPrune', () => {
  it('a dry run writes nothing and reports exactly what the confirmed run then does', async () => {
    const target = world()
    const dry = await run(target, { confirm: false })
    assert.deepEqual(target.calls, [])
    assert.deepEqual(labels(target.images.keys()).length, 11)

    const done = await run(target)
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

    assert.deepEqual(items(target, 'ns/app'), ['a', 'b'])
    assert.deepEqual(items(target, 'ns/multi'), ['list2'])
    assert.deepEqual(items(target, 'other/web'), ['x'])
    assert.deepEqual(labels(target.images.keys()), ['a', 'b', 'c2a', 'list2', 'x'])
    assert.ok(target.blobs.has(digest('base')))
    assert.ok(!target.blobs.has(digest('d-top')))
    assert.ok(!target.blobs.has(digest('list1')))
  })

  it('prints each deleted Image after its blobs, and lists before their children', async () => {
    const target = world()
    const { events } = await run(target)
    const imageLines = events.filter((e) => e.startsWith('Deleting image'))
    assert.ok(imageLines.indexOf('Deleting image list1') < imageLines.indexOf('Deleting image c1a'))
    const y = events.indexOf('Deleting image y')
    assert.deepEqual(events.slice(y - 3, y), [
      'Deleting blob y-layer',
      'Deleting blob y-config',
      'Deleting blob y',
    ])
    const calls = target.calls.filter((c) => c.startsWith('image '))
    const at = (label: string) => calls.indexOf(`image ${digest(label)}`)
    assert.ok(at('list1') < at('c1a') && at('list1') < at('c1b'), calls.map(labelOf).join())
  })

  it('reports in plan order though workers finish in any order', async () => {
    const target = world()
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    const update = target.updateStreamStatus.bind(target)
    // The first stream's write completes only once the last one's has started.
    target.updateStreamStatus = async (s) => {
      if (s.metadata.name === 'app') await released
      if (s.metadata.name === 'web') release()
      return update(s)
    }
    const { events } = await run(target)
    assert.deepEqual(events.slice(0, 3), [
      'Deleting 2 items from image stream ns/app',
      'Deleting 1 items from image stream ns/multi',
      'Deleting 1 items from image stream other/web',
    ])
    assert.deepEqual(
      target.calls.filter((c) => c.startsWith('update')),
      ['update ns/multi', 'update other/web', 'update ns/app'],
    )
  })

  it('re-plans a stream that changed under it, never overwriting the change', async () => {
    const target = world()
    let raced = false
    target.beforeUpdate = (key) => {
      if (key !== 'ns/app' || raced) return
      raced = true
      // An import lands meanwhile: a new current item.
      const s = structuredClone(target.streams.get(key)!)
      s.status!.tags![0]!.items!.unshift({
        created: ago(0),
        dockerImageReference: `upstream.test/app@${digest('n')}`,
        image: digest('n'),
        generation: 2,
      })
      target.putStream(s)
    }
    const result = await run(target)
    assert.deepEqual(items(target, 'ns/app'), ['n', 'b'])
    assert.deepEqual(
      target.calls.filter((c) => c.endsWith('ns/app')),
      ['update ns/app', 'get ns/app', 'update ns/app'],
    )
    assert.ok(result.events.includes('Deleting 3 items from image stream ns/app'))
    assert.equal(result.summary.deletedItems, 5)
    const app = result.plan.streams.find((s) => s.name === 'app')!
    assert.equal(app.deletedItems, 3)
    assert.deepEqual(result.failures, [])
  })

  it('gives up on a stream that keeps changing, and says so', async () => {
    const target = world()
    target.beforeUpdate = (key) => {
      if (key === 'ns/app') target.putStream(target.streams.get(key)!)
    }
    const result = await run(target)
    assert.equal(target.calls.filter((c) => c === 'update ns/app').length, 5)
    assert.deepEqual(items(target, 'ns/app'), ['a', 'c', 'd', 'b'])
    assert.deepEqual(result.failures, [
      {
        what: 'stream',
        which: 'ns/app',
        message: 'it changed 5 times while being pruned; left as it is for the next run',
      },
    ])
    assert.equal(result.summary.updatedStreams, 2)
    // Its items still name c and d, so the store keeps those Images.
    assert.deepEqual(labels(result.keptInUse), ['c', 'd'])
    assert.ok(target.images.has(digest('c')))
  })

  it('skips a stream deleted meanwhile without a failure', async () => {
    const target = world()
    target.beforeUpdate = (key) => {
      if (key === 'other/web') target.streams.delete(key)
    }
    const result = await run(target)
    assert.deepEqual(result.failures, [])
    assert.equal(result.summary.updatedStreams, 2)
    assert.ok(!result.events.some((e) => e.includes('other/web')))
  })

  it("counts an Image a stream took up again ('in-use') as kept, and keeps its blobs", async () => {
    const target = world()
    target.beforeDeleteImage = (name) => {
      if (name !== digest('y')) return
      const s = structuredClone(target.streams.get('other/web')!)
      s.status!.tags![0]!.items!.push({
        created: ago(0),
        dockerImageReference: `upstream.test/web@${name}`,
        image: name,
        generation: 3,
      })
      target.putStream(s)
    }
    const result = await run(target)
    assert.deepEqual(labels(result.keptInUse), ['y'])
    assert.deepEqual(result.failures, [])
    assert.equal(result.summary.deletedImages, 5)
    assert.ok(!result.events.some((e) => / y(-|$)/.test(e)), result.events.join('\n'))
    assert.ok(target.blobs.has(digest('y-layer')) && target.blobs.has(digest('y')))
  })

  it("counts an Image someone else deleted ('not-found') as done", async () => {
    const target = world()
    target.beforeDeleteImage = (name) => {
      if (name === digest('c')) target.images.delete(name)
    }
    const result = await run(target)
    assert.ok(result.events.includes('Deleting image c'))
    assert.equal(result.summary.deletedImages, 6)
    assert.deepEqual(result.failures, [])
  })

  it('collects failures and goes on', async () => {
    const target = world()
    target.failingBlobs.add(digest('c-layer'))
    const result = await run(target)
    assert.deepEqual(result.failures, [
      { what: 'blob', which: digest('c-layer'), message: `blob ${digest('c-layer')}: 500` },
    ])
    assert.ok(!target.images.has(digest('c')))
    assert.ok(!target.blobs.has(digest('c-config')))
    assert.equal(result.summary.deletedBlobs, 15)
  })

  it('deletes no blob without pruneRegistry', async () => {
    const target = world()
    const result = await run(target, { pruneRegistry: false })
    assert.equal(result.summary.deletedBlobs, 0)
    assert.ok(!target.calls.some((c) => c.startsWith('blob ')))
    assert.equal(result.summary.deletedImages, 6)
  })

  it('with a namespace trims only its streams and deletes no Image, lists still protected', async () => {
    const target = world()
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
    const result = await run(target, { namespace: 'ns' }, workloads)
    assert.deepEqual(items(target, 'ns/multi'), ['list2', 'list1'])
    assert.deepEqual(items(target, 'other/web'), ['x', 'y'])
    assert.deepEqual(items(target, 'ns/app'), ['a', 'b'])
    assert.ok(!target.calls.some((c) => c.startsWith('image ') || c.startsWith('blob ')))
    assert.deepEqual(result.summary, {
      deletedImages: 0,
      deletedItems: 2,
      updatedStreams: 1,
      deletedBlobs: 0,
    })
  })

  it('resolves tags on the integrated registry from the streams it lists', async () => {
    const target = world()
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
    const result = await run(target, { keepTagRevisions: 0 }, workloads)
    assert.deepEqual(items(target, 'other/web'), ['x'])
    const web = result.plan.streams.find((s) => s.name === 'web')!
    assert.deepEqual(web.items[0]!.decision, { action: 'keep', reasons: ['tag-in-use'] })
  })

  it('stops on invalid references unless told to ignore them', async () => {
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
    const target = world()
    await assert.rejects(run(target, {}, workloads), (err: unknown) => {
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
    assert.deepEqual(target.calls, [])
    const result = await run(target, { ignoreInvalidRefs: true }, workloads)
    assert.equal(result.summary.deletedImages, 6)
  })

  it('reports progress per stage', async () => {
    const progress: string[] = []
    await run(world(), {
      onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`),
    })
    assert.equal(progress[0], 'streams 0/3')
    assert.ok(progress.includes('streams 3/3'))
    assert.equal(progress.at(-1), 'images 6/6')
  })

  it('stops when its signal aborts', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await assert.rejects(run(world(), { signal: controller.signal }), /stop/)
  })
})
