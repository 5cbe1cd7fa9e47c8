/**
 * The pruner's vocabulary: what a run is told (options and workload references), what it
 * decides (a plan: every candidate with the reason it is kept or deleted) and the narrow port it
 * acts through (PruneTarget), so that the CLI (over the public API) and the server's scheduled
 * pruner (over the store) share one planner and one executor (docs/pruning.md).
 */
import type { Image, ImageStream } from '../api/index.js'

/** PruneOptions are the knobs of one run, with `isctl adm prune images`' flag names. */
export interface PruneOptions {
  /** Newest history items kept per tag (`--keep-tag-revisions`, default 3). */
  readonly keepTagRevisions: number
  /** Items, streams and images younger than this are kept (`--keep-younger-than`, default 60m). */
  readonly keepYoungerThanMs: number
  /** Images pulled through the integrated registry this recently are in use; 0 turns it off. */
  readonly keepPulledWithinMs: number
  /** False keeps every image that was not pushed to the integrated registry (`--all=false`). */
  readonly all: boolean
  /** Prune by LimitRange `openshift.io/Image` max storage instead of revisions and age. */
  readonly pruneOverSizeLimit: boolean
  /** Only this namespace's streams (stage 1); no image is deleted. Undefined: every namespace. */
  readonly namespace?: string | undefined
  /** Also plan the integrated registry's blobs and cached manifests of deleted images. */
  readonly pruneRegistry: boolean
  /** The time every age is measured against, in ms since the epoch. */
  readonly now: number
}

/** PRUNE_DEFAULTS are oc's defaults (openshift/oc pkg/cli/admin/prune/images/images.go) and ours. */
export const PRUNE_DEFAULTS = {
  keepTagRevisions: 3,
  keepYoungerThanMs: 60 * 60_000,
  keepPulledWithinMs: 7 * 24 * 60 * 60_000,
  numWorkers: 5,
} as const

/** TagUse names a tag a workload refers to: its current image is in use. */
export interface TagUse {
  readonly namespace: string
  readonly stream: string
  readonly tag: string
}

/** WorkloadObject names the object a reference came from, for messages and the plan. */
export interface WorkloadObject {
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

/** InvalidReference is a workload image reference that cannot be parsed. */
export interface InvalidReference {
  readonly object: WorkloadObject
  readonly reference: string
  readonly message: string
}

/** WorkloadReferences is what the `--workloads` inputs say is in use. */
export interface WorkloadReferences {
  /** Image digests named by `...@sha256:...` references, with who named them. */
  readonly digests: ReadonlyMap<string, readonly WorkloadObject[]>
  /** Tags named by `<registry-hostname>/<ns>/<stream>:<tag>` references (and build `from`s). */
  readonly tags: readonly (TagUse & { readonly by: WorkloadObject })[]
  /** LimitRange `openshift.io/Image` max storage per namespace, in bytes. */
  readonly imageSizeLimits: ReadonlyMap<string, number>
  readonly invalid: readonly InvalidReference[]
}

/**
 * KeepReason says why a history item or an image stays. `young`: younger than
 * keep-younger-than (for an item, also when its whole stream is); `revision`: among the newest keep-tag-revisions of its tag; `tag-in-use`:
 * the current item of a tag a workload names; `workload`: a workload names the digest;
 * `pulled`: pulled through the integrated registry within keep-pulled-within; `list-member`: a
 * child of a kept list, or a list one of whose children is in use; `referenced`: a stream's
 * history still names it; `unmanaged`: imported, kept by `--all=false`; `within-size-limit`:
 * not over its namespace's limit (over-size mode); `new`: an item that appeared after the run
 * listed the Images (an import landed while it ran), which the run knows nothing about.
 */
export type KeepReason =
  | 'young'
  | 'revision'
  | 'tag-in-use'
  | 'workload'
  | 'pulled'
  | 'list-member'
  | 'referenced'
  | 'unmanaged'
  | 'within-size-limit'
  | 'new'

/**
 * DeleteReason says why an item or image goes. `pruned`: none of the keep reasons holds;
 * `missing-image`: a history item whose Image no longer exists (oc drops those too);
 * `over-size-limit`: larger than its namespace's limit (over-size mode).
 */
export type DeleteReason = 'pruned' | 'missing-image' | 'over-size-limit'

/** Decision is the verdict on one candidate, with every reason that applied. */
export type Decision =
  | { readonly action: 'keep'; readonly reasons: readonly KeepReason[] }
  | { readonly action: 'delete'; readonly reason: DeleteReason }

/** ItemDecision is the verdict on one history item of one tag. */
export interface ItemDecision {
  readonly tag: string
  /** Position in the tag's history, 0 = current. */
  readonly revision: number
  readonly image: string
  readonly created: string
  readonly decision: Decision
  /** Who named the tag (`tag-in-use`) or the image's digest (`workload`), when any did. */
  readonly usedBy?: readonly WorkloadObject[]
}

/** StreamPlan is stage 1 for one stream: which items go, and the status it is written with. */
export interface StreamPlan {
  readonly namespace: string
  readonly name: string
  /** The resourceVersion the plan was made from: the status update is conditional on it. */
  readonly resourceVersion: string
  readonly items: readonly ItemDecision[]
  /** Items deleted; 0 means the stream is not written. */
  readonly deletedItems: number
  /** status.tags without the deleted items (tags left empty are removed). */
  readonly statusTags: NonNullable<NonNullable<ImageStream['status']>['tags']>
}

/** ImagePlan is stage 2 for one Image. */
export interface ImagePlan {
  readonly name: string
  /** Child digests when the image is a manifest list. */
  readonly children: readonly string[]
  readonly decision: Decision
  /** Who named the image's digest (`workload`), when any did. */
  readonly usedBy?: readonly WorkloadObject[]
  /**
   * Deleted images: how many deleted lists stand above it (0: none a deleted list holds). A
   * level is deleted once the one before is gone: the store refuses an Image a list still names.
   */
  readonly level?: number
  /**
   * Blobs removed from the integrated registry with this image (deleted images, pruneRegistry):
   * its layers, config and manifest that no kept image uses and no earlier deletion took.
   */
  readonly blobs?: readonly string[]
}

/** PrunePlan is a whole run's decisions, in the order they are carried out. */
export interface PrunePlan {
  /** Streams with at least one deleted item first in namespace/name order, then the rest. */
  readonly streams: readonly StreamPlan[]
  /** Empty when a namespace is given. Deletions are ordered lists before their children. */
  readonly images: readonly ImagePlan[]
  /** Blob digests of deleted images no kept image uses (empty unless pruneRegistry). */
  readonly blobs: readonly string[]
}

/** PlanInput is what a plan is made from: the listed streams and Images, and resolved workloads. */
export interface PlanInput {
  readonly streams: readonly ImageStream[]
  /** Every Image, also with a namespace: a list's children are needed to tell what is in use. */
  readonly images: readonly Image[]
  readonly workloads: WorkloadReferences
}

/** PruneFailure is one action that failed; a run goes on after it and reports it at the end. */
export interface PruneFailure {
  readonly what: 'stream' | 'image' | 'blob'
  /** `namespace/name` of a stream, or the digest of an image or blob. */
  readonly which: string
  readonly message: string
}

/** PruneSummary counts what a run did (or, dry, would do). */
export interface PruneSummary {
  deletedImages: number
  deletedItems: number
  updatedStreams: number
  deletedBlobs: number
}

/** PruneEvent is one action as it is carried out (or, dry, would be), for oc's output lines. */
export type PruneEvent =
  | {
      readonly kind: 'stream'
      readonly namespace: string
      readonly name: string
      readonly items: number
    }
  | { readonly kind: 'image'; readonly name: string }
  | { readonly kind: 'blob'; readonly digest: string }

/** StreamConflict is thrown by PruneTarget.updateStreamStatus when the stream changed meanwhile. */
export class StreamConflict extends Error {
  override readonly name = 'StreamConflict'
}

/** DeleteOutcome is what deleting one Image did; `in-use`: a stream references it again. */
export type DeleteOutcome = 'deleted' | 'not-found' | 'in-use'

/**
 * PruneTarget is everything the pruner reads and writes: the CLI implements it over the public
 * API, the server's scheduled pruner over its store. Every method may throw on failure.
 */
export interface PruneTarget {
  /** listStreams returns every stream, or one namespace's. */
  listStreams(namespace?: string): Promise<ImageStream[]>
  /** listImages returns every Image. */
  listImages(): Promise<Image[]>
  /** getStream re-reads one stream after a conflict; undefined when it was deleted. */
  getStream(namespace: string, name: string): Promise<ImageStream | undefined>
  /**
   * updateStreamStatus writes `status.tags` conditionally on the stream's resourceVersion, and
   * throws StreamConflict when it changed.
   */
  updateStreamStatus(stream: ImageStream): Promise<void>
  /** deleteImage deletes an Image unless, in the same transaction, a stream references it. */
  deleteImage(name: string): Promise<DeleteOutcome>
  /** deleteBlob drops a blob or cached manifest from the integrated registry; absent is fine. */
  deleteBlob(digest: string): Promise<void>
}
