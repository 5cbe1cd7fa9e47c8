/**
 * Validation of decoded, defaulted objects: returns field errors in the Kubernetes `causes`
 * vocabulary and never throws. Rules and messages follow openshift-apiserver
 * `image/validation/validation.go` and kube `core/validation` (docs/kubernetes-api.md#validation);
 * departures are marked "Ours". Spec and status tags are addressed by name (`spec.tags[latest]`),
 * as OpenShift's internal map gives them, though clients send a v1 list.
 */
import { isDeepStrictEqual } from 'node:util'
import { goQuote } from '../lib/go-quote.js'
import { InvalidReferenceError, parseDigest, parseImageReference } from '../reference/index.js'
import type { ImageReference } from '../reference/index.js'
import type { Namespace, Secret, ServiceAccount } from './core.js'
import { DOCKER_CONFIG_JSON_KEY, DOCKERCFG_KEY, MAX_SECRET_SIZE, SECRET_TYPES } from './core.js'
import { secretData } from './defaults.js'
import { validateEvent } from './events.js'
import type { FieldError, FieldValue } from './field-errors.js'
import { duplicate, forbidden, invalid, notSupported, required, tooLong } from './field-errors.js'
import type {
  Image,
  ImageStream,
  ImageStreamImage,
  ImageSignature,
  ImageStreamImport,
  ImageStreamMapping,
  ImageStreamTag,
  ImageTag,
  TagImportPolicy,
  TagReference,
  TagReferencePolicy,
} from './image.js'
import {
  DOCKER_IMAGE_METADATA_VERSION,
  IMPORT_MODES,
  REFERENCE_POLICY_TYPES,
  TAG_FROM_KINDS,
} from './image.js'
import type { TagFromKind } from './image.js'
import type { ObjectMeta } from './meta.js'
import type { NameValidator } from './names.js'
import {
  IMAGE_STREAM_PATH_MAX_LENGTH,
  checkDNS1123Label,
  nameIsImageStreamName,
  checkLabelValue,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  checkQualifiedName,
  checkConfigMapKey,
  checkTagName,
} from './names.js'
import type { KindMap, KindName } from './resources.js'
import {
  validateBinding,
  validateBindingUpdate,
  validateClusterRole,
  validateRole,
} from './rbac-validation.js'
import { childPath, keyPath } from './schema.js'

/** IMPORT_MODE_MESSAGE is the server's detail for a bad import mode (openshift-apiserver ValidateImportPolicy). */
export const IMPORT_MODE_MESSAGE =
  "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'"

/**
 * REDACTED stands in for Secret contents in every message
 * (docs/kubernetes-api.md#security-and-redaction; kube prints the same).
 */
export const REDACTED = '<secret contents redacted>'

/** TOTAL_ANNOTATION_SIZE_LIMIT is kube's limit on the sum of annotation keys and values: 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

const SCHEDULED_NEEDS_DOCKER_IMAGE =
  'only tags pointing to Docker repositories may be scheduled for background import'

// --- metadata ---------------------------------------------------------------------------------

interface MetaRules {
  readonly namespaced: boolean
  readonly name: NameValidator
}

// One FieldValueInvalid per problem, as kube does for name and key checks.
function addInvalid(
  field: string,
  value: string,
  problems: readonly string[],
  errors: FieldError[],
): void {
  for (const problem of problems) errors.push(invalid(field, value, problem))
}

/** validateObjectMeta is kube ValidateObjectMeta: name or generateName, namespace presence and form, labels, annotations, owner references. */
export function validateObjectMeta(
  meta: ObjectMeta,
  rules: MetaRules,
  path = 'metadata',
): FieldError[] {
  const errors: FieldError[] = []
  if (meta.generateName) {
    addInvalid(
      childPath(path, 'generateName'),
      meta.generateName,
      rules.name(meta.generateName, true),
      errors,
    )
  }
  if (!meta.name) {
    errors.push(required(childPath(path, 'name'), 'name or generateName is required'))
  } else {
    addInvalid(childPath(path, 'name'), meta.name, rules.name(meta.name, false), errors)
  }
  const namespacePath = childPath(path, 'namespace')
  if (rules.namespaced) {
    if (!meta.namespace) errors.push(required(namespacePath))
    else addInvalid(namespacePath, meta.namespace, checkDNS1123Label(meta.namespace), errors)
  } else if (meta.namespace) {
    errors.push(forbidden(namespacePath, 'not allowed on this type'))
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errors.push(
      invalid(childPath(path, 'generation'), meta.generation, 'must be greater than or equal to 0'),
    )
  }
  const labelsPath = childPath(path, 'labels')
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    addInvalid(labelsPath, key, checkQualifiedName(key), errors)
    addInvalid(labelsPath, value, checkLabelValue(value), errors)
  }
  const annotationsPath = childPath(path, 'annotations')
  let annotationBytes = 0
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    addInvalid(annotationsPath, key, checkQualifiedName(key.toLowerCase()), errors)
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(value)
  }
  if (annotationBytes > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push(tooLong(annotationsPath, TOTAL_ANNOTATION_SIZE_LIMIT))
  }
  meta.ownerReferences?.forEach((owner, i) => {
    const ownerPath = keyPath(childPath(path, 'ownerReferences'), i)
    const fields = ['apiVersion', 'kind', 'name', 'uid'] as const
    for (const field of fields) {
      if (!owner[field]) {
        errors.push(
          invalid(childPath(ownerPath, field), owner[field], `${field} must not be empty`),
        )
      }
    }
  })
  // ValidateFinalizers: each name is a qualified name, as label keys are.
  for (const finalizer of meta.finalizers ?? []) {
    addInvalid(childPath(path, 'finalizers'), finalizer, checkQualifiedName(finalizer), errors)
  }
  return errors
}

/**
 * validateObjectMetaUpdate is kube ValidateObjectMetaUpdate: no finalizer may be added once a
 * delete marked the object (ValidateNoNewFinalizers), and name, namespace and uid may not change.
 */
export function validateObjectMetaUpdate(
  next: ObjectMeta,
  prev: ObjectMeta,
  path = 'metadata',
): FieldError[] {
  const errors: FieldError[] = []
  if (prev.deletionTimestamp !== undefined) {
    const had = new Set(prev.finalizers ?? [])
    const added = [...new Set(next.finalizers ?? [])].filter((f) => !had.has(f)).sort()
    if (added.length > 0) {
      errors.push(
        forbidden(
          childPath(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`,
        ),
      )
    }
  }
  // A field the new object leaves empty is the server's to carry over, as kube's BeforeUpdate does.
  for (const field of ['name', 'namespace', 'uid'] as const) {
    const value = next[field]
    if (value && value !== (prev[field] ?? '')) {
      errors.push(invalid(childPath(path, field), value, 'field is immutable'))
    }
  }
  return errors
}

/** goStringSlice renders a []string as Go's %#v does: `[]string{"a", "b"}`. */
function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map((v) => goQuote(v)).join(', ')}}`
}

// --- references and tags ----------------------------------------------------------------------

// distribution/reference's error texts, which OpenShift returns as they are
// (library-go image/reference Parse).
const REFERENCE_FORMAT = 'invalid reference format'
const NAME_UPPERCASE = 'repository name must be lowercase'
const NAME_TOO_LONG = 'repository name must not be more than 255 characters'

/** parseReference parses a pull spec, or says why not in distribution's words. */
function parseReference(value: string): ImageReference | Error {
  try {
    return parseImageReference(value)
  } catch (err) {
    // parseImageReference throws InvalidReferenceError; anything else is a bug worth showing.
    if (!(err instanceof InvalidReferenceError)) {
      return err instanceof Error ? err : new Error(String(err))
    }
    if (err.nameTooLong) return new Error(NAME_TOO_LONG)
    return new Error(
      value !== value.toLowerCase() && parsesAsLowercase(value) ? NAME_UPPERCASE : REFERENCE_FORMAT,
    )
  }
}

// distribution's grammar check comes before its length check, so only the grammar counts here.
function parsesAsLowercase(value: string): boolean {
  try {
    parseImageReference(value.toLowerCase())
    return true
  } catch (err) {
    return err instanceof InvalidReferenceError && err.nameTooLong
  }
}

function validateImportPolicy(policy: TagImportPolicy | undefined, path: string): FieldError[] {
  const mode = policy?.importMode
  // Empty is allowed: defaulting fills it (stream tags) or the importer resolves it (imports).
  if (mode && !(IMPORT_MODES as readonly string[]).includes(mode)) {
    return [invalid(childPath(path, 'importMode'), mode, IMPORT_MODE_MESSAGE)]
  }
  return []
}

function validateReferencePolicy(
  policy: TagReferencePolicy | undefined,
  path: string,
): FieldError[] {
  const type = policy?.type
  if (type && !(REFERENCE_POLICY_TYPES as readonly string[]).includes(type)) {
    return [invalid(childPath(path, 'type'), type, 'valid values are "Source", "Local"')]
  }
  return []
}

// An ImageStreamImage id is a digest or a prefix of one (imageutil ResolveImageID).
function imageId(id: string): string[] {
  return /^[A-Za-z0-9:+._-]+$/.test(id) ? [] : ['the image id must be a digest or a prefix of one']
}

// Ours: OpenShift checks only that from.name is non-empty for these kinds; a malformed
// `[stream:]tag` or `[stream@]id` can never resolve, so it is refused up front.
function validateStreamSource(kind: TagFromKind, name: string, path: string): FieldError[] {
  const at = name.lastIndexOf(kind === 'ImageStreamTag' ? ':' : '@')
  const problems: string[] = []
  if (at !== -1) {
    problems.push(...nameIsImageStreamName(name.slice(0, at), false).map((p) => `stream name ${p}`))
  }
  const rest = name.slice(at + 1)
  problems.push(...(kind === 'ImageStreamTag' ? checkTagName(rest) : imageId(rest)))
  return problems.map((problem) => invalid(path, name, problem))
}

interface TagRules {
  /** Whether `name` must be set (a stream's spec tag) or may be filled by the server (an istag's). */
  readonly requireName: boolean
}

/** validateTagReference checks one spec tag: name, `from` kind and name, scheduling, policies (ValidateImageStreamTagReference). */
export function validateTagReference(
  tag: TagReference,
  path: string,
  rules: TagRules = { requireName: true },
): FieldError[] {
  const errors: FieldError[] = []
  const namePath = childPath(path, 'name')
  if (!tag.name) {
    if (rules.requireName) errors.push(required(namePath))
  } else {
    // Ours: OpenShift leaves spec tag names to oc's client check; a tag the registry grammar
    // refuses could never be pulled through the integrated registry.
    addInvalid(namePath, tag.name, checkTagName(tag.name), errors)
  }
  const from = tag.from
  if (from !== undefined) {
    const fromPath = childPath(path, 'from')
    const fromName = from.name ?? ''
    if (fromName === '') errors.push(required(childPath(fromPath, 'name')))
    const kind = from.kind ?? ''
    switch (kind) {
      case 'DockerImage': {
        const parsed = fromName === '' ? undefined : parseReference(fromName)
        if (parsed instanceof Error) {
          errors.push(invalid(childPath(fromPath, 'name'), fromName, parsed.message))
        }
        break
      }
      case 'ImageStreamTag':
      case 'ImageStreamImage':
        if (tag.importPolicy?.scheduled === true) {
          errors.push(
            invalid(
              childPath(childPath(path, 'importPolicy'), 'scheduled'),
              true,
              SCHEDULED_NEEDS_DOCKER_IMAGE,
            ),
          )
        }
        if (fromName !== '') {
          errors.push(...validateStreamSource(kind, fromName, childPath(fromPath, 'name')))
        }
        if (from.namespace) {
          addInvalid(
            childPath(fromPath, 'namespace'),
            from.namespace,
            checkDNS1123Label(from.namespace),
            errors,
          )
        }
        break
      case '':
        errors.push(
          required(
            childPath(fromPath, 'kind'),
            "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
          ),
        )
        break
      default:
        // Ours: upstream reports an unknown kind as "Required value"; it is unsupported.
        errors.push(notSupported(childPath(fromPath, 'kind'), kind, TAG_FROM_KINDS))
    }
  }
  if (tag.generation !== undefined && tag.generation < 0) {
    errors.push(
      invalid(childPath(path, 'generation'), tag.generation, 'must be greater than or equal to 0'),
    )
  }
  errors.push(...validateReferencePolicy(tag.referencePolicy, childPath(path, 'referencePolicy')))
  errors.push(...validateImportPolicy(tag.importPolicy, childPath(path, 'importPolicy')))
  return errors
}

function validateRepositoryName(value: string, path: string): FieldError[] {
  const parsed = parseReference(value)
  if (parsed instanceof Error) return [invalid(path, value, parsed.message)]
  const errors: FieldError[] = []
  if (parsed.tag !== undefined) {
    errors.push(invalid(path, value, 'the repository name may not contain a tag'))
  }
  if (parsed.digest !== undefined) {
    errors.push(invalid(path, value, 'the repository name may not contain an ID'))
  }
  return errors
}

// --- kinds ------------------------------------------------------------------------------------

/** validateImageStream checks an ImageStream (ValidateImageStream): name, `namespace/name` length, spec and status tags. */
export function validateImageStream(stream: ImageStream): FieldError[] {
  const meta = stream.metadata
  const errors = validateObjectMeta(meta, { namespaced: true, name: nameIsImageStreamName })
  const name = meta.name ?? ''
  const path = `${meta.namespace ?? ''}/${name}`
  if (Buffer.byteLength(path) > IMAGE_STREAM_PATH_MAX_LENGTH) {
    errors.push(
      invalid(
        'metadata.name',
        name,
        `'namespace/name' cannot be longer than ${IMAGE_STREAM_PATH_MAX_LENGTH} characters`,
      ),
    )
  }
  const repository = stream.spec?.dockerImageRepository
  if (repository) {
    errors.push(...validateRepositoryName(repository, 'spec.dockerImageRepository'))
  }
  const seen = new Set<string>()
  stream.spec?.tags?.forEach((tag) => {
    const tagPath = keyPath('spec.tags', tag.name)
    errors.push(...validateTagReference(tag, tagPath))
    // The v1 list becomes a map keyed by name; a repeated name would silently lose a tag.
    if (tag.name && seen.has(tag.name)) errors.push(duplicate(childPath(tagPath, 'name'), tag.name))
    seen.add(tag.name)
  })
  const seenStatus = new Set<string>()
  stream.status?.tags?.forEach((history) => {
    const historyPath = keyPath('status.tags', history.tag)
    if (!history.tag) errors.push(required(childPath(historyPath, 'tag')))
    else if (seenStatus.has(history.tag)) {
      errors.push(duplicate(childPath(historyPath, 'tag'), history.tag))
    }
    seenStatus.add(history.tag)
    history.items?.forEach((item, j) => {
      const refPath = childPath(keyPath(childPath(historyPath, 'items'), j), 'dockerImageReference')
      if (!item.dockerImageReference) {
        errors.push(required(refPath))
        return
      }
      const parsed = parseReference(item.dockerImageReference)
      if (parsed instanceof Error) {
        errors.push(invalid(refPath, item.dockerImageReference, parsed.message))
      }
    })
  })
  return errors
}

// openshift-apiserver validateImageManifests, anchored (upstream's MatchString is unanchored).
const MANIFEST_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const MEDIA_TYPE =
  /^ *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})\/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *$/

// Ours: an Image is content-addressed (docs/kubernetes-api.md#object-model), so its name must be a
// digest we can verify.
const imageName: NameValidator = (name, prefix) => {
  const problems = nameIsPathSegment(name, prefix)
  if (problems.length > 0 || prefix) return problems
  try {
    parseDigest(name)
    return []
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)]
  }
}

/** validateImage checks an Image: digest name, pull spec, layers, manifest-list children (validateImage). */
export function validateImage(image: Image): FieldError[] {
  const errors = validateObjectMeta(image.metadata, { namespaced: false, name: imageName })
  const reference = image.dockerImageReference
  if (!reference) {
    errors.push(required('dockerImageReference'))
  } else {
    const parsed = parseReference(reference)
    if (parsed instanceof Error)
      errors.push(invalid('dockerImageReference', reference, parsed.message))
  }
  const version = image.dockerImageMetadataVersion
  if (version && version !== DOCKER_IMAGE_METADATA_VERSION) {
    errors.push(
      notSupported('dockerImageMetadataVersion', version, [DOCKER_IMAGE_METADATA_VERSION]),
    )
  }
  image.dockerImageLayers?.forEach((layer, i) => {
    const layerPath = keyPath('dockerImageLayers', i)
    if (!layer.name) errors.push(required(childPath(layerPath, 'name')))
    if (layer.size < 0) {
      errors.push(
        invalid(childPath(layerPath, 'size'), layer.size, 'layer size cannot be negative'),
      )
    }
  })
  image.signatures?.forEach((signature, i) => {
    errors.push(...validateImageSignature(signature, keyPath('signatures', i)))
  })
  const manifests = image.dockerImageManifests ?? []
  manifests.forEach((manifest, i) => {
    const manifestPath = keyPath('dockerImageManifests', i)
    if (!MANIFEST_DIGEST.test(manifest.digest)) {
      errors.push(
        invalid(
          childPath(manifestPath, 'digest'),
          manifest.digest,
          'digest does not conform with OCI image specification',
        ),
      )
    }
    if (!MEDIA_TYPE.test(manifest.mediaType)) {
      errors.push(
        invalid(
          childPath(manifestPath, 'mediaType'),
          manifest.mediaType,
          'media type does not conform to RFC6838',
        ),
      )
    }
    if (!manifest.architecture) errors.push(required(childPath(manifestPath, 'architecture')))
    if (!manifest.os) errors.push(required(childPath(manifestPath, 'os')))
    if (manifest.manifestSize < 0) {
      errors.push(
        invalid(
          // OpenShift's name for the field in this message (validateImageManifests).
          childPath(manifestPath, 'size'),
          manifest.manifestSize,
          'manifest size cannot be negative',
        ),
      )
    }
  })
  if (manifests.length > 0 && (image.dockerImageLayers?.length ?? 0) > 0) {
    errors.push(
      invalid(
        'dockerImageLayers',
        undefined,
        'dockerImageLayers should not be set when dockerImageManifests is set',
      ),
    )
  }
  return errors
}

// `<stream>:<tag>` and `<stream>@<digest>` names of the virtual kinds.
function virtualName(separator: ':' | '@', check: (rest: string) => string[]): NameValidator {
  return (name, prefix) => {
    const problems = nameIsPathSegment(name, prefix)
    if (problems.length > 0 || prefix) return problems
    const at = name.indexOf(separator)
    const form = separator === ':' ? '<stream>:<tag>' : '<stream>@<digest>'
    if (at <= 0 || at === name.length - 1) return [`must be of the form ${form}`]
    return [
      ...nameIsImageStreamName(name.slice(0, at), false).map((p) => `stream name ${p}`),
      ...check(name.slice(at + 1)),
    ]
  }
}

const imageStreamTagName = virtualName(':', checkTagName)
const imageStreamImageName = virtualName('@', imageId)

/** validateImageStreamTag checks `<stream>:<tag>` and its spec tag; tag annotations must equal the metadata's (ValidateImageStreamTag). */
export function validateImageStreamTag(istag: ImageStreamTag): FieldError[] {
  const meta = istag.metadata
  const errors = validateObjectMeta(meta, { namespaced: true, name: imageStreamTagName })
  const tag = istag.tag
  if (tag === undefined) return errors
  // tag.name is the server's: the tag of metadata.name replaces it, as OpenShift's REST does.
  errors.push(...validateTagReference(tag, 'tag', { requireName: false }))
  if (
    tag.annotations !== undefined &&
    !isDeepStrictEqual(tag.annotations, meta.annotations ?? {})
  ) {
    errors.push(
      invalid(
        'tag.annotations',
        '<map>',
        'tag annotations must not be provided or must be equal to the object meta annotations',
      ),
    )
  }
  return errors
}

/** validateImageStreamImage checks the `<stream>@<digest>` name (the kind is read-only). */
export function validateImageStreamImage(isimage: ImageStreamImage): FieldError[] {
  return validateObjectMeta(isimage.metadata, { namespaced: true, name: imageStreamImageName })
}

/** validateImageStreamImport checks an import request (ValidateImageStreamImport): DockerImage sources, repository form, target tags. */
export function validateImageStreamImport(isi: ImageStreamImport): FieldError[] {
  const errors: FieldError[] = []
  const spec = isi.spec ?? {}
  const targets = new Set<string>()
  spec.images?.forEach((image, i) => {
    const path = keyPath('spec.images', i)
    const fromName = image.from.name ?? ''
    if (image.from.kind !== 'DockerImage') {
      errors.push(
        invalid(
          childPath(path, 'from.kind'),
          image.from.kind ?? '',
          'only DockerImage is supported',
        ),
      )
    } else {
      const to = image.to
      if (to !== undefined) {
        if (!to.name) {
          errors.push(
            invalid(childPath(path, 'to.name'), '', 'the name of the target tag must be specified'),
          )
        } else {
          // Ours: `to` becomes a spec tag, so it follows the tag grammar, and two entries may not
          // write the same tag (the result would depend on completion order).
          addInvalid(childPath(path, 'to.name'), to.name, checkTagName(to.name), errors)
          if (targets.has(to.name)) errors.push(duplicate(childPath(path, 'to.name'), to.name))
          targets.add(to.name)
        }
      }
      if (fromName === '') {
        errors.push(required(childPath(path, 'from.name')))
      } else {
        const parsed = parseReference(fromName)
        if (parsed instanceof Error) {
          errors.push(invalid(childPath(path, 'from.name'), fromName, parsed.message))
        }
      }
    }
    errors.push(...validateImportPolicy(image.importPolicy, childPath(path, 'importPolicy')))
    errors.push(
      ...validateReferencePolicy(image.referencePolicy, childPath(path, 'referencePolicy')),
    )
  })
  const repository = spec.repository
  if (repository !== undefined) {
    const path = 'spec.repository'
    const fromName = repository.from.name ?? ''
    if (repository.from.kind !== 'DockerImage') {
      errors.push(
        invalid(`${path}.from.kind`, repository.from.kind ?? '', 'only DockerImage is supported'),
      )
    } else if (fromName === '') {
      errors.push(required(`${path}.from.name`, 'container image references require a name'))
    } else {
      const parsed = parseReference(fromName)
      if (parsed instanceof Error) {
        errors.push(invalid(`${path}.from.name`, fromName, parsed.message))
      } else if (parsed.tag !== undefined || parsed.digest !== undefined) {
        errors.push(
          invalid(
            `${path}.from.name`,
            fromName,
            'you must specify an image repository, not a tag or ID',
          ),
        )
      }
    }
    errors.push(...validateImportPolicy(repository.importPolicy, `${path}.importPolicy`))
    errors.push(...validateReferencePolicy(repository.referencePolicy, `${path}.referencePolicy`))
  }
  if ((spec.images?.length ?? 0) === 0 && repository === undefined) {
    errors.push(
      invalid('spec.images', null, 'you must specify at least one image or a repository import'),
    )
  }
  errors.push(
    ...validateObjectMeta(isi.metadata, { namespaced: true, name: nameIsImageStreamName }),
  )
  return errors
}

// --- core kinds -------------------------------------------------------------------------------

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function parseJsonObject(bytes: Buffer): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : 'must be a JSON object'
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** validateSecret checks a Secret (kube ValidateSecret): name, data keys and base64, 1 MiB total, and the typed secrets' required keys. */
export function validateSecret(secret: Secret): FieldError[] {
  const errors = validateObjectMeta(secret.metadata, { namespaced: true, name: nameIsDNSSubdomain })
  for (const key of Object.keys(secret.stringData ?? {})) {
    addInvalid(keyPath('stringData', key), key, checkConfigMapKey(key), errors)
  }
  const bytes = new Map<string, Buffer>()
  let total = 0
  for (const [key, value] of Object.entries(secretData(secret))) {
    const path = keyPath('data', key)
    addInvalid(path, key, checkConfigMapKey(key), errors)
    // Go decodes []byte with padded standard base64; the value itself is never echoed.
    if (!BASE64.test(value)) {
      errors.push(invalid(path, REDACTED, 'must be base64-encoded (standard alphabet, padded)'))
      continue
    }
    const decoded = Buffer.from(value, 'base64')
    bytes.set(key, decoded)
    total += decoded.length
  }
  if (total > MAX_SECRET_SIZE) errors.push(tooLong('data', MAX_SECRET_SIZE))

  const requireKeys = (...keys: string[]): void => {
    for (const key of keys) {
      if (!bytes.has(key)) errors.push(required(keyPath('data', key)))
    }
  }
  switch (secret.type ?? '') {
    case SECRET_TYPES.dockercfg: {
      const content = bytes.get(DOCKERCFG_KEY)
      if (content === undefined) {
        requireKeys(DOCKERCFG_KEY)
        break
      }
      const parsed = parseJsonObject(content)
      if (typeof parsed === 'string') {
        errors.push(invalid(keyPath('data', DOCKERCFG_KEY), REDACTED, parsed))
      }
      break
    }
    case SECRET_TYPES.dockerConfigJson: {
      const content = bytes.get(DOCKER_CONFIG_JSON_KEY)
      if (content === undefined) {
        requireKeys(DOCKER_CONFIG_JSON_KEY)
        break
      }
      const parsed = parseJsonObject(content)
      const path = keyPath('data', DOCKER_CONFIG_JSON_KEY)
      if (typeof parsed === 'string') {
        errors.push(invalid(path, REDACTED, parsed))
      } else if (!isPlainObject(parsed.auths)) {
        // Ours: kube accepts any JSON object, and a config without "auths" (often one pasted in
        // the old .dockercfg format) then silently yields no credentials
        // (docs/credentials.md#secret-formats).
        errors.push(
          invalid(
            path,
            REDACTED,
            'must be a JSON object with an "auths" map of registry hosts to credentials; a config in the old .dockercfg format (hosts at the top level) belongs in a kubernetes.io/dockercfg Secret under .dockercfg',
          ),
        )
      }
      break
    }
    case SECRET_TYPES.basicAuth:
      if (!bytes.get('username')?.length && !bytes.get('password')?.length) {
        errors.push(required('data[username]'), required('data[password]'))
      }
      break
    case SECRET_TYPES.sshAuth:
      requireKeys('ssh-privatekey')
      break
    case SECRET_TYPES.tls:
      requireKeys('tls.crt', 'tls.key')
      break
    case SECRET_TYPES.serviceAccountToken:
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errors.push(required('metadata.annotations[kubernetes.io/service-account.name]'))
      }
      break
    default:
      break
  }
  return errors
}

/** validateServiceAccount checks a ServiceAccount: name, and a name on every secret reference (ours). */
export function validateServiceAccount(account: ServiceAccount): FieldError[] {
  const errors = validateObjectMeta(account.metadata, {
    namespaced: true,
    name: nameIsDNSSubdomain,
  })
  account.secrets?.forEach((ref, i) => {
    if (!ref.name) errors.push(required(childPath(keyPath('secrets', i), 'name')))
  })
  account.imagePullSecrets?.forEach((ref, i) => {
    if (!ref.name) errors.push(required(childPath(keyPath('imagePullSecrets', i), 'name')))
  })
  return errors
}

/** validateNamespace checks a Namespace: an RFC 1123 label name and no metadata.namespace. */
export function validateNamespace(namespace: Namespace): FieldError[] {
  return validateObjectMeta(namespace.metadata, { namespaced: false, name: nameIsDNSLabel })
}

// --- image tags, mappings and signatures ------------------------------------------------------

/** validateImageTag checks `<stream>:<tag>` and its spec tag, whose name must be the tag's (ValidateImageTag; create also requires a spec, see imageTagSpecRequired). */
export function validateImageTag(itag: ImageTag): FieldError[] {
  const meta = itag.metadata
  const errors = validateObjectMeta(meta, { namespaced: true, name: imageStreamTagName })
  const spec = itag.spec
  if (spec === undefined) return errors
  const name = meta.name ?? ''
  const colon = name.indexOf(':')
  if (colon <= 0 || spec.name !== name.slice(colon + 1)) {
    errors.push(invalid('spec.name', spec.name, 'must match image tag name'))
  }
  errors.push(
    ...validateTagReference(spec, 'spec', { requireName: false }).filter(
      (e) => e.field !== 'spec.name',
    ),
  )
  return errors
}

/** imageTagSpecRequired is the create-only rule of ValidateImageTag: an ImageTag is created by its spec tag. */
export function imageTagSpecRequired(itag: ImageTag): FieldError[] {
  return itag.spec === undefined
    ? [required('spec', 'spec is a required field during creation')]
    : []
}

function validateImageTagUpdate(next: ImageTag, prev: ImageTag): FieldError[] {
  // ValidateImageTagUpdate: only the spec may change. managedFields are the server's.
  const meta = (tag: ImageTag) => {
    const { managedFields: _managed, ...rest } = tag.metadata
    return rest
  }
  const errors: FieldError[] = []
  if (!isDeepStrictEqual(meta(next), meta(prev))) {
    errors.push(invalid('metadata', '', 'may not update fields other than spec'))
  }
  if (!isDeepStrictEqual(next.status, prev.status)) {
    errors.push(invalid('status', '', 'may not update fields other than spec'))
  }
  return errors
}

/** validateImageStreamMapping checks a mapping: the stream's name and namespace, the tag, and the Image (ValidateImageStreamMapping). */
export function validateImageStreamMapping(mapping: ImageStreamMapping): FieldError[] {
  const meta = mapping.metadata
  const errors = validateObjectMeta(meta, { namespaced: true, name: nameIsPathSegment })
  // The v1 kind has no dockerImageRepository, so the stream is always named by metadata.name.
  if (!meta.name) errors.push(required('name'), required('dockerImageRepository'))
  if (!mapping.tag) errors.push(required('tag'))
  for (const e of validateImage(mapping.image)) {
    errors.push({ ...e, field: childPath('image', e.field) })
  }
  return errors
}

const SIGNATURE_TRUSTED = 'Trusted'
const SIGNATURE_FOR_IMAGE = 'ForImage'
const UNKNOWN_STATE = 'must be unset for unknown signature state'

/** splitImageSignatureName splits `<image name>@<signature name>`; undefined when it is not of that form. */
export function splitImageSignatureName(
  name: string,
): { image: string; signature: string } | undefined {
  const parts = name.split('@')
  const [image, signature] = parts
  if (parts.length !== 2 || !image || !signature) return undefined
  return { image, signature }
}

/** validateImageSignature checks a signature at `path` ('' for the kind itself): name form, type, content, conditions and the state-dependent fields (validateImageSignature). */
export function validateImageSignature(signature: ImageSignature, path = ''): FieldError[] {
  const metaPath = childPath(path, 'metadata')
  const meta = signature.metadata
  const errors = validateObjectMeta(meta, { namespaced: false, name: nameIsPathSegment }, metaPath)
  if (Object.keys(meta.labels ?? {}).length > 0) {
    errors.push(forbidden(childPath(metaPath, 'labels'), 'signature labels cannot be set'))
  }
  if (Object.keys(meta.annotations ?? {}).length > 0) {
    errors.push(
      forbidden(childPath(metaPath, 'annotations'), 'signature annotations cannot be set'),
    )
  }
  if (splitImageSignatureName(meta.name ?? '') === undefined) {
    errors.push(
      invalid(
        childPath(metaPath, 'name'),
        meta.name ?? '',
        'name must be of format <imageName>@<signatureName>',
      ),
    )
  }
  if (!signature.type) errors.push(required(childPath(path, 'type')))
  if (!signature.content) errors.push(required(childPath(path, 'content')))
  // The newest condition of each type counts; upstream's operator precedence also takes, once a
  // ForImage condition is found, any later one that is not Trusted and not older as ForImage.
  const probed = (c: { lastProbeTime?: string }) => Date.parse(c.lastProbeTime ?? '') || 0
  type Condition = NonNullable<ImageSignature['conditions']>[number]
  let trusted: Condition | undefined
  let forImage: Condition | undefined
  for (const c of signature.conditions ?? []) {
    if (c.type === SIGNATURE_TRUSTED && (trusted === undefined || probed(c) >= probed(trusted))) {
      trusted = c
    } else if (
      forImage === undefined ? c.type === SIGNATURE_FOR_IMAGE : probed(c) >= probed(forImage)
    ) {
      forImage = c
    }
  }
  const conditionsPath = childPath(path, 'conditions')
  if (trusted !== undefined && forImage === undefined) {
    errors.push(
      invalid(conditionsPath, undefined, `missing "${SIGNATURE_FOR_IMAGE}" condition type`),
    )
  } else if (forImage !== undefined && trusted === undefined) {
    errors.push(invalid(conditionsPath, undefined, `missing "${SIGNATURE_TRUSTED}" condition type`))
  }
  if (trusted === undefined || trusted.status === 'Unknown') {
    if (signature.imageIdentity) {
      errors.push(invalid(childPath(path, 'imageIdentity'), signature.imageIdentity, UNKNOWN_STATE))
    }
    if (Object.keys(signature.signedClaims ?? {}).length > 0) {
      errors.push(invalid(childPath(path, 'signedClaims'), undefined, UNKNOWN_STATE))
    }
    if (signature.issuedBy !== undefined) {
      errors.push(invalid(childPath(path, 'issuedBy'), undefined, UNKNOWN_STATE))
    }
    if (signature.issuedTo !== undefined) {
      errors.push(invalid(childPath(path, 'issuedTo'), undefined, UNKNOWN_STATE))
    }
  }
  return errors
}

// --- dispatch and updates ---------------------------------------------------------------------

type Validator<K extends KindName> = (object: KindMap[K]) => FieldError[]

const VALIDATORS: { readonly [K in KindName]: Validator<K> } = {
  Namespace: validateNamespace,
  Secret: validateSecret,
  ServiceAccount: validateServiceAccount,
  Event: validateEvent,
  Image: validateImage,
  ImageStream: validateImageStream,
  ImageStreamTag: validateImageStreamTag,
  ImageStreamImage: validateImageStreamImage,
  ImageStreamImport: validateImageStreamImport,
  ImageTag: validateImageTag,
  ImageStreamMapping: validateImageStreamMapping,
  ImageSignature: (signature) => validateImageSignature(signature),
  Role: validateRole,
  ClusterRole: validateClusterRole,
  RoleBinding: (binding) => validateBinding(binding, true),
  ClusterRoleBinding: (binding) => validateBinding(binding, false),
}

/** validateObject validates an object of any kind we serve (after decode and defaults). */
export function validateObject<K extends KindName>(kind: K, object: KindMap[K]): FieldError[] {
  return (VALIDATORS[kind] as Validator<K>)(object)
}

function scalarOrUndefined(value: unknown): FieldValue | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : undefined
}

// The fields of an Image that are not content: dropped before storing (dockerImageManifest,
// dockerImageConfig; docs/kubernetes-api.md#object-model), type metadata, or signatures, which upstream's image
// strategy lets an update add and remove (the `imagesignatures` resource does it that way).
const IMAGE_NON_CONTENT = new Set([
  'metadata',
  'kind',
  'apiVersion',
  'dockerImageManifest',
  'dockerImageConfig',
  'signatures',
])

function validateImageUpdate(next: Image, prev: Image): FieldError[] {
  const errors: FieldError[] = []
  const normal = (image: Image): Record<string, unknown> => ({
    ...image,
    dockerImageMetadataVersion: image.dockerImageMetadataVersion || DOCKER_IMAGE_METADATA_VERSION,
  })
  const a = normal(next)
  const b = normal(prev)
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of [...keys].sort()) {
    if (IMAGE_NON_CONTENT.has(key)) continue
    if (!isDeepStrictEqual(a[key], b[key])) {
      errors.push(invalid(key, scalarOrUndefined(a[key]), 'field is immutable'))
    }
  }
  return errors
}

function validateSecretUpdate(next: Secret, prev: Secret): FieldError[] {
  const errors: FieldError[] = []
  const nextType = next.type || SECRET_TYPES.opaque
  if (nextType !== (prev.type || SECRET_TYPES.opaque)) {
    errors.push(invalid('type', nextType, 'field is immutable'))
  }
  if (prev.immutable === true) {
    const detail = 'field is immutable when `immutable` is set'
    if (next.immutable !== true) errors.push(forbidden('immutable', detail))
    if (!isDeepStrictEqual(secretData(next), secretData(prev)))
      errors.push(forbidden('data', detail))
  }
  return errors
}

// The metadata an ImageStreamTag update may not change: its labels are the stream's.
const ISTAG_FIXED_METADATA = ['labels', 'finalizers', 'ownerReferences'] as const

function validateImageStreamTagUpdate(next: ImageStreamTag, prev: ImageStreamTag): FieldError[] {
  // ValidateImageStreamTagUpdate: only the spec tag and the annotations may change; the image
  // and conditions come from the stream (a field the new object omits is carried over).
  const errors: FieldError[] = []
  const changed = ISTAG_FIXED_METADATA.some((field) => {
    const a = next.metadata[field]
    const b = prev.metadata[field]
    const empty = (v: unknown) => v === undefined || Object.keys(v as object).length === 0
    return !(empty(a) && empty(b)) && !isDeepStrictEqual(a, b)
  })
  if (changed) {
    errors.push(invalid('metadata', '', 'may not update fields other than metadata.annotations'))
  }
  for (const field of ['image', 'conditions'] as const) {
    if (next[field] !== undefined && !isDeepStrictEqual(next[field], prev[field])) {
      errors.push(
        invalid(field, undefined, 'may not update fields other than tag and metadata.annotations'),
      )
    }
  }
  return errors
}

type UpdateRule<K extends KindName> = (next: KindMap[K], prev: KindMap[K]) => FieldError[]

const createOnly =
  (what: string): UpdateRule<KindName> =>
  () => [forbidden('', what)]

const UPDATE_RULES: { readonly [K in KindName]: UpdateRule<K> } = {
  Namespace: () => [],
  Secret: validateSecretUpdate,
  ServiceAccount: () => [],
  Event: () => [],
  Image: validateImageUpdate,
  ImageStream: () => [],
  ImageStreamTag: validateImageStreamTagUpdate,
  ImageStreamImage: createOnly('imagestreamimages are read-only'),
  ImageStreamImport: createOnly('imagestreamimports may only be created'),
  ImageTag: validateImageTagUpdate,
  ImageStreamMapping: createOnly('imagestreammappings may only be created'),
  ImageSignature: createOnly('imagesignatures may only be created or deleted'),
  Role: () => [],
  ClusterRole: () => [],
  RoleBinding: validateBindingUpdate,
  ClusterRoleBinding: validateBindingUpdate,
}

/**
 * validateUpdate validates replacing `prev` by `next`: metadata identity, the kind's immutable
 * fields (an Image's content, a Secret's type and immutable data, an ImageStreamTag's image;
 * ImageStreamImport and ImageStreamImage are never updated), then `next` as a whole.
 */
export function validateUpdate<K extends KindName>(
  kind: K,
  prev: KindMap[K],
  next: KindMap[K],
): FieldError[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...(UPDATE_RULES[kind] as UpdateRule<K>)(next, prev),
    ...validateObject(kind, next),
  ]
}
