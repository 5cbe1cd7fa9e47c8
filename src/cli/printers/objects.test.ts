import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { asDocument, formatDocument, omitManagedFields } from './objects.js'

describe('object output', () => {
  const secret = {
    metadata: { name: 's', creationTimestamp: '2026-01-02T03:04:05Z' },
    kind: 'Secret',
    apiVersion: 'v1',
    data: { b: 'x', a: '<&>' },
    type: 'yes',
  }

  it('prints one object as itself and several as a v1 List', () => {
    assert.equal(asDocument([secret], true), secret)
    assert.deepEqual(asDocument([secret], false), {
      apiVersion: 'v1',
      items: [secret],
      kind: 'List',
      metadata: { resourceVersion: '' },
    })
  })

  it('writes JSON as Go does: sorted keys, four spaces, HTML-safe escapes', () => {
    assert.equal(
      formatDocument({ z: 1, a: { c: '<a&b>', b: [] } }, 'json'),
      '{\n    "a": {\n        "b": [],\n        "c": "\\u003ca\\u0026b\\u003e"\n    },\n    "z": 1\n}\n',
    )
  })

  it('writes YAML as kubectl does: sorted keys, unindented sequences, YAML 1.1 booleans and timestamps quoted (keys too)', () => {
    assert.equal(
      formatDocument(
        { items: [{ b: 'yes', a: '2026-01-02T03:04:05Z' }], kind: 'List', n: '1' },
        'yaml',
      ),
      'items:\n- a: "2026-01-02T03:04:05Z"\n  b: "yes"\nkind: List\n"n": "1"\n',
    )
  })

  it('leaves managedFields out of objects and List items, as kubectl does by default', () => {
    const managed = {
      ...secret,
      metadata: { ...secret.metadata, managedFields: [{ manager: 'kubectl-create' }] },
    }
    assert.deepEqual(omitManagedFields(managed), secret)
    assert.deepEqual(
      omitManagedFields(asDocument([managed, managed], false)),
      asDocument([secret, secret], false),
    )
    assert.equal(formatDocument(managed, 'json'), formatDocument(secret, 'json'))
  })
})
