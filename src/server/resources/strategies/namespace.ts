/**
 * Namespace strategy (kube registry/core/namespace/strategy.go): a new namespace is Active and
 * carries the `kubernetes` finalizer beside any it was given, which the server removes once it
 * has deleted the namespace's contents; status and spec finalizers belong to the server, so
 * updates keep the stored ones.
 */
import type { Namespace } from '../../../api/index.js'
import { storedJson, type Strategy } from './types.js'
import { cloneJson } from '../../../lib/clone-json.js'

/** NAMESPACE_FINALIZER is the finalizer the server's namespace cleanup owns. */
export const NAMESPACE_FINALIZER = 'kubernetes'

function prepareForCreate(namespace: Namespace): Namespace {
  const copy = cloneJson(namespace)
  const given = copy.spec?.finalizers ?? []
  const finalizers = given.includes(NAMESPACE_FINALIZER) ? given : [...given, NAMESPACE_FINALIZER]
  return { ...copy, spec: { ...copy.spec, finalizers }, status: { phase: 'Active' } }
}

function prepareForUpdate(next: Namespace, prev: Namespace): Namespace {
  const { status: _user, spec: userSpec, ...rest } = cloneJson(next)
  const finalizers = prev.spec?.finalizers
  const spec = { ...userSpec, ...(finalizers === undefined ? {} : { finalizers: [...finalizers] }) }
  if (finalizers === undefined) delete spec.finalizers
  const out: Namespace = Object.keys(spec).length === 0 ? rest : { ...rest, spec }
  return prev.status === undefined ? out : { ...out, status: cloneJson(prev.status) }
}

/**
 * A namespace goes only once its spec finalizers are gone too (kube registry/core/namespace/
 * storage ShouldDeleteNamespaceDuringUpdate); the terminator removes `kubernetes` after the
 * contents.
 */
function shouldDeleteDuringUpdate(next: Namespace): boolean {
  return (next.spec?.finalizers ?? []).length === 0
}

/** namespaceStrategy is the Namespace Strategy. */
export const namespaceStrategy: Strategy<'Namespace'> = {
  prepareForCreate,
  prepareForUpdate,
  shouldDeleteDuringUpdate,
  decorate: (namespace) => namespace,
  decorateJson: storedJson,
}
