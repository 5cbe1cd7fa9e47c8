/**
 * An Endpoint is a resource's handlers by verb. routes.ts maps URLs and methods to verbs (as the
 * apiserver's RequestInfo does), authorizes, refuses verbs discovery does not list with 405, and
 * calls the handler.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResourceInfo } from '../../api/index.js'

/** Verb is a Kubernetes API verb. */
export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

/** Target is what the URL names: namespace (absent for cluster scope or all namespaces), name, subresource. */
export interface Target {
  readonly namespace: string | undefined
  readonly name: string | undefined
  readonly subresource: string | undefined
}

/** Handler answers one verb. */
export type Handler = (
  request: FastifyRequest,
  reply: FastifyReply,
  target: Target,
) => Promise<unknown>

/** Endpoint is a resource and its handlers. */
export interface Endpoint {
  readonly resource: ResourceInfo
  readonly handlers: Partial<Readonly<Record<Verb, Handler>>>
}

/** requireName returns the target's name; routes with a name always set it. */
export function requireName(target: Target): string {
  if (target.name === undefined) throw new Error('a route without a name reached an item handler')
  return target.name
}

/** requireNamespace returns the target's namespace; namespaced item routes always set it. */
export function requireNamespace(target: Target): string {
  if (target.namespace === undefined)
    throw new Error('a route without a namespace reached a namespaced handler')
  return target.namespace
}
