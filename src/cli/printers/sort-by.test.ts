import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { relaxedJsonPath, sortObjects, sortRows } from './sort-by.js'

const obj = (name: string, labels: Record<string, string> = {}, generation?: number) => ({
  metadata: { name, labels, ...(generation !== undefined && { generation }) },
})

describe('--sort-by', () => {
  it("relaxes paths as kubectl's RelaxedJSONPathExpression does", () => {
    assert.equal(relaxedJsonPath('metadata.name'), '{.metadata.name}')
    assert.equal(relaxedJsonPath('.metadata.name'), '{.metadata.name}')
    assert.equal(relaxedJsonPath('{metadata.name}'), '{.metadata.name}')
    assert.equal(relaxedJsonPath('{.metadata.name}'), '{.metadata.name}')
    assert.throws(
      () => relaxedJsonPath('{.a}{.b}'),
      /unexpected path string, expected a 'name1.name2'/,
    )
  })

  it('orders numbers, quantities, strings, and missing values first', () => {
    const names = (objects: { metadata: { name: string } }[]) => objects.map((o) => o.metadata.name)
    const sized = [
      obj('a', { size: '10' }),
      obj('b', { size: '9' }),
      obj('c', { size: '2Ki' }),
      obj('d'),
    ]
    assert.deepEqual(names(sortObjects(sized, '.metadata.labels.size')), ['d', 'b', 'a', 'c'])
    const words = [obj('zeta', { app: 'b' }), obj('alpha', { app: 'a' }), obj('mid', { app: 'b' })]
    assert.deepEqual(names(sortObjects(words, '{.metadata.labels.app}')), ['alpha', 'zeta', 'mid'])
    const numbered = [obj('x', {}, 3), obj('y', {}, 1), obj('z', {}, 2)]
    assert.deepEqual(names(sortObjects(numbered, 'metadata.generation')), ['y', 'z', 'x'])
  })

  it('fails as kubectl does when no object has the field; tables then print nothing', () => {
    assert.throws(() => sortObjects([obj('a'), obj('b')], '.metadata.nope'), {
      message: 'couldn\'t find any field with path "{.metadata.nope}" in the list of objects',
    })
    assert.equal(
      sortRows([{ object: obj('a') }, { object: obj('b') }], '.metadata.nope'),
      undefined,
    )
    assert.deepEqual(sortRows([{ object: obj('b') }, { object: obj('a') }], '.metadata.name'), [
      { object: obj('a') },
      { object: obj('b') },
    ])
  })
})
