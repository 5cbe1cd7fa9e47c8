/**
 * `authorization.k8s.io/v1` SelfSubjectAccessReview and SelfSubjectRulesReview (create only,
 * nothing stored), which `kubectl auth can-i VERB RESOURCE` and `kubectl auth can-i --list` ask:
 * whether the caller may make one request, and what the caller may do in a namespace. Both are
 * answered by the server's Authorizer for the caller's own identity (kubernetes
 * pkg/registry/authorization/selfsubject{access,rules}review), so a role-based authorizer that
 * replaces the admin policy answers them without changes here. kubectl sends them as protobuf,
 * which the server-wide decoder reads.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authorizeRequest, requestUser, type AuthorizationAttributes, type Rules } from './index.js'
import type { DiscoveryResource } from '../discovery.js'
import { badRequest, invalid } from '../status.js'

const GROUP = 'authorization.k8s.io'
const VERSION = 'v1'
const API_VERSION = `${GROUP}/${VERSION}`

const discovered = (plural: string, kind: string): DiscoveryResource => ({
  plural,
  singular: kind.toLowerCase(),
  kind,
  group: GROUP,
  version: VERSION,
  namespaced: false,
  verbs: ['create'],
})

/** ACCESS_REVIEW_DISCOVERY lists the two reviews in discovery, as the apiserver does. */
export const ACCESS_REVIEW_DISCOVERY: readonly DiscoveryResource[] = [
  discovered('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  discovered('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
]

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** reviewBody checks that a body is the named review and returns it. */
function reviewBody(body: unknown, kind: string): Json {
  if (!isObject(body)) throw badRequest(`the request body must be a ${kind} object`)
  const { apiVersion, kind: bodyKind } = body
  if (
    (bodyKind !== undefined && bodyKind !== kind) ||
    (apiVersion !== undefined && apiVersion !== API_VERSION)
  ) {
    throw badRequest(
      `the request body is ${JSON.stringify(bodyKind ?? '')} of ${JSON.stringify(apiVersion ?? '')}, want ${kind} of ${API_VERSION}`,
    )
  }
  return body
}

/**
 * accessAttributes turns a SelfSubjectAccessReview spec into the attributes an authorizer
 * decides on; exactly one of resourceAttributes and nonResourceAttributes must be given, as
 * the apiserver's validation demands (422 otherwise).
 */
export function accessAttributes(spec: Json): AuthorizationAttributes {
  const res = spec.resourceAttributes
  const nonRes = spec.nonResourceAttributes
  const field = (name: string, message: string) => ({
    type: 'FieldValueInvalid' as const,
    field: `spec.${name}`,
    message,
  })
  if (isObject(res) && isObject(nonRes)) {
    throw invalid({ group: GROUP, kind: 'SelfSubjectAccessReview' }, '', [
      field(
        'nonResourceAttributes',
        `Invalid value: ${JSON.stringify(JSON.stringify(nonRes))}: cannot be specified in combination with resourceAttributes`,
      ),
    ])
  }
  if (isObject(nonRes))
    return { kind: 'nonResource', verb: text(nonRes.verb), path: text(nonRes.path) }
  if (!isObject(res)) {
    throw invalid({ group: GROUP, kind: 'SelfSubjectAccessReview' }, '', [
      field(
        'resourceAttributes',
        'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ])
  }
  const optional = (name: 'subresource' | 'namespace' | 'name') =>
    text(res[name]) === '' ? {} : { [name]: text(res[name]) }
  return {
    kind: 'resource',
    verb: text(res.verb),
    group: text(res.group),
    resource: text(res.resource),
    ...optional('subresource'),
    ...optional('namespace'),
    ...optional('name'),
  }
}

/** rulesStatus renders Rules as a SubjectRulesReviewStatus, dropping empty lists as Go's omitempty. */
function rulesStatus(rules: Rules): Json {
  const compact = (rule: object) =>
    Object.fromEntries(Object.entries(rule).filter(([, v]) => !Array.isArray(v) || v.length > 0))
  return {
    resourceRules: rules.resourceRules.map(compact),
    nonResourceRules: rules.nonResourceRules.map(compact),
    incomplete: rules.incomplete,
  }
}

const authorizeCreate = (request: FastifyRequest, resource: string) =>
  authorizeRequest(request, { kind: 'resource', verb: 'create', group: GROUP, resource })

/** registerAccessReviews adds the two create-only routes. */
export function registerAccessReviews(app: FastifyInstance): void {
  app.post(`/apis/${API_VERSION}/selfsubjectaccessreviews`, async (request, reply) => {
    await authorizeCreate(request, 'selfsubjectaccessreviews')
    const body = reviewBody(request.body, 'SelfSubjectAccessReview')
    const spec = isObject(body.spec) ? body.spec : {}
    const decision = await app.authorizer.authorize(requestUser(request), accessAttributes(spec))
    const status = decision.allowed
      ? { allowed: true }
      : { allowed: false, ...(decision.reason ? { reason: decision.reason } : {}) }
    return reply.code(201).send({
      kind: 'SelfSubjectAccessReview',
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: null },
      spec,
      status,
    })
  })
  app.post(`/apis/${API_VERSION}/selfsubjectrulesreviews`, async (request, reply) => {
    await authorizeCreate(request, 'selfsubjectrulesreviews')
    const body = reviewBody(request.body, 'SelfSubjectRulesReview')
    const namespace = isObject(body.spec) ? text(body.spec.namespace) : ''
    if (namespace === '') throw badRequest('no namespace on request')
    const rules = await app.authorizer.rulesFor(requestUser(request), namespace)
    return reply.code(201).send({
      kind: 'SelfSubjectRulesReview',
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: null },
      spec: { namespace },
      status: rulesStatus(rules),
    })
  })
}
