import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCES } from '../../../api/index.js'
import { StatusError } from '../../status.js'
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
      'appends a new tag',
      IS,
      stream,
      { spec: { tags: [{ name: '4.0', from: { kind: 'DockerImage', name: 'r/ruby:4' } }] } },
      {
        ...stream,
        spec: {
          ...stream.spec,
          tags: [
            ...stream.spec.tags,
            { name: '4.0', from: { kind: 'DockerImage', name: 'r/ruby:4' } },
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
            { tag: '3.1', items: [] },
            { tag: '3.2', items: [] },
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
        secrets: [{ name: 'a' }, { name: 'b' }],
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
