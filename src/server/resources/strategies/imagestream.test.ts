import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagReference } from '../../../api/index.js'
import { imageStreamStrategy, tagRefChanged } from './imagestream.js'
import type { StrategyContext } from './types.js'

const ctx: StrategyContext = {
  settings: { registryHostname: () => 'reg:5000' },
  now: () => Date.parse('2026-01-01T00:00:00Z'),
}
const docker = (name: string): TagReference['from'] => ({ kind: 'DockerImage', name })
const stream = (tags: TagReference[], generation?: number): ImageStream => ({
  metadata: { name: 'app', namespace: 'ns', ...(generation === undefined ? {} : { generation }) },
  spec: { lookupPolicy: { local: false }, tags },
})

describe('ImageStream strategy', () => {
  it('create: generation 1 everywhere, and no user status', () => {
    const input = {
      ...stream([{ name: 'a', from: docker('r/a:1'), generation: 7 }]),
      status: { tags: [{ tag: 'x' }] },
    }
    const out = imageStreamStrategy.prepareForCreate(input, ctx)
    assert.equal(out.metadata.generation, 1)
    assert.equal(out.spec?.tags?.[0]?.generation, 1)
    assert.equal(out.status, undefined)
  })

  it('create: a reference tag gets its tag event at once', () => {
    const out = imageStreamStrategy.prepareForCreate(
      stream([{ name: 'r', from: docker('quay.io/x:1'), reference: true }]),
      ctx,
    )
    assert.deepEqual(out.status?.tags, [
      {
        tag: 'r',
        items: [
          {
            created: '2026-01-01T00:00:00Z',
            dockerImageReference: 'quay.io/x:1',
            image: '',
            generation: 1,
          },
        ],
      },
    ])
  })

  const prev = {
    ...stream(
      [
        { name: 'a', from: docker('r/a:1'), generation: 1 },
        { name: 'b', from: docker('r/b:1'), generation: 1 },
      ],
      3,
    ),
    status: { tags: [{ tag: 'a', items: [] }] },
  }
  const cases: [string, TagReference[], number, Record<string, number>][] = [
    ['an unchanged spec keeps every generation', prev.spec!.tags!, 3, { a: 1, b: 1 }],
    [
      'a changed from bumps the stream and that tag',
      [
        { name: 'a', from: docker('r/a:2'), generation: 1 },
        { name: 'b', from: docker('r/b:1'), generation: 1 },
      ],
      4,
      { a: 4, b: 1 },
    ],
    [
      'generation 0 asks for a re-import',
      [
        { name: 'a', from: docker('r/a:1'), generation: 0 },
        { name: 'b', from: docker('r/b:1'), generation: 1 },
      ],
      4,
      { a: 4, b: 1 },
    ],
    [
      'other user values are ignored',
      [
        { name: 'a', from: docker('r/a:1'), generation: 99 },
        { name: 'b', from: docker('r/b:1') },
      ],
      3,
      { a: 1, b: 1 },
    ],
    [
      'a new tag gets the new generation',
      [...prev.spec!.tags!, { name: 'c', from: docker('r/c:1'), generation: 42 }],
      4,
      { a: 1, b: 1, c: 4 },
    ],
    [
      'an import mode change re-imports',
      [
        {
          name: 'a',
          from: docker('r/a:1'),
          generation: 1,
          importPolicy: { importMode: 'PreserveOriginal' },
        },
        { name: 'b', from: docker('r/b:1'), generation: 1 },
      ],
      4,
      { a: 4, b: 1 },
    ],
    [
      'scheduled alone changes the stream but not the tag',
      [
        { name: 'a', from: docker('r/a:1'), generation: 1, importPolicy: { scheduled: true } },
        { name: 'b', from: docker('r/b:1'), generation: 1 },
      ],
      4,
      { a: 1, b: 1 },
    ],
  ]
  for (const [name, tags, generation, want] of cases) {
    it(`update: ${name}`, () => {
      const out = imageStreamStrategy.prepareForUpdate(
        { ...stream(tags, 1), status: { tags: [] } },
        prev,
        ctx,
      )
      assert.equal(out.metadata.generation, generation)
      assert.deepEqual(
        Object.fromEntries((out.spec?.tags ?? []).map((t) => [t.name, t.generation])),
        want,
      )
      assert.deepEqual(out.status, prev.status, 'status is the server’s')
    })
  }

  it('/status takes only the status', () => {
    const next = {
      ...stream([], 9),
      metadata: { name: 'app', namespace: 'ns', labels: { x: 'y' } },
      status: { dockerImageRepository: 'ignored', tags: [{ tag: 'z' }] },
    }
    const out = imageStreamStrategy.prepareForStatusUpdate!(next, prev, ctx)
    assert.deepEqual(out.spec, prev.spec)
    assert.deepEqual(out.metadata, prev.metadata)
    assert.deepEqual(out.status, { tags: [{ tag: 'z' }] })
  })

  it('decorate computes status.dockerImageRepository', () => {
    assert.equal(
      imageStreamStrategy.decorate(prev, ctx).status?.dockerImageRepository,
      'reg:5000/ns/app',
    )
  })

  it('tagRefChanged follows upstream (namespace defaults to the stream’s)', () => {
    const a: TagReference = {
      name: 'a',
      from: { kind: 'ImageStreamTag', name: 'x:1' },
      generation: 2,
    }
    assert.equal(
      tagRefChanged(
        a,
        { ...a, from: { kind: 'ImageStreamTag', name: 'x:1', namespace: 'ns' } },
        'ns',
      ),
      false,
    )
    assert.equal(
      tagRefChanged(
        a,
        { ...a, from: { kind: 'ImageStreamTag', name: 'x:1', namespace: 'other' } },
        'ns',
      ),
      true,
    )
    assert.equal(tagRefChanged(a, { ...a, reference: true }, 'ns'), true)
    assert.equal(tagRefChanged(a, { name: 'a' }, 'ns'), false)
  })
})
