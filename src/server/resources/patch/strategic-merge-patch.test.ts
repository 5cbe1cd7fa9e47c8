import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCES } from '../../../api/index.js'
import { StatusError } from '../../status.js'
import type { JsonObject } from './json-value.js'
import { applyStrategicMergePatch } from './strategic-merge-patch.js'

const stream = {
  metadata: { name: 'app', labels: { a: '1' }, finalizers: ['x'] },
  spec: {
    lookupPolicy: { local: false },
    tags: [
      { name: '3.1', from: { kind: 'DockerImage', name: 'r/ruby:3.1' }, generation: 1 },
      { name: '3.2', from: { kind: 'DockerImage', name: 'r/ruby:3.2' }, generation: 1 },
    ],
  },
  status: { tags: [{ tag: '3.1', items: [] }] },
}
const IS = RESOURCES.imagestreams.schema
const SA = RESOURCES.serviceaccounts.schema

describe('applyStrategicMergePatch', () => {
  const cases: [string, unknown, unknown, unknown, unknown][] = [
    [
      'merges spec.tags by name, keeping the fields the patch does not name',
      IS,
      stream,
      { spec: { tags: [{ name: '3.1', from: { name: 'r/ruby:3.1.1' } }] } },
      {
        ...stream,
        spec: {
          ...stream.spec,
          tags: [
            { name: '3.1', from: { kind: 'DockerImage', name: 'r/ruby:3.1.1' }, generation: 1 },
            stream.spec.tags[1],
          ],
        },
      },
    ],
    [
      // The apiserver puts the patch's elements first when nothing says where they go.
      'adds a new tag ahead of the server’s',
      IS,
      stream,
      { spec: { tags: [{ name: '4.0', from: { kind: 'DockerImage', name: 'r/ruby:4' } }] } },
      {
        ...stream,
        spec: {
          ...stream.spec,
          tags: [
            { name: '4.0', from: { kind: 'DockerImage', name: 'r/ruby:4' } },
            ...stream.spec.tags,
          ],
        },
      },
    ],
    [
      'deletes a tag with $patch: delete (kubectl apply output)',
      IS,
      stream,
      {
        spec: {
          '$setElementOrder/tags': [{ name: '3.1' }],
          lookupPolicy: { local: true },
          tags: [{ $patch: 'delete', name: '3.2' }],
        },
      },
      {
        ...stream,
        spec: {
          lookupPolicy: { local: true },
          tags: [stream.spec.tags[0]],
        },
      },
    ],
    [
      'merges status tags by tag',
      IS,
      stream,
      { status: { tags: [{ tag: '3.2', items: [] }] } },
      {
        ...stream,
        status: {
          tags: [
            { tag: '3.2', items: [] },
            { tag: '3.1', items: [] },
          ],
        },
      },
    ],
    [
      'replaces the list with a $patch: replace element',
      IS,
      stream,
      { spec: { tags: [{ $patch: 'replace' }, { name: 'only' }] } },
      { ...stream, spec: { ...stream.spec, tags: [{ name: 'only' }] } },
    ],
    [
      'replaces a map with $patch: replace',
      IS,
      stream,
      { metadata: { $patch: 'replace', name: 'app' } },
      { ...stream, metadata: { name: 'app' } },
    ],
    [
      'deletes a map with $patch: delete',
      IS,
      stream,
      { status: { $patch: 'delete' } },
      { metadata: stream.metadata, spec: stream.spec },
    ],
    [
      'deletes keys with null, merges labels',
      IS,
      stream,
      { metadata: { labels: { a: null, b: '2' } } },
      { ...stream, metadata: { ...stream.metadata, labels: { b: '2' } } },
    ],
    [
      'unions a merge list of scalars (finalizers) and deletes from it',
      IS,
      stream,
      { metadata: { finalizers: ['y', 'x'], '$deleteFromPrimitiveList/finalizers': ['x'] } },
      { ...stream, metadata: { ...stream.metadata, finalizers: ['y'] } },
    ],
    [
      'keeps only $retainKeys',
      IS,
      stream,
      { spec: { $retainKeys: ['tags'], tags: [] } },
      { ...stream, spec: { tags: stream.spec.tags } },
    ],
    [
      'reorders with $setElementOrder',
      IS,
      stream,
      { spec: { '$setElementOrder/tags': [{ name: '3.2' }, { name: '3.1' }] } },
      { ...stream, spec: { ...stream.spec, tags: [stream.spec.tags[1], stream.spec.tags[0]] } },
    ],
    [
      'merges ServiceAccount secrets by name; imagePullSecrets are replaced (kube has no merge key there)',
      SA,
      { metadata: { name: 'sa' }, secrets: [{ name: 'a' }], imagePullSecrets: [{ name: 'p' }] },
      { secrets: [{ name: 'b' }], imagePullSecrets: [{ name: 'q' }] },
      {
        metadata: { name: 'sa' },
        secrets: [{ name: 'b' }, { name: 'a' }],
        imagePullSecrets: [{ name: 'q' }],
      },
    ],
  ]
  for (const [name, schema, original, patch, want] of cases) {
    it(name, () => {
      const clean = JSON.parse(JSON.stringify(patch)) as unknown
      const got = applyStrategicMergePatch(original, clean, schema as typeof IS)
      assert.deepEqual(got, JSON.parse(JSON.stringify(want)))
    })
  }

  /** tags builds spec tags from names, `name:extra` adding a field the server set. */
  const tags = (...names: string[]) =>
    names.map((n) => {
      const [name, extra] = n.split(':')
      return extra === undefined ? { name } : { name, extra }
    })
  // The ordering rules of k8s.io/apimachinery's strategicpatch (its "preserve order" and
  // "server-only items" cases), on spec.tags.
  const ordering: [string, unknown[], JsonObject, unknown[]][] = [
    [
      'kubectl apply: b deleted, c added, server-only x and y keep their places',
      tags('a:1', 'b', 'x', 'y'),
      {
        '$setElementOrder/tags': tags('a', 'c'),
        tags: [{ name: 'c' }, { $patch: 'delete', name: 'b' }],
      },
      tags('a:1', 'x', 'y', 'c'),
    ],
    [
      'a server-only element stays ahead of an element added after it',
      tags('1', '2:b', '4:c'),
      {
        '$setElementOrder/tags': tags('2', '3'),
        tags: [{ name: '3' }, { $patch: 'delete', name: '1' }],
      },
      tags('2:b', '4:c', '3'),
    ],
    [
      'reordering only: the server-only element follows its former predecessor',
      tags('1:a', '3', '4', '2', '9'),
      { '$setElementOrder/tags': tags('4', '2', '3', '1') },
      tags('4', '2', '3', '1:a', '9'),
    ],
    [
      'reordering only: a server-only element between two listed ones',
      tags('1:a', '2', '9', '3', '4'),
      { '$setElementOrder/tags': tags('2', '1', '4', '3') },
      tags('2', '1:a', '9', '4', '3'),
    ],
    [
      'without $setElementOrder the patch order counts; 2 was ahead of 3 on the server',
      tags('1', '2', '3'),
      {
        tags: [
          { name: '3', extra: 'z' },
          { name: '1', extra: 'y' },
        ],
      },
      tags('2', '3:z', '1:y'),
    ],
  ]
  for (const [name, live, specPatch, want] of ordering) {
    it(name, () => {
      const got = applyStrategicMergePatch({ spec: { tags: live } }, { spec: specPatch }, IS)
      assert.deepEqual(got, { spec: { tags: want } })
    })
  }

  it('replaces a map whose strategy is replace (Image.dockerImageMetadata)', () => {
    const image = { metadata: { name: 'sha256:x' }, dockerImageMetadata: { Id: 'old', Size: 3 } }
    const got = applyStrategicMergePatch(
      image,
      { dockerImageMetadata: { Id: 'new' } },
      RESOURCES.images.schema,
    )
    assert.deepEqual(got, { metadata: image.metadata, dockerImageMetadata: { Id: 'new' } })
  })

  const refused: [string, unknown, RegExp][] = [
    [
      'a $setElementOrder that leaves out a tag the patch sets',
      { spec: { '$setElementOrder/tags': tags('3.1'), tags: [{ name: '9' }] } },
      /doesn't match \$setElementOrder list/,
    ],
    [
      'a $setElementOrder in another order than the patch list',
      { spec: { '$setElementOrder/tags': tags('a', 'b'), tags: tags('b', 'a') } },
      /doesn't match \$setElementOrder list/,
    ],
    [
      '$patch: merge in a list',
      { spec: { tags: [{ $patch: 'merge', name: '3.1' }] } },
      /merging lists cannot yet be specified in the patch/,
    ],
    ['an unknown map directive', { spec: { $patch: 'keep' } }, /unknown patch type: "keep"/],
    [
      'a key the $retainKeys list leaves out',
      { spec: { $retainKeys: ['tags'], lookupPolicy: { local: true } } },
      /invalid patch format of retainKeys/,
    ],
    [
      'a deleted element without its merge key',
      { spec: { tags: [{ $patch: 'delete' }] } },
      /does not contain declared merge key: name/,
    ],
  ]
  for (const [name, patch, message] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => applyStrategicMergePatch(stream, patch, IS),
        (err: unknown) =>
          err instanceof StatusError && err.httpStatus === 400 && message.test(err.message),
      )
    })
  }

  it('refuses a keyed element without its merge key', () => {
    assert.throws(
      () => applyStrategicMergePatch(stream, { spec: { tags: [{ from: { name: 'x' } }] } }, IS),
      (err: unknown) => err instanceof StatusError && err.httpStatus === 400,
    )
  })

  it('does not change its input', () => {
    const input = structuredClone(stream)
    applyStrategicMergePatch(input, { spec: { tags: [{ name: '3.1', generation: 9 }] } }, IS)
    assert.deepEqual(input, stream)
  })
})
