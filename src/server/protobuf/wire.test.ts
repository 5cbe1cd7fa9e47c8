import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { WireField } from './wire.js'
import { MessageWriter, readFields } from './wire.js'

const read = (hex: string): WireField[] => readFields(Buffer.from(hex, 'hex'), { fields: 0 }, 'm')

// [wire bytes, the fields readFields must return]
const cases: readonly (readonly [string, readonly WireField[]])[] = [
  ['', []],
  ['0800', [{ number: 1, wireType: 0, value: 0n }]],
  ['087f', [{ number: 1, wireType: 0, value: 127n }]],
  ['088001', [{ number: 1, wireType: 0, value: 128n }]],
  ['08ac02', [{ number: 1, wireType: 0, value: 300n }]],
  // A non-minimal encoding is still valid protobuf.
  ['088000', [{ number: 1, wireType: 0, value: 0n }]],
  // -1 as int64: ten bytes, the top bit in the last one.
  ['08ffffffffffffffffff01', [{ number: 1, wireType: 0, value: (1n << 64n) - 1n }]],
  ['0880808080808080808001', [{ number: 1, wireType: 0, value: 1n << 63n }]],
  // The largest field number protobuf allows, 2^29 - 1.
  ['f8ffffff0f05', [{ number: 2 ** 29 - 1, wireType: 0, value: 5n }]],
  ['0a03616263', [{ number: 1, wireType: 2, value: Buffer.from('abc') }]],
  ['1200', [{ number: 2, wireType: 2, value: Buffer.alloc(0) }]],
  ['1d01020304', [{ number: 3, wireType: 5, value: Buffer.from('01020304', 'hex') }]],
  [
    '210102030405060708',
    [{ number: 4, wireType: 1, value: Buffer.from('0102030405060708', 'hex') }],
  ],
  [
    '08010a00',
    [
      { number: 1, wireType: 0, value: 1n },
      { number: 1, wireType: 2, value: Buffer.alloc(0) },
    ],
  ],
]

void describe('readFields', () => {
  for (const [hex, want] of cases) {
    void it(hex || '(empty)', () => {
      assert.deepEqual(read(hex), want)
    })
  }

  void it('charges every field to the shared budget', () => {
    const budget = { fields: 0 }
    readFields(Buffer.from('08010801', 'hex'), budget, 'a')
    readFields(Buffer.from('0801', 'hex'), budget, 'b')
    assert.equal(budget.fields, 3)
  })

  void it('returns views into the input, not copies', () => {
    const buf = Buffer.from('0a03616263', 'hex')
    const own = readFields(buf, { fields: 0 }, 'm')[0]
    assert.ok(own?.wireType === 2)
    assert.equal(own.value.buffer, buf.buffer)
  })
})

describe('MessageWriter', () => {
  it('writes what readFields reads: defaults left out, oneof false and empty messages kept', () => {
    const long = 'x'.repeat(300)
    const inner = new MessageWriter().string(1, 'a').finish()
    const bytes = new MessageWriter()
      .string(1, '')
      .string(2, long)
      .strings(3, ['', 'b'])
      .bool(4, false)
      .bool(5, true)
      .bool(6, false, true)
      .message(7, Buffer.alloc(0))
      .message(2 ** 29 - 1, inner)
      .finish()
    assert.deepEqual(readFields(bytes, { fields: 0 }, 'm'), [
      { number: 2, wireType: 2, value: Buffer.from(long) },
      { number: 3, wireType: 2, value: Buffer.alloc(0) },
      { number: 3, wireType: 2, value: Buffer.from('b') },
      { number: 5, wireType: 0, value: 1n },
      { number: 6, wireType: 0, value: 0n },
      { number: 7, wireType: 2, value: Buffer.alloc(0) },
      { number: 2 ** 29 - 1, wireType: 2, value: inner },
    ])
    // A 300-byte string needs a two-byte length: 0xac 0x02.
    assert.deepEqual([...bytes.subarray(0, 3)], [0x12, 0xac, 0x02])
  })
})
