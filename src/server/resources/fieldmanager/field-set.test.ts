import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FieldSet } from './field-set.js'
import { fieldElement as f, keyElement, pathString, type Path } from './path.js'

const k = (name: string) => keyElement([['name', name]])

describe('FieldSet fieldsV1', () => {
  const cases: { name: string; paths: Path[]; json: unknown }[] = [
    { name: 'empty', paths: [], json: {} },
    {
      name: 'a member with children carries "."',
      paths: [
        [f('metadata'), f('labels')],
        [f('metadata'), f('labels'), f('app')],
      ],
      json: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    },
    {
      name: 'list-map items by key, fields before keys',
      paths: [
        [f('spec'), f('tags'), k('v2'), f('name')],
        [f('spec'), f('tags'), k('v1')],
        [f('spec'), f('tags'), k('v1'), f('from'), f('name')],
        [f('spec'), f('lookupPolicy'), f('local')],
      ],
      json: {
        'f:spec': {
          'f:lookupPolicy': { 'f:local': {} },
          'f:tags': {
            'k:{"name":"v1"}': { '.': {}, 'f:from': { 'f:name': {} } },
            'k:{"name":"v2"}': { 'f:name': {} },
          },
        },
      },
    },
    {
      name: 'set values and indexes',
      paths: [
        [f('metadata'), f('finalizers'), { value: 'a/b' }],
        [f('x'), { index: 0 }],
      ],
      json: { 'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } }, 'f:x': { 'i:0': {} } },
    },
    {
      name: 'keys with several fields are sorted by name',
      paths: [
        [
          f('ports'),
          keyElement([
            ['protocol', 'TCP'],
            ['containerPort', 80],
          ]),
        ],
      ],
      json: { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } },
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const set = FieldSet.of(...c.paths)
      assert.deepEqual(set.toFieldsV1(), c.json)
      assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(c.json))
      const back = FieldSet.fromFieldsV1(c.json)
      assert.deepEqual(back.toFieldsV1(), c.json)
      for (const p of c.paths) assert.ok(back.has(p), pathString(p))
    })
  }

  it('skips element types it does not know and refuses malformed keys', () => {
    assert.deepEqual(FieldSet.fromFieldsV1({ 'z:new': {}, 'f:a': {} }).toFieldsV1(), { 'f:a': {} })
    assert.throws(() => FieldSet.fromFieldsV1({ f: {} }), /2 characters/)
    assert.throws(() => FieldSet.fromFieldsV1({ fx: {} }), /missing colon/)
    assert.throws(() => FieldSet.fromFieldsV1({ 'i:x': {} }), /invalid index/)
  })
})

describe('FieldSet operations', () => {
  const a = FieldSet.of([f('a')], [f('b'), f('c')], [f('b'), f('d')], [f('e')], [f('e'), f('f')])
  const b = FieldSet.of([f('b'), f('c')], [f('e')], [f('g')])
  const cases: { name: string; got: FieldSet; want: string[] }[] = [
    { name: 'union', got: a.union(b), want: ['.a', '.e', '.g', '.b.c', '.b.d', '.e.f'] },
    { name: 'intersection', got: a.intersection(b), want: ['.e', '.b.c'] },
    { name: 'difference (paths only)', got: a.difference(b), want: ['.a', '.b.d', '.e.f'] },
    {
      name: 'recursive difference drops subtrees',
      got: a.recursiveDifference(b),
      want: ['.a', '.b.d'],
    },
  ]
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(c.got.paths().map(pathString), c.want))
  }
  it('has and empty', () => {
    assert.ok(a.has([f('b'), f('c')]))
    assert.ok(!a.has([f('b')]))
    assert.ok(new FieldSet().empty())
    assert.ok(a.difference(a).empty())
  })
})

describe('paths as conflict messages print them', () => {
  const cases: [Path, string][] = [
    [
      [f('metadata'), f('labels'), f('app.kubernetes.io/name')],
      '.metadata.labels.app.kubernetes.io/name',
    ],
    [[f('spec'), f('tags'), k('v1'), f('from'), f('name')], '.spec.tags[name="v1"].from.name'],
    [[f('metadata'), f('finalizers'), { value: 'x' }], '.metadata.finalizers[="x"]'],
    [[f('a'), { index: 3 }], '.a[3]'],
  ]
  for (const [path, text] of cases) it(text, () => assert.equal(pathString(path), text))
})
