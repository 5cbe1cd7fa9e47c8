/**
 * Which Images the stored objects reference, for the store's reference index: an Image may only
 * be deleted while nothing references it (docs/kubernetes-api.md#image-deletes-and-references).
 * A stream references every Image its tag history names, current or not; a manifest list Image
 * references its child Images. The shapes are structural so that src/api need not import the
 * store: the composition root passes IMAGE_REFERENCES as StoreOptions.references.
 */
import type { Image, ImageStream } from './image.js'

/** ReferencedKey names a referenced object as the store keys it; Images are cluster-scoped. */
export interface ReferencedKey {
  readonly resource: string
  readonly namespace: string
  readonly name: string
}

/** ReferencesOf returns the keys one stored object references. */
export type ReferencesOf = (object: { readonly metadata?: unknown }) => readonly ReferencedKey[]

/**
 * IMAGE_REFERENCES: `imagestreams` reference `images/<status.tags[].items[].image>`, `images`
 * reference `images/<dockerImageManifests[].digest>`. Each extractor is self-contained: the
 * store fingerprints their source text to know when to rebuild its index.
 */
export const IMAGE_REFERENCES: Readonly<Record<string, ReferencesOf>> = Object.freeze({
  imagestreams: (object) => {
    const keys: ReferencedKey[] = []
    for (const tag of (object as ImageStream).status?.tags ?? []) {
      for (const item of tag.items ?? []) {
        if (item.image) keys.push({ resource: 'images', namespace: '', name: item.image })
      }
    }
    return keys
  },
  images: (object) =>
    ((object as Image).dockerImageManifests ?? []).flatMap((m) =>
      m.digest ? [{ resource: 'images', namespace: '', name: m.digest }] : [],
    ),
})
