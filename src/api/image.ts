/**
 * image.openshift.io/v1 kinds as TypeBox schemas with the exact JSON names of openshift/api
 * `image/v1/types.go` and `image/docker10/dockertypes.go`.
 */
import Type from 'typebox'
import type { Static } from 'typebox'
import {
  LocalObjectReference,
  MapOf,
  ObjectMeta,
  ObjectReference,
  Status,
  StringMap,
  Time,
  TypeMetaProperties,
} from './meta.js'

export {
  ANNOTATIONS,
  DEFAULT_TAG,
  DOCKER_IMAGE_METADATA_VERSION,
  IMAGE_API_VERSION,
  IMAGE_GROUP,
  IMPORT_MODES,
  IMPORT_SUCCESS,
  REFERENCE_POLICY_TYPES,
  TAG_FROM_KINDS,
  type ImportMode,
  type ReferencePolicyType,
  type TagFromKind,
} from './constants.js'

// docker10 types are a RawExtension upstream (+kubebuilder:pruning:PreserveUnknownFields), so
// fields we do not model are kept verbatim: additionalProperties true at every level.
const PRESERVE = { additionalProperties: true } as const

/** DockerConfig is docker10 DockerConfig: the container config of an image, Go field names. */
export const DockerConfig = Type.Object(
  {
    Hostname: Type.Optional(Type.String()),
    Domainname: Type.Optional(Type.String()),
    User: Type.Optional(Type.String()),
    Memory: Type.Optional(Type.Integer()),
    MemorySwap: Type.Optional(Type.Integer()),
    CpuShares: Type.Optional(Type.Integer()),
    Cpuset: Type.Optional(Type.String()),
    AttachStdin: Type.Optional(Type.Boolean()),
    AttachStdout: Type.Optional(Type.Boolean()),
    AttachStderr: Type.Optional(Type.Boolean()),
    PortSpecs: Type.Optional(Type.Array(Type.String())),
    ExposedPorts: Type.Optional(MapOf(Type.Object({}, PRESERVE))),
    Tty: Type.Optional(Type.Boolean()),
    OpenStdin: Type.Optional(Type.Boolean()),
    StdinOnce: Type.Optional(Type.Boolean()),
    Env: Type.Optional(Type.Array(Type.String())),
    Cmd: Type.Optional(Type.Array(Type.String())),
    Dns: Type.Optional(Type.Array(Type.String())),
    Image: Type.Optional(Type.String()),
    Volumes: Type.Optional(MapOf(Type.Object({}, PRESERVE))),
    VolumesFrom: Type.Optional(Type.String()),
    WorkingDir: Type.Optional(Type.String()),
    Entrypoint: Type.Optional(Type.Array(Type.String())),
    NetworkDisabled: Type.Optional(Type.Boolean()),
    SecurityOpts: Type.Optional(Type.Array(Type.String())),
    OnBuild: Type.Optional(Type.Array(Type.String())),
    Labels: Type.Optional(StringMap),
  },
  PRESERVE,
)
/** DockerConfig is docker10 DockerConfig. */
export type DockerConfig = Static<typeof DockerConfig>

/**
 * DockerImage is `dockerImageMetadata` (kind DockerImage, apiVersion image.openshift.io/1.0).
 * `Os` and `Variant` are ours: docker10 has only Architecture, and the platform is part of an Image
 * here (docs/kubernetes-api.md#object-model).
 */
export const DockerImage = Type.Object(
  {
    ...TypeMetaProperties,
    Id: Type.Optional(Type.String()),
    Parent: Type.Optional(Type.String()),
    Comment: Type.Optional(Type.String()),
    // Plain string, not Time: copied from config blobs, which carry nanoseconds and zones.
    Created: Type.Optional(Type.String()),
    Container: Type.Optional(Type.String()),
    ContainerConfig: Type.Optional(DockerConfig),
    DockerVersion: Type.Optional(Type.String()),
    Author: Type.Optional(Type.String()),
    Config: Type.Optional(DockerConfig),
    Architecture: Type.Optional(Type.String()),
    Os: Type.Optional(Type.String()),
    Variant: Type.Optional(Type.String()),
    Size: Type.Optional(Type.Integer()),
  },
  PRESERVE,
)
/** DockerImage is an Image's `dockerImageMetadata`. */
export type DockerImage = Static<typeof DockerImage>

/** ImageLayer is one layer, base first: `{name: digest, size, mediaType}`. */
export const ImageLayer = Type.Object({
  name: Type.String(),
  size: Type.Integer(),
  mediaType: Type.String(),
})
/** ImageLayer is one layer of an Image. */
export type ImageLayer = Static<typeof ImageLayer>

/** ImageManifest is one child of a manifest list or OCI index. */
export const ImageManifest = Type.Object({
  digest: Type.String(),
  mediaType: Type.String(),
  manifestSize: Type.Integer(),
  architecture: Type.String(),
  os: Type.String(),
  variant: Type.Optional(Type.String()),
})
/** ImageManifest is one child of a manifest list. */
export type ImageManifest = Static<typeof ImageManifest>

/** SignatureCondition is one observation of a signature's state (`Trusted`, `ForImage`). */
export const SignatureCondition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  lastProbeTime: Type.Optional(Time),
  lastTransitionTime: Type.Optional(Time),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
})
/** SignatureCondition is one observation of a signature's state. */
export type SignatureCondition = Static<typeof SignatureCondition>

/** SignatureIssuer is who issued the signing key or certificate. */
export const SignatureIssuer = Type.Object({
  organization: Type.Optional(Type.String()),
  commonName: Type.Optional(Type.String()),
})
/** SignatureIssuer is who issued the signing key or certificate. */
export type SignatureIssuer = Static<typeof SignatureIssuer>

/** SignatureSubject is who signed the image, with the key id. */
export const SignatureSubject = Type.Object({
  organization: Type.Optional(Type.String()),
  commonName: Type.Optional(Type.String()),
  publicKeyID: Type.String(),
})
/** SignatureSubject is who signed the image. */
export type SignatureSubject = Static<typeof SignatureSubject>

/**
 * ImageSignature is one signature of an Image, named `<image name>@<signature name>`; `content`
 * is base64 (Go []byte). Imports clear signatures; the `imagesignatures` resource adds and
 * removes them.
 */
export const ImageSignature = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    type: Type.String(),
    content: Type.String(),
    conditions: Type.Optional(
      Type.Array(SignatureCondition, {
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    imageIdentity: Type.Optional(Type.String()),
    signedClaims: Type.Optional(StringMap),
    created: Type.Optional(Time),
    issuedBy: Type.Optional(SignatureIssuer),
    issuedTo: Type.Optional(SignatureSubject),
  },
  { description: 'ImageSignature holds a signature of an image.' },
)
/** ImageSignature is a signature of an image. */
export type ImageSignature = Static<typeof ImageSignature>

/** Image is a content-addressed, immutable, cluster-scoped image (`metadata.name` = manifest digest). */
export const Image = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    dockerImageReference: Type.Optional(Type.String()),
    // Replaced whole by a strategic merge patch, as openshift/api declares the field.
    dockerImageMetadata: Type.Optional(
      Type.Object(DockerImage.properties, {
        ...PRESERVE,
        'x-kubernetes-patch-strategy': 'replace',
      }),
    ),
    dockerImageMetadataVersion: Type.Optional(Type.String()),
    dockerImageManifest: Type.Optional(Type.String()),
    dockerImageLayers: Type.Optional(Type.Array(ImageLayer)),
    signatures: Type.Optional(
      Type.Array(ImageSignature, {
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    dockerImageSignatures: Type.Optional(Type.Array(Type.String())),
    dockerImageManifestMediaType: Type.Optional(Type.String()),
    dockerImageConfig: Type.Optional(Type.String()),
    dockerImageManifests: Type.Optional(Type.Array(ImageManifest)),
  },
  { description: 'Image is an immutable container image, named by its manifest digest.' },
)
/** Image is a content-addressed, immutable image. */
export type Image = Static<typeof Image>

/** ImageLookupPolicy says whether short names in this namespace resolve to the stream. */
export const ImageLookupPolicy = Type.Object({ local: Type.Optional(Type.Boolean()) })
/** ImageLookupPolicy says whether short names resolve to the stream. */
export type ImageLookupPolicy = Static<typeof ImageLookupPolicy>

/**
 * TagImportPolicy controls imports of a tag; absent booleans are "not set"
 * (docs/imports.md#import-policy-defaults).
 */
export const TagImportPolicy = Type.Object({
  insecure: Type.Optional(Type.Boolean()),
  scheduled: Type.Optional(Type.Boolean()),
  importMode: Type.Optional(Type.String({ description: 'Legacy or PreserveOriginal.' })),
})
/** TagImportPolicy controls imports of a tag. */
export type TagImportPolicy = Static<typeof TagImportPolicy>

/** TagReferencePolicy says how the tag is consumed: `Source` (default) or `Local` (pull-through). */
export const TagReferencePolicy = Type.Object({
  type: Type.Optional(Type.String({ description: 'Source or Local.' })),
})
/** TagReferencePolicy says how the tag is consumed. */
export type TagReferencePolicy = Static<typeof TagReferencePolicy>

/**
 * TagReference is one spec tag: where it points and how it is imported (openshift/api
 * image/v1/types.go).
 */
export const TagReference = Type.Object({
  name: Type.String(),
  annotations: Type.Optional(StringMap),
  from: Type.Optional(ObjectReference),
  reference: Type.Optional(Type.Boolean()),
  generation: Type.Optional(
    Type.Integer({ description: '0 asks for a re-import; the server sets the stream generation.' }),
  ),
  importPolicy: Type.Optional(TagImportPolicy),
  referencePolicy: Type.Optional(TagReferencePolicy),
})
/** TagReference is one spec tag. */
export type TagReference = Static<typeof TagReference>

/**
 * ImageStreamSpec is what the user asks of a stream. Its tags merge by name, as openshift/api
 * image/v1 declares (`patchMergeKey=name`): the OpenAPI documents publish it, kubectl apply and
 * the server's strategic merge patch rely on it; status tags merge by `tag` in the same way.
 */
export const ImageStreamSpec = Type.Object({
  lookupPolicy: Type.Optional(ImageLookupPolicy),
  dockerImageRepository: Type.Optional(Type.String({ description: 'Deprecated since 3.7.' })),
  tags: Type.Optional(
    Type.Array(TagReference, {
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    }),
  ),
})
/** ImageStreamSpec is what the user asks of a stream. */
export type ImageStreamSpec = Static<typeof ImageStreamSpec>

/** TagEvent is one history entry of a tag: `dockerImageReference` is `repo@digest`. */
export const TagEvent = Type.Object({
  created: Time,
  dockerImageReference: Type.String(),
  image: Type.String(),
  generation: Type.Integer(),
  platforms: Type.Optional(Type.Array(Type.String())),
})
/** TagEvent is one history entry of a tag. */
export type TagEvent = Static<typeof TagEvent>

/** TagEventCondition records a failed import (`type: ImportSuccess, status: "False"`). */
export const TagEventCondition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  lastTransitionTime: Type.Optional(Time),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  generation: Type.Integer(),
})
/** TagEventCondition records a failed import. */
export type TagEventCondition = Static<typeof TagEventCondition>

/** NamedTagEventList is a tag's history, newest first, plus its failure conditions. */
export const NamedTagEventList = Type.Object({
  tag: Type.String(),
  items: Type.Optional(Type.Array(TagEvent)),
  conditions: Type.Optional(Type.Array(TagEventCondition)),
})
/** NamedTagEventList is a tag's history. */
export type NamedTagEventList = Static<typeof NamedTagEventList>

/** ImageStreamStatus is what the server observed; `dockerImageRepository` is computed on read. */
export const ImageStreamStatus = Type.Object({
  dockerImageRepository: Type.Optional(Type.String()),
  publicDockerImageRepository: Type.Optional(Type.String()),
  tags: Type.Optional(
    Type.Array(NamedTagEventList, {
      'x-kubernetes-patch-merge-key': 'tag',
      'x-kubernetes-patch-strategy': 'merge',
    }),
  ),
})
/** ImageStreamStatus is what the server observed. */
export type ImageStreamStatus = Static<typeof ImageStreamStatus>

/** ImageStream is a named set of tags pointing at images in other registries. */
export const ImageStream = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    spec: Type.Optional(ImageStreamSpec),
    status: Type.Optional(ImageStreamStatus),
  },
  { description: 'ImageStream stores a mapping of tags to images.' },
)
/** ImageStream is a named set of tags. */
export type ImageStream = Static<typeof ImageStream>

/** ImageStreamTag is the virtual `<stream>:<tag>`: the tag's current image plus its spec tag. */
export const ImageStreamTag = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    tag: Type.Optional(TagReference),
    generation: Type.Optional(Type.Integer()),
    lookupPolicy: Type.Optional(ImageLookupPolicy),
    conditions: Type.Optional(Type.Array(TagEventCondition)),
    image: Type.Optional(Image),
  },
  { description: 'ImageStreamTag is the image a tag of an image stream currently points at.' },
)
/** ImageStreamTag is the virtual `<stream>:<tag>`. */
export type ImageStreamTag = Static<typeof ImageStreamTag>

/** ImageStreamImage is the virtual `<stream>@<digest>` (get only). */
export const ImageStreamImage = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    image: Image,
  },
  { description: 'ImageStreamImage is an image of an image stream, by digest.' },
)
/** ImageStreamImage is the virtual `<stream>@<digest>`. */
export type ImageStreamImage = Static<typeof ImageStreamImage>

/** ImageImportSpec asks for one tag or digest; `to` defaults to the tag of `from.name`. */
export const ImageImportSpec = Type.Object({
  from: ObjectReference,
  to: Type.Optional(LocalObjectReference),
  importPolicy: Type.Optional(TagImportPolicy),
  referencePolicy: Type.Optional(TagReferencePolicy),
  includeManifest: Type.Optional(Type.Boolean()),
})
/** ImageImportSpec asks for one tag or digest. */
export type ImageImportSpec = Static<typeof ImageImportSpec>

/** RepositoryImportSpec asks for every tag of a repository, up to the server's bulk limit. */
export const RepositoryImportSpec = Type.Object({
  from: ObjectReference,
  importPolicy: Type.Optional(TagImportPolicy),
  referencePolicy: Type.Optional(TagReferencePolicy),
  includeManifest: Type.Optional(Type.Boolean()),
})
/** RepositoryImportSpec asks for every tag of a repository. */
export type RepositoryImportSpec = Static<typeof RepositoryImportSpec>

/** ImageStreamImportSpec: `import: false` is a dry run. */
export const ImageStreamImportSpec = Type.Object({
  import: Type.Optional(Type.Boolean()),
  repository: Type.Optional(RepositoryImportSpec),
  images: Type.Optional(Type.Array(ImageImportSpec)),
})
/** ImageStreamImportSpec says what to import. */
export type ImageStreamImportSpec = Static<typeof ImageStreamImportSpec>

/** ImageImportStatus is one entry's result, index-aligned with `spec.images`. */
export const ImageImportStatus = Type.Object({
  status: Status,
  image: Type.Optional(Image),
  tag: Type.Optional(Type.String()),
  manifests: Type.Optional(Type.Array(Image)),
})
/** ImageImportStatus is one entry's result. */
export type ImageImportStatus = Static<typeof ImageImportStatus>

/** RepositoryImportStatus is a repository import's result; tags beyond the limit go to `additionalTags`. */
export const RepositoryImportStatus = Type.Object({
  status: Type.Optional(Status),
  images: Type.Optional(Type.Array(ImageImportStatus)),
  additionalTags: Type.Optional(Type.Array(Type.String())),
})
/** RepositoryImportStatus is a repository import's result. */
export type RepositoryImportStatus = Static<typeof RepositoryImportStatus>

/** ImageStreamImportStatus: `import` is the resulting stream (only when `spec.import`). */
export const ImageStreamImportStatus = Type.Object({
  import: Type.Optional(ImageStream),
  repository: Type.Optional(RepositoryImportStatus),
  images: Type.Optional(Type.Array(ImageImportStatus)),
})
/** ImageStreamImportStatus is the outcome of an import. */
export type ImageStreamImportStatus = Static<typeof ImageStreamImportStatus>

/** ImageStreamImport is the one import primitive (create only; `metadata.name` is the target stream). */
export const ImageStreamImport = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    spec: Type.Optional(ImageStreamImportSpec),
    status: Type.Optional(ImageStreamImportStatus),
  },
  { description: 'ImageStreamImport imports images from other registries into an image stream.' },
)
/** ImageStreamImport is the one import primitive. */
export type ImageStreamImport = Static<typeof ImageStreamImport>

/** ImageTag is the virtual `<stream>:<tag>` of the newer API: the spec tag, its history and the current Image. */
export const ImageTag = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    spec: Type.Optional(TagReference),
    status: Type.Optional(NamedTagEventList),
    image: Type.Optional(Image),
  },
  {
    description:
      'ImageTag is a single tag of an image stream: its spec tag, its status history and the image it currently points at.',
  },
)
/** ImageTag is the virtual `<stream>:<tag>` with spec, status and image. */
export type ImageTag = Static<typeof ImageTag>

/** ImageStreamMapping records an image in a tag of a stream (create only), as a registry does after a push. */
export const ImageStreamMapping = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    image: Image,
    tag: Type.String(),
  },
  {
    description:
      'ImageStreamMapping adds an image to the history of a tag of the image stream named by metadata.name, creating the Image if it does not exist.',
  },
)
/** ImageStreamMapping records an image in a tag of a stream. */
export type ImageStreamMapping = Static<typeof ImageStreamMapping>

/** ImageLayerData is one blob of an ImageStreamLayers: size when known, and media type. */
export const ImageLayerData = Type.Object({
  size: Type.Optional(Type.Integer()),
  mediaType: Type.String(),
})
/** ImageLayerData is one blob of an ImageStreamLayers. */
export type ImageLayerData = Static<typeof ImageLayerData>

/** ImageBlobReferences are the blobs of one image: layers and config, or a list's child manifests. */
export const ImageBlobReferences = Type.Object({
  imageMissing: Type.Boolean(),
  layers: Type.Array(Type.String()),
  config: Type.Optional(Type.String()),
  manifests: Type.Optional(Type.Array(Type.String())),
})
/** ImageBlobReferences are the blobs of one image. */
export type ImageBlobReferences = Static<typeof ImageBlobReferences>

/** ImageStreamLayers is the `imagestreams/<name>/layers` view: every blob of every image the stream references. */
export const ImageStreamLayers = Type.Object(
  {
    ...TypeMetaProperties,
    metadata: ObjectMeta,
    blobs: MapOf(ImageLayerData),
    images: MapOf(ImageBlobReferences),
  },
  {
    description:
      'ImageStreamLayers describes the blobs (layers, configs and manifests) of the images an image stream references.',
  },
)
/** ImageStreamLayers is the layers view of a stream. */
export type ImageStreamLayers = Static<typeof ImageStreamLayers>
