import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageTag, NamedTagEventList, TagReference } from '../../../api/index.js'
import type { PrintableObject } from '../table.js'
import { imageStreamPrinter, imageTagPrinter, printTagsUpToWidth, sortStatusTags } from './image.js'

const tag = (name: string, created?: string): NamedTagEventList => ({
  tag: name,
  items: created
    ? [{ created, dockerImageReference: `r@${name}`, image: `sha256:${name}`, generation: 1 }]
    : [],
})

describe('sortStatusTags', () => {
  it('orders by the newest item, newest first, ties and empty tags by name', () => {
    const tags = [
      tag('b', '2026-01-01T00:00:00Z'),
      tag('a', '2026-01-01T00:00:00Z'),
      tag('new', '2026-01-02T00:00:00Z'),
      tag('none'),
      tag('empty'),
    ]
    assert.deepEqual(sortStatusTags(tags), ['new', 'a', 'b', 'empty', 'none'])
  })
})

describe('printTagsUpToWidth', () => {
  const at = (i: number) => `2026-01-01T00:00:${String(59 - i).padStart(2, '0')}Z`
  it('joins the tags that fit', () => {
    assert.equal(printTagsUpToWidth([tag('18', at(1)), tag('20', at(0))], 40), '20,18')
  })
  it('always shows one tag, however long', () => {
    const long = 'x'.repeat(60)
    assert.equal(printTagsUpToWidth([tag(long, at(0)), tag('b', at(1))], 40), `${long} + 1 more...`)
  })
  it('cuts after about 40 characters with + N more...', () => {
    const tags = Array.from({ length: 12 }, (_, i) => tag(`tag-${i}`, at(i)))
    // Each "tag-N," is 6 characters: 6 fit in 40; the 7th would leave too little of itself in.
    assert.equal(printTagsUpToWidth(tags, 40), 'tag-0,tag-1,tag-2,tag-3,tag-4,tag-5 + 6 more...')
  })
  it('lets a tag overflow a little when much of the width was left', () => {
    const first = 'a'.repeat(25)
    const second = 'b'.repeat(15)
    assert.equal(
      printTagsUpToWidth([tag(first, at(0)), tag(second, at(1))], 40),
      `${first},${second}`,
    )
  })
})

describe('imageStreamPrinter', () => {
  it('prints NAME, IMAGE REPOSITORY, TAGS and UPDATED as oc does', () => {
    const stream = {
      metadata: { name: 'nodejs' },
      status: {
        dockerImageRepository: 'registry:5000/ns/nodejs',
        tags: [tag('18', '2026-01-01T00:00:00Z'), tag('20', '2026-01-01T00:30:00Z')],
      },
    }
    const now = Date.parse('2026-01-01T00:58:00Z')
    assert.deepEqual(imageStreamPrinter.cells(stream, now), [
      'nodejs',
      'registry:5000/ns/nodejs',
      '20,18',
      '28 minutes ago',
    ])
  })
  it('prefers the public repository, then spec.dockerImageRepository', () => {
    const stream = {
      metadata: { name: 'x' },
      spec: { dockerImageRepository: 'quay.io/x' },
      status: { dockerImageRepository: 'local/ns/x' },
    }
    assert.equal(imageStreamPrinter.cells(stream, 0)[1], 'quay.io/x')
    const pub = { ...stream, status: { ...stream.status, publicDockerImageRepository: 'pub/ns/x' } }
    assert.equal(imageStreamPrinter.cells(pub, 0)[1], 'pub/ns/x')
  })
})

describe('imageTagPrinter (upstream printImageTag)', () => {
  const NOW = Date.parse('2026-01-01T01:00:00Z')
  const CREATED = '2026-01-01T00:00:00Z'
  const ID = 'sha256:abc'
  const docker = { kind: 'DockerImage', name: 'quay.io/a/b:1' }
  const history = (generation: number): NamedTagEventList => ({
    tag: 't',
    items: [{ created: CREATED, dockerImageReference: `quay.io/a/b@${ID}`, image: ID, generation }],
  })
  const itag = (spec?: TagReference, status?: NamedTagEventList): ImageTag => ({
    metadata: { name: 's:t' },
    ...(spec && { spec }),
    ...(status && { status }),
  })
  const rows: [string, ImageTag, unknown[]][] = [
    ['spec only', itag({ name: 't', from: docker }), ['s:t', 'Tag', 'quay.io/a/b:1', null, '']],
    [
      'imported',
      itag({ name: 't', from: docker, generation: 2 }, history(2)),
      ['s:t', 'Tag', `image/${ID}`, 1, 'About an hour ago'],
    ],
    [
      'importing a newer generation',
      itag({ name: 't', from: docker, generation: 3 }, history(2)),
      ['s:t', 'Tag', 'Importing', 1, 'About an hour ago'],
    ],
    [
      'pushed over the spec tag',
      itag({ name: 't', from: docker, generation: 1 }, history(2)),
      ['s:t', 'Push', `image/${ID}`, 1, 'About an hour ago'],
    ],
    [
      'pushed, no spec',
      itag(undefined, history(1)),
      ['s:t', 'Push', `image/${ID}`, 1, 'About an hour ago'],
    ],
    [
      'scheduled reference',
      itag({ name: 't', from: docker, reference: true, importPolicy: { scheduled: true } }),
      ['s:t', 'Scheduled', 'quay.io/a/b:1', null, ''],
    ],
    [
      'reference',
      itag({ name: 't', from: docker, reference: true }),
      ['s:t', 'Ref', 'quay.io/a/b:1', null, ''],
    ],
    [
      'tracking a tag of its stream',
      itag({ name: 't', from: { kind: 'ImageStreamTag', name: 'other' } }),
      ['s:t', 'Track', 'istag/other', null, ''],
    ],
    [
      'another namespace',
      itag({ name: 't', from: { kind: 'ImageStreamTag', name: 'is:1', namespace: 'ns' } }),
      ['s:t', 'Tag', 'istag ns/is:1', null, ''],
    ],
    [
      'an image by id',
      itag({ name: 't', from: { kind: 'ImageStreamImage', name: `is@${ID}` } }),
      ['s:t', 'Tag', `image/${ID}`, null, ''],
    ],
    [
      'a failed import',
      itag(
        { name: 't', from: docker },
        {
          tag: 't',
          conditions: [
            {
              type: 'ImportSuccess',
              status: 'False',
              reason: 'NotFound',
              lastTransitionTime: '2026-01-01T00:59:00Z',
              generation: 1,
            },
          ],
        },
      ),
      ['s:t', 'Tag', 'ImportFailed (NotFound)', null, 'About a minute ago'],
    ],
  ]
  for (const [name, object, want] of rows) {
    it(name, () =>
      assert.deepEqual(imageTagPrinter.cells(object as unknown as PrintableObject, NOW), want),
    )
  }
})
