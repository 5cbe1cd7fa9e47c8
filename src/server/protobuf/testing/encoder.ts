/** A minimal Kubernetes protobuf encoder for tests: enough to build the bodies kubectl never sends. */

/** varint is a base-128 varint; negative values are their 64-bit two's complement. */
export const varint = (value: bigint | number): Buffer => {
  let v = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return Buffer.from(out)
}
/** tag is a field's key: its number and wire type. */
export const tag = (field: number, wireType: number): Buffer => varint((field << 3) | wireType)
/** bytes is a length-delimited field. */
export const bytes = (field: number, value: string | Buffer): Buffer => {
  const data = typeof value === 'string' ? Buffer.from(value) : value
  return Buffer.concat([tag(field, 2), varint(data.length), data])
}
/** msg is an embedded message made of `parts`. */
export const msg = (field: number, ...parts: Buffer[]): Buffer => bytes(field, Buffer.concat(parts))
/** num is a varint field. */
export const num = (field: number, value: bigint | number): Buffer =>
  Buffer.concat([tag(field, 0), varint(value)])
/** entry is one map entry {1: key, 2: value}. */
export const entry = (field: number, key: string, value: string | Buffer): Buffer =>
  msg(field, bytes(1, key), bytes(2, value))
/** time is a metav1.Time {1: seconds, 2: nanos}. */
export const time = (field: number, seconds: bigint | number, nanos = 0): Buffer =>
  msg(field, num(1, seconds), num(2, nanos))

/** MAGIC is the prefix of every Kubernetes protobuf body. */
export const MAGIC = Buffer.from('k8s\0', 'latin1')
/** envelope wraps `raw` in runtime.Unknown {typeMeta, raw, contentEncoding, contentType}. */
export const envelope = (
  apiVersion: string,
  kind: string,
  raw: Buffer,
  tail: Buffer = Buffer.concat([bytes(3, ''), bytes(4, '')]),
): Buffer =>
  Buffer.concat([MAGIC, msg(1, bytes(1, apiVersion), bytes(2, kind)), bytes(2, raw), tail])
