import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseTagPage } from './tag-list.js'

describe('parseTagPage', () => {
  const digest = `sha256:${'a'.repeat(64)}`
  const cases: [string, string, string[]][] = [
    ['plain list', '{"name":"a","tags":["v1","v2"]}', ['v1', 'v2']],
    ['tags null after deletes', '{"name":"a","tags":null}', []],
    [
      'nulls, empty strings and digests dropped',
      JSON.stringify({ tags: [null, '', 'v1', digest, 7] }),
      ['v1'],
    ],
    [
      'tags that break the grammar dropped',
      JSON.stringify({ tags: ['.hidden', '-x', 'ok_1.0'] }),
      ['ok_1.0'],
    ],
    ['no tags field', '{"name":"a"}', []],
    ['JSON null', 'null', []],
    ['not JSON', '<html>', []],
  ]
  for (const [name, body, want] of cases) {
    it(name, () => assert.deepEqual(parseTagPage(Buffer.from(body)), want))
  }
})
