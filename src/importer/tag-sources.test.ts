import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, NamedTagEventList, TagEvent, TagReference } from '../api/index.js'
import {
  followTrackingTags,
  otherSourceStreams,
  recordTagEvent,
  resolveTagSources,
  streamSource,
} from './tag-sources.js'

const NOW = '2026-02-02T00:00:00Z'
const digest = (c: string): string => `sha256:${c.repeat(64)}`
const event = (c: string, generation = 1, repo = 'quay.io/src/app'): TagEvent => ({
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: `${repo}@${digest(c)}`,
  image: digest(c),
  generation,
})
const ist = (name: string, tag: string, namespace?: string): TagReference => ({
  name,
  generation: 3,
  from: { kind: 'ImageStreamTag', name: tag, ...(namespace ? { namespace } : {}) },
})
const isi = (name: string, image: string): TagReference => ({
  name,
  generation: 3,
  from: { kind: 'ImageStreamImage', name: image },
})
const docker = (name: string): TagReference => ({
  name,
  generation: 1,
  from: { kind: 'DockerImage', name: `quay.io/src/app:${name}` },
})
const stream = (
  name: string,
  tags: TagReference[],
  status: NamedTagEventList[] = [],
  namespace = 'ns',
): ImageStream => ({
  metadata: { name, namespace, generation: 3 },
  spec: { tags },
  status: { tags: status },
})

const source = stream(
  'src',
  [docker('1'), docker('2')],
  [
    { tag: '1', items: [event('a'), event('b')] },
    { tag: '2', items: [event('c')] },
    { tag: 'empty', items: [] },
  ],
)
const elsewhere = { ...source, metadata: { ...source.metadata, namespace: 'other' } }
const internal = stream('src', [], [{ tag: 'x', items: [event('d', 1, 'reg:5000/ns/src')] }], 'ns')
const lookup =
  (...streams: ImageStream[]) =>
  (namespace: string, name: string) =>
    streams.find((s) => s.metadata.namespace === namespace && s.metadata.name === name)

describe('streamSource', () => {
  const cases: [string, TagReference, ReturnType<typeof streamSource>][] = [
    [
      'a bare tag is this stream',
      ist('t', '1'),
      {
        kind: 'ImageStreamTag',
        namespace: 'ns',
        stream: 'dst',
        ref: '1',
      },
    ],
    [
      'stream:tag in another namespace',
      ist('t', 'src:1', 'other'),
      {
        kind: 'ImageStreamTag',
        namespace: 'other',
        stream: 'src',
        ref: '1',
      },
    ],
    [
      'stream@digest',
      isi('t', `src@${digest('a')}`),
      {
        kind: 'ImageStreamImage',
        namespace: 'ns',
        stream: 'src',
        ref: digest('a'),
      },
    ],
    ['a DockerImage is not a stream source', docker('1'), undefined],
  ]
  for (const [name, tag, want] of cases) {
    it(name, () => assert.deepEqual(streamSource(stream('dst', [tag]), tag), want))
  }
})

describe('resolveTagSources', () => {
  const cases: {
    name: string
    tags: TagReference[]
    own?: NamedTagEventList[]
    streams: ImageStream[]
    events: [string, TagEvent][]
    errors?: string[]
  }[] = [
    {
      name: 'an ImageStreamTag copies the source tag’s current event at the tag’s generation',
      tags: [ist('copy', 'src:1')],
      streams: [source],
      events: [['copy', event('a', 3)]],
    },
    {
      name: 'a source tag without an image adds nothing and is no error',
      tags: [ist('copy', 'src:empty'), ist('none', 'src:missing')],
      streams: [source],
      events: [],
    },
    {
      name: 'from.namespace picks the source namespace',
      tags: [ist('copy', 'src:2', 'other')],
      streams: [elsewhere],
      events: [['copy', event('c', 3)]],
    },
    {
      name: 'a missing source stream is NotFound on from.name',
      tags: [docker('x'), ist('copy', 'gone:1')],
      streams: [source],
      events: [],
      errors: ['spec.tags[copy].from.name: Not found: "gone:1"'],
    },
    {
      name: 'an ImageStreamImage finds the image anywhere in the history, stamped now',
      tags: [isi('pinned', `src@${digest('b')}`)],
      streams: [source],
      events: [['pinned', { ...event('b', 3), created: NOW }]],
    },
    {
      name: 'an ImageStreamImage id may be a prefix of the digest hex',
      tags: [isi('pinned', 'src@cccc')],
      streams: [source],
      events: [['pinned', { ...event('c', 3), created: NOW }]],
    },
    {
      name: 'an unknown image is an invalid from.name',
      tags: [isi('pinned', `src@${digest('f')}`)],
      streams: [source],
      events: [],
      errors: [
        `spec.tags[pinned].from.name: Invalid value: "src@${digest('f')}": error generating tag event: imagestreamimage.image.openshift.io "${digest('f')}" not found`,
      ],
    },
    {
      name: 'an ambiguous prefix is an invalid from.name',
      tags: [isi('pinned', 'src@sha256:')],
      streams: [source],
      events: [],
      errors: [
        `spec.tags[pinned].from.name: Invalid value: "src@sha256:": error generating tag event: Operation cannot be fulfilled on imagestreamimage.image.openshift.io "sha256:": multiple images match the prefix "sha256:": ${digest('a')}, ${digest('b')}, ${digest('c')}`,
      ],
    },
    {
      name: 'a same-stream source reads the stream being written, not the lookup',
      tags: [docker('1'), ist('alias', '1')],
      own: [{ tag: '1', items: [event('e')] }],
      streams: [],
      events: [['alias', event('e', 3)]],
    },
    {
      name: 'an integrated-registry pull spec of the source points at the destination',
      tags: [ist('copy', 'src:x'), { ...ist('ref', 'src:x'), reference: true }],
      streams: [internal],
      events: [
        ['copy', event('d', 3, 'reg:5000/ns/dst')],
        ['ref', event('d', 3, 'reg:5000/ns/src')],
      ],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const dst = stream('dst', c.tags, c.own)
      const changed = new Set(c.tags.map((t) => t.name))
      const got = resolveTagSources(dst, changed, lookup(...c.streams), {
        now: NOW,
        registryHostname: 'reg:5000',
      })
      assert.deepEqual(
        got.events.map((e) => [e.tag, e.event]),
        c.events,
      )
      assert.deepEqual(
        got.errors.map((e) => `${e.field}: ${e.message}`),
        c.errors ?? [],
      )
    })
  }

  it('resolves only the changed tags', () => {
    const dst = stream('dst', [ist('a', 'src:1'), ist('b', 'src:2')])
    const got = resolveTagSources(dst, new Set(['b']), lookup(source), { now: NOW })
    assert.deepEqual(
      got.events.map((e) => e.tag),
      ['b'],
    )
  })
})

describe('otherSourceStreams', () => {
  it('lists each other stream of the changed tags once', () => {
    const dst = stream('dst', [
      ist('a', 'src:1'),
      isi('b', `src@${digest('a')}`),
      ist('c', 'src:1', 'other'),
      ist('own', 'a'),
      ist('unchanged', 'more:1'),
      docker('d'),
    ])
    const changed = new Set(['a', 'b', 'c', 'own', 'd'])
    assert.deepEqual(otherSourceStreams(dst, changed), [
      { namespace: 'ns', name: 'src' },
      { namespace: 'other', name: 'src' },
    ])
  })
})

describe('recordTagEvent', () => {
  const head = event('a', 1)
  const cases: [string, TagEvent, boolean, TagEvent[]][] = [
    ['the same event changes nothing', head, false, [head]],
    [
      'a new generation updates in place',
      { ...head, generation: 2 },
      true,
      [{ ...head, generation: 2 }],
    ],
    [
      'the same reference with another image updates in place, keeping the time',
      {
        ...event('b', 2),
        dockerImageReference: head.dockerImageReference,
        created: NOW,
      },
      true,
      [{ ...event('b', 2), dockerImageReference: head.dockerImageReference }],
    ],
    [
      'the same image under another reference updates the reference in place, keeping the time',
      { ...event('a', 2, 'mirror.example.com/src/app'), created: NOW },
      true,
      [event('a', 2, 'mirror.example.com/src/app')],
    ],
    ['another image is prepended', event('b', 2), true, [event('b', 2), head]],
  ]
  for (const [name, next, changed, items] of cases) {
    it(name, () => {
      const s = stream(
        'dst',
        [],
        [
          {
            tag: 't',
            items: [head],
            conditions: [
              { type: 'ImportSuccess', status: 'False', generation: 1, lastTransitionTime: NOW },
            ],
          },
        ],
      )
      assert.equal(recordTagEvent(s, 't', next), changed)
      assert.deepEqual(s.status?.tags?.[0]?.items, items)
      assert.equal(s.status?.tags?.[0]?.conditions === undefined, changed, 'conditions cleared')
    })
  }

  it('keeps every event: an earlier image coming back is prepended again, with no cap', () => {
    const s: ImageStream = {
      metadata: { name: 'dst' },
      status: { tags: [{ tag: 't', items: [head] }] },
    }
    const moves = Array.from({ length: 40 }, (_, i) => event(i % 2 === 0 ? 'b' : 'a', i + 2))
    for (const next of moves) assert.equal(recordTagEvent(s, 't', next), true)
    const items = s.status?.tags?.[0]?.items ?? []
    assert.equal(items.length, 41, 'nothing dropped: history grows until pruned')
    assert.deepEqual(items.slice(0, 3), [moves[39], moves[38], moves[37]])
    assert.deepEqual(items.at(-1), head, 'the first event is still there')
    assert.equal(new Set(items.map((e) => e.image)).size, 2, 'the two images repeat')
  })

  it('starts a history for a new tag', () => {
    const s: ImageStream = { metadata: { name: 'dst' } }
    assert.equal(recordTagEvent(s, 'n', head), true)
    assert.deepEqual(s.status?.tags, [{ tag: 'n', items: [head] }])
  })
})

describe('followTrackingTags', () => {
  const tags = [
    docker('1'),
    ist('alias', '1'),
    ist('long', 'dst:1'),
    ist('chained', 'alias'),
    ist('cross', 'src:1'),
    ist('elsewhere', 'dst:1', 'other'),
    ist('self', 'self'),
  ]
  const before = stream('dst', tags, [
    { tag: '1', items: [event('a')] },
    { tag: 'alias', items: [event('a')] },
  ])
  const heads = (s: ImageStream) =>
    Object.fromEntries((s.status?.tags ?? []).map((t) => [t.tag, t.items?.[0]?.image[7]]))

  const cases: [string, NamedTagEventList[], ImageStream | undefined, string[], object][] = [
    [
      'a moved tag takes its same-stream aliases along, through chains',
      [
        { tag: '1', items: [event('b', 2), event('a')] },
        { tag: 'alias', items: [event('a')] },
      ],
      before,
      ['alias', 'long', 'chained'],
      { '1': 'b', alias: 'b', long: 'b', chained: 'b' },
    ],
    [
      'nothing follows a tag that did not move',
      [
        { tag: '1', items: [event('a')] },
        { tag: 'alias', items: [event('a')] },
      ],
      before,
      [],
      { '1': 'a', alias: 'a' },
    ],
    [
      'without a previous stream every current event counts as moved',
      [{ tag: '1', items: [event('a')] }],
      undefined,
      ['alias', 'long', 'chained'],
      { '1': 'a', alias: 'a', long: 'a', chained: 'a' },
    ],
  ]
  for (const [name, status, previous, followed, want] of cases) {
    it(name, () => {
      const s = stream('dst', tags, structuredClone(status))
      assert.deepEqual(followTrackingTags(s, previous), followed)
      assert.deepEqual(heads(s), want)
    })
  }

  it('ends on a cycle', () => {
    const s = stream('dst', [ist('a', 'b'), ist('b', 'a')], [{ tag: 'a', items: [event('x')] }])
    assert.deepEqual(followTrackingTags(s, undefined), ['b'])
    assert.deepEqual(heads(s), { a: 'x', b: 'x' })
  })
})
