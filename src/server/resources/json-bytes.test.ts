import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JsonBytes } from './json-bytes.js'

describe('JsonBytes', () => {
  const cases: { what: string; capacity: number; texts: string[] }[] = [
    { what: 'nothing', capacity: 0, texts: [] },
    { what: 'ASCII within the first guess', capacity: 100, texts: ['{"a":', '1', '}'] },
    { what: 'ASCII past the first guess', capacity: 1, texts: ['x'.repeat(100), 'y'.repeat(300)] },
    {
      what: 'two- three- and four-byte characters at the end of the Buffer',
      capacity: 64,
      texts: ['a'.repeat(60), 'ä', '€', '😀', 'ü'.repeat(40)],
    },
    { what: 'a lone surrogate', capacity: 64, texts: ['\ud800', 'a'] },
    {
      what: 'short texts, ASCII and not, past the first guess',
      capacity: 64,
      texts: [',', 'x'.repeat(60), '{"a":"ä"}', ',', 'y'.repeat(96), ']}'],
    },
  ]
  for (const { what, capacity, texts } of cases) {
    it(`writes the UTF-8 of the texts one after the other: ${what}`, () => {
      const out = new JsonBytes(capacity)
      for (const text of texts) out.write(text)
      assert.deepEqual(out.bytes(), Buffer.from(texts.join(''), 'utf8'))
    })
  }
})
