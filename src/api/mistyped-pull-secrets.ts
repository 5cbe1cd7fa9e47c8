/**
 * Secrets that carry a docker config under a pull-secret key but are typed `Opaque`. Imports,
 * like OpenShift's and like the kubelet, read credentials only from secrets of type
 * `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg`, so such a secret is ignored;
 * these helpers find one and say how to fix it (docs/credentials.md#opaque-secrets). A secret's
 * type cannot be changed, so the fix is to delete it and create it again with the right type.
 */
import { DOCKERCFG_KEY, DOCKER_CONFIG_JSON_KEY, SECRET_TYPES } from './constants.js'
import type { Secret } from './core.js'

/** MisTypedPullSecret is an Opaque secret holding a pull-secret key, and the type it needs. */
export interface MisTypedPullSecret {
  readonly name: string
  /** `.dockerconfigjson` or `.dockercfg`. */
  readonly key: string
  /** The type a secret with that key must have to be used. */
  readonly type: string
}

const TYPE_OF_KEY: readonly (readonly [string, string])[] = [
  [DOCKER_CONFIG_JSON_KEY, SECRET_TYPES.dockerConfigJson],
  [DOCKERCFG_KEY, SECRET_TYPES.dockercfg],
]

/** misTypedPullSecret returns what is wrong with `secret`, or undefined for any other secret. */
export function misTypedPullSecret(secret: Secret): MisTypedPullSecret | undefined {
  if ((secret.type || SECRET_TYPES.opaque) !== SECRET_TYPES.opaque) return undefined
  const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])
  const hit = TYPE_OF_KEY.find(([key]) => keys.has(key))
  if (!hit) return undefined
  return { name: secret.metadata.name ?? '', key: hit[0], type: hit[1] }
}

/** misTypedPullSecretAdvice says, in one sentence, why `s` is ignored and how to recreate it. */
export function misTypedPullSecretAdvice(s: MisTypedPullSecret): string {
  return (
    `secret "${s.name}" has a ${s.key} key but type Opaque, so imports ignore it; ` +
    `delete it and create it with type ${s.type}: ` +
    `isctl create secret generic ${s.name} --from-file=${s.key}=FILE --type=${s.type}`
  )
}
