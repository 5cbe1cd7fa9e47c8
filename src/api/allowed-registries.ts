/**
 * The allow-list's field errors (docs/imports.md#allowed-registries), as openshift-apiserver's
 * validation reports them (`pkg/image/apis/image/validation/validation.go`, the
 * `...WithWhitelister` validators and ValidateRegistryAllowedForImport): a reference to a
 * registry the list does not allow is `Forbidden` on its field. On an update, references to
 * repositories the stored object already named stay allowed, so an object written before the
 * list changed can still be edited.
 */
import {
  admittedReference,
  repositoryKey,
  transportFor,
  type AdmittedReference,
  type RegistryAllowList,
} from '../reference/index.js'
import { ANNOTATIONS } from './constants.js'
import { forbidden, type FieldError } from './field-errors.js'
import type {
  ImageStream,
  ImageStreamImport,
  ImageStreamTag,
  ImageTag,
  TagReference,
} from './image.js'
import { childPath, keyPath } from './schema.js'

/** importAllowListErrors is ValidateAllowedRegistries of an ImageStreamImport: one error per refused entry. */
export function importAllowListErrors(
  isi: ImageStreamImport,
  list: RegistryAllowList,
): FieldError[] {
  const errors: FieldError[] = []
  const check = (path: string, name: string | undefined, insecure: boolean | undefined) => {
    const ref = parsed(name)
    const refused = ref && list.admitImport(ref, insecure === true)
    if (refused) errors.push(forbidden(childPath(path, 'from.name'), refused.message))
  }
  const repository = isi.spec?.repository
  if (repository && repository.from.kind === 'DockerImage') {
    check('spec.repository', repository.from.name, repository.importPolicy?.insecure)
  }
  isi.spec?.images?.forEach((image, i) => {
    check(keyPath('spec.images', i), image.from.name, image.importPolicy?.insecure)
  })
  return errors
}

/**
 * streamAllowListErrors is ValidateImageStreamWithWhitelister (create, `prev` undefined) and
 * ValidateImageStreamUpdateWithWhitelister: spec.dockerImageRepository, DockerImage spec tags
 * and status history references.
 */
export function streamAllowListErrors(
  stream: ImageStream,
  prev: ImageStream | undefined,
  list: RegistryAllowList,
): FieldError[] {
  const held = prev ? heldRepositories(streamReferences(prev)) : undefined
  const insecureRepository = isInsecureRepository(stream)
  const errors: FieldError[] = []
  const check = (path: string, name: string | undefined, insecure: boolean) => {
    const ref = parsed(name)
    const refused = ref && list.admit(ref, transportFor(insecure), held)
    if (refused) errors.push(forbidden(path, refused.message))
  }
  if (stream.spec?.dockerImageRepository) {
    check('spec.dockerImageRepository', stream.spec.dockerImageRepository, insecureRepository)
  }
  for (const tag of stream.spec?.tags ?? []) {
    errors.push(
      ...tagAllowListErrors(tag, keyPath('spec.tags', tag.name), insecureRepository, list, held),
    )
  }
  for (const history of stream.status?.tags ?? []) {
    const specTag = stream.spec?.tags?.find((t) => t.name === history.tag)
    const insecure = insecureRepository || specTag?.importPolicy?.insecure === true
    history.items?.forEach((item, i) => {
      const path = childPath(
        keyPath(childPath(keyPath('status.tags', history.tag), 'items'), i),
        'dockerImageReference',
      )
      check(path, item.dockerImageReference, insecure)
    })
  }
  return errors
}

/** imageStreamTagAllowListErrors is ValidateImageStreamTag(Update)WithWhitelister: `tag.from.name`. */
export function imageStreamTagAllowListErrors(
  istag: ImageStreamTag,
  prev: ImageStreamTag | undefined,
  list: RegistryAllowList,
): FieldError[] {
  if (!istag.tag) return []
  const held = heldRepositories(dockerImageSource(prev?.tag))
  return tagAllowListErrors(istag.tag, 'tag', isInsecureRepository(istag), list, held)
}

/** imageTagAllowListErrors is ValidateImageTag(Update)WithWhitelister: `spec.from.name`. */
export function imageTagAllowListErrors(
  itag: ImageTag,
  prev: ImageTag | undefined,
  list: RegistryAllowList,
): FieldError[] {
  if (!itag.spec) return []
  const held = heldRepositories(dockerImageSource(prev?.spec))
  return tagAllowListErrors(itag.spec, 'spec', isInsecureRepository(itag), list, held)
}

/** tagAllowListErrors is the allow-list part of ValidateImageStreamTagReference. */
function tagAllowListErrors(
  tag: TagReference,
  path: string,
  insecureRepository: boolean,
  list: RegistryAllowList,
  held: ReadonlySet<string> | undefined,
): FieldError[] {
  if (tag.from?.kind !== 'DockerImage') return []
  const ref = parsed(tag.from.name)
  const insecure = insecureRepository || tag.importPolicy?.insecure === true
  const refused = ref && list.admit(ref, transportFor(insecure), held)
  return refused ? [forbidden(childPath(path, 'from.name'), refused.message)] : []
}

function dockerImageSource(tag: TagReference | undefined): string[] {
  return tag?.from?.kind === 'DockerImage' && tag.from.name ? [tag.from.name] : []
}

/** streamReferences are collectImageStreamSpecImageReferences and ...StatusImageReferences. */
function streamReferences(stream: ImageStream): string[] {
  return [
    ...(stream.spec?.dockerImageRepository ? [stream.spec.dockerImageRepository] : []),
    ...(stream.spec?.tags ?? []).flatMap(dockerImageSource),
    ...(stream.status?.tags ?? []).flatMap((h) =>
      (h.items ?? []).flatMap((i) => (i.dockerImageReference ? [i.dockerImageReference] : [])),
    ),
  ]
}

function heldRepositories(references: readonly string[]): ReadonlySet<string> {
  return new Set(references.flatMap((r) => parsed(r) ?? []).map(repositoryKey))
}

/** parsed is the reference, or undefined when it does not parse (validation reports that). */
function parsed(name: string | undefined): AdmittedReference | undefined {
  if (!name) return undefined
  try {
    return admittedReference(name)
  } catch {
    return undefined
  }
}

function isInsecureRepository(object: { metadata: { annotations?: Record<string, string> } }) {
  return object.metadata.annotations?.[ANNOTATIONS.insecureRepository] === 'true'
}
