/**
 * Which resources this module serves and how: stored ones go through the generic handlers,
 * virtual ones (views of image streams) have their own, and imagestreamimports is the import
 * route's (src/server/imagestreamimports*), not ours.
 */
import { RESOURCES, type ResourceInfo } from '../../api/index.js'

/** STORED_RESOURCES are kept in the store, one object per key. */
export const STORED_RESOURCES: readonly ResourceInfo[] = [
  RESOURCES.images,
  RESOURCES.imagestreams,
  RESOURCES.namespaces,
  RESOURCES.secrets,
  RESOURCES.serviceaccounts,
  RESOURCES.events,
  RESOURCES.roles,
  RESOURCES.rolebindings,
  RESOURCES.clusterroles,
  RESOURCES.clusterrolebindings,
]

/** NAMESPACED_STORED_RESOURCES are deleted with their namespace. */
export const NAMESPACED_STORED_RESOURCES: readonly ResourceInfo[] = STORED_RESOURCES.filter(
  (r) => r.namespaced,
)

/**
 * DEFAULT_NAMESPACE exists from the start
 * (docs/kubernetes-api.md#namespaces-secrets-and-service-accounts) and may not be deleted.
 */
export const DEFAULT_NAMESPACE = 'default'

/**
 * NAMESPACE_SERVICE_ACCOUNTS are made in every namespace and made again when deleted, as
 * OpenShift's service-account controller keeps `default`, `builder` and `deployer`
 * (openshift-controller-manager's openshift.io/serviceaccount controller, on kubernetes
 * pkg/controller/serviceaccount/serviceaccounts_controller.go).
 */
export const NAMESPACE_SERVICE_ACCOUNTS: readonly string[] = ['default', 'builder', 'deployer']
