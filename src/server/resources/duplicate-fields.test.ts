import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { duplicateFields } from './duplicate-fields.js'

describe('duplicateFields', () => {
  const cases: [string, string[]][] = [
    ['{"a":1,"b":2}', []],
    ['{"a":1,"a":2}', ['a']],
    ['{"metadata":{"name":"x","name":"y"}}', ['metadata.name']],
    ['{"spec":{"tags":[{"name":"a"},{"name":"b","name":"c"}]}}', ['spec.tags[1].name']],
    ['{"a":"x\\",\\"a\\":1","b":{"a":1}}', []],
    ['{"a":[1,{"k":1,"k":2}],"a":3}', ['a[1].k', 'a']],
    [' [ {"x":1} , {"x":1} ] ', []],
    // Escapes: a key spelled two ways is one key; a string ending in backslashes ends there.
    ['{"a":1,"\\u0061":2}', ['a']],
    ['{"k\\\\":"v\\\\","k\\\\":1}', ['k\\']],
    ['{"x":[[{"a":1}],{"b":{"c":1,"c":2}}]}', ['x[1].b.c']],
  ]
  for (const [text, want] of cases) it(text, () => assert.deepEqual(duplicateFields(text), want))
})
