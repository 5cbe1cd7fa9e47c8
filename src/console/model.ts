/** The parts of the image kinds the console shows (docs/imports.md has their meaning). */
import type { KubeObject } from './api.js'

/** A condition of a status tag: ImportSuccess False with the registry's message. */
export interface TagCondition {
  readonly type: string
  readonly status: string
  readonly reason?: string
  readonly message?: string
  readonly lastTransitionTime?: string
  readonly generation?: number
}

/** A status tag's event: one image the tag pointed at. */
export interface TagEvent {
  readonly created: string
  readonly dockerImageReference: string
  readonly image: string
  readonly generation: number
}

/** A spec tag: where the tag comes from and how it is imported. */
export interface SpecTag {
  readonly name: string
  readonly from?: { readonly kind: string; readonly name: string; readonly namespace?: string }
  readonly importPolicy?: {
    readonly insecure?: boolean
    readonly scheduled?: boolean
    readonly importMode?: string
  }
  readonly referencePolicy?: { readonly type?: string }
}

/** An ImageStream. */
export interface ImageStream extends KubeObject {
  readonly spec?: { readonly tags?: SpecTag[] }
  readonly status?: {
    readonly dockerImageRepository?: string
    readonly publicDockerImageRepository?: string
    readonly tags?: {
      readonly tag: string
      readonly items?: TagEvent[] | null
      readonly conditions?: TagCondition[]
    }[]
  }
}

/** An Image's manifest list entry: one platform's manifest. */
export interface ImageManifest {
  readonly digest: string
  readonly mediaType?: string
  readonly manifestSize?: number
  readonly architecture?: string
  readonly os?: string
  readonly variant?: string
}

/** An Image as an ImageStreamImage carries it. */
export interface Image {
  readonly metadata: { readonly name: string }
  readonly dockerImageReference?: string
  readonly dockerImageManifestMediaType?: string
  readonly dockerImageManifests?: ImageManifest[]
  readonly dockerImageLayers?: {
    readonly name: string
    readonly size: number
    readonly mediaType?: string
  }[]
  readonly dockerImageMetadata?: {
    readonly Created?: string
    readonly Architecture?: string
    readonly Os?: string
    readonly Size?: number
    readonly Config?: {
      readonly Entrypoint?: string[] | null
      readonly Cmd?: string[] | null
      readonly Env?: string[] | null
      readonly Labels?: Record<string, string> | null
      readonly WorkingDir?: string
      readonly User?: string
    }
  }
}

/** lastUpdate is when a stream last changed tags: its newest tag event, else its creation. */
export function lastUpdate(stream: ImageStream): string {
  let newest = stream.metadata.creationTimestamp ?? ''
  for (const t of stream.status?.tags ?? []) {
    const created = t.items?.[0]?.created
    if (created && created > newest) newest = created
  }
  return newest
}

/** failingTags are the tags whose last import failed. */
export function failingTags(stream: ImageStream): string[] {
  return (stream.status?.tags ?? [])
    .filter((t) => t.conditions?.some((c) => c.type === 'ImportSuccess' && c.status === 'False'))
    .map((t) => t.tag)
}

/** pullSpec is what `docker pull` takes for a tag: the public name when the server has one. */
export function pullSpec(stream: ImageStream, tag: string): string | undefined {
  const repo = stream.status?.publicDockerImageRepository || stream.status?.dockerImageRepository
  return repo ? `${repo}:${tag}` : undefined
}

/** ScheduledTag is where a scheduled tag stands in the server's due-queue (imagestreams/schedule). */
export interface ScheduledTag {
  readonly tag: string
  readonly lastCheckTime?: string
  readonly nextCheckTime: string
  readonly failures: number
  readonly lastError?: string
}

/** StreamSchedule is the imagestreams/schedule subresource: the stream's scheduled tags. */
export interface StreamSchedule {
  readonly tags: readonly ScheduledTag[]
}
