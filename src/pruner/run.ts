/**
 * The executor: list, resolve, plan, then carry the plan out through a PruneTarget in
 * OpenShift's order (openshift/oc pkg/cli/admin/prune/imageprune/prune.go): stage 1 trims each
 * stream's history with one conditional status update, stage 2 deletes Images lists first and
 * the integrated registry's blobs with them. A dry run walks the same path without writing, so it
 * reports exactly what a confirmed run would do (docs/pruning.md).
 */
import type { ImageStream } from '../api/index.js'
import { mapLimit } from '../lib/concurrency.js'
import { buildPlanContext, planFrom, planStream, type PlanContext } from './plan.js'
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
  const run = new Execution(target, options, ctx, streams)
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
  /** Blobs of images that turned out in use: none of them may go. */
  readonly #revivedBlobs = new Set<string>()

  constructor(
    target: PruneTarget,
    options: RunPruneOptions,
    ctx: PlanContext,
    streams: readonly ImageStream[],
  ) {
    this.#target = target
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

  /** pruneImages is stage 2: deletes Images level by level, every list before its children. */
  async pruneImages(plans: readonly ImagePlan[]): Promise<void> {
    const deleted = plans.filter((p) => p.decision.action === 'delete')
    const emit = new OrderedEmitter(this.#options.onEvent)
    let done = 0
    const progress = () =>
      this.#options.onProgress?.({ phase: 'images', done, total: deleted.length })
    progress()
    let order = 0
    for (const batch of levels(deleted)) {
      const first = order
      order += batch.length
      await mapLimit(batch, this.#options.numWorkers, async (plan, i) => {
        this.#options.signal?.throwIfAborted()
        emit.emit(first + i, await this.#deleteImage(plan))
        done++
        progress()
      })
    }
  }

  /**
   * deleteImage deletes one Image, then its blobs. The Image goes first: when a stream took it
   * up again the store refuses ('in-use') and its blobs stay; a blob whose delete fails is only
   * cache, which ages out on its own.
   */
  async #deleteImage(plan: ImagePlan): Promise<PruneEvent[]> {
    let outcome: DeleteOutcome = 'deleted'
    if (this.#options.confirm) {
      try {
        outcome = await this.#target.deleteImage(plan.name)
      } catch (err) {
        this.failures.push({ what: 'image', which: plan.name, message: messageOf(err) })
        return []
      }
    }
    if (outcome === 'in-use') {
      this.keptInUse.push(plan.name)
      for (const b of this.#ctx.images.get(plan.name)?.blobs ?? []) this.#revivedBlobs.add(b)
      return []
    }
    const events: PruneEvent[] = []
    for (const digest of plan.blobs ?? []) {
      if (this.#revivedBlobs.has(digest)) continue
      if (this.#options.confirm) {
        try {
          await this.#target.deleteBlob(digest)
        } catch (err) {
          this.failures.push({ what: 'blob', which: digest, message: messageOf(err) })
          continue
        }
      }
      this.summary.deletedBlobs++
      events.push({ kind: 'blob', digest })
    }
    // 'not-found': someone else deleted it; done all the same, as in OpenShift.
    this.summary.deletedImages++
    events.push({ kind: 'image', name: plan.name })
    return events
  }
}

/** levels splits deletions (lists before children) into batches nothing in a batch depends on. */
function levels(deleted: readonly ImagePlan[]): ImagePlan[][] {
  const level = new Map<string, number>()
  const batches: ImagePlan[][] = []
  for (const plan of deleted) {
    const l = level.get(plan.name) ?? 0
    for (const child of plan.children) level.set(child, Math.max(level.get(child) ?? 0, l + 1))
    ;(batches[l] ??= []).push(plan)
  }
  return batches.filter((b) => b !== undefined)
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
