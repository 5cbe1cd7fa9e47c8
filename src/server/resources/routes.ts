/**
 * URL routing of resource requests (docs/kubernetes-api.md#resources-and-urls): for each resource,
 * the namespaced collection `namespaces/:ns/<plural>`, its items and subresources, the
 * all-namespaces list and watch `/<plural>`, cluster-scoped `/<plural>[/:name]`, and the legacy
 * `/watch/...` paths, under `/api/v1` or `/apis/<group>/<version>`. Names are taken from the raw
 * path segment (they may hold `:` and `@`). Every request is authorized with its verb; a verb the
 * resource does not list in discovery is 405 MethodNotAllowed; bodies in a format the verb does not
 * take are 415.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { authorizeRequest } from '../auth/index.js'
import { requestMediaType } from '../body-parsers.js'
import { methodNotAllowed, unsupportedMediaType } from '../status.js'
import type { Endpoint, Target, Verb } from './endpoint.js'
import { negotiate } from './negotiation.js'
import { patchTypeOf } from './patch/index.js'
import { queryFlag } from './query.js'

/** Where a URL points: a collection, all namespaces' collection (list and watch only), an item, a legacy watch path. */
type Place = 'collection' | 'allNamespaces' | 'item' | 'watch'

const OBJECT_MEDIA_TYPES = new Set([
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
])

const OBJECT_BODY_FORMATS =
  'the body of the request was in an unknown format - accepted media types include: ' +
  'application/json, application/yaml, application/vnd.kubernetes.protobuf'

const PATCH_BODY_FORMATS =
  'the body of the request was in an unknown format - accepted media types include: ' +
  'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, ' +
  'application/strategic-merge-patch+json'

function isWatchQuery(request: FastifyRequest): boolean {
  return queryFlag(request, 'watch')
}

/** verbFor maps a method on a place to its verb; undefined means the method makes no sense there (405). */
function verbFor(method: string, place: Place, request: FastifyRequest): Verb | undefined {
  if (place === 'watch') return method === 'GET' ? 'watch' : undefined
  if (place === 'allNamespaces') {
    if (method !== 'GET') return undefined
    return isWatchQuery(request) ? 'watch' : 'list'
  }
  if (place === 'collection') {
    switch (method) {
      case 'GET':
        return isWatchQuery(request) ? 'watch' : 'list'
      case 'POST':
        return 'create'
      case 'DELETE':
        return 'deletecollection'
      default:
        return undefined
    }
  }
  switch (method) {
    case 'GET':
      return 'get'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return 'delete'
    default:
      return undefined
  }
}

function checkBodyFormat(request: FastifyRequest, verb: Verb): void {
  // Only these verbs read a body.
  if (verb !== 'patch' && verb !== 'create' && verb !== 'update') return
  const mediaType = requestMediaType(request)
  if (verb === 'patch') {
    if (patchTypeOf(mediaType) === undefined) throw unsupportedMediaType(PATCH_BODY_FORMATS)
    return
  }
  if (mediaType !== '' && !OBJECT_MEDIA_TYPES.has(mediaType)) {
    throw unsupportedMediaType(OBJECT_BODY_FORMATS)
  }
}

function params(request: FastifyRequest): { namespace?: string; name?: string } {
  return request.params as { namespace?: string; name?: string }
}

/** registerEndpoint adds every route of one resource. */
export function registerEndpoint(app: FastifyInstance, endpoint: Endpoint): void {
  const { resource } = endpoint
  const isNamespace = resource.group === '' && resource.plural === 'namespaces'
  const prefix = resource.group
    ? `/apis/${resource.group}/${resource.version}`
    : `/api/${resource.version}`
  const route = (url: string, methods: HTTPMethods[], place: Place, subresource?: string): void => {
    app.route({
      method: methods,
      url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const p = params(request)
        const target: Target = { namespace: p.namespace, name: p.name, subresource }
        const verb = verbFor(request.method, place, request)
        if (verb !== undefined) {
          // A namespace is its own namespace to the authorizer, as the apiserver's RequestInfo
          // makes it, so a RoleBinding in it may grant reading it.
          const namespace = isNamespace ? target.name : target.namespace
          await authorizeRequest(request, {
            kind: 'resource',
            verb,
            group: resource.group,
            resource: resource.plural,
            ...(subresource === undefined ? {} : { subresource }),
            ...(namespace === undefined ? {} : { namespace }),
            ...(target.name === undefined ? {} : { name: target.name }),
          })
        }
        const allowed =
          subresource === undefined
            ? resource.verbs
            : (resource.subresources.find((s) => s.name === subresource)?.verbs ?? [])
        const handler = verb === undefined ? undefined : endpoint.handlers[verb]
        if (
          verb === undefined ||
          handler === undefined ||
          !(allowed as readonly string[]).includes(verb)
        ) {
          throw methodNotAllowed()
        }
        checkBodyFormat(request, verb)
        // An Accept header nothing can satisfy is refused before any work is done.
        negotiate(request.headers.accept)
        return handler(request, reply, target)
      },
    })
  }
  const all: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
  if (resource.namespaced) {
    const collection = `${prefix}/namespaces/:namespace/${resource.plural}`
    route(collection, all, 'collection')
    route(`${collection}/:name`, all, 'item')
    for (const sub of resource.subresources)
      route(`${collection}/:name/${sub.name}`, all, 'item', sub.name)
    route(`${prefix}/${resource.plural}`, all, 'allNamespaces')
    route(`${prefix}/watch/namespaces/:namespace/${resource.plural}`, ['GET'], 'watch')
    route(`${prefix}/watch/namespaces/:namespace/${resource.plural}/:name`, ['GET'], 'watch')
    route(`${prefix}/watch/${resource.plural}`, ['GET'], 'watch')
  } else {
    const collection = `${prefix}/${resource.plural}`
    route(collection, all, 'collection')
    route(`${collection}/:name`, all, 'item')
    for (const sub of resource.subresources)
      route(`${collection}/:name/${sub.name}`, all, 'item', sub.name)
    route(`${prefix}/watch/${resource.plural}`, ['GET'], 'watch')
    route(`${prefix}/watch/${resource.plural}/:name`, ['GET'], 'watch')
  }
}
