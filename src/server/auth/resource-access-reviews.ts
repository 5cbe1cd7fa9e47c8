/**
 * OpenShift's `authorization.openshift.io/v1` resource access reviews (create only, nothing
 * stored), which `oc policy who-can VERB RESOURCE` asks: which users and groups may make a
 * request. ResourceAccessReview is cluster-scoped (a namespace in its action asks about that
 * namespace, none about cluster-wide bindings only); LocalResourceAccessReview asks about its
 * URL's namespace (openshift-apiserver pkg/authorization/apiserver/registry/resourceaccessreview
 * and localresourceaccessreview). The answer comes from the server's Authorizer
 * (allowedSubjects), the same policy that decides requests (docs/access-control.md#who-can).
 */
import {
  AUTHORIZATION_API_PATH,
  AUTHORIZATION_API_VERSION,
  AUTHORIZATION_GROUP,
} from '../../api/paths.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Subject } from '../../api/index.js'
import type { DiscoveryResource } from '../discovery.js'
import { checkNamespace } from '../resources/object-meta.js'
import { invalid, StatusError, type FieldCause } from '../status.js'
import {
  fieldInvalid,
  isObject,
  metadataIsEmpty,
  reviewBody,
  text,
  type Json,
} from './access-reviews.js'
import { authorizeRequest, requestUser, type AuthorizationAttributes } from './index.js'

const GROUP = AUTHORIZATION_GROUP
const VERSION = 'v1'
const API_VERSION = AUTHORIZATION_API_VERSION
const LOCAL = 'localresourceaccessreviews'

const discovered = (plural: string, kind: string, namespaced: boolean): DiscoveryResource => ({
  plural,
  singular: kind.toLowerCase(),
  kind,
  group: GROUP,
  version: VERSION,
  namespaced,
  verbs: ['create'],
})

/** RESOURCE_ACCESS_REVIEW_DISCOVERY lists the two reviews in discovery, as openshift-apiserver does. */
export const RESOURCE_ACCESS_REVIEW_DISCOVERY: readonly DiscoveryResource[] = [
  discovered(LOCAL, 'LocalResourceAccessReview', true),
  discovered('resourceaccessreviews', 'ResourceAccessReview', false),
]

/** UsersAndGroups are the names a ResourceAccessReviewResponse lists, sorted and without repeats. */
export interface UsersAndGroups {
  readonly users: readonly string[]
  readonly groups: readonly string[]
}

/**
 * usersAndGroups is library-go's RBACSubjectsToUsersAndGroups: Users and Groups by name, a
 * ServiceAccount as its username `system:serviceaccount:NS:NAME` (its namespace defaulting to
 * the review's; none at all drops it), other kinds dropped. The apiGroup is not consulted, as
 * the authorizer does not consult it when it matches subjects (rbac-authorizer.ts appliesTo).
 */
export function usersAndGroups(subjects: readonly Subject[], namespace: string): UsersAndGroups {
  const users = new Set<string>()
  const groups = new Set<string>()
  for (const subject of subjects) {
    const name = subject.name ?? ''
    if (subject.kind === 'User') users.add(name)
    else if (subject.kind === 'Group') groups.add(name)
    else if (subject.kind === 'ServiceAccount') {
      const ns = subject.namespace || namespace
      if (ns !== '') users.add(`system:serviceaccount:${ns}:${name}`)
    }
  }
  const sorted = (names: Set<string>) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return { users: sorted(users), groups: sorted(groups) }
}

const required = (field: string): FieldCause => ({
  type: 'FieldValueRequired',
  field,
  message: 'Required value',
})

/** actionErrors is ValidateResourceAccessReview's checks of the action (validateCommonAccessReviewAction). */
function actionErrors(action: Json): FieldCause[] {
  const errors: FieldCause[] = []
  if (text(action.verb) === '') errors.push(required('verb'))
  if (action.isNonResourceURL !== true) {
    if (text(action.resource) === '') errors.push(required('resource'))
    return errors
  }
  if (text(action.path) === '') errors.push(required('path'))
  for (const [key, field] of [
    ['resource', 'resource'],
    ['resourceAPIGroup', 'group'],
    ['resourceAPIVersion', 'version'],
    ['resourceName', 'resourceName'],
    ['namespace', 'namespace'],
  ] as const) {
    const value = text(action[key])
    if (value !== '') {
      errors.push(
        fieldInvalid(field, value, `${field} may not be specified with non resource URLs`),
      )
    }
  }
  if (action.content !== undefined && action.content !== null) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'content',
      message: 'Invalid value: "null": content may not be specified with non resource URLs',
    })
  }
  return errors
}

/** actionAttributes are the request attributes of an action (ToDefaultAuthorizationAttributes). */
function actionAttributes(action: Json, namespace: string): AuthorizationAttributes {
  if (action.isNonResourceURL === true) {
    return { kind: 'nonResource', verb: text(action.verb), path: text(action.path) }
  }
  const [resource = '', subresource = ''] = splitOnce(text(action.resource))
  const name = text(action.resourceName)
  return {
    kind: 'resource',
    verb: text(action.verb),
    group: text(action.resourceAPIGroup),
    resource,
    ...(subresource === '' ? {} : { subresource }),
    ...(namespace === '' ? {} : { namespace }),
    ...(name === '' ? {} : { name }),
  }
}

const splitOnce = (s: string): [string, string] => {
  const slash = s.indexOf('/')
  return slash < 0 ? [s, ''] : [s.slice(0, slash), s.slice(slash + 1)]
}

/** checkReview validates a review body (verb, resource, empty metadata but its namespace when local). */
function checkReview(kind: string, body: Json, local: boolean): void {
  const metadata = isObject(body.metadata) ? body.metadata : {}
  const errors = actionErrors(body)
  if (!metadataIsEmpty(metadata, local ? 'namespace' : undefined)) {
    const shown = JSON.stringify({ ...metadata, creationTimestamp: null })
    errors.push(fieldInvalid('metadata', shown, 'must be empty'))
  }
  if (errors.length > 0) throw invalid({ group: GROUP, kind }, '', errors)
}

/**
 * mayReviewIn is the cluster review's own check when its action names a namespace: the caller
 * must be allowed to create localresourceaccessreviews there. The refusal carries only the
 * authorizer's reason as its message, as openshift-apiserver's isAllowed writes it.
 */
async function mayReviewIn(request: FastifyRequest, namespace: string): Promise<void> {
  const decision = await request.server.authorizer.authorize(requestUser(request), {
    kind: 'resource',
    verb: 'create',
    group: GROUP,
    resource: LOCAL,
    namespace,
  })
  if (decision.allowed) return
  throw new StatusError('Forbidden', decision.reason, { name: '', group: GROUP, kind: LOCAL })
}

/** respond answers a review for the action's attributes in `namespace` ('' for cluster-wide). */
async function respond(app: FastifyInstance, action: Json, namespace: string) {
  const attrs = actionAttributes(action, namespace)
  const { subjects, errors } = await app.authorizer.allowedSubjects(attrs)
  const { users, groups } = usersAndGroups(subjects, namespace)
  return {
    kind: 'ResourceAccessReviewResponse',
    apiVersion: API_VERSION,
    ...(namespace === '' ? {} : { namespace }),
    users,
    groups,
    // The JSON name is openshift/api's, misspelling and all: oc reads this one.
    evalutionError: errors.length === 0 ? '' : aggregate(errors),
  }
}

/** aggregate renders errors as utilerrors.NewAggregate does: one alone, several in brackets. */
const aggregate = (errors: readonly string[]): string =>
  errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`

/** registerResourceAccessReviews adds the two create-only routes. */
export function registerResourceAccessReviews(app: FastifyInstance): void {
  app.post(`${AUTHORIZATION_API_PATH}/resourceaccessreviews`, async (request, reply) => {
    await authorizeRequest(request, {
      kind: 'resource',
      verb: 'create',
      group: GROUP,
      resource: 'resourceaccessreviews',
    })
    const body = reviewBody(request.body, 'ResourceAccessReview', API_VERSION)
    checkReview('ResourceAccessReview', body, false)
    const namespace = text(body.namespace)
    if (namespace !== '') await mayReviewIn(request, namespace)
    return reply.code(201).send(await respond(app, body, namespace))
  })
  app.post<{ Params: { namespace: string } }>(
    `/apis/${API_VERSION}/namespaces/:namespace/${LOCAL}`,
    async (request, reply) => {
      const { namespace } = request.params
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'create',
        group: GROUP,
        resource: LOCAL,
        namespace,
      })
      const body = reviewBody(request.body, 'LocalResourceAccessReview', API_VERSION)
      checkReview('LocalResourceAccessReview', body, true)
      if (isObject(body.metadata)) checkNamespace(text(body.metadata.namespace), namespace)
      const actionNamespace = text(body.namespace)
      // Upstream returns this field error bare (a 500); it is the client's mistake, so a 422.
      if (actionNamespace !== '' && actionNamespace !== namespace) {
        throw invalid({ group: GROUP, kind: 'LocalResourceAccessReview' }, '', [
          fieldInvalid('namespace', actionNamespace, `namespace must be: ${namespace}`),
        ])
      }
      return reply.code(201).send(await respond(app, body, namespace))
    },
  )
}
