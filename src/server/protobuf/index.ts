/**
 * Kubernetes protobuf request bodies (docs/kubernetes-api.md#protobuf-bodies). kubectl 1.32+ sends
 * `create secret|serviceaccount|namespace` as `application/vnd.kubernetes.protobuf` and treats a
 * 415 as fatal, so the server must read them. A body is the magic `k8s\0` followed by a
 * `runtime.Unknown` envelope: {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object),
 * 3: contentEncoding, 4: contentType}. We decode `raw` for the kinds kubectl sends (those three,
 * the access reviews of `kubectl auth can-i`, the TokenRequest of `kubectl create token` and
 * the RBAC kinds of `kubectl create role` and the like) into the JSON object kubectl would have
 * sent as JSON, so the server handles both encodings in one path.
 *
 * Why no protobufjs: it would still need hand-written .proto definitions of these messages (the
 * schema tables in core-v1.ts are exactly that), it cannot express the Go JSON rules we must
 * reproduce (omitempty, pointers, `null` times, base64 bytes), and it is a large dependency for
 * what is a ~100-line wire reader plus a few small schemas.
 */
import { AUTHENTICATION_V1_KINDS } from './authentication-v1.js'
import { AUTHORIZATION_V1_KINDS } from './authorization-v1.js'
import { CORE_V1_KINDS } from './core-v1.js'
import { quote, UnsupportedProtobufError } from './errors.js'
import { RBAC_V1_KINDS } from './rbac-v1.js'
import { decodeMessage, messageSchema, type MessageSchema } from './message.js'
import type { Budget } from './wire.js'
import { PROTOBUF_LIMITS, readFields, utf8, WIRE_TYPE_NAMES } from './wire.js'

export { UnsupportedProtobufError } from './errors.js'
export { PROTOBUF_LIMITS } from './wire.js'

/** The Content-Type of a Kubernetes protobuf body. */
export const KUBERNETES_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf'

// The kinds decodeKubernetesProtobuf accepts, by apiVersion.
const SCHEMAS: ReadonlyMap<string, ReadonlyMap<string, MessageSchema>> = new Map([
  ['v1', CORE_V1_KINDS],
  ['authorization.k8s.io/v1', AUTHORIZATION_V1_KINDS],
  ['authentication.k8s.io/v1', AUTHENTICATION_V1_KINDS],
  ['rbac.authorization.k8s.io/v1', RBAC_V1_KINDS],
])

/** PROTOBUF_KINDS names the accepted kinds for messages: `v1 Secret, ...; authorization.k8s.io/v1 ...`. */
export const PROTOBUF_KINDS = [...SCHEMAS]
  .map(([apiVersion, kinds]) => `${apiVersion} ${[...kinds.keys()].join(', ')}`)
  .join('; ')

const MAGIC = Buffer.from('k8s\0', 'latin1')

const TYPE_META = messageSchema('TypeMeta', [
  [1, { json: 'apiVersion', type: 'string' }],
  [2, { json: 'kind', type: 'string' }],
])

/**
 * decodeKubernetesProtobuf turns a Kubernetes protobuf body into the JSON object kubectl would
 * have sent (`kind`, `apiVersion`, `metadata`, ...). It throws UnsupportedProtobufError for a
 * bad prefix, a kind not in PROTOBUF_KINDS, malformed or truncated data, or a body past
 * PROTOBUF_LIMITS.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length > PROTOBUF_LIMITS.maxBodyBytes) {
    throw new UnsupportedProtobufError(
      `the body is ${body.length} bytes, over the ${PROTOBUF_LIMITS.maxBodyBytes}-byte limit`,
    )
  }
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new UnsupportedProtobufError(
      `the body does not start with the Kubernetes protobuf prefix 6b387300 ("k8s\\0"); ` +
        `it starts with ${body.subarray(0, MAGIC.length).toString('hex') || 'nothing'}`,
    )
  }

  const budget: Budget = { fields: 0 }
  const path = 'runtime.Unknown'
  const typeMeta: Buffer[] = []
  let raw: Buffer = Buffer.alloc(0)
  let contentEncoding = ''
  let contentType = ''
  for (const field of readFields(body.subarray(MAGIC.length), budget, path)) {
    if (field.number > 4) continue // unknown fields are skipped, as the apiserver does
    if (field.wireType !== 2) {
      throw new UnsupportedProtobufError(
        `${path}: field ${field.number} is ${WIRE_TYPE_NAMES[field.wireType]}, want length-delimited`,
      )
    }
    if (field.number === 1) typeMeta.push(field.value)
    else if (field.number === 2) raw = field.value
    else if (field.number === 3) contentEncoding = utf8(field.value, `${path}.contentEncoding`)
    else contentType = utf8(field.value, `${path}.contentType`)
  }

  // The object must be plain protobuf: no compression, no nested JSON or YAML.
  if (contentEncoding !== '') {
    throw new UnsupportedProtobufError(`contentEncoding ${quote(contentEncoding)} is not supported`)
  }
  if (contentType !== '' && contentType !== KUBERNETES_PROTOBUF_MEDIA_TYPE) {
    throw new UnsupportedProtobufError(
      `the object's contentType ${quote(contentType)} is not protobuf`,
    )
  }

  const { apiVersion = '', kind = '' } = decodeMessage(
    Buffer.concat(typeMeta),
    TYPE_META,
    budget,
    `${path}.typeMeta`,
    1,
  ) as { apiVersion?: string; kind?: string }
  const schema = SCHEMAS.get(apiVersion)?.get(kind)
  if (schema === undefined) {
    throw new UnsupportedProtobufError(
      `kind ${quote(kind)} in apiVersion ${quote(apiVersion)} cannot be sent as protobuf; ` +
        `send it as application/json (protobuf is accepted for ${PROTOBUF_KINDS})`,
    )
  }
  return { kind, apiVersion, ...decodeMessage(raw, schema, budget, kind, 1) }
}
