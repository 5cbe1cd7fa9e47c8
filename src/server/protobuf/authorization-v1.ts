/**
 * Schemas of the authorization.k8s.io/v1 reviews clients send as protobuf (`kubectl auth
 * can-i`, client-go's typed SubjectAccessReview clients), field numbers from k8s.io/api/authorization/v1/generated.proto, JSON shapes from its
 * types.go. Only what the request carries is read: the status is the server's to fill, and the
 * alpha field and label selectors of ResourceAttributes are skipped as unknown.
 */
import { METADATA } from './core-v1.js'
import type { MessageSchema } from './message.js'
import { messageSchema } from './message.js'

const RESOURCE_ATTRIBUTES = messageSchema('ResourceAttributes', [
  [1, { json: 'namespace', type: 'string' }],
  [2, { json: 'verb', type: 'string' }],
  [3, { json: 'group', type: 'string' }],
  [4, { json: 'version', type: 'string' }],
  [5, { json: 'resource', type: 'string' }],
  [6, { json: 'subresource', type: 'string' }],
  [7, { json: 'name', type: 'string' }],
])

const NON_RESOURCE_ATTRIBUTES = messageSchema('NonResourceAttributes', [
  [1, { json: 'path', type: 'string' }],
  [2, { json: 'verb', type: 'string' }],
])

/** SELF_SUBJECT_ACCESS_REVIEW is authorization/v1 SelfSubjectAccessReview. */
export const SELF_SUBJECT_ACCESS_REVIEW = messageSchema('SelfSubjectAccessReview', [
  METADATA,
  [
    2,
    {
      json: 'spec',
      type: 'message',
      schema: messageSchema('SelfSubjectAccessReviewSpec', [
        [1, { json: 'resourceAttributes', type: 'optional-message', schema: RESOURCE_ATTRIBUTES }],
        [
          2,
          {
            json: 'nonResourceAttributes',
            type: 'optional-message',
            schema: NON_RESOURCE_ATTRIBUTES,
          },
        ],
      ]),
    },
  ],
])

const SUBJECT_REVIEW_QUESTION = messageSchema('SubjectAccessReviewSpec', [
  [1, { json: 'resourceAttributes', type: 'optional-message', schema: RESOURCE_ATTRIBUTES }],
  [2, { json: 'nonResourceAttributes', type: 'optional-message', schema: NON_RESOURCE_ATTRIBUTES }],
  [3, { json: 'user', type: 'string' }],
  [4, { json: 'groups', type: 'strings' }],
  [5, { json: 'extra', type: 'strings-map' }],
  [6, { json: 'uid', type: 'string' }],
])

/** SUBJECT_ACCESS_REVIEW is authorization/v1 SubjectAccessReview. */
export const SUBJECT_ACCESS_REVIEW = messageSchema('SubjectAccessReview', [
  METADATA,
  [2, { json: 'spec', type: 'message', schema: SUBJECT_REVIEW_QUESTION }],
])

/** LOCAL_SUBJECT_ACCESS_REVIEW is authorization/v1 LocalSubjectAccessReview (the same fields). */
export const LOCAL_SUBJECT_ACCESS_REVIEW = messageSchema('LocalSubjectAccessReview', [
  METADATA,
  [2, { json: 'spec', type: 'message', schema: SUBJECT_REVIEW_QUESTION }],
])

/** SELF_SUBJECT_RULES_REVIEW is authorization/v1 SelfSubjectRulesReview. */
export const SELF_SUBJECT_RULES_REVIEW = messageSchema('SelfSubjectRulesReview', [
  METADATA,
  [
    2,
    {
      json: 'spec',
      type: 'message',
      schema: messageSchema('SelfSubjectRulesReviewSpec', [
        [1, { json: 'namespace', type: 'string' }],
      ]),
    },
  ],
])

/** AUTHORIZATION_V1_KINDS maps each authorization.k8s.io/v1 kind accepted as protobuf to its schema. */
export const AUTHORIZATION_V1_KINDS: ReadonlyMap<string, MessageSchema> = new Map([
  ['SelfSubjectAccessReview', SELF_SUBJECT_ACCESS_REVIEW],
  ['SelfSubjectRulesReview', SELF_SUBJECT_RULES_REVIEW],
  ['SubjectAccessReview', SUBJECT_ACCESS_REVIEW],
  ['LocalSubjectAccessReview', LOCAL_SUBJECT_ACCESS_REVIEW],
])
