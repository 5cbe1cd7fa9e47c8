/**
 * The planner: from listed streams and Images and resolved workload references, decide for every
 * history item (stage 1) and every Image (stage 2) whether it stays and why, as OpenShift's
 * pruner does (openshift/oc pkg/cli/admin/prune/imageprune/prune.go) but with manifest lists
 * protected as a whole when any member is in use (docs/pruning.md#in-use). Pure; async only to
 * hand the event loop back every few milliseconds.
 */
import type { Image, ImageStream, TagEvent } from '../api/index.js'
import { ANNOTATIONS } from '../api/constants.js'
import { isDigest } from '../reference/index.js'
import type {
  Decision,
  DeleteReason,
  ImagePlan,
  ItemDecision,
  KeepReason,
  PlanInput,
  PruneOptions,
  PrunePlan,
  StreamPlan,
  WorkloadObject,
} from './types.js'
import { timeOf } from './workloads.js'
import { sortYielding, Yielder } from './yielder.js'

/** ImageFacts are what the planner needs of one Image, read once. */
export interface ImageFacts {
  readonly name: string
  /** Child digests of a manifest list. */
  readonly children: readonly string[]
  /** Layers, config and the manifest itself: what the integrated registry may hold of it. */
  readonly blobs: readonly string[]
  /** dockerImageMetadata.Size, else the sum of its layers. */
  readonly size: number
  /** metadata.creationTimestamp in ms; undefined counts as old, as in OpenShift. */
  readonly created: number | undefined
  readonly managed: boolean
}

/**
 * PlanContext is everything a stream's plan depends on besides the stream: kept for the run so a
 * stream that changed under stage 1 is re-planned against the same view of what is in use.
 */
export interface PlanContext {
  readonly options: PruneOptions
  readonly images: ReadonlyMap<string, ImageFacts>
  /** Lists containing each child digest. */
  readonly parents: ReadonlyMap<string, readonly string[]>
  /** Digests in use, with why: `workload`, `pulled`, `list-member`. */
  readonly inUse: ReadonlyMap<string, readonly KeepReason[]>
  readonly digestUsers: ReadonlyMap<string, readonly WorkloadObject[]>
  /** Workloads naming each `namespace/stream:tag`. */
  readonly tagUsers: ReadonlyMap<string, readonly WorkloadObject[]>
  readonly imageSizeLimits: ReadonlyMap<string, number>
}

/** Reasons are listed in this order, so a plan reads the same every run. */
const REASON_ORDER: readonly KeepReason[] = [
  'young',
  'revision',
  'tag-in-use',
  'workload',
  'pulled',
  'list-member',
  'referenced',
  'unmanaged',
  'within-size-limit',
  'new',
]

function sortReasons(reasons: Iterable<KeepReason>): KeepReason[] {
  const set = new Set(reasons)
  return REASON_ORDER.filter((r) => set.has(r))
}

/**
 * Decisions are shared, one per combination of reasons: a plan holds hundreds of thousands of
 * items, and fewer surviving objects keep the garbage collector's pauses short.
 */
const DECISIONS = new Map<string, Decision>()

function decide(reasons: readonly KeepReason[], otherwise: DeleteReason): Decision {
  const sorted = reasons.length > 0 ? sortReasons(reasons) : []
  const key = sorted.length > 0 ? sorted.join() : `-${otherwise}`
  let decision = DECISIONS.get(key)
  if (decision === undefined) {
    decision = Object.freeze(
      sorted.length > 0
        ? { action: 'keep' as const, reasons: Object.freeze(sorted) }
        : { action: 'delete' as const, reason: otherwise },
    )
    DECISIONS.set(key, decision)
  }
  return decision
}

/** factsOf reads what the planner needs of an Image. */
export function factsOf(image: Image): ImageFacts {
  const name = image.metadata.name ?? ''
  const layers = image.dockerImageLayers ?? []
  const blobs = new Set(layers.map((l) => l.name))
  // The config is a blob of its own only when Id is its digest (the importer stores the config
  // digest for images, the list's own digest for lists).
  const config = image.dockerImageMetadata?.Id
  if (config !== undefined && isDigest(config)) blobs.add(config)
  blobs.add(name)
  return {
    name,
    children: (image.dockerImageManifests ?? []).map((m) => m.digest),
    blobs: [...blobs],
    size: image.dockerImageMetadata?.Size ?? layers.reduce((sum, l) => sum + l.size, 0),
    created: timeOf(image.metadata.creationTimestamp),
    managed: image.metadata.annotations?.[ANNOTATIONS.managed] === 'true',
  }
}

function tagKey(namespace: string, stream: string, tag: string): string {
  return `${namespace}/${stream}:${tag}`
}

/** buildPlanContext reads the Images and works out what is in use. */
export async function buildPlanContext(
  input: PlanInput,
  options: PruneOptions,
  yielder: Yielder = new Yielder(),
): Promise<PlanContext> {
  const images = new Map<string, ImageFacts>()
  const parents = new Map<string, string[]>()
  const inUse = new Map<string, Set<KeepReason>>()
  const mark = (digest: string, reason: KeepReason) => {
    const reasons = inUse.get(digest)
    if (reasons === undefined) inUse.set(digest, new Set([reason]))
    else reasons.add(reason)
  }
  const pulledSince = options.now - options.keepPulledWithinMs
  for (const image of input.images) {
    if (yielder.due()) await yielder.yield()
    const facts = factsOf(image)
    images.set(facts.name, facts)
    for (const child of facts.children) {
      const of = parents.get(child)
      if (of === undefined) parents.set(child, [facts.name])
      else of.push(facts.name)
    }
    const pulled = timeOf(image.metadata.annotations?.[ANNOTATIONS.lastPulled])
    if (options.keepPulledWithinMs > 0 && pulled !== undefined && pulled >= pulledSince) {
      mark(facts.name, 'pulled')
    }
  }
  for (const digest of input.workloads.digests.keys()) mark(digest, 'workload')

  // A used child keeps its lists, so that the list and every sibling stay resolvable; a used
  // list keeps its children. One step each way: a child kept only because a list is in use does
  // not in turn keep the other lists it belongs to.
  const direct = [...inUse.keys()]
  const lists = new Set<string>()
  for (const digest of direct) {
    if ((images.get(digest)?.children.length ?? 0) > 0) lists.add(digest)
    for (const list of parents.get(digest) ?? []) {
      mark(list, 'list-member')
      lists.add(list)
    }
  }
  for (const list of lists) {
    for (const child of images.get(list)?.children ?? []) {
      if (child !== list) mark(child, 'list-member')
    }
  }

  const tagUsers = new Map<string, WorkloadObject[]>()
  for (const use of input.workloads.tags) {
    const key = tagKey(use.namespace, use.stream, use.tag)
    const users = tagUsers.get(key)
    if (users === undefined) tagUsers.set(key, [use.by])
    else if (!users.includes(use.by)) users.push(use.by)
  }
  return {
    options,
    images,
    parents,
    inUse: new Map([...inUse].map(([d, r]) => [d, sortReasons(r)])),
    digestUsers: input.workloads.digests,
    tagUsers,
    imageSizeLimits: input.workloads.imageSizeLimits,
  }
}

/**
 * planStream is stage 1 for one stream: the verdict on each history item and the status left.
 * `reread`: the stream was read again after the Images were listed, so an item naming an Image
 * the run has not seen is one an import just added (`new`), not one whose Image is gone.
 */
export function planStream(stream: ImageStream, ctx: PlanContext, reread = false): StreamPlan {
  const { options } = ctx
  const namespace = stream.metadata.namespace ?? ''
  const name = stream.metadata.name ?? ''
  const youngSince = options.now - options.keepYoungerThanMs
  const created = timeOf(stream.metadata.creationTimestamp)
  // OpenShift keeps a young stream whole, except in over-size mode.
  const streamYoung = !options.pruneOverSizeLimit && created !== undefined && created > youngSince
  const items: ItemDecision[] = []
  const statusTags: NonNullable<NonNullable<ImageStream['status']>['tags']> = []
  let deletedItems = 0
  for (const history of stream.status?.tags ?? []) {
    const events = history.items ?? []
    const kept: TagEvent[] = []
    events.forEach((event, revision) => {
      const item = planItem(ctx, namespace, name, history.tag, event, revision, streamYoung, reread)
      items.push(item)
      if (item.decision.action === 'keep') kept.push(event)
      else deletedItems++
    })
    // A tag pruning emptied goes from status, as in OpenShift; one that had no items (only a
    // failed import's condition) is left as it was.
    if (kept.length === events.length) statusTags.push(history)
    else if (kept.length > 0) statusTags.push({ ...history, items: kept })
  }
  return {
    namespace,
    name,
    resourceVersion: stream.metadata.resourceVersion ?? '',
    items,
    deletedItems,
    statusTags,
  }
}

function planItem(
  ctx: PlanContext,
  namespace: string,
  stream: string,
  tag: string,
  event: TagEvent,
  revision: number,
  streamYoung: boolean,
  reread: boolean,
): ItemDecision {
  const { options } = ctx
  const reasons: KeepReason[] = []
  const usedBy: WorkloadObject[] = []
  const created = timeOf(event.created)
  if (streamYoung || (created !== undefined && created > options.now - options.keepYoungerThanMs)) {
    reasons.push('young')
  }
  if (revision === 0) {
    const users = ctx.tagUsers.get(tagKey(namespace, stream, tag))
    if (users !== undefined) {
      reasons.push('tag-in-use')
      usedBy.push(...users)
    }
  }
  const digestUsers = ctx.digestUsers.get(event.image)
  if (digestUsers !== undefined) usedBy.push(...digestUsers.filter((u) => !usedBy.includes(u)))
  const image = ctx.images.get(event.image)
  let otherwise: DeleteReason = 'pruned'
  if (image === undefined && reread) {
    reasons.push('new')
  } else if (image === undefined) {
    // OpenShift drops an item whose Image is gone; one a workload names by digest stays, since
    // a pull of that digest through the stream still resolves by the item.
    if (digestUsers !== undefined) reasons.push('workload')
    otherwise = 'missing-image'
  } else {
    if (options.pruneOverSizeLimit) {
      const limit = ctx.imageSizeLimits.get(namespace)
      if (limit === undefined || image.size <= limit) reasons.push('within-size-limit')
      else otherwise = 'over-size-limit'
    } else if (revision < options.keepTagRevisions) {
      reasons.push('revision')
    }
    reasons.push(...(ctx.inUse.get(image.name) ?? []))
  }
  return {
    tag,
    revision,
    image: event.image,
    created: event.created,
    decision: decide(reasons, otherwise),
    ...(usedBy.length > 0 && { usedBy }),
  }
}

/** planPrune makes a whole run's plan; `signal` stops it between slices of work. */
export async function planPrune(
  input: PlanInput,
  options: PruneOptions,
  signal?: AbortSignal,
): Promise<PrunePlan> {
  signal?.throwIfAborted()
  const yielder = new Yielder(signal)
  const ctx = await buildPlanContext(input, options, yielder)
  return planFrom(input.streams, ctx, yielder)
}

/** planFrom plans both stages from a context built by buildPlanContext. */
export async function planFrom(
  streams: readonly ImageStream[],
  ctx: PlanContext,
  yielder: Yielder = new Yielder(),
): Promise<PrunePlan> {
  const plans: StreamPlan[] = []
  for (const stream of streams) {
    if (yielder.due()) await yielder.yield()
    plans.push(planStream(stream, ctx))
  }
  const ordered = await sortYielding(
    plans,
    (a, b) =>
      Number(b.deletedItems > 0) - Number(a.deletedItems > 0) ||
      compare(a.namespace, b.namespace) ||
      compare(a.name, b.name),
    yielder,
  )
  if (ctx.options.namespace !== undefined) return { streams: ordered, images: [], blobs: [] }
  const images = await planImages(ordered, ctx, yielder)
  return { streams: ordered, images, blobs: images.flatMap((i) => i.blobs ?? []) }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** planImages is stage 2: every Image with its verdict, deletions ordered lists first. */
async function planImages(
  streams: readonly StreamPlan[],
  ctx: PlanContext,
  yielder: Yielder,
): Promise<ImagePlan[]> {
  const { options } = ctx
  const referenced = new Set<string>()
  for (const s of streams) {
    if (yielder.due()) await yielder.yield()
    for (const history of s.statusTags) {
      for (const item of history.items ?? []) referenced.add(item.image)
    }
  }
  const youngSince = options.now - options.keepYoungerThanMs
  const reasons = new Map<string, KeepReason[]>()
  for (const facts of ctx.images.values()) {
    if (yielder.due()) await yielder.yield()
    const r: KeepReason[] = []
    if (!options.pruneOverSizeLimit && facts.created !== undefined && facts.created > youngSince) {
      r.push('young')
    }
    r.push(...(ctx.inUse.get(facts.name) ?? []))
    if (referenced.has(facts.name)) r.push('referenced')
    if (!options.all && !facts.managed) r.push('unmanaged')
    reasons.set(facts.name, r)
  }
  // A kept list keeps its children (and theirs): the list must stay pullable whole.
  const queue = [...ctx.images.values()].filter(
    (f) => f.children.length > 0 && reasons.get(f.name)!.length > 0,
  )
  for (let list = queue.pop(); list !== undefined; list = queue.pop()) {
    for (const child of list.children) {
      const r = reasons.get(child)
      if (r === undefined || r.includes('list-member')) continue
      const wasKept = r.length > 0
      r.push('list-member')
      const facts = ctx.images.get(child)!
      if (!wasKept && facts.children.length > 0) queue.push(facts)
    }
  }

  const all = [...ctx.images.values()]
  const byName = (a: ImageFacts, b: ImageFacts) => compare(a.name, b.name)
  const kept = await sortYielding(
    all.filter((f) => reasons.get(f.name)!.length > 0),
    byName,
    yielder,
  )
  const deleted = await deletionOrder(
    await sortYielding(
      all.filter((f) => reasons.get(f.name)!.length === 0),
      byName,
      yielder,
    ),
    ctx,
    yielder,
  )

  const keptBlobs = new Set<string>()
  for (const f of options.pruneRegistry ? kept : []) {
    if (yielder.due()) await yielder.yield()
    for (const b of f.blobs) keptBlobs.add(b)
  }
  const taken = new Set<string>()
  const plans: ImagePlan[] = []
  for (const { facts: f, level } of deleted) {
    if (yielder.due()) await yielder.yield()
    const blobs = options.pruneRegistry
      ? f.blobs.filter((b) => !keptBlobs.has(b) && !taken.has(b))
      : []
    for (const b of blobs) taken.add(b)
    plans.push({
      name: f.name,
      children: f.children,
      decision: decide([], 'pruned'),
      level,
      ...(options.pruneRegistry && { blobs }),
    })
  }
  for (const f of kept) {
    if (yielder.due()) await yielder.yield()
    const users = ctx.digestUsers.get(f.name)
    plans.push({
      name: f.name,
      children: f.children,
      decision: decide(reasons.get(f.name)!, 'pruned'),
      ...(users !== undefined && { usedBy: users }),
    })
  }
  return plans
}

/**
 * deletionOrder puts every deleted list before the deleted images it holds (the store refuses to
 * delete an Image a list still references), keeping name order within each level; an Image's
 * level is the length of the longest chain of deleted lists above it.
 */
async function deletionOrder(
  deleted: readonly ImageFacts[],
  ctx: PlanContext,
  yielder: Yielder,
): Promise<{ facts: ImageFacts; level: number }[]> {
  const names = new Set(deleted.map((f) => f.name))
  const levels = new Map<string, number>()
  const levelOf = (name: string): number => {
    const known = levels.get(name)
    if (known !== undefined) return known
    let level = 0
    for (const parent of ctx.parents.get(name) ?? []) {
      if (names.has(parent) && parent !== name) level = Math.max(level, levelOf(parent) + 1)
    }
    levels.set(name, level)
    return level
  }
  const byLevel: { facts: ImageFacts; level: number }[][] = []
  for (const facts of deleted) {
    if (yielder.due()) await yielder.yield()
    const level = levelOf(facts.name)
    ;(byLevel[level] ??= []).push({ facts, level })
  }
  return byLevel.flat()
}
