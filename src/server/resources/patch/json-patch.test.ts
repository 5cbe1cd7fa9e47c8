import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StatusError } from '../../status.js'
import { applyJsonPatch } from './json-patch.js'

const doc = {
  metadata: { name: 'a', labels: { x: '1' } },
  spec: { tags: [{ name: 't1' }, { name: 't2' }] },
}

describe('applyJsonPatch (RFC 6902)', () => {
  const ok: [string, unknown[], unknown][] = [
    [
      'add a key',
      [{ op: 'add', path: '/metadata/labels/y', value: '2' }],
      { ...doc, metadata: { name: 'a', labels: { x: '1', y: '2' } } },
    ],
    [
      'add appends with -',
      [{ op: 'add', path: '/spec/tags/-', value: { name: 't3' } }],
      { ...doc, spec: { tags: [{ name: 't1' }, { name: 't2' }, { name: 't3' }] } },
    ],
    [
      'add inserts at an index',
      [{ op: 'add', path: '/spec/tags/0', value: { name: 't0' } }],
      { ...doc, spec: { tags: [{ name: 't0' }, { name: 't1' }, { name: 't2' }] } },
    ],
    [
      'remove an element',
      [{ op: 'remove', path: '/spec/tags/0' }],
      { ...doc, spec: { tags: [{ name: 't2' }] } },
    ],
    [
      'replace a value',
      [{ op: 'replace', path: '/metadata/name', value: 'b' }],
      { ...doc, metadata: { name: 'b', labels: { x: '1' } } },
    ],
    [
      'move',
      [{ op: 'move', from: '/metadata/labels/x', path: '/metadata/labels/z' }],
      { ...doc, metadata: { name: 'a', labels: { z: '1' } } },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/metadata/name', path: '/metadata/labels/n' }],
      { ...doc, metadata: { name: 'a', labels: { x: '1', n: 'a' } } },
    ],
    [
      'test then replace',
      [
        { op: 'test', path: '/metadata/name', value: 'a' },
        { op: 'replace', path: '/metadata/name', value: 'c' },
      ],
      { ...doc, metadata: { name: 'c', labels: { x: '1' } } },
    ],
    [
      'escaped pointer tokens',
      [{ op: 'add', path: '/metadata/labels/a~1b~0c', value: 'v' }],
      { ...doc, metadata: { name: 'a', labels: { x: '1', 'a/b~c': 'v' } } },
    ],
  ]
  for (const [name, patch, want] of ok) {
    it(name, () => {
      assert.deepEqual(applyJsonPatch(doc, patch), want)
    })
  }

  it('never changes its input', () => {
    const input = structuredClone(doc)
    applyJsonPatch(input, [{ op: 'remove', path: '/metadata/labels' }])
    assert.deepEqual(input, doc)
  })

  const failures: [string, unknown, number, RegExp][] = [
    [
      'a missing key to remove',
      [{ op: 'remove', path: '/metadata/labels/zz' }],
      422,
      /^unable to remove nonexistent key: zz$/,
    ],
    [
      'a missing parent to add into',
      [{ op: 'add', path: '/nope/x', value: 1 }],
      422,
      /add operation does not apply: doc is missing path/,
    ],
    [
      'a missing key to replace',
      [{ op: 'replace', path: '/spec/nope', value: 1 }],
      422,
      /replace operation does not apply/,
    ],
    [
      'a failed test',
      [{ op: 'test', path: '/metadata/name', value: 'z' }],
      422,
      /^testing value \/metadata\/name failed: test failed$/,
    ],
    [
      'an index out of range',
      [{ op: 'add', path: '/spec/tags/9', value: 1 }],
      422,
      /invalid index/,
    ],
    ['an unknown op', [{ op: 'frob', path: '/a' }], 422, /^Unexpected kind: frob$/],
    ['a patch that is not a list', { op: 'add' }, 400, /cannot unmarshal/],
    ['a prototype key', [{ op: 'add', path: '/__proto__/x', value: 1 }], 400, /may not address/],
  ]
  for (const [name, patch, code, message] of failures) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => applyJsonPatch(doc, patch),
        (err: unknown) =>
          err instanceof StatusError && err.httpStatus === code && message.test(err.message),
      )
    })
  }
})
