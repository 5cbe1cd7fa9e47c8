/**
 * The API's constants, apart from the TypeBox schemas: loading typebox costs 150-250 ms, which
 * a CLI verb that only needs a name or an annotation key must not pay.
 */

/** IMAGE_GROUP is the API group of every image kind. */
export const IMAGE_GROUP = 'image.openshift.io'
/** IMAGE_API_VERSION is the group/version string of every image kind. */
export const IMAGE_API_VERSION = 'image.openshift.io/v1'
/** RBAC_GROUP is the API group of the RBAC kinds. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io'

/** IMPORT_MODES are the valid `importPolicy.importMode` values (docs/imports.md#import-modes). */
export const IMPORT_MODES = ['Legacy', 'PreserveOriginal'] as const
/** ImportMode is how a manifest list is imported: one child (Legacy) or the whole list (PreserveOriginal). */
export type ImportMode = (typeof IMPORT_MODES)[number]
/** IMPORT_MODE_FLAG_MESSAGE is oc's client-side refusal of a bad `--import-mode`. */
export const IMPORT_MODE_FLAG_MESSAGE = `valid ImportMode values are ${IMPORT_MODES.join(' or ')}`
/** importModeOf returns `value` as an ImportMode, or undefined when it is none. */
export function importModeOf(value: string): ImportMode | undefined {
  return IMPORT_MODES.find((m) => m === value)
}

/**
 * REFERENCE_POLICY_TYPES are the valid `referencePolicy.type` values
 * (docs/integrated-registry.md#resolution).
 */
export const REFERENCE_POLICY_TYPES = ['Source', 'Local'] as const
/** ReferencePolicyType says whether a tag resolves to its source or to the integrated registry. */
export type ReferencePolicyType = (typeof REFERENCE_POLICY_TYPES)[number]

/** TAG_FROM_KINDS are the valid `spec.tags[].from.kind` values, in upstream's message order. */
export const TAG_FROM_KINDS = ['DockerImage', 'ImageStreamImage', 'ImageStreamTag'] as const
/** TagFromKind is what a spec tag points at. */
export type TagFromKind = (typeof TAG_FROM_KINDS)[number]

/**
 * DEFAULT_TAG is the tag implied by a reference with neither tag nor digest, as in
 * distribution/reference.
 */
export const DEFAULT_TAG = 'latest'
/** IMPORT_SUCCESS is the only TagEventCondition type; recorded with status "False" on failure. */
export const IMPORT_SUCCESS = 'ImportSuccess'
/**
 * DOCKER_IMAGE_METADATA_VERSION is the default `dockerImageMetadataVersion`, as OpenShift sets it.
 */
export const DOCKER_IMAGE_METADATA_VERSION = '1.0'

/** ANNOTATIONS are the annotation keys with meaning to image streams (openshift/api image/v1/consts.go). */
export const ANNOTATIONS = {
  /**
   * On a stream: RFC 3339 time of the last import; missing means "import everything"
   * (docs/imports.md#generations-and-background-imports).
   */
  dockerRepositoryCheck: 'openshift.io/image.dockerRepositoryCheck',
  /** On a stream: "true" makes insecure the default for its tags. */
  insecureRepository: 'openshift.io/image.insecureRepository',
  /**
   * On a Secret: "true" hides it from imports and pull-through
   * (docs/credentials.md#which-secrets-are-used).
   */
  excludeSecret: 'openshift.io/image.excludeSecret',
  /** On a spec tag: Legacy-mode platform preference. */
  preferArch: 'importer.image.openshift.io/prefer-arch',
  /** On a spec tag: Legacy-mode platform preference. */
  preferOs: 'importer.image.openshift.io/prefer-os',
  /** On an Image: layers are listed base first. */
  layersOrder: 'image.openshift.io/dockerLayersOrder',
  /** On an Image: pushed to the integrated registry (never set on imported images). */
  managed: 'openshift.io/image.managed',
  /** On a spec tag (ours): how often a scheduled tag is checked, a Go duration such as `1h` or `90s`. */
  scheduledImportInterval: 'imagestreams.io/scheduled-import-interval',
  /**
   * On an Image (ours): RFC 3339 time the integrated registry last served it (a child's pull
   * marks its list too); the pruner counts a recent pull as use (docs/pruning.md#in-use).
   */
  lastPulled: 'imagestreams.io/last-pulled',
} as const

/** SECRET_TYPES are the Secret types with rules of their own (kube core/v1 SecretType). */
export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const

/** DOCKERCFG_KEY is the data key of a kubernetes.io/dockercfg Secret (flat `host -> entry` map). */
export const DOCKERCFG_KEY = '.dockercfg'
/** DOCKER_CONFIG_JSON_KEY is the data key of a kubernetes.io/dockerconfigjson Secret (`{"auths": {...}}`). */
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson'
/** MAX_SECRET_SIZE is kube's limit on a Secret's total decoded data: 1 MiB (core/v1 MaxSecretSize). */
export const MAX_SECRET_SIZE = 1024 * 1024

/**
 * REFERENCED_CAUSE is the Status cause reason of a delete refused because another object still
 * references the one deleted (an Image named by a stream's history or a manifest list;
 * docs/kubernetes-api.md#image-deletes-and-references): what tells that refusal from other
 * conflicts.
 */
export const REFERENCED_CAUSE = 'Referenced'
