/**
 * Decodes a protobuf message into the JSON object Go's encoding/json would write for the same
 * Kubernetes struct, driven by a small schema per message. Each field spec states the Go type
 * and json tag it mirrors, because that decides what a zero value becomes: `omitempty` strings,
 * integers, slices and maps vanish when empty, pointers appear exactly when they were sent,
 * embedded structs always appear, and a zero `metav1.Time` is `null`.
 *
 * Protobuf rules kept: unknown field numbers are skipped (the apiserver's generated decoders do
 * the same), the last occurrence of a singular scalar wins, repeated occurrences of a singular
 * message merge, and the last entry for a map key wins. A known field with the wrong wire type
 * is an error.
 */
import { quote, UnsupportedProtobufError } from './errors.js'
import type { Budget, WireField } from './wire.js'
import { PROTOBUF_LIMITS, readFields, utf8, WIRE_TYPE_NAMES } from './wire.js'

/** FieldSpec maps one protobuf field onto its JSON key; `type` names the Go shape it mirrors. */
export type FieldSpec = { readonly json: string } & (
  | { readonly type: 'string' } // string `json:",omitempty"`
  | { readonly type: 'required-string' } // string without omitempty: "" is written
  | { readonly type: 'optional-bool' } // *bool
  | { readonly type: 'int64' } // int64 `json:",omitempty"`
  | { readonly type: 'optional-int64' } // *int64
  | { readonly type: 'time' } // metav1.Time: always written, null when zero
  | { readonly type: 'optional-time' } // *metav1.Time
  | { readonly type: 'message'; readonly schema: MessageSchema } // embedded struct: always written
  | { readonly type: 'optional-message'; readonly schema: MessageSchema } // *struct
  | { readonly type: 'strings' } // []string `json:",omitempty"`
  | { readonly type: 'messages'; readonly schema: MessageSchema } // []struct `json:",omitempty"`
  | { readonly type: 'string-map' } // map[string]string `json:",omitempty"`
  | { readonly type: 'bytes-map' } // map[string][]byte: values become base64
  | { readonly type: 'strings-map' } // map[string]ExtraValue `json:",omitempty"`, ExtraValue []string
  | { readonly type: 'fields-v1' } // *metav1.FieldsV1: raw JSON bytes
)

/** MessageSchema is one message: field number to spec, in the Go struct's order (= JSON order). */
export interface MessageSchema {
  readonly name: string
  readonly fields: ReadonlyMap<number, FieldSpec>
}

/** messageSchema builds a schema from `[number, spec]` pairs listed in Go struct order. */
export function messageSchema(
  name: string,
  fields: readonly (readonly [number, FieldSpec])[],
): MessageSchema {
  return { name, fields: new Map(fields) }
}

const VARINT_TYPES: ReadonlySet<FieldSpec['type']> = new Set([
  'optional-bool',
  'int64',
  'optional-int64',
])

/** decodeMessage decodes `bytes` as `schema` into its JSON object. */
export function decodeMessage(
  bytes: Buffer,
  schema: MessageSchema,
  budget: Budget,
  path: string,
  depth: number,
): Record<string, unknown> {
  const fields = collect(bytes, budget, path, depth, (n) => {
    const spec = schema.fields.get(n)
    return spec === undefined ? undefined : VARINT_TYPES.has(spec.type) ? 0 : 2
  })
  const out: Record<string, unknown> = {}
  for (const [number, spec] of schema.fields) {
    const value = fieldJson(spec, fields.varints.get(number), fields.chunks.get(number), {
      budget,
      path: `${path}.${spec.json}`,
      depth: depth + 1,
    })
    if (value !== undefined) out[spec.json] = value
  }
  return out
}

interface Where {
  readonly budget: Budget
  readonly path: string
  /** The depth of a message held by this field. */
  readonly depth: number
}

function fieldJson(
  spec: FieldSpec,
  varints: readonly bigint[] | undefined,
  chunks: readonly Buffer[] | undefined,
  at: Where,
): unknown {
  switch (spec.type) {
    case 'string': {
      const bytes = last(chunks)
      return bytes === undefined || bytes.length === 0 ? undefined : utf8(bytes, at.path)
    }
    case 'required-string':
      return utf8(last(chunks) ?? Buffer.alloc(0), at.path)
    case 'optional-bool': {
      const value = last(varints)
      return value === undefined ? undefined : value !== 0n
    }
    case 'int64': {
      const value = last(varints)
      return value === undefined || value === 0n ? undefined : int64(value, at.path)
    }
    case 'optional-int64': {
      const value = last(varints)
      return value === undefined ? undefined : int64(value, at.path)
    }
    case 'time': {
      const bytes = last(chunks)
      return bytes === undefined ? null : time(bytes, at)
    }
    case 'optional-time': {
      const bytes = last(chunks)
      return bytes === undefined ? undefined : time(bytes, at)
    }
    case 'message':
      return decodeMessage(merged(chunks), spec.schema, at.budget, at.path, at.depth)
    case 'optional-message':
      return chunks === undefined
        ? undefined
        : decodeMessage(merged(chunks), spec.schema, at.budget, at.path, at.depth)
    case 'strings':
      return chunks === undefined ? undefined : chunks.map((c) => utf8(c, at.path))
    case 'messages':
      return chunks?.map((c, i) =>
        decodeMessage(c, spec.schema, at.budget, `${at.path}[${i}]`, at.depth),
      )
    case 'string-map':
    case 'bytes-map':
      return chunks === undefined ? undefined : map(chunks, spec.type === 'bytes-map', at)
    case 'strings-map':
      return chunks === undefined ? undefined : stringsMap(chunks, at)
    case 'fields-v1':
      return chunks === undefined ? undefined : fieldsV1(merged(chunks), at)
  }
}

interface Collected {
  readonly varints: Map<number, bigint[]>
  readonly chunks: Map<number, Buffer[]>
}

/**
 * collect reads one message and groups the fields the caller knows by number, checking their
 * wire type; `wireTypeOf` answers 0 (varint), 2 (length-delimited) or undefined (skip).
 */
function collect(
  bytes: Buffer,
  budget: Budget,
  path: string,
  depth: number,
  wireTypeOf: (number: number) => 0 | 2 | undefined,
): Collected {
  if (depth > PROTOBUF_LIMITS.maxDepth) {
    throw new UnsupportedProtobufError(
      `${path}: nested more than ${PROTOBUF_LIMITS.maxDepth} levels deep`,
    )
  }
  const out: Collected = { varints: new Map(), chunks: new Map() }
  for (const field of readFields(bytes, budget, path)) {
    const want = wireTypeOf(field.number)
    if (want === undefined) continue
    if (field.wireType !== want) {
      throw new UnsupportedProtobufError(
        `${path}: field ${field.number} is ${WIRE_TYPE_NAMES[field.wireType]}, want ${WIRE_TYPE_NAMES[want]}`,
      )
    }
    push(out, field)
  }
  return out
}

function push(out: Collected, field: WireField): void {
  if (field.wireType === 0) {
    const list = out.varints.get(field.number)
    if (list) list.push(field.value)
    else out.varints.set(field.number, [field.value])
  } else {
    const list = out.chunks.get(field.number)
    if (list) list.push(field.value)
    else out.chunks.set(field.number, [field.value])
  }
}

function last<T>(list: readonly T[] | undefined): T | undefined {
  return list?.[list.length - 1]
}

// Concatenating the occurrences of a singular message and decoding once is protobuf's merge.
function merged(chunks: readonly Buffer[] | undefined): Buffer {
  if (chunks === undefined) return Buffer.alloc(0)
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
}

// JSON numbers in JavaScript are doubles: refuse what they cannot hold exactly rather than round.
function int64(value: bigint, path: string): number {
  const signed = BigInt.asIntN(64, value)
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new UnsupportedProtobufError(`${path}: ${signed} does not fit a JSON number exactly`)
  }
  return Number(signed)
}

// metav1.Time travels as a Timestamp {1: seconds, 2: nanos}. Go drops the nanos when decoding
// and writes whole-second RFC 3339 in UTC; Go's zero time (year 1) and an empty message are null.
const ZERO_TIME_SECONDS = -62_135_596_800n
const MAX_TIME_SECONDS = 253_402_300_799n // 9999-12-31T23:59:59Z: RFC 3339 has four-digit years

function time(bytes: Buffer, at: Where): string | null {
  if (bytes.length === 0) return null
  // The last Timestamp wins: metav1.Time's own Unmarshal replaces, it does not merge.
  const fields = collect(bytes, at.budget, at.path, at.depth, (n) =>
    n === 1 || n === 2 ? 0 : undefined,
  )
  const seconds = BigInt.asIntN(64, last(fields.varints.get(1)) ?? 0n)
  if (seconds === ZERO_TIME_SECONDS) return null
  if (seconds < ZERO_TIME_SECONDS || seconds > MAX_TIME_SECONDS) {
    throw new UnsupportedProtobufError(`${at.path}: ${seconds} seconds is outside years 1 to 9999`)
  }
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// A map entry is a message {1: key, 2: value}; a missing key or value is the empty string.
function map(chunks: readonly Buffer[], bytesValues: boolean, at: Where): Record<string, string> {
  const entries = new Map<string, string>()
  for (const chunk of chunks) {
    const fields = collect(chunk, at.budget, at.path, at.depth, (n) =>
      n === 1 || n === 2 ? 2 : undefined,
    )
    const key = utf8(last(fields.chunks.get(1)) ?? Buffer.alloc(0), at.path)
    const value = last(fields.chunks.get(2)) ?? Buffer.alloc(0)
    entries.set(
      key,
      bytesValues ? value.toString('base64') : utf8(value, `${at.path}[${quote(key)}]`),
    )
  }
  // Go writes map keys sorted (JavaScript still lists integer-like keys first; JSON objects are
  // unordered anyway). Object.fromEntries defines own properties, so a key such as "__proto__"
  // stays data instead of reaching the prototype.
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

// A map of string lists (authorization/v1 ExtraValue): each entry's value is {1: repeated item}.
// A later entry for a key replaces an earlier one, as for any protobuf map.
function stringsMap(chunks: readonly Buffer[], at: Where): Record<string, string[]> {
  const entries = new Map<string, string[]>()
  for (const chunk of chunks) {
    const fields = collect(chunk, at.budget, at.path, at.depth, (n) =>
      n === 1 || n === 2 ? 2 : undefined,
    )
    const key = utf8(last(fields.chunks.get(1)) ?? Buffer.alloc(0), at.path)
    const where = `${at.path}[${quote(key)}]`
    const items = collect(merged(fields.chunks.get(2)), at.budget, where, at.depth + 1, (n) =>
      n === 1 ? 2 : undefined,
    )
    entries.set(
      key,
      (items.chunks.get(1) ?? []).map((item) => utf8(item, where)),
    )
  }
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

// FieldsV1 is {1: Raw}, Raw being JSON text. Its depth counts against the same limit as the
// messages around it, and is measured before parsing so no deep value is ever built.
function fieldsV1(bytes: Buffer, at: Where): unknown {
  const fields = collect(bytes, at.budget, at.path, at.depth, (n) => (n === 1 ? 2 : undefined))
  const raw = last(fields.chunks.get(1))
  if (raw === undefined || raw.length === 0) return null
  const text = utf8(raw, at.path)
  if (at.depth + jsonDepth(text) > PROTOBUF_LIMITS.maxDepth) {
    throw new UnsupportedProtobufError(
      `${at.path}: nested more than ${PROTOBUF_LIMITS.maxDepth} levels deep`,
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new UnsupportedProtobufError(`${at.path}: not valid JSON`, { cause })
  }
}

/** jsonDepth is the deepest bracket nesting in `text`, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      deepest = Math.max(deepest, ++depth)
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return deepest
}
