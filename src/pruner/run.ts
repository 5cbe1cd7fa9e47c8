/**
 * The executor: list, resolve, plan, then carry the plan out through a PruneTarget in
 * OpenShift's order (openshift/oc pkg/cli/admin/prune/imageprune/prune.go): stage 1 trims each
 * stream's history with one conditional status update, stage 2 deletes Images lists first, then
 * the integrated registry's blobs that no Image left uses. A dry run walks the same path without
 * writing, so it reports exactly what a confirmed run would do (docs/pruning.md).
 */
import type { ImageStream } from '../api/index.js'
import { mapLimit } from '../lib/concurrency.js'
import { buildPlanContext, factsOf, planFrom, planStream, type PlanContext } from './plan.js'
import { describeInvalidReference, registryHostsOf, resolveWorkloads } from './resolve.js'
import {
  StreamConflict,
  type DeleteOutcome,
  type ImagePlan,
  type InvalidReference,
  type PruneEvent,
  type PruneFailure,
  type PruneOptions,
  type PrunePlan,
  type PruneSummary,
  type PruneTarget,
  type StreamPlan,
} from './types.js'
import type { WorkloadInput } from './workloads.js'
import { Yielder } from './yielder.js'

/** RunPruneOptions are a run's knobs and hooks. */
export interface RunPruneOptions extends PruneOptions {
  /** False is a dry run: nothing is written, the same events and summary are produced. */
  readonly confirm: boolean
  /** Streams updated, and Images deleted, at once. */
  readonly numWorkers: number
  /** Go on without the references that do not parse instead of stopping. */
  readonly ignoreInvalidRefs: boolean
  /** Each action as it is carried out, in plan order. */
  readonly onEvent?: (e: PruneEvent) => void
  readonly onProgress?: (p: { phase: string; done: number; total: number }) => void
  readonly signal?: AbortSignal
}

/** InvalidReferencesError stops a run whose workloads hold references that do not parse. */
export class InvalidReferencesError extends Error {
  override readonly name = 'InvalidReferencesError'
  readonly invalid: readonly InvalidReference[]

  constructor(invalid: readonly InvalidReference[]) {
    // OpenShift's text (openshift/oc pkg/cli/admin/prune/images/images.go printGraphBuildErrors).
    super(
      [
        'The following objects have invalid references:',
        '',
        ...invalid.map((r) => `  ${describeInvalidReference(r)}`),
        '',
        'Either fix the references or delete the objects to make the pruner proceed.',
      ].join('\n'),
    )
    this.invalid = invalid
  }
}

/** PruneResult is what a run planned and did. */
export interface PruneResult {
  /** The plan carried out: a stream re-planned after a conflict appears as re-planned. */
  readonly plan: PrunePlan
  readonly summary: PruneSummary
  readonly failures: readonly PruneFailure[]
  /** Images planned for deletion that a stream referenced again by then: kept, not failed. */
  readonly keptInUse: readonly string[]
}

/** MAX_STREAM_ATTEMPTS bounds the re-plans of a stream that keeps changing (client-go's DefaultRetry). */
const MAX_STREAM_ATTEMPTS = 5

/** runPrune lists, plans and (with confirm) prunes; throws only when listing or resolving fails. */
export async function runPrune(
  target: PruneTarget,
  workloads: WorkloadInput,
  options: RunPruneOptions,
): Promise<PruneResult> {
  options.signal?.throwIfAborted()
  // Streams before Images: an import writes its Images with (or before) the stream, so every
  // Image a listed item names is in the Image list unless it was really deleted.
  const streams = await target.listStreams(options.namespace)
  const images = await target.listImages()
  const yielder = new Yielder(options.signal)
  const refs = await resolveWorkloads(
    workloads,
    {
      registryHosts: registryHostsOf(streams),
      now: options.now,
      keepYoungerThanMs: options.keepYoungerThanMs,
    },
    yielder,
  )
  if (refs.invalid.length > 0 && !options.ignoreInvalidRefs) {
    throw new InvalidReferencesError(refs.invalid)
  }
  const ctx = await buildPlanContext({ streams, images, workloads: refs }, options, yielder)
  const plan = await planFrom(streams, ctx, yielder)
  const run = new Execution(target, options, ctx, streams, yielder)
  const streamPlans = await run.pruneStreams(plan.streams)
  if (options.namespace === undefined) await run.pruneImages(plan.images)
  return {
    plan: { ...plan, streams: streamPlans },
    summary: run.summary,
    failures: run.failures,
    keptInUse: run.keptInUse,
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Execution carries out one plan and counts what it did. */
class Execution {
  readonly summary: PruneSummary = {
    deletedImages: 0,
    deletedItems: 0,
    updatedStreams: 0,
    deletedBlobs: 0,
  }
  readonly failures: PruneFailure[] = []
  readonly keptInUse: string[] = []
  readonly #target: PruneTarget
  readonly #options: RunPruneOptions
  readonly #ctx: PlanContext
  readonly #streams: Map<string, ImageStream>
  readonly #yielder: Yielder

  constructor(
    target: PruneTarget,
    options: RunPruneOptions,
    ctx: PlanContext,
    streams: readonly ImageStream[],
    yielder: Yielder,
  ) {
    this.#target = target
    this.#yielder = yielder
    this.#options = options
    this.#ctx = ctx
    this.#streams = new Map(
      streams.map((s) => [`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`, s]),
    )
  }

  /** pruneStreams is stage 1: writes each stream with deleted items; returns the plans applied. */
  async pruneStreams(plans: readonly StreamPlan[]): Promise<StreamPlan[]> {
    const applied = [...plans]
    const changing = plans.flatMap((p, i) => (p.deletedItems > 0 ? [i] : []))
    const emit = new OrderedEmitter(this.#options.onEvent)
    let done = 0
    const progress = () =>
      this.#options.onProgress?.({ phase: 'streams', done, total: changing.length })
    progress()
    await mapLimit(changing, this.#options.numWorkers, async (index, order) => {
      this.#options.signal?.throwIfAborted()
      const plan = plans[index]!
      const result = await this.#writeStream(plan)
      if (result !== undefined) applied[index] = result
      const events: PruneEvent[] = []
      if (result !== undefined && result.deletedItems > 0) {
        this.summary.deletedItems += result.deletedItems
        this.summary.updatedStreams++
        events.push({
          kind: 'stream',
          namespace: result.namespace,
          name: result.name,
          items: result.deletedItems,
        })
      }
      emit.emit(order, events)
      done++
      progress()
    })
    return applied
  }

  /**
   * writeStream writes one stream's trimmed status, conditionally on the resourceVersion it was
   * planned from. A stream changed meanwhile is read again and re-planned against the same view
   * of what is in use, never overwritten. Returns the plan written, or undefined when the stream
   * is gone or could not be written (a failure is recorded).
   */
  async #writeStream(plan: StreamPlan): Promise<StreamPlan | undefined> {
    if (!this.#options.confirm) return plan
    const which = `${plan.namespace}/${plan.name}`
    let current = plan
    let stream = this.#streams.get(which)
    for (let attempt = 1; stream !== undefined; attempt++) {
      try {
        await this.#target.updateStreamStatus({
          ...stream,
          metadata: { ...stream.metadata, resourceVersion: current.resourceVersion },
          status: { ...stream.status, tags: [...current.statusTags] },
        })
        return current
      } catch (err) {
        if (!(err instanceof StreamConflict)) {
          this.failures.push({ what: 'stream', which, message: messageOf(err) })
          return undefined
        }
        if (attempt === MAX_STREAM_ATTEMPTS) {
          this.failures.push({
            what: 'stream',
            which,
            message: `it changed ${attempt} times while being pruned; left as it is for the next run`,
          })
          return undefined
        }
      }
      try {
        stream = await this.#target.getStream(plan.namespace, plan.name)
      } catch (err) {
        this.failures.push({ what: 'stream', which, message: messageOf(err) })
        return undefined
      }
      if (stream === undefined) return undefined
      current = planStream(stream, this.#ctx, true)
      if (current.deletedItems === 0) return current
    }
    return undefined
  }

  /**
   * pruneImages is stage 2: deletes Images level by level, every list before its children, then
   * the blobs of the Images that went which no Image still present uses. Its events follow in
   * plan order once that is known: each deleted Image's dropped blobs, then the Image.
   */
  async pruneImages(plans: readonly ImagePlan[]): Promise<void> {
    const deleted = plans.filter((p) => p.decision.action === 'delete')
    const gone = new Set<string>()
    const blobs = new Map<string, readonly string[]>()
    const dropped = new Set<string>()
    try {
      await this.#deleteImages(deleted, gone)
      for (const [image, digests] of await this.#blobsToDrop(deleted, gone)) {
        blobs.set(image, digests)
      }
      await this.#dropBlobs([...blobs.values()].flat(), dropped)
    } finally {
      // Also when stopped halfway: what was done is reported.
      for (const plan of deleted) {
        if (!gone.has(plan.name)) continue
        for (const digest of blobs.get(plan.name) ?? []) {
          if (dropped.has(digest)) this.#options.onEvent?.({ kind: 'blob', digest })
        }
        this.#options.onEvent?.({ kind: 'image', name: plan.name })
      }
    }
  }

  /** deleteImages deletes each level at once, then the next; `gone` collects what went. */
  async #deleteImages(deleted: readonly ImagePlan[], gone: Set<string>): Promise<void> {
    let done = 0
    const progress = () =>
      this.#options.onProgress?.({ phase: 'images', done, total: deleted.length })
    progress()
    for (let from = 0; from < deleted.length;) {
      const level = deleted[from]!.level ?? 0
      let to = from + 1
      while (to < deleted.length && (deleted[to]!.level ?? 0) === level) to++
      await mapLimit(deleted.slice(from, to), this.#options.numWorkers, async (plan) => {
        this.#options.signal?.throwIfAborted()
        if (await this.#deleteImage(plan)) gone.add(plan.name)
        done++
        progress()
      })
      from = to
    }
  }

  /**
   * deleteImage deletes one Image and tells whether it is gone. When a stream took it up again the
   * store refuses ('in-use'): it is kept, not failed. 'not-found': someone else deleted it; done
   * all the same, as in OpenShift.
   */
  async #deleteImage(plan: ImagePlan): Promise<boolean> {
    let outcome: DeleteOutcome = 'deleted'
    if (this.#options.confirm) {
      try {
        outcome = await this.#target.deleteImage(plan.name)
      } catch (err) {
        this.failures.push({ what: 'image', which: plan.name, message: messageOf(err) })
        return false
      }
    }
    if (outcome === 'in-use') {
      this.keptInUse.push(plan.name)
      return false
    }
    this.summary.deletedImages++
    return true
  }

  /**
   * blobsToDrop says, per Image that went, which of its blobs go: a dry run takes the plan's. A
   * confirmed run lists the Images again once every delete is done and drops only blobs that no
   * Image present then uses, so an Image kept after all (taken up again, its delete failed, or
   * written after the listing) keeps every blob it shares with a deleted one. Each blob goes
   * with the first Image in plan order that had it, as in the plan.
   */
  async #blobsToDrop(
    deleted: readonly ImagePlan[],
    gone: ReadonlySet<string>,
  ): Promise<Map<string, readonly string[]>> {
    const out = new Map<string, readonly string[]>()
    const went = deleted.filter((p) => gone.has(p.name))
    if (!this.#options.pruneRegistry || went.length === 0) return out
    if (!this.#options.confirm) {
      for (const plan of went) out.set(plan.name, plan.blobs ?? [])
      return out
    }
    const used = new Set<string>()
    try {
      for (const image of await this.#target.listImages()) {
        if (this.#yielder.due()) await this.#yielder.yield()
        for (const b of factsOf(image).blobs) used.add(b)
      }
    } catch (err) {
      this.#options.signal?.throwIfAborted()
      const message = `not deleted: listing the Images that may still use it failed: ${messageOf(err)}`
      for (const plan of went) {
        for (const which of plan.blobs ?? []) this.failures.push({ what: 'blob', which, message })
      }
      return out
    }
    for (const plan of went) {
      if (this.#yielder.due()) await this.#yielder.yield()
      const blobs = (this.#ctx.images.get(plan.name)?.blobs ?? []).filter((b) => !used.has(b))
      for (const b of blobs) used.add(b)
      out.set(plan.name, blobs)
    }
    return out
  }

  /** dropBlobs deletes blobs from the integrated registry; `dropped` collects those that went. */
  async #dropBlobs(digests: readonly string[], dropped: Set<string>): Promise<void> {
    if (!this.#options.pruneRegistry) return
    let done = 0
    const progress = () =>
      this.#options.onProgress?.({ phase: 'blobs', done, total: digests.length })
    progress()
    await mapLimit(digests, this.#options.numWorkers, async (digest) => {
      this.#options.signal?.throwIfAborted()
      try {
        if (this.#options.confirm) await this.#target.deleteBlob(digest)
        this.summary.deletedBlobs++
        dropped.add(digest)
      } catch (err) {
        // Only cache, which ages out on its own.
        this.failures.push({ what: 'blob', which: digest, message: messageOf(err) })
      }
      done++
      progress()
    })
  }
}

/** OrderedEmitter passes on events in plan order though workers finish in any order. */
class OrderedEmitter {
  readonly #onEvent: ((e: PruneEvent) => void) | undefined
  readonly #pending = new Map<number, readonly PruneEvent[]>()
  #next = 0

  constructor(onEvent: ((e: PruneEvent) => void) | undefined) {
    this.#onEvent = onEvent
  }

  emit(order: number, events: readonly PruneEvent[]): void {
    this.#pending.set(order, events)
    for (
      let e = this.#pending.get(this.#next);
      e !== undefined;
      e = this.#pending.get(this.#next)
    ) {
      this.#pending.delete(this.#next++)
      for (const event of e) this.#onEvent?.(event)
    }
  }
}
