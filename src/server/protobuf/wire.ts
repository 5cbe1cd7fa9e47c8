/**
 * The protobuf wire format, as far as Kubernetes request bodies and the OpenAPI v2 document need
 * it: a message is a run of (tag, value) fields, where the tag's low three bits give the wire
 * type (0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit). Group wire types 3 and 4
 * are refused: no Kubernetes message uses them. Every read is bounds-checked and charged to a
 * per-body budget, because the bytes come from the network.
 */
import { isUtf8 } from 'node:buffer'
import { UnsupportedProtobufError } from './errors.js'

/** The hard limits one body is decoded under. */
export const PROTOBUF_LIMITS = Object.freeze({
  /** The server's own body cap, checked again so the decoder is safe when called on its own. */
  maxBodyBytes: 3 * 1024 * 1024,
  /**
   * Fields across the whole body, at every nesting level. kubectl's bodies hold a few dozen; the
   * cap bounds the objects a 3 MiB body of one-byte fields could make us allocate.
   */
  maxFields: 100_000,
  /**
   * Message nesting plus the JSON nesting inside `managedFields[].fieldsV1`. A valid body nests
   * about five messages deep; a deep JSON value would later overflow the stack of whatever
   * walks it (JSON.stringify, a patch, a validator).
   */
  maxDepth: 32,
})

/** Budget is what one decode has spent; readFields charges every field to it. */
export interface Budget {
  fields: number
}

/** WireField is one field of a message as it appears on the wire. */
export type WireField =
  | { readonly number: number; readonly wireType: 0; readonly value: bigint }
  | { readonly number: number; readonly wireType: 1 | 2 | 5; readonly value: Buffer }

/** The wire type names used in error messages. */
export const WIRE_TYPE_NAMES: Readonly<Record<WireField['wireType'], string>> = {
  0: 'varint',
  1: 'fixed64',
  2: 'length-delimited',
  5: 'fixed32',
}

const MAX_TAG = 0xffff_ffff

type VarintPart = 'tag' | 'length' | 'value'

/** Cursor is a read position in one message. */
interface Cursor {
  readonly buf: Buffer
  readonly path: string
  pos: number
}

/**
 * uvarint reads a varint as a double: fast, and exact below 2^53, and anything larger is refused
 * by the tag and length range checks anyway. Varints are at most 10 bytes (64 bits, 7 per byte)
 * and the 10th may only carry the top bit. `part` and `number` name the varint in an error only:
 * building those strings for every field would dominate the decode.
 */
function uvarint(c: Cursor, part: VarintPart, number: number): number {
  const start = c.pos
  let value = 0
  for (let i = 0; i < 10; i++) {
    const byte = c.buf[c.pos++]
    if (byte === undefined) throw varintError(c, 'truncated varint in', part, number, start)
    value += (byte & 0x7f) * 2 ** (7 * i)
    if (byte < 0x80) {
      if (i === 9 && byte > 1)
        throw varintError(c, 'varint overflows 64 bits in', part, number, start)
      return value
    }
  }
  throw varintError(c, 'varint longer than 10 bytes in', part, number, start)
}

function varintError(
  c: Cursor,
  problem: string,
  part: VarintPart,
  number: number,
  start: number,
): UnsupportedProtobufError {
  const what = part === 'tag' ? `the tag at byte ${start}` : `the ${part} of field ${number}`
  return new UnsupportedProtobufError(`${c.path}: ${problem} ${what}`)
}

/** varint64 reads a field value: all 64 bits, exactly, as the unsigned bigint on the wire. */
function varint64(c: Cursor, number: number): bigint {
  const start = c.pos
  uvarint(c, 'value', number)
  let value = 0n
  for (let i = c.pos - 1; i >= start; i--) value = (value << 7n) | BigInt(c.buf[i]! & 0x7f)
  return value
}

/**
 * readFields splits one message into its fields, in wire order. `path` names the message in
 * error messages (`Secret.metadata`).
 */
export function readFields(buf: Buffer, budget: Budget, path: string): WireField[] {
  const fail = (problem: string): UnsupportedProtobufError =>
    new UnsupportedProtobufError(`${path}: ${problem}`)
  const fields: WireField[] = []
  const c: Cursor = { buf, path, pos: 0 }

  while (c.pos < buf.length) {
    if (++budget.fields > PROTOBUF_LIMITS.maxFields) {
      throw fail(`the body has more than ${PROTOBUF_LIMITS.maxFields} fields`)
    }
    const tag = uvarint(c, 'tag', 0)
    if (tag > MAX_TAG) throw fail(`tag ${tag} is out of range`)
    const number = Math.floor(tag / 8)
    const wireType = tag % 8
    if (number === 0) throw fail('field number 0 is not allowed')
    switch (wireType) {
      case 0:
        fields.push({ number, wireType, value: varint64(c, number) })
        break
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4
        if (buf.length - c.pos < size) {
          throw fail(`field ${number} needs ${size} bytes, ${buf.length - c.pos} left`)
        }
        fields.push({ number, wireType, value: buf.subarray(c.pos, c.pos + size) })
        c.pos += size
        break
      }
      case 2: {
        const length = uvarint(c, 'length', number)
        if (length > buf.length - c.pos) {
          throw fail(
            `field ${number} has length ${length}, past the end of the message (${buf.length - c.pos} bytes left)`,
          )
        }
        fields.push({ number, wireType, value: buf.subarray(c.pos, c.pos + length) })
        c.pos += length
        break
      }
      case 3:
      case 4:
        throw fail(
          `field ${number} uses the deprecated group wire type, which Kubernetes never sends`,
        )
      default:
        throw fail(`field ${number} has the invalid wire type ${wireType}`)
    }
  }
  return fields
}

/**
 * utf8 decodes a string field, refusing bytes that are not UTF-8: replacing them with U+FFFD
 * would let two different names decode alike. A leading BOM is kept as the sender wrote it.
 */
export function utf8(bytes: Buffer, path: string): string {
  if (!isUtf8(bytes)) throw new UnsupportedProtobufError(`${path}: the string is not valid UTF-8`)
  return bytes.toString('utf8')
}

/**
 * MessageWriter builds one message in the same wire format, for what the server sends as
 * protobuf. Fields are written in call order; proto3 leaves out scalars at their defaults, so
 * empty strings and `false` are skipped, while a sub-message is always written (its presence
 * can matter, as in a oneof).
 */
export class MessageWriter {
  readonly #parts: Buffer[] = []

  /** string writes a length-delimited UTF-8 field, unless empty. */
  string(number: number, value: string | undefined): this {
    if (value === undefined || value === '') return this
    return this.bytes(number, Buffer.from(value, 'utf8'))
  }

  /** strings writes a repeated string field, one entry each (empty ones included). */
  strings(number: number, values: readonly string[] | undefined): this {
    for (const value of values ?? []) this.bytes(number, Buffer.from(value, 'utf8'))
    return this
  }

  /** bool writes a varint field, unless false: a oneof member is written even then (`always`). */
  bool(number: number, value: boolean | undefined, always = false): this {
    if (value === undefined || (value === false && !always)) return this
    this.#parts.push(varint(number * 8), varint(value ? 1 : 0))
    return this
  }

  /** message writes a length-delimited field holding an encoded message, even an empty one. */
  message(number: number, encoded: Buffer): this {
    return this.bytes(number, encoded)
  }

  /** finish is the encoded message. */
  finish(): Buffer {
    return Buffer.concat(this.#parts)
  }

  private bytes(number: number, payload: Buffer): this {
    this.#parts.push(varint(number * 8 + 2), varint(payload.length), payload)
    return this
  }
}

/** varint encodes a non-negative integer below 2^53 (tags and lengths). */
function varint(value: number): Buffer {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80)
    rest = Math.floor(rest / 0x80)
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}
