/**
 * `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: who the server thinks the caller
 * is, as `kubectl auth whoami` and `isctl whoami`/`login` ask. Any authenticated user may ask
 * (Kubernetes grants it to everyone through system:basic-user), and nothing is stored.
 *
 * kubectl 1.32 sends the (empty) review as protobuf, a kind the server-wide protobuf decoder
 * does not read; the request carries nothing the answer depends on, so this route has its own
 * protobuf parser that reads only the envelope's apiVersion and kind, to refuse other objects.
 */
import { SELF_SUBJECT_REVIEW_PATH } from '../../api/paths.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requestUser, type UserInfo } from './index.js'
import { PROTOBUF_MEDIA_TYPE } from '../body-parsers.js'
import { UnsupportedProtobufError } from '../protobuf/index.js'
import { readFields, utf8, type Budget } from '../protobuf/wire.js'
import { badRequest, unsupportedMediaType } from '../status.js'

export { SELF_SUBJECT_REVIEW_PATH }

const API_VERSION = 'authentication.k8s.io/v1'
const KIND = 'SelfSubjectReview'

/** SelfSubjectReview is the answer: the caller's user name and groups. */
export interface SelfSubjectReview {
  readonly kind: typeof KIND
  readonly apiVersion: typeof API_VERSION
  readonly metadata: { readonly creationTimestamp: null }
  readonly status: {
    readonly userInfo: {
      readonly username: string
      readonly uid?: string
      readonly groups: readonly string[]
      readonly extra?: Readonly<Record<string, readonly string[]>>
    }
  }
}

/** TypeMeta is what a request body says it is. */
interface TypeMeta {
  readonly apiVersion?: unknown
  readonly kind?: unknown
}

/** selfSubjectReview is the review of `user` (the impersonated one, if any), as the apiserver answers it. */
export function selfSubjectReview(user: UserInfo): SelfSubjectReview {
  return {
    kind: KIND,
    apiVersion: API_VERSION,
    metadata: { creationTimestamp: null },
    status: {
      userInfo: {
        username: user.name,
        ...(user.uid === undefined ? {} : { uid: user.uid }),
        groups: [...user.groups],
        ...(user.extra === undefined ? {} : { extra: user.extra }),
      },
    },
  }
}

/**
 * checkReviewBody refuses a body that names another kind or version; an empty body, or one
 * without type information, is the empty review clients send.
 */
export function checkReviewBody(body: unknown): void {
  if (body === undefined || body === null) return
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`the request body must be a ${KIND} object`)
  }
  const { apiVersion, kind } = body as TypeMeta
  if (
    (kind !== undefined && kind !== KIND) ||
    (apiVersion !== undefined && apiVersion !== API_VERSION)
  ) {
    throw badRequest(
      `the request body is ${JSON.stringify(kind ?? '')} of ${JSON.stringify(apiVersion ?? '')}, want ${KIND} of ${API_VERSION}`,
    )
  }
}

const MAGIC = Buffer.from('k8s\0', 'latin1')

/** protobufTypeMeta reads the apiVersion and kind of a Kubernetes protobuf envelope. */
export function protobufTypeMeta(body: Buffer): TypeMeta {
  if (body.length === 0) return {}
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new UnsupportedProtobufError(
      'the body does not start with the Kubernetes protobuf prefix 6b387300 ("k8s\\0")',
    )
  }
  const budget: Budget = { fields: 0 }
  const meta: { apiVersion?: string; kind?: string } = {}
  for (const field of readFields(body.subarray(MAGIC.length), budget, 'runtime.Unknown')) {
    if (field.number !== 1 || field.wireType !== 2) continue
    for (const sub of readFields(field.value, budget, 'runtime.Unknown.typeMeta')) {
      if (sub.wireType !== 2) continue
      if (sub.number === 1) meta.apiVersion = utf8(sub.value, 'typeMeta.apiVersion')
      if (sub.number === 2) meta.kind = utf8(sub.value, 'typeMeta.kind')
    }
  }
  return meta
}

/** registerSelfSubjectReview adds the route, in a scope of its own for its protobuf parser. */
export function registerSelfSubjectReview(app: FastifyInstance): void {
  void app.register((scope, _opts, done) => {
    scope.removeContentTypeParser(PROTOBUF_MEDIA_TYPE)
    scope.addContentTypeParser(
      PROTOBUF_MEDIA_TYPE,
      { parseAs: 'buffer' },
      (
        request: FastifyRequest,
        body: Buffer,
        parsed: (err: Error | null, body?: unknown) => void,
      ) => {
        request.rawBody = body
        try {
          parsed(null, protobufTypeMeta(body))
        } catch (err) {
          parsed(unsupportedMediaType(err instanceof Error ? err.message : String(err)))
        }
      },
    )
    scope.post(SELF_SUBJECT_REVIEW_PATH, async (request, reply) => {
      const user = requestUser(request)
      checkReviewBody(request.body)
      return reply.code(201).send(selfSubjectReview(user))
    })
    done()
  })
}
