/** Boolean query parameters as apimachinery's Convert_Slice_string_To_bool reads them. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FastifyRequest } from 'fastify'
import { queryFlag, readQuery } from './query.js'

const request = (query: Record<string, string | string[]>) => ({ query }) as FastifyRequest

describe('boolean query parameters', () => {
  const cases: [string, Record<string, string | string[]>, boolean][] = [
    ['absent', {}, false],
    ['true', { watch: 'true' }, true],
    ["Python's True", { watch: 'True' }, true],
    ['TRUE', { watch: 'TRUE' }, true],
    ['1', { watch: '1' }, true],
    ['an empty value (a bare ?watch)', { watch: '' }, true],
    ['any other word', { watch: 'yes' }, true],
    ['false', { watch: 'false' }, false],
    ['False', { watch: 'False' }, false],
    ['FALSE', { watch: 'FALSE' }, false],
    ['0', { watch: '0' }, false],
    ['the first of repeated values', { watch: ['0', 'true'] }, false],
  ]
  for (const [name, query, want] of cases) {
    it(`${name} is ${want}`, () => {
      assert.equal(queryFlag(request(query), 'watch'), want)
      assert.equal(readQuery(request(query)).watch, want)
    })
  }
  it('allowWatchBookmarks reads the same way', () => {
    assert.equal(readQuery(request({ allowWatchBookmarks: 'True' })).allowWatchBookmarks, true)
  })
})
