import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCES } from '../../../api/index.js'
import { pathString } from './path.js'
import {
  compare,
  merge,
  removeItems,
  toFieldSet,
  TypedValueError,
  type SchemaNode,
} from './typed.js'
import { FieldSet } from './field-set.js'

const IS = RESOURCES.imagestreams.schema as SchemaNode
const SECRET = RESOURCES.secrets.schema as SchemaNode
const SA = RESOURCES.serviceaccounts.schema as SchemaNode

const strings = (s: FieldSet) => s.paths().map(pathString).sort()

describe('toFieldSet', () => {
  const cases: { name: string; schema: SchemaNode; value: unknown; want: string[] }[] = [
    {
      name: 'map entries and scalar leaves; structs only through their leaves',
      schema: IS,
      value: { metadata: { labels: { a: '1' } }, spec: { lookupPolicy: { local: true } } },
      want: ['.metadata.labels.a', '.spec.lookupPolicy.local'],
    },
    {
      name: 'list-map items are members with their fields; an ObjectReference is atomic',
      schema: IS,
      value: { spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'x' } }] } },
      want: ['.spec.tags[name="v1"]', '.spec.tags[name="v1"].from', '.spec.tags[name="v1"].name'],
    },
    {
      name: 'empty maps and nulls are leaves',
      schema: IS,
      value: { metadata: { annotations: {} }, spec: { tags: [{ name: 'v1', annotations: null }] } },
      want: [
        '.metadata.annotations',
        '.spec.tags[name="v1"]',
        '.spec.tags[name="v1"].annotations',
        '.spec.tags[name="v1"].name',
      ],
    },
    {
      name: 'lists without a merge key are atomic (tag history)',
      schema: IS,
      value: { status: { tags: [{ tag: 'v1', items: [{ image: 'a' }, { image: 'b' }] }] } },
      want: [
        '.status.tags[tag="v1"]',
        '.status.tags[tag="v1"].items',
        '.status.tags[tag="v1"].tag',
      ],
    },
    {
      name: 'a Secret data map',
      schema: SECRET,
      value: { data: { a: 'eA==', b: 'eQ==' }, type: 'Opaque' },
      want: ['.data.a', '.data.b', '.type'],
    },
    {
      name: 'ServiceAccount secrets are keyed by name, imagePullSecrets atomic',
      schema: SA,
      value: { secrets: [{ name: 'a' }], imagePullSecrets: [{ name: 'p' }] },
      want: ['.imagePullSecrets', '.secrets[name="a"]'],
    },
    {
      name: 'finalizers are a set',
      schema: IS,
      value: { metadata: { finalizers: ['x', 'y'] } },
      want: ['.metadata.finalizers[="x"]', '.metadata.finalizers[="y"]'],
    },
  ]
  for (const c of cases)
    it(c.name, () => assert.deepEqual(strings(toFieldSet(c.value, c.schema)), c.want.sort()))
})

describe('compare', () => {
  const cases: {
    name: string
    lhs: unknown
    rhs: unknown
    added?: string[]
    modified?: string[]
    removed?: string[]
  }[] = [
    {
      name: 'a new map is added with its entries',
      lhs: { metadata: {} },
      rhs: { metadata: { labels: { a: '1' } } },
      added: ['.metadata.labels', '.metadata.labels.a'],
    },
    {
      name: 'changed and removed entries',
      lhs: { metadata: { labels: { a: '1', b: '2' } } },
      rhs: { metadata: { labels: { a: '3' } } },
      modified: ['.metadata.labels.a'],
      removed: ['.metadata.labels.b'],
    },
    {
      name: 'tags compare by name, not position',
      lhs: {
        spec: { tags: [{ name: 'v1' }, { name: 'v2', from: { kind: 'DockerImage', name: 'x' } }] },
      },
      rhs: {
        spec: { tags: [{ name: 'v2', from: { kind: 'DockerImage', name: 'y' } }, { name: 'v1' }] },
      },
      modified: ['.spec.tags[name="v2"].from'],
    },
    {
      name: 'atomic lists change as a whole',
      lhs: { status: { tags: [{ tag: 'v1', items: [{ image: 'a' }] }] } },
      rhs: { status: { tags: [{ tag: 'v1', items: [{ image: 'b' }] }] } },
      modified: ['.status.tags[tag="v1"].items'],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const got = compare(c.lhs, c.rhs, IS)
      assert.deepEqual(strings(got.added), (c.added ?? []).sort())
      assert.deepEqual(strings(got.modified), (c.modified ?? []).sort())
      assert.deepEqual(strings(got.removed), (c.removed ?? []).sort())
    })
  }
})

describe('merge', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    {
      name: 'maps merge key by key',
      live: { metadata: { labels: { a: '1', b: '2' } } },
      config: { metadata: { labels: { b: '3', c: '4' } } },
      want: { metadata: { labels: { a: '1', b: '3', c: '4' } } },
    },
    {
      name: 'tags merge by name; items only the live list has keep their place',
      live: { spec: { tags: [{ name: 'a' }, { name: 'b', reference: true }, { name: 'c' }] } },
      config: { spec: { tags: [{ name: 'd' }, { name: 'b', generation: 0 }] } },
      want: {
        spec: {
          tags: [
            { name: 'a' },
            { name: 'd' },
            { name: 'b', reference: true, generation: 0 },
            { name: 'c' },
          ],
        },
      },
    },
    {
      name: 'atomic lists are replaced',
      live: { status: { tags: [{ tag: 'v1', items: [{ image: 'a' }, { image: 'b' }] }] } },
      config: { status: { tags: [{ tag: 'v1', items: [{ image: 'c' }] }] } },
      want: { status: { tags: [{ tag: 'v1', items: [{ image: 'c' }] }] } },
    },
  ]
  for (const c of cases) it(c.name, () => assert.deepEqual(merge(c.live, c.config, IS), c.want))

  it('refuses duplicate and missing keys in the configuration', () => {
    assert.throws(
      () => merge({}, { spec: { tags: [{ name: 'a' }, { name: 'a' }] } }, IS),
      (err: unknown) =>
        err instanceof TypedValueError &&
        err.message === '.spec.tags: duplicate entries for key [name="a"]',
    )
    assert.throws(
      () => merge({}, { spec: { tags: [{ from: {} }] } }, IS),
      /^TypedValueError: \.spec\.tags: element 0: associative list with keys has an element that omits key field "name"/,
    )
  })
})

describe('removeItems', () => {
  it('removes entries and items, and what they leave empty', () => {
    const value = {
      metadata: { name: 'x', labels: { a: '1' } },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'x' } }, { name: 'v2' }] },
    }
    const set = FieldSet.fromFieldsV1({
      'f:metadata': { 'f:labels': { 'f:a': {} } },
      'f:spec': { 'f:tags': { 'k:{"name":"v1"}': {} } },
    })
    assert.deepEqual(removeItems(value, set, IS), {
      metadata: { name: 'x' },
      spec: { tags: [{ name: 'v2' }] },
    })
  })
})
