/**
 * `authorization.k8s.io/v1` access reviews (create only, nothing stored).
 * SelfSubjectAccessReview and SelfSubjectRulesReview are what `kubectl auth can-i VERB RESOURCE`
 * and `kubectl auth can-i --list` ask: whether the caller may make one request, and what the
 * caller may do in a namespace, answered for the caller's own (or impersonated) identity
 * (kubernetes pkg/registry/authorization/selfsubject{access,rules}review).
 * SubjectAccessReview (cluster-scoped) and LocalSubjectAccessReview (namespaced) ask the same
 * question for the user and groups their spec names, and are refused to callers who may not
 * create them (pkg/registry/authorization/{,local}subjectaccessreview). All are answered by the
 * server's Authorizer, so a role-based authorizer that replaces the admin policy answers them
 * without changes here. Clients may send them as protobuf, which the server-wide decoder reads.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  authorizeRequest,
  requestUser,
  type AuthorizationAttributes,
  type Decision,
  type Rules,
  type UserInfo,
} from './index.js'
import type { DiscoveryResource } from '../discovery.js'
import { checkNamespace } from '../resources/object-meta.js'
import { badRequest, invalid, type FieldCause } from '../status.js'

const GROUP = 'authorization.k8s.io'
const VERSION = 'v1'
const API_VERSION = `${GROUP}/${VERSION}`

const discovered = (plural: string, kind: string, namespaced = false): DiscoveryResource => ({
  plural,
  singular: kind.toLowerCase(),
  kind,
  group: GROUP,
  version: VERSION,
  namespaced,
  verbs: ['create'],
})

/** ACCESS_REVIEW_DISCOVERY lists the four reviews in discovery, as the apiserver does. */
export const ACCESS_REVIEW_DISCOVERY: readonly DiscoveryResource[] = [
  discovered('localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  discovered('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  discovered('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  discovered('subjectaccessreviews', 'SubjectAccessReview'),
]

/** Json is a decoded request body, read field by field. */
export type Json = Record<string, unknown>

/** isObject tells a JSON object from arrays, null and scalars. */
export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** text is a JSON string field, '' for anything else (Go's zero value). */
export const text = (v: unknown): string => (typeof v === 'string' ? v : '')

/** reviewBody checks that a body is the named review of `apiVersion` and returns it. */
export function reviewBody(body: unknown, kind: string, apiVersion = API_VERSION): Json {
  if (!isObject(body)) throw badRequest(`the request body must be a ${kind} object`)
  const { apiVersion: bodyApiVersion, kind: bodyKind } = body
  if (
    (bodyKind !== undefined && bodyKind !== kind) ||
    (bodyApiVersion !== undefined && bodyApiVersion !== apiVersion)
  ) {
    throw badRequest(
      `the request body is ${JSON.stringify(bodyKind ?? '')} of ${JSON.stringify(bodyApiVersion ?? '')}, want ${kind} of ${apiVersion}`,
    )
  }
  return body
}

/** fieldInvalid is field.Invalid: `Invalid value: "<value>": <message>`. */
export const fieldInvalid = (field: string, value: string, message: string): FieldCause => ({
  type: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
})

/**
 * attributeErrors checks that a review spec names exactly one of resourceAttributes and
 * nonResourceAttributes, as the apiserver's validation demands (422 otherwise).
 */
function attributeErrors(spec: Json): FieldCause[] {
  const res = spec.resourceAttributes
  const nonRes = spec.nonResourceAttributes
  if (isObject(res) && isObject(nonRes)) {
    return [
      fieldInvalid(
        'spec.nonResourceAttributes',
        JSON.stringify(nonRes),
        'cannot be specified in combination with resourceAttributes',
      ),
    ]
  }
  if (!isObject(res) && !isObject(nonRes)) {
    return [
      fieldInvalid(
        'spec.resourceAttributes',
        'null',
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ]
  }
  return []
}

/**
 * accessAttributes turns a review spec into the attributes an authorizer decides on; a spec
 * naming both or neither of resourceAttributes and nonResourceAttributes is the 422 of `kind`.
 */
export function accessAttributes(spec: Json, kind: string): AuthorizationAttributes {
  const errors = attributeErrors(spec)
  if (errors.length > 0) throw invalid({ group: GROUP, kind }, '', errors)
  return attributesOf(spec)
}

// attributesOf reads a spec attributeErrors accepted.
function attributesOf(spec: Json): AuthorizationAttributes {
  const nonRes = spec.nonResourceAttributes
  if (isObject(nonRes)) {
    return { kind: 'nonResource', verb: text(nonRes.verb), path: text(nonRes.path) }
  }
  const res = isObject(spec.resourceAttributes) ? spec.resourceAttributes : {}
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

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

/** specUser is the user a SubjectAccessReview asks about, exactly as its spec names it. */
function specUser(spec: Json): UserInfo {
  const extra = isObject(spec.extra)
    ? Object.fromEntries(Object.entries(spec.extra).map(([k, v]) => [k, strings(v)]))
    : {}
  const uid = text(spec.uid)
  return {
    name: text(spec.user),
    groups: strings(spec.groups),
    ...(uid === '' ? {} : { uid }),
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  }
}

// Go's zero values: what an empty ObjectMeta field decodes to.
const isZero = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === 0 ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0)

/** metadataIsEmpty is apimachinery's ObjectMeta{} comparison, managedFields (and `except`) aside. */
export function metadataIsEmpty(metadata: Json, except?: string): boolean {
  return Object.entries(metadata).every(
    ([k, v]) => k === 'managedFields' || k === except || isZero(v),
  )
}

/**
 * subjectReviewErrors is ValidateSubjectAccessReviewSpec plus the metadata rules of
 * ValidateSubjectAccessReview (`namespace` undefined) or ValidateLocalSubjectAccessReview.
 */
function subjectReviewErrors(spec: Json, metadata: Json, namespace?: string): FieldCause[] {
  const errors = attributeErrors(spec)
  if (text(spec.user) === '' && strings(spec.groups).length === 0) {
    errors.push(
      fieldInvalid('spec.user', text(spec.user), 'at least one of user or group must be specified'),
    )
  }
  const shown = JSON.stringify({ ...metadata, creationTimestamp: null })
  if (namespace === undefined) {
    if (!metadataIsEmpty(metadata)) errors.push(fieldInvalid('metadata', shown, 'must be empty'))
    return errors
  }
  if (!metadataIsEmpty(metadata, 'namespace')) {
    errors.push(fieldInvalid('metadata', shown, 'must be empty except for namespace'))
  }
  const res = spec.resourceAttributes
  if (isObject(res) && text(res.namespace) !== namespace) {
    errors.push(
      fieldInvalid(
        'spec.resourceAttributes.namespace',
        text(res.namespace),
        'must match metadata.namespace',
      ),
    )
  }
  if (isObject(spec.nonResourceAttributes)) {
    errors.push(
      fieldInvalid(
        'spec.nonResourceAttributes',
        JSON.stringify(spec.nonResourceAttributes),
        'disallowed on this kind of request',
      ),
    )
  }
  return errors
}

/** accessStatus is a SubjectAccessReviewStatus; `denied` stays unset: no authorizer here denies outright, as RBAC. */
function accessStatus(decision: Decision): Json {
  return decision.allowed
    ? { allowed: true }
    : { allowed: false, ...(decision.reason ? { reason: decision.reason } : {}) }
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

/** registerAccessReviews adds the four create-only routes. */
export function registerAccessReviews(app: FastifyInstance): void {
  app.post(`/apis/${API_VERSION}/selfsubjectaccessreviews`, async (request, reply) => {
    await authorizeCreate(request, 'selfsubjectaccessreviews')
    const body = reviewBody(request.body, 'SelfSubjectAccessReview')
    const spec = isObject(body.spec) ? body.spec : {}
    const attrs = accessAttributes(spec, 'SelfSubjectAccessReview')
    const decision = await app.authorizer.authorize(requestUser(request), attrs)
    return reply.code(201).send({
      kind: 'SelfSubjectAccessReview',
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: null },
      spec,
      status: accessStatus(decision),
    })
  })
  app.post(`/apis/${API_VERSION}/subjectaccessreviews`, async (request, reply) => {
    await authorizeCreate(request, 'subjectaccessreviews')
    const body = reviewBody(request.body, 'SubjectAccessReview')
    const spec = isObject(body.spec) ? body.spec : {}
    const errors = subjectReviewErrors(spec, isObject(body.metadata) ? body.metadata : {})
    if (errors.length > 0) throw invalid({ group: GROUP, kind: 'SubjectAccessReview' }, '', errors)
    const decision = await app.authorizer.authorize(specUser(spec), attributesOf(spec))
    return reply.code(201).send({
      kind: 'SubjectAccessReview',
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: null },
      spec,
      status: accessStatus(decision),
    })
  })
  app.post<{ Params: { namespace: string } }>(
    `/apis/${API_VERSION}/namespaces/:namespace/localsubjectaccessreviews`,
    async (request, reply) => {
      const { namespace } = request.params
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'create',
        group: GROUP,
        resource: 'localsubjectaccessreviews',
        namespace,
      })
      const body = reviewBody(request.body, 'LocalSubjectAccessReview')
      const metadata = isObject(body.metadata) ? body.metadata : {}
      checkNamespace(text(metadata.namespace), namespace)
      const spec = isObject(body.spec) ? body.spec : {}
      const errors = subjectReviewErrors(spec, metadata, namespace)
      if (errors.length > 0) {
        throw invalid({ group: GROUP, kind: 'LocalSubjectAccessReview' }, '', errors)
      }
      const decision = await app.authorizer.authorize(specUser(spec), attributesOf(spec))
      return reply.code(201).send({
        kind: 'LocalSubjectAccessReview',
        apiVersion: API_VERSION,
        metadata: { namespace, creationTimestamp: null },
        spec,
        status: accessStatus(decision),
      })
    },
  )
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
