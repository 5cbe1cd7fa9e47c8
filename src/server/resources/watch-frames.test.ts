/** Watch frames: each event's line and the same bytes framed as a chunk of a chunked body. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { watchFrame, type WatchLine } from './watch-frames.js'

describe('watchFrame', () => {
  const cases: [string, WatchLine][] = [
    ['ASCII', { type: 'ADDED', object: { metadata: { name: 'a' } } }],
    [
      'multi-byte UTF-8 (size in bytes, not characters)',
      {
        type: 'MODIFIED',
        object: { metadata: { name: 'b', annotations: { note: 'grüße 🐳 日本' } } },
      },
    ],
    [
      'more than 255 bytes (a size of several hex digits)',
      {
        type: 'DELETED',
        object: { metadata: { name: 'c', annotations: { pad: 'x'.repeat(5000) } } },
      },
    ],
  ]
  for (const [name, line] of cases) {
    it(`frames the line as one chunk: ${name}`, () => {
      const frame = watchFrame(line)
      assert.equal(frame.line.toString('utf8'), `${JSON.stringify(line)}\n`)
      const chunk = frame.chunk.toString('latin1')
      const head = chunk.slice(0, chunk.indexOf('\r\n'))
      assert.match(head, /^[0-9a-f]+$/)
      assert.equal(parseInt(head, 16), frame.line.length)
      assert.deepEqual(
        frame.chunk,
        Buffer.concat([Buffer.from(`${head}\r\n`), frame.line, Buffer.from('\r\n')]),
      )
      assert.equal(frame.line.buffer, frame.chunk.buffer, 'the line is a view of the chunk')
    })
  }
})
