import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NO_META, threeWayMergePatch, type PatchMeta } from './strategic-patch.js'

/** The merge keys of an ImageStream, as the server's OpenAPI document declares them. */
const tags: PatchMeta = {
  strategy: 'merge',
  mergeKey: 'name',
  field: () => NO_META,
  items: () => NO_META,
}
const finalizers: PatchMeta = {
  strategy: 'merge',
  mergeKey: undefined,
  field: () => NO_META,
  items: () => NO_META,
}
const meta: PatchMeta = {
  ...NO_META,
  field: (name) => {
    if (name === 'spec') return { ...NO_META, field: (n) => (n === 'tags' ? tags : NO_META) }
    if (name === 'metadata')
      return { ...NO_META, field: (n) => (n === 'finalizers' ? finalizers : NO_META) }
    return NO_META
  },
}

const tag = (name: string, image: string, extra: object = {}) => ({
  name,
  from: { kind: 'DockerImage', name: image },
  ...extra,
})

void describe('threeWayMergePatch', () => {
  void it('is empty when the configuration is what was applied, whatever the server defaulted', () => {
    const config = { spec: { tags: [tag('v1', 'a:1')] } }
    const live = {
      spec: { tags: [tag('v1', 'a:1', { generation: 2, importPolicy: { importMode: 'Legacy' } })] },
    }
    assert.deepEqual(threeWayMergePatch(config, config, live, meta), {})
  })

  void it('changes a tag by its name and keeps the tags others added', () => {
    const original = { spec: { tags: [tag('v1', 'a:1')] } }
    const modified = { spec: { tags: [tag('v1', 'a:2')] } }
    const live = { spec: { tags: [tag('other', 'b:1'), tag('v1', 'a:1', { generation: 1 })] } }
    assert.deepEqual(threeWayMergePatch(original, modified, live, meta), {
      spec: {
        '$setElementOrder/tags': [{ name: 'v1' }],
        tags: [{ from: { name: 'a:2' }, name: 'v1' }],
      },
    })
  })

  void it('deletes by merge key a tag the configuration no longer has, and a dropped field with null', () => {
    const original = {
      metadata: { labels: { a: 'x' } },
      spec: { tags: [tag('v1', 'a:1'), tag('v2', 'a:2')] },
    }
    const modified = { metadata: {}, spec: { tags: [tag('v1', 'a:1')] } }
    const live = structuredClone(original)
    assert.deepEqual(threeWayMergePatch(original, modified, live, meta), {
      metadata: { labels: null },
      spec: {
        '$setElementOrder/tags': [{ name: 'v1' }],
        tags: [{ name: 'v2', $patch: 'delete' }],
      },
    })
  })

  void it('keeps a field the configuration never set, and replaces lists without a merge key', () => {
    const original = { spec: { dockerImageRepository: '', other: [1, 2] } }
    const modified = { spec: { dockerImageRepository: '', other: [3] } }
    const live = {
      spec: { dockerImageRepository: '', other: [1, 2], lookupPolicy: { local: true } },
    }
    assert.deepEqual(threeWayMergePatch(original, modified, live, meta), { spec: { other: [3] } })
  })

  void it('treats a merge list of scalars as a set', () => {
    const original = { metadata: { finalizers: ['a', 'b'] } }
    const modified = { metadata: { finalizers: ['a', 'c'] } }
    assert.deepEqual(threeWayMergePatch(original, modified, original, meta), {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['b'],
        '$setElementOrder/finalizers': ['a', 'c'],
        finalizers: ['c'],
      },
    })
  })

  void it('creates the whole configuration when there was no earlier apply and nothing live', () => {
    const modified = { spec: { tags: [tag('v1', 'a:1')] } }
    assert.deepEqual(threeWayMergePatch(undefined, modified, {}, meta), modified)
  })
})
