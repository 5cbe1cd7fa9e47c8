/**
 * Which spec tags of a stream need an import now
 * (docs/imports.md#generations-and-background-imports): importable tags (from a DockerImage, not
 * `reference`) whose generation is newer than the generation the tag was last observed at, or every
 * importable tag of a stream never checked.
 */
import type { ImageStream, ImageStreamImport, TagReference } from '../api/index.js'
import { ANNOTATIONS, IMAGE_API_VERSION, IMPORT_SUCCESS, isBeingDeleted } from '../api/index.js'

/** isImportable: a spec tag the server imports itself. */
export function isImportable(tag: TagReference): boolean {
  return tag.from?.kind === 'DockerImage' && !tag.reference && Boolean(tag.from.name)
}

/** observedGeneration is the newer of the current event's and the first failure's generation. */
export function observedGeneration(stream: ImageStream, tag: string): number | undefined {
  const status = stream.status?.tags?.find((t) => t.tag === tag)
  const event = status?.items?.[0]?.generation
  const failure = status?.conditions?.find((c) => c.type === IMPORT_SUCCESS)?.generation
  if (event === undefined && failure === undefined) return undefined
  return Math.max(event ?? 0, failure ?? 0)
}

/** tagsNeedingImport lists the spec tags to import now, in spec order; none of a stream being deleted. */
export function tagsNeedingImport(stream: ImageStream): TagReference[] {
  if (isBeingDeleted(stream)) return []
  const checked = stream.metadata.annotations?.[ANNOTATIONS.dockerRepositoryCheck] !== undefined
  return (stream.spec?.tags ?? []).filter((tag) => {
    if (!isImportable(tag)) return false
    const observed = observedGeneration(stream, tag.name)
    if (observed === undefined) return true
    if (!checked) return true
    return (tag.generation ?? 0) > observed
  })
}

/** importRequestFor builds the ImageStreamImport the controller posts for `tags` of `stream`. */
export function importRequestFor(
  stream: ImageStream,
  tags: readonly TagReference[],
): ImageStreamImport {
  return {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStreamImport',
    // The uid guards against importing into a stream deleted and recreated meanwhile.
    metadata: {
      name: stream.metadata.name,
      namespace: stream.metadata.namespace,
      ...(stream.metadata.uid && { uid: stream.metadata.uid }),
    },
    spec: {
      import: true,
      images: tags.map((t) => ({
        from: { kind: 'DockerImage', name: t.from?.name ?? '' },
        to: { name: t.name },
        ...(t.importPolicy && { importPolicy: t.importPolicy }),
        ...(t.referencePolicy && { referencePolicy: t.referencePolicy }),
      })),
    },
  }
}
