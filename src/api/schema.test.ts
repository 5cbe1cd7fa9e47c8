import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Image, ImageStream, ImageStreamImport } from './image.js'
import { ListOf, Status, Table, WatchEventOf } from './meta.js'
import { checkSchema, decode, prune, unknownFields } from './schema.js'

describe('prune and unknownFields (the apiserver drops unknown fields on write)', () => {
  const input = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    bogusTopLevel: 1,
    metadata: { name: 'app', labels: { 'any-key': 'v' }, creationTimestamp: null, extra: {} },
    spec: {
      tags: [
        { name: 'v1', bogus: true, from: { kind: 'DockerImage', name: 'a:v1', junk: 'x' } },
        { name: 'v2' },
      ],
    },
  }

  it('lists unknown fields with kube paths', () => {
    assert.deepEqual(unknownFields(ImageStream, input), [
      'bogusTopLevel',
      'metadata.extra',
      'spec.tags[0].bogus',
      'spec.tags[0].from.junk',
    ])
  })

  it('returns a copy without them and without null properties; the input is untouched', () => {
    const before = structuredClone(input)
    assert.deepEqual(prune(ImageStream, input), {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app', labels: { 'any-key': 'v' } },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'a:v1' } }, { name: 'v2' }] },
    })
    assert.deepEqual(input, before)
  })

  it('keeps dockerImageMetadata verbatim (a RawExtension upstream)', () => {
    const image = {
      metadata: { name: `sha256:${'1'.repeat(64)}` },
      dockerImageMetadata: {
        kind: 'DockerImage',
        apiVersion: 'image.openshift.io/1.0',
        Id: 'sha256:x',
        Config: {
          Env: ['A=B'],
          Healthcheck: { Test: ['CMD', 'true'] },
          ExposedPorts: { '80/tcp': {} },
        },
        Future: { anything: [1, 2] },
      },
    }
    assert.deepEqual(unknownFields(Image, image), [])
    assert.deepEqual(prune(Image, image), image)
  })

  it('keeps Table cells and row objects verbatim', () => {
    const table = {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '9' },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: '', priority: 0 },
      ],
      rows: [{ cells: ['app', 3], object: { kind: 'PartialObjectMetadata', whatever: true } }],
    }
    assert.deepEqual(prune(Table, table), table)
  })

  it('descends into nested kinds (an import status holds a stream and images)', () => {
    const isi = {
      metadata: { name: 'app' },
      status: {
        import: { metadata: { name: 'app' }, spec: { nope: 1 } },
        images: [{ status: { status: 'Success', nope: 2 }, image: { metadata: {}, nope: 3 } }],
      },
    }
    assert.deepEqual(unknownFields(ImageStreamImport, isi), [
      'status.import.spec.nope',
      'status.images[0].status.nope',
      'status.images[0].image.nope',
    ])
  })
})

describe('checkSchema (types and required fields as field errors)', () => {
  const rows: readonly {
    readonly name: string
    readonly value: unknown
    readonly want: readonly {
      readonly type: string
      readonly field: string
      readonly message: string
    }[]
  }[] = [
    { name: 'a minimal stream', value: { metadata: { name: 'app' } }, want: [] },
    {
      name: 'missing metadata',
      value: {},
      want: [{ type: 'FieldValueRequired', field: 'metadata', message: 'Required value' }],
    },
    {
      name: 'a spec tag without a name',
      value: { metadata: {}, spec: { tags: [{ from: { kind: 'DockerImage', name: 'x' } }] } },
      want: [{ type: 'FieldValueRequired', field: 'spec.tags[0].name', message: 'Required value' }],
    },
    {
      name: 'a generation that is a string',
      value: { metadata: {}, spec: { tags: [{ name: 'v1', generation: 'x' }] } },
      want: [
        {
          type: 'FieldValueInvalid',
          field: 'spec.tags[0].generation',
          message: 'Invalid value: "x": must be of type integer',
        },
      ],
    },
    {
      name: 'a label value that is a number',
      value: { metadata: { labels: { team: 7 } } },
      want: [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.labels[team]',
          message: 'Invalid value: 7: must be of type string',
        },
      ],
    },
    {
      name: 'a creationTimestamp that is not RFC 3339',
      value: { metadata: { creationTimestamp: 'yesterday' } },
      want: [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.creationTimestamp',
          message:
            'Invalid value: "yesterday": must be an RFC 3339 time, e.g. "2026-11-26T10:00:00Z"',
        },
      ],
    },
  ]
  for (const row of rows) {
    it(row.name, () => {
      const got = checkSchema(ImageStream, row.value).map(({ type, field, message }) => ({
        type,
        field,
        message,
      }))
      assert.deepEqual(got, row.want)
    })
  }

  it('a literal union reports the supported values', () => {
    assert.deepEqual(
      checkSchema(Status, { status: 'Maybe' }).map((e) => e.message),
      ['Unsupported value: "Maybe": supported values: "Success", "Failure"'],
    )
  })

  it('generic List and WatchEvent schemas check their items', () => {
    const list = ListOf(ImageStream)
    assert.deepEqual(checkSchema(list, { items: [{ metadata: { name: 'a' } }] }), [])
    assert.deepEqual(
      checkSchema(list, { items: [{}] }).map((e) => e.field),
      ['items[0].metadata'],
    )
    const event = WatchEventOf(ImageStream)
    assert.deepEqual(checkSchema(event, { type: 'ADDED', object: { metadata: {} } }), [])
    assert.deepEqual(
      checkSchema(event, { type: 'CHANGED', object: { metadata: {} } }).map((e) => e.type),
      ['FieldValueNotSupported'],
    )
  })
})

describe('decode', () => {
  it('returns the pruned, typed value and the unknown fields', () => {
    const result = decode(ImageStream, {
      metadata: { name: 'app', creationTimestamp: null },
      spec: { tags: null },
      bogus: 1,
    })
    assert.equal(result.ok, true)
    assert.deepEqual(result.unknownFields, ['bogus'])
    if (result.ok) assert.deepEqual(result.value, { metadata: { name: 'app' }, spec: {} })
  })

  it('returns field errors, still naming the unknown fields', () => {
    const result = decode(ImageStream, { metadata: { name: 5 }, bogus: 1 })
    assert.equal(result.ok, false)
    assert.deepEqual(result.unknownFields, ['bogus'])
    if (!result.ok)
      assert.deepEqual(
        result.errors.map((e) => e.field),
        ['metadata.name'],
      )
  })

  it('a body that is not an object is a schema error, not an exception', () => {
    for (const body of [null, 'text', 42, []]) {
      const result = decode(ImageStream, body)
      assert.equal(result.ok, false, JSON.stringify(body))
    }
  })
})
