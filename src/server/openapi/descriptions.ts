/**
 * Descriptions for the OpenAPI components, keyed by component name. `kubectl explain` prints
 * them, and our TypeBox schemas carry few (they are written for decoding). The text follows the
 * doc comments of openshift/api image/v1, k8s.io/api core/v1 and apimachinery meta/v1, shortened,
 * and says what this server does where it differs (no integrated registry, no triggers).
 */

/** ComponentText is the description of one component and of its fields. */
export interface ComponentText {
  readonly description?: string
  /** Field name to description; a field's own schema description is used when absent here. */
  readonly fields?: Readonly<Record<string, string>>
}

const API_CONVENTIONS =
  'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md'

/** TYPE_META_FIELDS describe `apiVersion`, `kind` and `metadata` of every top-level kind. */
export const TYPE_META_FIELDS: Readonly<Record<string, string>> = {
  apiVersion: `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: ${API_CONVENTIONS}#resources`,
  kind: `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ${API_CONVENTIONS}#types-kinds`,
  metadata: `Standard object's metadata. More info: ${API_CONVENTIONS}#metadata`,
}

/** LIST_FIELDS describe `metadata` and `items` of every `<Kind>List`. */
export const LIST_FIELDS: Readonly<Record<string, string>> = {
  apiVersion: TYPE_META_FIELDS.apiVersion ?? '',
  kind: TYPE_META_FIELDS.kind ?? '',
  metadata: `Standard list metadata. More info: ${API_CONVENTIONS}#types-kinds`,
  items: 'Items is the list of objects.',
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1'
const CORE = 'io.k8s.api.core.v1'
const IMAGE = 'com.github.openshift.api.image.v1'
const DOCKER10 = 'com.github.openshift.api.image.docker10'

/** DESCRIPTIONS are the texts of the components we name, by component name. */
export const DESCRIPTIONS: Readonly<Record<string, ComponentText>> = {
  // image.openshift.io/v1
  [`${IMAGE}.ImageStream`]: {
    description:
      'An ImageStream stores a mapping of tags to images, metadata overrides that are applied when images are tagged in a stream, and an optional reference to a container image repository on a registry. Users typically update the spec.tags field to point to external images, which are imported from container registries using credentials in the namespace with the pull secret type. The history of images applied to a tag is visible in the status.tags field. Users may remove a tag by deleting the imagestreamtag resource, which removes both spec and status for that tag.',
    fields: {
      spec: 'Spec describes the desired state of this stream.',
      status: 'Status describes the current state of this stream.',
    },
  },
  [`${IMAGE}.ImageStreamSpec`]: {
    description: 'ImageStreamSpec represents options for ImageStreams.',
    fields: {
      lookupPolicy:
        'lookupPolicy controls how other resources reference images within this namespace.',
      dockerImageRepository:
        'dockerImageRepository is optional; if specified, this stream is backed by a container repository on this server. Deprecated: this field is deprecated as of v3.7 and will be removed in a future release. Specify the source for the tags to be imported in each tag via the spec.tags.from reference instead.',
      tags: 'tags map arbitrary string values to specific image locators.',
    },
  },
  [`${IMAGE}.ImageLookupPolicy`]: {
    description:
      'ImageLookupPolicy describes how an image stream can be used to override the image references used by pods, builds, and other resources in a namespace.',
    fields: {
      local:
        'local will change the docker short image references (like "mysql" or "php:latest") on objects in this namespace to the image ID whenever they match this image stream, instead of reaching out to a remote registry. The name will be fully qualified to an image ID if found. Only works within the current namespace.',
    },
  },
  [`${IMAGE}.TagReference`]: {
    description:
      'TagReference specifies optional annotations for images using this tag and an optional reference to an ImageStreamTag, ImageStreamImage, or DockerImage this tag should track.',
    fields: {
      name: 'Name of the tag.',
      annotations:
        'Optional; if specified, annotations that are applied to images retrieved via ImageStreamTags.',
      from: 'Optional; if specified, a reference to another image that this tag should point to. Valid values are ImageStreamTag, ImageStreamImage, and DockerImage. ImageStreamTag references can only reference a tag within this same ImageStream.',
      reference:
        'Reference states if the tag will be imported. Default value is false, which means the tag will be imported.',
      generation:
        'Generation is a counter that tracks mutations to the spec tag (user intent). When a tag reference is changed the generation is set to match the current stream generation (which is incremented every time spec is changed). The importer imports a tag whose spec generation is newer than the generation recorded in status. To trigger a new import, clients may set this value to zero, which resets it to the latest stream generation.',
      importPolicy:
        'ImportPolicy is information that controls how images may be imported by the server.',
      referencePolicy: 'ReferencePolicy defines how other components should consume the image.',
    },
  },
  [`${IMAGE}.TagImportPolicy`]: {
    description: 'TagImportPolicy controls how images related to this tag will be imported.',
    fields: {
      insecure:
        'Insecure is true if the server may bypass certificate verification or connect directly over HTTP during image import.',
      scheduled:
        'Scheduled indicates to the server that this tag should be periodically checked to ensure it is up to date, and imported.',
      importMode:
        'ImportMode describes how to import an image manifest: Legacy imports a single image of a manifest list (the one for the server platform), PreserveOriginal imports the whole manifest list with every child.',
    },
  },
  [`${IMAGE}.TagReferencePolicy`]: {
    description:
      'TagReferencePolicy describes how pull-specs for images in this image stream tag are generated when they are resolved. This allows the image stream author to control how images are accessed.',
    fields: {
      type: 'Type determines how the image pull spec should be transformed when the image stream tag is used. The default value is `Source`, indicating the original location of the image should be used (if imported). The user may also specify `Local`, indicating that the pull spec should point to the pull-through registry of this server, which proxies the pull to the upstream registry with the credentials of the image stream namespace.',
    },
  },
  [`${IMAGE}.ImageStreamStatus`]: {
    description: 'ImageStreamStatus contains information about the state of this image stream.',
    fields: {
      dockerImageRepository:
        'DockerImageRepository represents the effective location this stream may be accessed at. May be empty until the server determines where the repository is located.',
      publicDockerImageRepository:
        'PublicDockerImageRepository represents the public location from where the image can be pulled outside the cluster. This field may be empty if the administrator has not exposed the registry externally.',
      tags: 'Tags are a historical record of images associated with each tag. The first entry in the TagEvent array is the currently tagged image.',
    },
  },
  [`${IMAGE}.NamedTagEventList`]: {
    description: 'NamedTagEventList relates a tag to its image history.',
    fields: {
      tag: 'Tag is the tag for which the history is recorded.',
      items: 'Items is the history of images the tag has pointed at, newest first.',
      conditions:
        'Conditions is an array of conditions that apply to the tag event list: a failed import is recorded as an ImportSuccess condition with status False.',
    },
  },
  [`${IMAGE}.TagEvent`]: {
    description:
      'TagEvent is used by ImageStreamStatus to keep a historical record of images associated with a tag.',
    fields: {
      created: 'Created holds the time the TagEvent was created.',
      dockerImageReference:
        'DockerImageReference is the string that can be used to pull this image.',
      image: 'Image is the image (its manifest digest).',
      generation: 'Generation is the spec tag generation that resulted in this tag being updated.',
      platforms:
        'Platforms lists the platforms (os/architecture[/variant]) of the image, for manifest lists imported with PreserveOriginal.',
    },
  },
  [`${IMAGE}.TagEventCondition`]: {
    description: 'TagEventCondition contains condition information for a tag event.',
    fields: {
      type: 'Type of tag event condition, currently only ImportSuccess.',
      status: 'Status of the condition, one of True, False, Unknown.',
      lastTransitionTime:
        'LastTransitionTime is the time the condition transitioned from one status to another.',
      reason: "Reason is a brief machine readable explanation for the condition's last transition.",
      message:
        'Message is a human readable description of the details about last transition, complementing reason.',
      generation: 'Generation is the spec tag generation that this status corresponds to.',
    },
  },
  [`${IMAGE}.Image`]: {
    description:
      'Image is an immutable representation of a container image and metadata at a point in time. Images are named by taking a hash of their contents (metadata and content) and any change in format, content, or metadata results in a new name.',
    fields: {
      dockerImageReference:
        'DockerImageReference is the string that can be used to pull this image.',
      dockerImageMetadata: 'DockerImageMetadata contains metadata about this image.',
      dockerImageMetadataVersion:
        'DockerImageMetadataVersion conveys the version of the object, which if empty defaults to "1.0".',
      dockerImageManifest: 'DockerImageManifest is the raw JSON of the manifest.',
      dockerImageLayers: 'DockerImageLayers represents the layers in the image, base first.',
      signatures: 'Signatures holds all signatures of the image.',
      dockerImageSignatures: 'DockerImageSignatures provides the signatures as opaque blobs.',
      dockerImageManifestMediaType:
        'DockerImageManifestMediaType specifies the mediaType of manifest.',
      dockerImageConfig: 'DockerImageConfig is a JSON blob of the image configuration.',
      dockerImageManifests:
        'DockerImageManifests holds information about sub-manifests when the image represents a manifest list.',
    },
  },
  [`${IMAGE}.ImageLayer`]: {
    description: 'ImageLayer represents a single layer of the image.',
    fields: {
      name: 'Name of the layer as defined by the underlying store (its digest).',
      size: 'Size of the layer in bytes as defined by the underlying store.',
      mediaType: 'MediaType of the referenced object.',
    },
  },
  [`${IMAGE}.ImageStreamLayers`]: {
    description:
      'ImageStreamLayers describes information about the layers referenced by images in this image stream.',
    fields: {
      blobs: 'blobs is a map of blob name to metadata about the blob.',
      images:
        'images is a map between an image name and the names of the blobs and config that comprise the image.',
    },
  },
  [`${IMAGE}.ImageLayerData`]: {
    description: 'ImageLayerData contains metadata about an image layer.',
    fields: {
      size: 'Size of the layer in bytes as defined by the underlying store. This field is optional if the necessary information about size is not available.',
      mediaType: 'MediaType of the referenced object.',
    },
  },
  [`${IMAGE}.ImageBlobReferences`]: {
    description: 'ImageBlobReferences describes the blob references within an image.',
    fields: {
      imageMissing:
        'imageMissing is true if the image is referenced by the image stream but the image object has been deleted from the API by an administrator. When this field is set, layers and config fields may be empty and callers that depend on the image metadata should consider the image to be unavailable for download or viewing.',
      layers:
        'layers is the list of blobs that compose this image, from base layer to top layer. All layers referenced by this array will be defined in the blobs map. Some images may have zero layers.',
      config:
        'config, if set, is the blob that contains the image config. Some images do not have separate config blobs and this field will be set to nil if so.',
      manifests:
        "manifests is the list of other image names that this image points to. For a single architecture image, it is empty. For a multi-arch image, it consists of the digests of single architecture images, such images shouldn't have layers nor config.",
    },
  },
  [`${IMAGE}.ImageManifest`]: {
    description: 'ImageManifest represents sub-manifests of a manifest list.',
    fields: {
      digest: 'Digest is the unique identifier for the manifest. It refers to an Image object.',
      mediaType: 'MediaType defines the type of the manifest.',
      manifestSize: 'ManifestSize represents the size of the raw object contents, in bytes.',
      architecture: 'Architecture specifies the supported CPU architecture.',
      os: 'OS specifies the operating system.',
      variant: 'Variant is an optional field representing a variant of the CPU.',
    },
  },
  [`${IMAGE}.ImageSignature`]: {
    description:
      'ImageSignature holds a signature of an image, named <image name>@<signature name>. Imports do not copy signatures; the imagesignatures resource adds and removes them.',
    fields: {
      type: 'Required: Describes a type of stored blob.',
      content: "Required: An opaque binary string which is an image's signature.",
      conditions:
        "conditions represent the latest available observations of a signature's current state.",
      imageIdentity: "A human readable string representing image's identity.",
      signedClaims: 'Contains claims from the signature.',
      created: "If specified, it is the time of signature's creation.",
      issuedBy: 'If specified, it holds information about an issuer of signing certificate or key.',
      issuedTo: 'If specified, it holds information about a subject of signing certificate or key.',
    },
  },
  [`${IMAGE}.ImageTag`]: {
    description:
      'ImageTag is a single tag of an image stream: its spec tag, its history and the image it currently points at. A tag with either a spec or a history is found; create adds the spec tag, delete removes spec and history.',
    fields: {
      spec: 'spec is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.',
      status:
        'status is the status tag details associated with this image stream tag, and it may be null if no push or import has been performed.',
      image:
        'image is the details of the most recent image stream status tag; it is not set when listing image tags.',
    },
  },
  [`${IMAGE}.ImageStreamMapping`]: {
    description:
      "ImageStreamMapping records an image in a tag of the image stream named by metadata.name and metadata.namespace, as a registry does after a push: the Image is created if it does not exist and becomes the tag's current image. Create only.",
    fields: {
      image: 'image is a container image.',
      tag: 'tag is a string value this image can be located with inside the stream.',
    },
  },
  [`${IMAGE}.ImageStreamTag`]: {
    description:
      'ImageStreamTag represents an Image that is retrieved by tag name from an ImageStream. Use this resource to interact with the tags and images in an image stream by tag, or to see the image details for a particular tag.',
    fields: {
      tag: 'tag is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.',
      generation: 'generation is the current generation of the tagged image.',
      lookupPolicy:
        'lookupPolicy indicates whether this tag will handle image references in this namespace.',
      conditions: 'conditions is an array of conditions that apply to the image stream tag.',
      image: 'image associated with the ImageStream and tag.',
    },
  },
  [`${IMAGE}.ImageStreamImage`]: {
    description:
      'ImageStreamImage represents an Image that is retrieved by image name from an ImageStream. Use this resource to interact with individual images in an image stream by their digest.',
    fields: { image: 'Image associated with the ImageStream and image name.' },
  },
  [`${IMAGE}.ImageStreamImport`]: {
    description:
      'The image stream import resource provides an easy way for a user to find and import container images from other container image registries into the server. Individual images or an entire image repository may be imported, and users may choose to see the results of the import prior to tagging the resulting images into the specified image stream.',
    fields: {
      spec: 'Spec is a description of the images that the user wishes to import.',
      status: 'Status is the result of importing the image.',
    },
  },
  [`${IMAGE}.ImageStreamImportSpec`]: {
    description: 'ImageStreamImportSpec defines what images should be imported.',
    fields: {
      import:
        'Import indicates whether to perform an import - if so, the specified tags are set on the spec and status of the image stream defined by the type meta.',
      repository:
        'Repository is an optional import of an entire container image repository. A maximum limit on the number of tags imported this way is imposed by the server.',
      images: 'Images are a list of individual images to import.',
    },
  },
  [`${IMAGE}.ImageStreamImportStatus`]: {
    description:
      'ImageStreamImportStatus contains information about the status of an image stream import.',
    fields: {
      import:
        "Import is the image stream that was successfully updated or created when 'to' was set.",
      repository: 'Repository is set if spec.repository was set to the outcome of the import.',
      images: 'Images is set with the result of import for each image in spec.images.',
    },
  },
  [`${IMAGE}.ImageImportSpec`]: {
    description:
      'ImageImportSpec describes a request to import a specific image (by tag or digest).',
    fields: {
      from: 'From is the source of an image to import; only kind DockerImage is allowed.',
      to: 'To is a tag in the current image stream to assign the imported image to; if name is not specified the default tag from from.name will be used.',
      importPolicy: 'ImportPolicy is the policy controlling how the image is imported.',
      referencePolicy: 'ReferencePolicy defines how other components should consume the image.',
      includeManifest:
        'IncludeManifest determines if the manifest for each image is returned in the response.',
    },
  },
  [`${IMAGE}.ImageImportStatus`]: {
    description: 'ImageImportStatus describes the result of an image import.',
    fields: {
      status:
        'Status is the status of the image import, including errors encountered while retrieving the image.',
      image: 'Image is the metadata of that image, if the image was located.',
      tag: 'Tag is the tag this image was located under, if any.',
      manifests: 'Manifests holds sub-manifests metadata when importing a manifest list.',
    },
  },
  [`${IMAGE}.RepositoryImportSpec`]: {
    description:
      'RepositoryImportSpec describes a request to import images from a container image repository.',
    fields: {
      from: 'From is the source for the image repository to import; only kind DockerImage and a name of a container image repository is allowed.',
      importPolicy: 'ImportPolicy is the policy controlling how the image is imported.',
      referencePolicy: 'ReferencePolicy defines how other components should consume the image.',
      includeManifest:
        'IncludeManifest determines if the manifest for each image is returned in the response.',
    },
  },
  [`${IMAGE}.RepositoryImportStatus`]: {
    description: 'RepositoryImportStatus describes the result of an image repository import.',
    fields: {
      status: 'Status reflects whether any failure occurred during import.',
      images: 'Images is a list of images successfully retrieved by the import of the repository.',
      additionalTags:
        'AdditionalTags are tags that exist in the repository but were not imported because a maximum limit of automatic imports was applied.',
    },
  },
  [`${DOCKER10}.DockerImage`]: {
    description:
      'DockerImage is the image metadata: the image configuration with Go field names, as the container runtime reports it. Fields this server does not model are kept as they are.',
  },
  [`${DOCKER10}.DockerConfig`]: {
    description:
      'DockerConfig is the list of configuration options used when creating a container.',
  },

  // core/v1
  [`${CORE}.Namespace`]: {
    description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
    fields: {
      spec: 'Spec defines the behavior of the Namespace.',
      status: 'Status describes the current status of a Namespace.',
    },
  },
  [`${CORE}.NamespaceSpec`]: {
    description: 'NamespaceSpec describes the attributes on a Namespace.',
    fields: {
      finalizers:
        'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.',
    },
  },
  [`${CORE}.NamespaceStatus`]: {
    description: 'NamespaceStatus is information about the current status of a Namespace.',
    fields: {
      phase: 'Phase is the current lifecycle phase of the namespace: Active or Terminating.',
      conditions: "Represents the latest available observations of a namespace's current state.",
    },
  },
  [`${CORE}.NamespaceCondition`]: {
    description: 'NamespaceCondition contains details about state of namespace.',
  },
  [`${CORE}.Secret`]: {
    description:
      'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than 1 MiB. Image imports and the pull-through registry use the pull secrets (kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg) of the image stream namespace.',
    fields: {
      immutable:
        'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).',
      data: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string.",
      stringData:
        'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write, overwriting any existing values. The stringData field is never output when reading from the API.',
      type: 'Used to facilitate programmatic handling of secret data.',
    },
  },
  [`${CORE}.ServiceAccount`]: {
    description:
      'ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity; and a set of secrets.',
    fields: {
      secrets:
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      imagePullSecrets:
        'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling images.',
      automountServiceAccountToken:
        'AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.',
    },
  },
  [`${CORE}.ObjectReference`]: {
    description:
      'ObjectReference contains enough information to let you inspect or modify the referred object.',
    fields: {
      kind: 'Kind of the referent.',
      namespace: 'Namespace of the referent.',
      name: 'Name of the referent.',
      uid: 'UID of the referent.',
      apiVersion: 'API version of the referent.',
      resourceVersion: 'Specific resourceVersion to which this reference is made, if any.',
      fieldPath:
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
    },
  },
  [`${CORE}.LocalObjectReference`]: {
    description:
      'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
    fields: { name: 'Name of the referent.' },
  },

  // meta/v1
  [`${META}.ObjectMeta`]: {
    description:
      'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    fields: {
      name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Cannot be updated.',
      generateName:
        'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.',
      namespace:
        'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace. Cannot be updated.',
      selfLink:
        'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.',
      uid: 'UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.',
      resourceVersion:
        'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Read-only.',
      generation:
        'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.',
      creationTimestamp:
        'CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only.',
      deletionTimestamp:
        'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested by the user. Read-only.',
      deletionGracePeriodSeconds:
        'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set.',
      labels:
        'Map of string keys and values that can be used to organize and categorize (scope and select) objects.',
      annotations:
        'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.',
      ownerReferences: 'List of objects depended by this object.',
      finalizers:
        'Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.',
      managedFields:
        'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
    },
  },
  [`${META}.ListMeta`]: {
    description:
      'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
    fields: {
      selfLink:
        'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.',
      resourceVersion:
        "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Read-only.",
      continue:
        'continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.',
      remainingItemCount:
        'remainingItemCount is the number of subsequent items in the list which are not included in this list response.',
    },
  },
  [`${META}.OwnerReference`]: {
    description:
      'OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.',
  },
  [`${META}.ManagedFieldsEntry`]: {
    description:
      'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
  },
  [`${META}.Status`]: {
    description: "Status is a return value for calls that don't return other objects.",
    fields: {
      ...TYPE_META_FIELDS,
      metadata: LIST_FIELDS.metadata ?? '',
      status: 'Status of the operation. One of: "Success" or "Failure".',
      message: 'A human-readable description of the status of this operation.',
      reason: 'A machine-readable description of why this operation is in the "Failure" status.',
      details: 'Extended data associated with the reason.',
      code: 'Suggested HTTP return code for this status, 0 if not set.',
    },
  },
  [`${META}.StatusDetails`]: {
    description:
      'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.',
  },
  [`${META}.StatusCause`]: {
    description:
      'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
  },
  [`${META}.DeleteOptions`]: {
    description: 'DeleteOptions may be provided when deleting an API object.',
    fields: { apiVersion: TYPE_META_FIELDS.apiVersion ?? '', kind: TYPE_META_FIELDS.kind ?? '' },
  },
  [`${META}.Preconditions`]: {
    description:
      'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
  },
}
