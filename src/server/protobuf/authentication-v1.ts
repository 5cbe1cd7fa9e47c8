/**
 * The schema of the authentication.k8s.io/v1 TokenRequest that `kubectl create token` sends as
 * protobuf, field numbers from k8s.io/api/authentication/v1/generated.proto, JSON shapes from
 * its types.go. The status is the server's to fill, so it is not read.
 */
import { METADATA } from './core-v1.js'
import type { MessageSchema } from './message.js'
import { messageSchema } from './message.js'

const BOUND_OBJECT_REFERENCE = messageSchema('BoundObjectReference', [
  [1, { json: 'kind', type: 'string' }],
  [2, { json: 'apiVersion', type: 'string' }],
  [3, { json: 'name', type: 'string' }],
  [4, { json: 'uid', type: 'string' }],
])

/** TOKEN_REQUEST is authentication/v1 TokenRequest. */
export const TOKEN_REQUEST = messageSchema('TokenRequest', [
  METADATA,
  [
    2,
    {
      json: 'spec',
      type: 'message',
      schema: messageSchema('TokenRequestSpec', [
        [1, { json: 'audiences', type: 'strings' }],
        [4, { json: 'expirationSeconds', type: 'optional-int64' }],
        [3, { json: 'boundObjectRef', type: 'optional-message', schema: BOUND_OBJECT_REFERENCE }],
      ]),
    },
  ],
])

/** AUTHENTICATION_V1_KINDS maps each authentication.k8s.io/v1 kind accepted as protobuf to its schema. */
export const AUTHENTICATION_V1_KINDS: ReadonlyMap<string, MessageSchema> = new Map([
  ['TokenRequest', TOKEN_REQUEST],
])
