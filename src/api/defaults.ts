/**
 * Defaulting, as the apiserver applies it after decoding and before validation
 * (openshift-apiserver image/v1/defaults.go, kube core/v1/defaults.go). Pure: every function
 * returns a new object and never changes its argument. Generations, uids, timestamps and the
 * stream's status are the server's strategies, not defaults.
 */
import { parseImageReference } from '../reference/index.js'
import type { Namespace, Secret } from './core.js'
import { SECRET_TYPES } from './core.js'
import type {
  Image,
  ImageImportSpec,
  ImageStream,
  ImageStreamImport,
  ImageStreamMapping,
  ImageStreamTag,
  ImageTag,
  ImportMode,
  RepositoryImportSpec,
  TagImportPolicy,
  TagReference,
  TagReferencePolicy,
} from './image.js'
import { DOCKER_IMAGE_METADATA_VERSION } from './image.js'
import { defaultBinding } from './rbac.js'
import type { KindMap, KindName } from './resources.js'
import { cloneJson } from '../lib/clone-json.js'

/** DefaultOptions are the server options defaulting depends on. */
export interface DefaultOptions {
  /**
   * The server-wide import mode (`--default-import-mode`, docs/imports.md#import-modes); default
   * Legacy.
   */
  readonly importMode?: ImportMode
}

/**
 * DEFAULT_IMPORT_MODE is the import mode when the server sets none, as in OpenShift
 * (docs/imports.md#import-modes).
 */
export const DEFAULT_IMPORT_MODE: ImportMode = 'Legacy'

/** NAMESPACE_NAME_LABEL is the label kube puts on every namespace with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

function defaultReferencePolicy(policy: TagReferencePolicy | undefined): TagReferencePolicy {
  // SetDefaults_TagReferencePolicy: an empty type is Source.
  return { ...policy, type: policy?.type || 'Source' }
}

function defaultImportPolicy(
  policy: TagImportPolicy | undefined,
  options: DefaultOptions,
): TagImportPolicy {
  // SetDefaults_TagImportPolicy: an empty mode is the cluster default. insecure and scheduled
  // stay absent when absent: "not set" matters to imports (docs/imports.md#import-policy-defaults).
  return {
    ...policy,
    importMode: policy?.importMode || (options.importMode ?? DEFAULT_IMPORT_MODE),
  }
}

/** defaultTagReference fills a spec tag's referencePolicy.type (Source) and importPolicy.importMode (server default). */
export function defaultTagReference(tag: TagReference, options: DefaultOptions = {}): TagReference {
  return {
    ...cloneJson(tag),
    importPolicy: defaultImportPolicy(tag.importPolicy, options),
    referencePolicy: defaultReferencePolicy(tag.referencePolicy),
  }
}

/** defaultImageStream fills `spec.lookupPolicy.local` (false) and every spec tag's policies. */
export function defaultImageStream(stream: ImageStream, options: DefaultOptions = {}): ImageStream {
  const spec = stream.spec ?? {}
  // Only the spec changes: the rest (a status may hold long tag histories) is not copied.
  return {
    ...stream,
    spec: {
      ...spec,
      // Go always serialises the lookupPolicy struct, so oc and kubectl show `local: false`.
      lookupPolicy: { ...spec.lookupPolicy, local: spec.lookupPolicy?.local ?? false },
      ...(spec.tags === undefined
        ? {}
        : { tags: spec.tags.map((tag) => defaultTagReference(tag, options)) }),
    },
  }
}

/** defaultImageStreamTag defaults the embedded spec tag like a stream's. */
export function defaultImageStreamTag(
  istag: ImageStreamTag,
  options: DefaultOptions = {},
): ImageStreamTag {
  const copy = cloneJson(istag)
  if (copy.tag !== undefined) copy.tag = defaultTagReference(copy.tag, options)
  return copy
}

/** defaultImageTag defaults the spec tag like a stream's. */
export function defaultImageTag(itag: ImageTag, options: DefaultOptions = {}): ImageTag {
  const copy = cloneJson(itag)
  if (copy.spec !== undefined) copy.spec = defaultTagReference(copy.spec, options)
  return copy
}

/** defaultImageStreamMapping defaults the mapped Image. */
export function defaultImageStreamMapping(mapping: ImageStreamMapping): ImageStreamMapping {
  return { ...cloneJson(mapping), image: defaultImage(mapping.image) }
}

function defaultImageImportSpec(spec: ImageImportSpec, options: DefaultOptions): ImageImportSpec {
  const copy = cloneJson(spec)
  // SetDefaults_ImageImportSpec: `to` is the tag of from.name; a digest-only `from` gets none.
  if (copy.to === undefined && copy.from.name !== undefined) {
    try {
      const tag = parseImageReference(copy.from.name).tag
      if (tag !== undefined) copy.to = { name: tag }
    } catch {
      // An invalid reference is reported by validation, with its path.
    }
  }
  copy.importPolicy = defaultImportPolicy(copy.importPolicy, options)
  copy.referencePolicy = defaultReferencePolicy(copy.referencePolicy)
  return copy
}

function defaultRepositoryImportSpec(
  spec: RepositoryImportSpec,
  options: DefaultOptions,
): RepositoryImportSpec {
  return {
    ...cloneJson(spec),
    importPolicy: defaultImportPolicy(spec.importPolicy, options),
    referencePolicy: defaultReferencePolicy(spec.referencePolicy),
  }
}

/**
 * defaultImageStreamImport fills `images[].to` from the tag of `from.name`, referencePolicy
 * Source and an empty importMode with the server's default, as OpenShift's generated defaulters
 * do for every TagImportPolicy: an import without a mode imports (and records) the default mode,
 * whatever mode the tag had before (docs/imports.md#import-policy-defaults).
 */
export function defaultImageStreamImport(
  isi: ImageStreamImport,
  options: DefaultOptions = {},
): ImageStreamImport {
  const copy = cloneJson(isi)
  if (copy.spec?.images !== undefined) {
    copy.spec.images = copy.spec.images.map((spec) => defaultImageImportSpec(spec, options))
  }
  if (copy.spec?.repository !== undefined) {
    copy.spec.repository = defaultRepositoryImportSpec(copy.spec.repository, options)
  }
  return copy
}

/** defaultImage fills `dockerImageMetadataVersion` ("1.0"). */
export function defaultImage(image: Image): Image {
  const copy = cloneJson(image)
  copy.dockerImageMetadataVersion ||= DOCKER_IMAGE_METADATA_VERSION
  return copy
}

/** secretData is a Secret's `data` with `stringData` merged in (base64; stringData wins, as kube's conversion does). */
export function secretData(secret: Secret): Record<string, string> {
  const data: Record<string, string> = { ...secret.data }
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    data[key] = Buffer.from(value, 'utf8').toString('base64')
  }
  return data
}

/**
 * defaultSecret sets type Opaque when empty and turns `stringData` into base64 `data`, as
 * kube-apiserver does.
 */
export function defaultSecret(secret: Secret): Secret {
  const { stringData, ...rest } = cloneJson(secret)
  const copy: Secret = { ...rest, type: secret.type || SECRET_TYPES.opaque }
  if (stringData !== undefined || secret.data !== undefined) copy.data = secretData(secret)
  return copy
}

/** defaultNamespace labels the namespace with its name and sets phase Active (kube SetDefaults_Namespace/_NamespaceStatus). */
export function defaultNamespace(namespace: Namespace): Namespace {
  const copy = cloneJson(namespace)
  if (copy.metadata.name) {
    copy.metadata.labels = { ...copy.metadata.labels, [NAMESPACE_NAME_LABEL]: copy.metadata.name }
  }
  copy.status = { ...copy.status, phase: copy.status?.phase || 'Active' }
  return copy
}

const DEFAULTERS: { readonly [K in KindName]: (o: KindMap[K], d: DefaultOptions) => KindMap[K] } = {
  Namespace: defaultNamespace,
  Secret: defaultSecret,
  ServiceAccount: (o) => cloneJson(o),
  Event: (o) => cloneJson(o),
  Image: defaultImage,
  ImageStream: defaultImageStream,
  ImageStreamTag: defaultImageStreamTag,
  ImageStreamImage: (o) => cloneJson(o),
  ImageStreamImport: defaultImageStreamImport,
  ImageTag: defaultImageTag,
  ImageStreamMapping: defaultImageStreamMapping,
  ImageSignature: (o) => cloneJson(o),
  Role: (o) => cloneJson(o),
  ClusterRole: (o) => cloneJson(o),
  RoleBinding: defaultBinding,
  ClusterRoleBinding: defaultBinding,
}

/** applyDefaults defaults an object of any kind we serve; returns a new object. */
export function applyDefaults<K extends KindName>(
  kind: K,
  object: KindMap[K],
  options: DefaultOptions = {},
): KindMap[K] {
  const defaulter = DEFAULTERS[kind] as (o: KindMap[K], d: DefaultOptions) => KindMap[K]
  return defaulter(object, options)
}
