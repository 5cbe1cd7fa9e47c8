/**
 * The order of an ImageStream's tags. OpenShift keeps spec and status tags in maps keyed by tag
 * name and lists them sorted by name when it converts to v1, so every stream the server stores
 * or returns has both lists in that order, whatever order a client sent.
 */
import type { ImageStream } from './image.js'

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** withTagsSorted returns the stream with spec.tags and status.tags sorted by tag name (the same object when already sorted). */
export function withTagsSorted<T extends ImageStream>(stream: T): T {
  const spec = stream.spec?.tags
  const status = stream.status?.tags
  const specSorted = spec === undefined || tagNamesSorted(spec.map((t) => t.name))
  const statusSorted = status === undefined || tagNamesSorted(status.map((t) => t.tag))
  if (specSorted && statusSorted) return stream
  return {
    ...stream,
    ...(specSorted
      ? {}
      : {
          spec: { ...stream.spec, tags: [...(spec ?? [])].sort((a, b) => byName(a.name, b.name)) },
        }),
    ...(statusSorted
      ? {}
      : {
          status: {
            ...stream.status,
            tags: [...(status ?? [])].sort((a, b) => byName(a.tag, b.tag)),
          },
        }),
  }
}

/** tagNamesSorted says whether tag names are in the order withTagsSorted puts them. */
export function tagNamesSorted(names: readonly string[]): boolean {
  return names.every((name, i) => i === 0 || byName(names[i - 1] ?? '', name) <= 0)
}
