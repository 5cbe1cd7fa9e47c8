import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Image, ImageStream } from '../api/index.js'
import { planPrune } from './plan.js'
import {
  DAY,
  digest,
  HOUR,
  image,
  labelOf,
  MINUTE,
  options,
  stream,
  uses,
  verdicts,
} from './testing/fixtures.js'
import type { PruneOptions, WorkloadReferences } from './types.js'

interface Case {
  readonly name: string
  readonly streams: readonly ImageStream[]
  readonly images: readonly Image[]
  readonly workloads?: WorkloadReferences
  readonly options?: Partial<PruneOptions>
  /** Verdicts the plan must hold (others are not checked). */
  readonly want: Readonly<Record<string, string>>
}

const five = ['a', 'b', 'c', 'd', 'e'].map((label) => image({ label }))

/** byName orders labels as the plan orders Images: by name (their digest). */
const byName = (ls: readonly string[]) => [...ls].sort((x, y) => (digest(x) < digest(y) ? -1 : 1))

const cases: Case[] = [
  {
    name: 'keep-tag-revisions keeps the newest items of each tag; stage 2 deletes the rest',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd', 'e'] })],
    images: five,
    want: {
      'ns/app:latest#0': 'keep(revision)',
      'ns/app:latest#2': 'keep(revision)',
      'ns/app:latest#3': 'delete(pruned)',
      'ns/app:latest#4': 'delete(pruned)',
      a: 'keep(referenced)',
      c: 'keep(referenced)',
      d: 'delete(pruned)',
      e: 'delete(pruned)',
    },
  },
  {
    name: 'keep-tag-revisions=1 keeps only the current item',
    streams: [stream('ns', 'app', { latest: ['a', 'b'] })],
    images: five,
    options: { keepTagRevisions: 1 },
    want: { 'ns/app:latest#0': 'keep(revision)', 'ns/app:latest#1': 'delete(pruned)' },
  },
  {
    name: 'keep-younger-than keeps young items and young Images',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', ['d', 30 * MINUTE], 'e'] })],
    images: [...five.slice(0, 4), image({ label: 'e', age: 10 * MINUTE }), image({ label: 'f' })],
    want: {
      'ns/app:latest#3': 'keep(young)',
      'ns/app:latest#4': 'delete(pruned)',
      e: 'keep(young)',
      f: 'delete(pruned)',
    },
  },
  {
    name: 'a stream younger than keep-younger-than is kept whole',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd', 'e'] }, 10 * MINUTE)],
    images: five,
    want: { 'ns/app:latest#0': 'keep(young,revision)', 'ns/app:latest#4': 'keep(young)' },
  },
  {
    name: 'a tag a workload names keeps its current item, only that one',
    streams: [stream('ns', 'app', { latest: ['a', 'b'], v1: ['c', 'd'] })],
    images: five,
    workloads: uses({ tags: [['ns', 'app', 'latest']] }),
    options: { keepTagRevisions: 0 },
    want: {
      'ns/app:latest#0': 'keep(tag-in-use)',
      'ns/app:latest#1': 'delete(pruned)',
      'ns/app:v1#0': 'delete(pruned)',
      a: 'keep(referenced)',
      c: 'delete(pruned)',
    },
  },
  {
    name: 'a digest a workload names keeps its item and its Image',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd', 'e'] })],
    images: five,
    workloads: uses({ digests: ['e'] }),
    want: {
      'ns/app:latest#3': 'delete(pruned)',
      'ns/app:latest#4': 'keep(workload)',
      e: 'keep(workload,referenced)',
    },
  },
  {
    name: 'an Image pulled within keep-pulled-within is in use',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd', 'e'] })],
    images: [
      ...five.slice(0, 3),
      image({ label: 'd', pulled: DAY }),
      image({ label: 'e', pulled: 8 * DAY }),
      image({ label: 'f', pulled: 6 * DAY }),
    ],
    want: {
      'ns/app:latest#3': 'keep(pulled)',
      'ns/app:latest#4': 'delete(pruned)',
      d: 'keep(pulled,referenced)',
      e: 'delete(pruned)',
      f: 'keep(pulled)',
    },
  },
  {
    name: 'keep-pulled-within=0 turns pull records off',
    streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd'] })],
    images: [...five.slice(0, 3), image({ label: 'd', pulled: MINUTE })],
    options: { keepPulledWithinMs: 0 },
    want: { 'ns/app:latest#3': 'delete(pruned)', d: 'delete(pruned)' },
  },
  {
    name: 'a child digest in use keeps its list item, the list Image and every sibling',
    streams: [stream('ns', 'app', { latest: ['list2', 'list1'] })],
    images: [
      image({ label: 'list2', children: ['c2-amd64', 'c2-arm64'] }),
      image({ label: 'c2-amd64' }),
      image({ label: 'c2-arm64' }),
      image({ label: 'list1', children: ['c1-amd64', 'c1-arm64'] }),
      image({ label: 'c1-amd64' }),
      image({ label: 'c1-arm64' }),
    ],
    workloads: uses({ digests: ['c1-arm64'] }),
    options: { keepTagRevisions: 1 },
    want: {
      'ns/app:latest#0': 'keep(revision)',
      'ns/app:latest#1': 'keep(list-member)',
      list1: 'keep(list-member,referenced)',
      'c1-amd64': 'keep(list-member)',
      'c1-arm64': 'keep(workload,list-member)',
      list2: 'keep(referenced)',
      'c2-amd64': 'keep(list-member)',
    },
  },
  {
    name: 'an unreferenced old list goes with all its children',
    streams: [stream('ns', 'app', { latest: ['list2', 'list1'] })],
    images: [
      image({ label: 'list2', children: ['c2-amd64'] }),
      image({ label: 'c2-amd64' }),
      image({ label: 'list1', children: ['c1-amd64', 'c1-arm64'] }),
      image({ label: 'c1-amd64' }),
      image({ label: 'c1-arm64' }),
    ],
    options: { keepTagRevisions: 1 },
    want: {
      'ns/app:latest#1': 'delete(pruned)',
      list1: 'delete(pruned)',
      'c1-amd64': 'delete(pruned)',
      'c1-arm64': 'delete(pruned)',
      'c2-amd64': 'keep(list-member)',
    },
  },
  {
    name: 'a list in use by digest keeps its children; a list kept young keeps them too',
    streams: [],
    images: [
      image({ label: 'list1', children: ['c1'] }),
      image({ label: 'c1' }),
      image({ label: 'list2', children: ['c2'], age: 5 * MINUTE }),
      image({ label: 'c2' }),
    ],
    workloads: uses({ digests: ['list1'] }),
    want: {
      list1: 'keep(workload)',
      c1: 'keep(list-member)',
      list2: 'keep(young)',
      c2: 'keep(list-member)',
    },
  },
  {
    name: 'over-size mode deletes items over the namespace limit, whatever the revision',
    streams: [
      stream('ns', 'app', { latest: ['big', 'small'] }),
      stream('free', 'app', { latest: ['big2'] }),
    ],
    images: [
      image({ label: 'big', size: 2000 }),
      image({ label: 'small', size: 500 }),
      image({ label: 'big2', size: 2000 }),
      image({ label: 'new', age: MINUTE }),
    ],
    workloads: uses({ limits: { ns: 1000 } }),
    options: { pruneOverSizeLimit: true, keepYoungerThanMs: 0 },
    want: {
      'ns/app:latest#0': 'delete(over-size-limit)',
      'ns/app:latest#1': 'keep(within-size-limit)',
      'free/app:latest#0': 'keep(within-size-limit)',
      big: 'delete(pruned)',
      small: 'keep(referenced)',
      new: 'delete(pruned)',
    },
  },
  {
    name: 'over-size mode sums the layers when the size is not recorded',
    streams: [stream('ns', 'app', { latest: ['layered'] })],
    images: [image({ label: 'layered', layers: ['l1', 'l2', 'l3'] })],
    workloads: uses({ limits: { ns: 250 } }),
    options: { pruneOverSizeLimit: true, keepYoungerThanMs: 0 },
    want: { 'ns/app:latest#0': 'delete(over-size-limit)' },
  },
  {
    name: 'items whose Image is gone are dropped, unless young or named by a workload',
    streams: [stream('ns', 'app', { latest: ['gone1', ['gone2', MINUTE], 'gone3'] })],
    images: [],
    workloads: uses({ digests: ['gone3'] }),
    want: {
      'ns/app:latest#0': 'delete(missing-image)',
      'ns/app:latest#1': 'keep(young)',
      'ns/app:latest#2': 'keep(workload)',
    },
  },
  {
    name: '--all=false keeps Images not pushed to the integrated registry',
    streams: [],
    images: [image({ label: 'imported' }), image({ label: 'pushed', managed: true })],
    options: { all: false },
    want: { imported: 'keep(unmanaged)', pushed: 'delete(pruned)' },
  },
]

describe('planPrune', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const plan = await planPrune(
        { streams: c.streams, images: c.images, workloads: c.workloads ?? uses() },
        options(c.options),
      )
      const got = verdicts(plan)
      const want = new Map(Object.entries(c.want))
      assert.deepEqual(new Map([...want.keys()].map((k) => [k, got.get(k)])), want)
    })
  }

  it('with a namespace plans only its streams and no Image', async () => {
    const plan = await planPrune(
      {
        streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', 'd', 'e'] })],
        images: five,
        workloads: uses(),
      },
      options({ namespace: 'ns' }),
    )
    assert.equal(plan.streams[0]!.deletedItems, 2)
    assert.deepEqual(plan.images, [])
    assert.deepEqual(plan.blobs, [])
  })

  it('writes the status without deleted items and drops tags left empty', async () => {
    const s = stream('ns', 'app', { latest: ['a', 'b'], old: ['c'], v1: ['d'] })
    s.status!.tags!.push({ tag: 'failed', conditions: [] })
    const plan = await planPrune(
      { streams: [s], images: five, workloads: uses({ tags: [['ns', 'app', 'v1']] }) },
      options({ keepTagRevisions: 0 }),
    )
    const tags = plan.streams[0]!.statusTags
    assert.deepEqual(
      tags.map((t) => [t.tag, (t.items ?? []).map((i) => labelOf(i.image))]),
      [
        ['v1', ['d']],
        ['failed', []],
      ],
    )
    assert.equal(plan.streams[0]!.deletedItems, 3)
    assert.equal(plan.streams[0]!.resourceVersion, '1')
  })

  it('orders streams with deletions first, Images lists before children, then kept ones', async () => {
    const plan = await planPrune(
      {
        streams: [
          stream('b', 'keep', { latest: ['a'] }),
          stream('b', 'prune', { latest: ['b', 'c', 'd', 'list'] }),
          stream('a', 'keep', { latest: ['e'] }),
        ],
        images: [
          image({ label: 'zz-child' }),
          image({ label: 'list', children: ['zz-child', 'aa-child'] }),
          image({ label: 'aa-child' }),
          ...five,
        ],
        workloads: uses(),
      },
      options(),
    )
    assert.deepEqual(
      plan.streams.map((s) => `${s.namespace}/${s.name}`),
      ['b/prune', 'a/keep', 'b/keep'],
    )
    const deleted = plan.images.filter((i) => i.decision.action === 'delete').map((i) => i.name)
    assert.equal(labelOf(deleted[0]!), 'list')
    assert.deepEqual(new Set(deleted.slice(1).map(labelOf)), new Set(['aa-child', 'zz-child']))
    const names = plan.images.map((i) => i.name)
    assert.deepEqual(names.slice(1, 3), [...names.slice(1, 3)].sort())
  })

  it('gives each deletion its level: the longest chain of deleted lists above it', async () => {
    const plan = await planPrune(
      {
        streams: [stream('ns', 'keep', { latest: ['kept'] })],
        images: [
          image({ label: 'outer', children: ['inner', 'shared'] }),
          image({ label: 'inner', children: ['shared', 'deep'] }),
          image({ label: 'shared' }),
          image({ label: 'deep' }),
          image({ label: 'alone' }),
          image({ label: 'kept' }),
        ],
        workloads: uses(),
      },
      options(),
    )
    assert.deepEqual(
      plan.images.map((i) => [labelOf(i.name), i.level]),
      [
        ...byName(['alone', 'outer']).map((l) => [l, 0]),
        ['inner', 1],
        ...byName(['deep', 'shared']).map((l) => [l, 2]),
        ['kept', undefined],
      ],
    )
  })

  it('plans blobs: layers, config and manifest of deleted Images that no kept Image uses', async () => {
    const plan = await planPrune(
      {
        streams: [stream('ns', 'app', { latest: ['kept'] })],
        images: [
          image({ label: 'kept', layers: ['base', 'kept-top'] }),
          image({ label: 'gone1', layers: ['base', 'shared-gone'] }),
          image({ label: 'gone2', layers: ['shared-gone'] }),
        ],
        workloads: uses(),
      },
      options(),
    )
    const blobs = new Map(plan.images.map((i) => [labelOf(i.name), (i.blobs ?? []).map(labelOf)]))
    // The shared layer goes once, with whichever of the two comes first (by digest).
    const [first, second] = plan.images.slice(0, 2).map((i) => labelOf(i.name))
    assert.deepEqual(blobs.get(first!), ['shared-gone', `${first}-config`, first])
    assert.deepEqual(blobs.get(second!), [`${second}-config`, second])
    assert.deepEqual(blobs.get('kept'), [])
    assert.deepEqual(plan.blobs.map(labelOf), [...blobs.get(first!)!, ...blobs.get(second!)!])
  })

  it('plans no blob without pruneRegistry', async () => {
    const plan = await planPrune(
      { streams: [], images: five, workloads: uses() },
      options({ pruneRegistry: false }),
    )
    assert.equal(plan.images.filter((i) => i.decision.action === 'delete').length, 5)
    assert.deepEqual(plan.blobs, [])
    assert.ok(plan.images.every((i) => i.blobs === undefined))
  })

  it('names who uses an item or an Image', async () => {
    const plan = await planPrune(
      {
        streams: [stream('ns', 'app', { latest: ['a', 'b'] })],
        images: five,
        workloads: uses({ digests: ['b'], tags: [['ns', 'app', 'latest']] }),
      },
      options({ keepTagRevisions: 0 }),
    )
    const items = plan.streams[0]!.items
    assert.deepEqual(items[0]!.usedBy, [{ kind: 'Pod', namespace: 'ns', name: 'uses-app-latest' }])
    assert.deepEqual(items[1]!.usedBy, [{ kind: 'Pod', namespace: 'ns', name: 'uses-b' }])
    const b = plan.images.find((i) => i.name === digest('b'))!
    assert.deepEqual(b.usedBy, [{ kind: 'Pod', namespace: 'ns', name: 'uses-b' }])
  })

  it('is deterministic whatever order the inputs come in', async () => {
    const streams = [
      stream('x', 's1', { latest: ['a', 'b', 'c', 'd'] }),
      stream('y', 's2', { latest: ['e', 'list'] }),
    ]
    const images = [
      ...five,
      image({ label: 'list', children: ['k1', 'k2'] }),
      image({ label: 'k1' }),
      image({ label: 'k2' }),
    ]
    const input = { streams, images, workloads: uses({ digests: ['k2'] }) }
    const reversed = { ...input, streams: [...streams].reverse(), images: [...images].reverse() }
    assert.equal(
      JSON.stringify(await planPrune(input, options({ keepTagRevisions: 1 }))),
      JSON.stringify(await planPrune(reversed, options({ keepTagRevisions: 1 }))),
    )
  })

  it('stops when its signal aborts', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    const many = Array.from({ length: 2000 }, (_, i) => image({ label: `img-${i}` }))
    await assert.rejects(
      planPrune({ streams: [], images: many, workloads: uses() }, options(), controller.signal),
      /stop/,
    )
  })

  it('counts an Image without a creation time as old, as OpenShift does', async () => {
    const old = image({ label: 'undated' })
    delete old.metadata.creationTimestamp
    const plan = await planPrune({ streams: [], images: [old], workloads: uses() }, options())
    assert.equal(verdicts(plan).get('undated'), 'delete(pruned)')
  })

  it('keeps items created in the future (clock skew) as young', async () => {
    const plan = await planPrune(
      {
        streams: [stream('ns', 'app', { latest: ['a', 'b', 'c', ['d', -HOUR]] })],
        images: five,
        workloads: uses(),
      },
      options(),
    )
    assert.equal(verdicts(plan).get('ns/app:latest#3'), 'keep(young)')
  })
})
