/**
 * Namespace strategy (kube registry/core/namespace/strategy.go): a new namespace is Active; its
 * status belongs to the server, so updates keep the stored one.
 */
import type { Namespace } from '../../../api/index.js'
import type { Strategy } from './types.js'

function prepareForCreate(namespace: Namespace): Namespace {
  return { ...structuredClone(namespace), status: { phase: 'Active' } }
}

function prepareForUpdate(next: Namespace, prev: Namespace): Namespace {
  const { status: _user, ...rest } = structuredClone(next)
  return prev.status === undefined ? rest : { ...rest, status: structuredClone(prev.status) }
}

/** namespaceStrategy is the Namespace Strategy. */
export const namespaceStrategy: Strategy<'Namespace'> = {
  prepareForCreate,
  prepareForUpdate,
  decorate: (namespace) => namespace,
}
