/** Rendering parsed references back to strings for display, storage and keyring lookups. */
import type { ImageReference } from './parse.js'

/** repositoryName is `registry/repository`, the string a keyring matches (e.g. docker.io/library/busybox). */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`
}

/** formatImageReference renders `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`
  return `${repositoryName(ref)}${tag}${digest}`
}

/** tagOrLatest is the tag to import: the given tag, else `latest` unless the reference pins a digest. */
export function tagOrLatest(ref: ImageReference): string | undefined {
  // normalize.go TagNameOnly: latest is implied only when neither a tag nor a digest was given.
  return ref.tag ?? (ref.digest === undefined ? 'latest' : undefined)
}
