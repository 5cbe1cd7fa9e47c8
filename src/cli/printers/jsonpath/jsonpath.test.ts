import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JsonPath } from './evaluate.js'
import { parseJsonPath, unquoteExtend } from './parser.js'

const store = {
  Name: 'jsonpath',
  Book: [
    { Category: 'reference', Author: 'Nigel Rees', Title: 'Sayings of the Centurey', Price: 8.95 },
    { Category: 'fiction', Author: 'Evelyn Waugh', Title: 'Sword of Honour', Price: 12.99 },
    { Category: 'fiction', Author: 'Herman Melville', Title: 'Moby Dick', Price: 8.99 },
  ],
  Bicycle: [
    { Color: 'red', Price: 19.95, IsNew: true },
    { Color: 'green', Price: 20.01, IsNew: false },
  ],
  Labels: { 'web/html': 15, 'k8s-app': 20 },
  Employees: { jason: 'manager', dan: 'clerk' },
}

const points = [
  { id: 'i1', x: 4, y: -5 },
  { id: 'i2', x: -2, y: -5, z: 1 },
  { id: 'i5', x: 0, y: 2, z: 1 },
  { id: 'i7', x: null, y: 4 },
]

const run = (template: string, data: unknown, allowMissingKeys = true) =>
  JsonPath.parse(template, { allowMissingKeys }).execute(data)

describe('kubectl JSONPath', () => {
  it('prints what client-go prints for its own test templates', () => {
    const cases: [string, unknown, string][] = [
      ['hello jsonpath', null, 'hello jsonpath'],
      ['{[?(@<5)]}', [2, 6, 3, 7], '2 3'],
      ['{"{"}', null, '{'],
      ['{[1,3,4]}', [0, 1, 2, 3, 4], '1 3 4'],
      ['{[0:2]}', ['Monday', 'Tudesday'], 'Monday Tudesday'],
      ['hello {.Name}', store, 'hello jsonpath'],
      ['{$.Labels.web/html}', store, '15'],
      ['{.Labels.k8s-app}', store, '20'],
      ['{.Bicycle[*].Color}', store, 'red green'],
      ['{.Book[*].Author}', store, 'Nigel Rees Evelyn Waugh Herman Melville'],
      ['{..Price}', store, '8.95 12.99 8.99 19.95 20.01'],
      ['{...Price}', store, '8.95 12.99 8.99 19.95 20.01'],
      [
        '{.Book[-1:]}',
        store,
        '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}',
      ],
      ['{..Book[2].Title}', store, 'Moby Dick'],
      ['{.Bicycle[?(@.IsNew==true)].Color}', store, 'red'],
      ['{range .Bicycle[*]}{ "{" }{ @.Color }{ "} " }{end}', store, '{red} {green} '],
      ['{.hello}', store, ''],
      ['before-{.hello}after', store, 'before-after'],
      ['{[?(@.z)].id}', points, 'i2 i5'],
      ["{[0]['id']}", points, 'i1'],
      ["{[-1]['x']}", points, 'null'],
      ['{[*].x}', points, '4 -2 0 null'],
      ['{[1:4:2].id}', points, 'i2 i7'],
      ['{.Labels}', store, '{"k8s-app":20,"web/html":15}'],
      ['{.Book[?(@.Price>10.5)].Title}', store, 'Sword of Honour'],
      ["{.Book[?(@.Category=='fiction')].Price}", store, '12.99 8.99'],
    ]
    for (const [template, data, want] of cases) assert.equal(run(template, data), want, template)
  })

  it('fails where client-go fails, with its messages', () => {
    const parse: [string, string][] = [
      ['{.hello', 'unclosed action'],
      ['{*}', "unrecognized character in action: U+002A '*'"],
      ['{+12.3.0}', 'cannot parse number +12.3.0'],
      ['{[1}', 'unterminated array'],
      ['{[?(.price]}', 'unterminated filter'],
      ['{........}', 'invalid multiple recursive descent'],
      ['{[a]}', 'invalid array index a'],
    ]
    for (const [template, message] of parse) {
      assert.throws(() => parseJsonPath(template), { message }, template)
    }
    const execute: [string, string, boolean][] = [
      ['{hello}', 'unrecognized identifier hello', true],
      ['{.hello}', 'hello is not found', false],
      ['{.Labels[0]}', 'map[string]interface {} is not array or slice', true],
      ['{.Book[?(@.Price<>10)]}', 'unrecognized filter operator <>', true],
      ['{range .Book[*]}{@.Title}{end}{end}', 'not in range, nothing to end', true],
      ['{.Book[5]}', 'array index out of bounds: index 5, length 3', true],
      ['{.Book[?(@.Price=="x")]}', 'incompatible types for comparison', true],
      ['{.Book[?(@.Price>10)]}', 'incompatible types for comparison', true],
    ]
    for (const [template, message, allow] of execute) {
      assert.throws(() => run(template, store, allow), { message }, template)
    }
  })

  it('prints each result group as an indented JSON array for jsonpath-as-json', () => {
    const jp = JsonPath.parse('{.Bicycle[*].Color}', { allowMissingKeys: true, outputJson: true })
    assert.equal(jp.execute(store), '[\n    "red",\n    "green"\n]\n')
  })

  it('unquotes strings as Go does, single quotes included', () => {
    assert.equal(unquoteExtend(String.raw`"a\tb\n"`), 'a\tb\n')
    assert.equal(unquoteExtend(String.raw`'it\'s'`), "it's")
    assert.equal(unquoteExtend(String.raw`"\x41\u00e9"`), 'Aé')
    assert.throws(() => unquoteExtend(String.raw`"\q"`), /invalid syntax/)
  })
})
