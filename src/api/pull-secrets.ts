/**
 * Which Secrets of a namespace an import may use: the `kubernetes.io/dockerconfigjson` and
 * `kubernetes.io/dockercfg` ones not annotated `openshift.io/image.excludeSecret: "true"`
 * (openshift-apiserver pkg/image/apiserver/registry/imagesecret/rest.go). Imports, the integrated
 * registry and the `imagestreams/<name>/secrets` subresource all select with this one rule.
 */
import { ANNOTATIONS, SECRET_TYPES } from './constants.js'
import type { Secret } from './core.js'

/** isImportPullSecret says whether an import may use `secret`. */
export function isImportPullSecret(secret: Secret): boolean {
  return (
    (secret.type === SECRET_TYPES.dockerConfigJson || secret.type === SECRET_TYPES.dockercfg) &&
    secret.metadata.annotations?.[ANNOTATIONS.excludeSecret] !== 'true'
  )
}
