/**
 * Schemas of the rbac.authorization.k8s.io/v1 kinds kubectl sends as protobuf (`kubectl create
 * role|clusterrole|rolebinding|clusterrolebinding`), field numbers from
 * k8s.io/api/rbac/v1/generated.proto, JSON shapes from its types.go.
 */
import { METADATA } from './core-v1.js'
import type { MessageSchema } from './message.js'
import { messageSchema } from './message.js'

const POLICY_RULE = messageSchema('PolicyRule', [
  [1, { json: 'verbs', type: 'strings' }],
  [2, { json: 'apiGroups', type: 'strings' }],
  [3, { json: 'resources', type: 'strings' }],
  [4, { json: 'resourceNames', type: 'strings' }],
  [5, { json: 'nonResourceURLs', type: 'strings' }],
])

const LABEL_SELECTOR = messageSchema('LabelSelector', [
  [1, { json: 'matchLabels', type: 'string-map' }],
  [
    2,
    {
      json: 'matchExpressions',
      type: 'messages',
      schema: messageSchema('LabelSelectorRequirement', [
        [1, { json: 'key', type: 'required-string' }],
        [2, { json: 'operator', type: 'required-string' }],
        [3, { json: 'values', type: 'strings' }],
      ]),
    },
  ],
])

const SUBJECT = messageSchema('Subject', [
  [1, { json: 'kind', type: 'required-string' }],
  [2, { json: 'apiGroup', type: 'string' }],
  [3, { json: 'name', type: 'required-string' }],
  [4, { json: 'namespace', type: 'string' }],
])

const ROLE_REF = messageSchema('RoleRef', [
  [1, { json: 'apiGroup', type: 'required-string' }],
  [2, { json: 'kind', type: 'required-string' }],
  [3, { json: 'name', type: 'required-string' }],
])

const RULES = [2, { json: 'rules', type: 'messages', schema: POLICY_RULE }] as const

/** binding is the shape RoleBinding and ClusterRoleBinding share. */
const binding = (name: string) =>
  messageSchema(name, [
    METADATA,
    [2, { json: 'subjects', type: 'messages', schema: SUBJECT }],
    [3, { json: 'roleRef', type: 'message', schema: ROLE_REF }],
  ])

/** RBAC_V1_KINDS maps each rbac.authorization.k8s.io/v1 kind accepted as protobuf to its schema. */
export const RBAC_V1_KINDS: ReadonlyMap<string, MessageSchema> = new Map([
  ['Role', messageSchema('Role', [METADATA, RULES])],
  [
    'ClusterRole',
    messageSchema('ClusterRole', [
      METADATA,
      RULES,
      [
        3,
        {
          json: 'aggregationRule',
          type: 'optional-message',
          schema: messageSchema('AggregationRule', [
            [1, { json: 'clusterRoleSelectors', type: 'messages', schema: LABEL_SELECTOR }],
          ]),
        },
      ],
    ]),
  ],
  ['RoleBinding', binding('RoleBinding')],
  ['ClusterRoleBinding', binding('ClusterRoleBinding')],
])
