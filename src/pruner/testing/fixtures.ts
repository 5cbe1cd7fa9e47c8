/**
 * Builders for pruner tests: Images and streams named by short labels, ages relative to a fixed
 * `now`, so a table row reads as the situation it sets up.
 */
import { createHash } from 'node:crypto'
import type { Image, ImageStream } from '../../api/index.js'
import { ANNOTATIONS } from '../../api/constants.js'
import type { PrunePlan, PruneOptions, WorkloadObject, WorkloadReferences } from '../types.js'

export const NOW = Date.UTC(2026, 0, 10, 12)
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
/** REGISTRY is the integrated registry's host in the streams these builders make. */
export const REGISTRY = 'registry.test:5000'

const labels = new Map<string, string>()

/** digest is a stable sha256 digest for a label; labelOf maps it back. */
export function digest(label: string): string {
  const d = `sha256:${createHash('sha256').update(label).digest('hex')}`
  labels.set(d, label)
  return d
}

/** labelOf is the label a digest was made from (or the digest itself). */
export function labelOf(d: string): string {
  return labels.get(d) ?? d
}

/** ago is the RFC 3339 time `ms` before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** ImageSpec describes a test Image; every field but the label has a default. */
export interface ImageSpec {
  readonly label: string
  /** Age of the Image object (default 30 days). */
  readonly age?: number
  /** Layer labels (default one layer `<label>-layer`; lists have none). */
  readonly layers?: readonly string[]
  /** Child labels: makes it a manifest list. */
  readonly children?: readonly string[]
  readonly size?: number
  readonly managed?: boolean
  /** When it was last pulled through the integrated registry, as an age. */
  readonly pulled?: number
}

/** image builds an Image the way the importer stores one (config digest in Id). */
export function image(spec: ImageSpec): Image {
  const name = digest(spec.label)
  const annotations: Record<string, string> = {}
  if (spec.managed) annotations[ANNOTATIONS.managed] = 'true'
  if (spec.pulled !== undefined) annotations[ANNOTATIONS.lastPulled] = ago(spec.pulled)
  const metadata = {
    name,
    creationTimestamp: ago(spec.age ?? 30 * DAY),
    ...(Object.keys(annotations).length > 0 && { annotations }),
  }
  if (spec.children) {
    return {
      apiVersion: 'image.openshift.io/v1',
      kind: 'Image',
      metadata,
      dockerImageMetadata: { Id: name },
      dockerImageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
      dockerImageManifests: spec.children.map((c) => ({
        digest: digest(c),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        manifestSize: 500,
        architecture: 'amd64',
        os: 'linux',
      })),
    }
  }
  const layers = (spec.layers ?? [`${spec.label}-layer`]).map((l) => ({
    name: digest(l),
    size: 100,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  }))
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'Image',
    metadata,
    dockerImageMetadata: {
      Id: digest(`${spec.label}-config`),
      ...(spec.size !== undefined && { Size: spec.size }),
    },
    dockerImageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    dockerImageLayers: layers,
  }
}

/** An item is an image label, or a label with the item's age (default 10 days). */
export type ItemSpec = string | readonly [label: string, age: number]

/**
 * stream builds `namespace/name` whose tags hold the given items, newest first; the stream is
 * 30 days old unless `age` says otherwise.
 */
export function stream(
  namespace: string,
  name: string,
  tags: Readonly<Record<string, readonly ItemSpec[]>>,
  age = 30 * DAY,
): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, namespace, resourceVersion: '1', creationTimestamp: ago(age) },
    status: {
      dockerImageRepository: `${REGISTRY}/${namespace}/${name}`,
      tags: Object.entries(tags).map(([tag, items]) => ({
        tag,
        items: items.map((spec, rev) => {
          const [label, itemAge] = typeof spec === 'string' ? [spec, 10 * DAY + rev * HOUR] : spec
          return {
            created: ago(itemAge),
            dockerImageReference: `upstream.test/${name}@${digest(label)}`,
            image: digest(label),
            generation: 1,
          }
        }),
      })),
    },
  }
}

/** options are oc's defaults at NOW, with overrides. */
export function options(over: Partial<PruneOptions> = {}): PruneOptions {
  return {
    keepTagRevisions: 3,
    keepYoungerThanMs: 60 * MINUTE,
    keepPulledWithinMs: 7 * DAY,
    all: true,
    pruneOverSizeLimit: false,
    pruneRegistry: true,
    now: NOW,
    ...over,
  }
}

/** pod names a workload object. */
export function pod(name: string, namespace = 'ns'): WorkloadObject {
  return { kind: 'Pod', namespace, name }
}

/** uses builds resolved workload references: digests by image label, and tags. */
export function uses(
  over: {
    readonly digests?: readonly string[]
    readonly tags?: readonly [namespace: string, stream: string, tag: string][]
    readonly limits?: Readonly<Record<string, number>>
  } = {},
): WorkloadReferences {
  return {
    digests: new Map((over.digests ?? []).map((l) => [digest(l), [pod(`uses-${l}`)]])),
    tags: (over.tags ?? []).map(([namespace, s, tag]) => ({
      namespace,
      stream: s,
      tag,
      by: pod(`uses-${s}-${tag}`, namespace),
    })),
    imageSizeLimits: new Map(Object.entries(over.limits ?? {})),
    invalid: [],
  }
}

/**
 * verdicts renders a plan compactly for assertions: `ns/name:tag#rev` for items and the image's
 * label for Images, each to `keep(reason,...)` or `delete(reason)`.
 */
export function verdicts(plan: PrunePlan): Map<string, string> {
  const out = new Map<string, string>()
  const render = (d: PrunePlan['images'][number]['decision']) =>
    d.action === 'keep' ? `keep(${d.reasons.join(',')})` : `delete(${d.reason})`
  for (const s of plan.streams) {
    for (const item of s.items) {
      out.set(`${s.namespace}/${s.name}:${item.tag}#${item.revision}`, render(item.decision))
    }
  }
  for (const i of plan.images) out.set(labelOf(i.name), render(i.decision))
  return out
}
