/**
 * Scheduled imports (docs/imports.md#scheduled-imports): every spec tag with
 * `importPolicy.scheduled` has a row in the store's due-queue. The reconciler keeps the rows in
 * step with the streams; the checker claims due rows, HEADs each tag with the stream's credentials
 * and imports through the import engine only when the digest moved. Registries get a concurrency
 * limit, a request budget and their Retry-After respected, each on its own; failing tags back off.
 */
import type { ImageStream, ImportMode, TagReference } from '../api/index.js'
import { ANNOTATIONS, isBeingDeleted, withTagsSorted } from '../api/index.js'
import type { Keyring } from '../credentials/index.js'
import { failureStatus, repositoryAsSpelled, setFailure } from '../importer/index.js'
import { sleep } from '../lib/abort.js'
import { admittedReference, parseImageReference, tagOrLatest } from '../reference/index.js'
import { RateLimitedError } from '../registry/index.js'
import { isStoreError, listInPages, objectKey, type PagedList } from '../storage/index.js'
import type { ScheduleEntry, ScheduleSpec, ScheduleStore } from '../storage/index.js'
import {
  FAILURE_BASE_MS,
  failureOutcome,
  isUnchanged,
  rateLimitedOutcome,
  successOutcome,
  type HeadResult,
  type OutcomeContext,
} from './check-outcome.js'
import { importInto, namespaceKeyring, type ImportServiceDeps } from './import-service.js'
import { checkFailedEvent } from './import-events.js'
import { NO_METRICS, type ScheduleMetrics } from './metrics.js'
import { RegistryBudget, type Clock, type Slot } from './registry-budget.js'
import { jittered, scheduleSpecs, spreadWindow } from './schedule-spec.js'
import type { ControllerLogger } from './tag-import-controller.js'
import { importRequestFor } from './tag-imports.js'

/** ScheduledImportsOptions configures the scheduler; only intervalMs and logger are required. */
export interface ScheduledImportsOptions extends ImportServiceDeps {
  /** The default interval between checks of a tag (`--scheduled-import-interval`). */
  readonly intervalMs: number
  /** Spread of every next check, as a fraction of the interval either way (default 0.1). */
  readonly jitter?: number
  /** Checks of one registry host at once (default 8). */
  readonly perRegistryConcurrency?: number
  /** Requests per second to one registry host (default 50). */
  readonly perRegistryRequestsPerSecond?: number
  /** Rows claimed at once (default 256); at most this many checks wait in the process. */
  readonly batchSize?: number
  /**
   * How long a claimed row stays leased (default 10 min): another replica may take it over
   * after that, so a row still waiting for its registry's turn when less than a quarter of its
   * lease is left is not checked here (it stays due, and is claimed again).
   */
  readonly leaseMs?: number
  /** How often the queue is polled when nothing is due (default 1 s). */
  readonly pollMs?: number
  /** First backoff of a failing tag (default 30 s), doubling up to its interval. */
  readonly failureBaseMs?: number
  readonly metrics?: ScheduleMetrics
  readonly logger: ControllerLogger
  readonly clock?: Clock
  /** Jitter source (default Math.random), for tests. */
  readonly random?: () => number
  /** The first list of streams, when shared with other controllers (default: its own). */
  readonly initialList?: PagedList<ImageStream>
}

/** Pause of a registry that answered 429 without saying for how long: the client's own cap. */
const DEFAULT_PAUSE_MS = 60_000
/** Estimated extra requests of an import (manifest and config GETs), charged to the budget. */
const IMPORT_REQUESTS = 2
/** Part of a lease a row must have left to be checked: time for its HEAD and its write. */
const LEASE_MARGIN = 0.25
/** Wait after a failed watch or claim before trying again, so a broken store is not spun on. */
const ERROR_PAUSE_MS = 1000

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, signal) }

/** Reads shared by the rows of one claimed batch: each stream and keyring once per batch. */
class BatchReads {
  readonly #streams = new Map<string, Promise<ImageStream | undefined>>()
  readonly #keyrings = new Map<string, Promise<Keyring>>()
  readonly #deps: ImportServiceDeps

  constructor(deps: ImportServiceDeps) {
    this.#deps = deps
  }

  stream(namespace: string, name: string): Promise<ImageStream | undefined> {
    const key = `${namespace}/${name}`
    let read = this.#streams.get(key)
    if (!read) {
      read = this.#deps.store
        .get<ImageStream>(objectKey('imagestreams', name, namespace))
        .catch((err: unknown) => {
          if (isStoreError(err, 'NotFound')) return undefined
          throw err
        })
      this.#streams.set(key, read)
    }
    return read
  }

  keyring(namespace: string): Promise<Keyring> {
    let read = this.#keyrings.get(namespace)
    if (!read) {
      read = namespaceKeyring(this.#deps.store, namespace, this.#deps.globalKeyring).then(
        (k) => k.keyring,
      )
      this.#keyrings.set(namespace, read)
    }
    return read
  }
}

const streamKey = (namespace: string, name: string) => `${namespace}/${name}`
const rowKey = (row: ScheduleEntry) => `${row.namespace}/${row.stream}:${row.tag}`
/** fingerprint compares a stream's wanted specs with the rows it has, whatever their order. */
const fingerprint = (specs: readonly ScheduleSpec[]) =>
  JSON.stringify(
    [...specs]
      .sort((a, b) => a.tag.localeCompare(b.tag))
      .map((s) => [s.tag, s.source, s.registry, s.intervalMs]),
  )

/** ScheduledImports keeps scheduled tags fresh until stopped. */
export class ScheduledImports {
  readonly #opts: ScheduledImportsOptions
  readonly #schedule: ScheduleStore
  readonly #clock: Clock
  readonly #random: () => number
  readonly #metrics: ScheduleMetrics
  readonly #budget: RegistryBudget
  readonly #jitter: number
  readonly #stop = new AbortController()
  /**
   * Rows being checked, with the end of the lease this process holds on each: a row claimed
   * again while its check waits is not checked twice, and its check sees the newer lease.
   */
  readonly #inflight = new Map<string, number>()
  /**
   * Rows whose check failed part way (the store was unreachable): still leased, they are
   * released before the next claim, or they would wait for their lease to end.
   */
  readonly #unreleased = new Map<string, ScheduleEntry>()
  /** The specs each stream's rows were last synced to, so an unchanged stream costs no write. */
  readonly #synced = new Map<string, string>()
  readonly #warned = new Set<string>()
  #loops: Promise<void>[] = []
  #started = false
  #initialList: PagedList<ImageStream> | undefined

  constructor(opts: ScheduledImportsOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError('the scheduled import interval must be > 0')
    this.#opts = opts
    this.#schedule = opts.store.schedule
    this.#clock = opts.clock ?? REAL_CLOCK
    this.#random = opts.random ?? Math.random
    this.#metrics = opts.metrics ?? NO_METRICS
    this.#jitter = opts.jitter ?? 0.1
    this.#initialList = opts.initialList
    this.#budget = new RegistryBudget({
      concurrency: opts.perRegistryConcurrency ?? 8,
      requestsPerSecond: opts.perRegistryRequestsPerSecond ?? 50,
      clock: this.#clock,
      store: this.#schedule,
    })
  }

  /**
   * start spreads rows left overdue by downtime, brings the queue in step with the stored
   * streams, then watches streams and checks due rows in the background until stop().
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('ScheduledImports already started')
    this.#started = true
    const now = this.#clock.now()
    const { oldestDueAt } = await this.#schedule.stats(now)
    if (oldestDueAt !== undefined) {
      await this.#schedule.spreadOverdue(
        now,
        spreadWindow(now - oldestDueAt, this.#opts.intervalMs),
      )
    }
    const resourceVersion = await this.#relist()
    this.#loops = [this.#watchLoop(resourceVersion), this.#claimLoop()]
  }

  /** stop ends the background work and waits for running checks to give up. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await Promise.all(this.#loops)
  }

  /** runDue checks every row due now, claiming batch after batch; returns how many were claimed. */
  async runDue(): Promise<number> {
    const signal = this.#stop.signal
    const batchSize = this.#opts.batchSize ?? 256
    const running = new Set<Promise<void>>()
    let claimed = 0
    await this.#releaseFailed()
    while (!signal.aborted) {
      const now = this.#clock.now()
      const rows = await this.#schedule.claimDue(now, batchSize, this.#leaseMs)
      if (rows.length === 0) break
      claimed += rows.length
      const reads = new BatchReads(this.#opts)
      for (const row of rows) {
        const key = rowKey(row)
        const waiting = this.#inflight.has(key)
        this.#inflight.set(key, now + this.#leaseMs)
        if (waiting) continue
        const check: Promise<void> = this.#check(row, reads, signal)
          .catch((err: unknown) => {
            if (!signal.aborted) {
              this.#opts.logger.warn({ tag: key, err: String(err) }, 'scheduled check failed')
              this.#unreleased.set(key, row)
            }
          })
          .finally(() => {
            this.#inflight.delete(key)
            running.delete(check)
          })
        running.add(check)
      }
      // Claim more only as checks finish, so leases are never held by rows that wait long.
      while (running.size >= batchSize) await Promise.race(running)
    }
    await Promise.all(running)
    return claimed
  }

  /** #releaseFailed ends the leases of rows whose check failed; throws while the store does. */
  async #releaseFailed(): Promise<void> {
    for (const [key, row] of this.#unreleased) {
      await this.#schedule.release(row)
      this.#unreleased.delete(key)
    }
  }

  async #claimLoop(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      let pause = this.#opts.pollMs ?? 1000
      try {
        await this.runDue()
      } catch (err) {
        if (signal.aborted) break
        this.#opts.logger.warn({ err: String(err) }, 'claiming scheduled checks failed')
        pause = Math.max(pause, ERROR_PAUSE_MS)
      }
      await this.#clock.sleep(pause, signal).catch(() => undefined)
    }
  }

  async #watchLoop(resourceVersion: string): Promise<void> {
    const signal = this.#stop.signal
    let from: string | undefined = resourceVersion
    while (!signal.aborted) {
      try {
        from ??= await this.#relist()
        const events = await this.#opts.store.watch<ImageStream>('imagestreams', {
          fromResourceVersion: from,
          signal,
        })
        for await (const event of events) {
          if (event.type === 'BOOKMARK') continue
          if (event.type === 'DELETED') {
            const { namespace = '', name = '' } = event.object.metadata
            await this.#forget(namespace, name)
          } else {
            await this.#sync(event.object)
          }
        }
        from = undefined
      } catch (err) {
        if (signal.aborted) break
        // An expired watch (compaction) or a transient error: list again from scratch.
        if (!isStoreError(err, 'Expired')) {
          this.#opts.logger.warn({ err: String(err) }, 'scheduled imports: watch failed; relisting')
          await this.#clock.sleep(ERROR_PAUSE_MS, signal).catch(() => undefined)
        }
        from = undefined
      }
    }
  }

  /** #relist syncs every stream and drops the rows of streams deleted while nobody watched. */
  async #relist(): Promise<string> {
    this.#synced.clear()
    const rows = new Map<string, ScheduleSpec[]>()
    for (const row of await this.#schedule.list()) {
      const key = streamKey(row.namespace, row.stream)
      rows.set(key, [...(rows.get(key) ?? []), row])
    }
    for (const [key, specs] of rows) this.#synced.set(key, fingerprint(specs))
    // Only streams that have rows are remembered: the others need no forgetting.
    const present = new Set<string>()
    const sync = async (streams: ImageStream[]) => {
      for (const stream of streams) {
        const key = streamKey(stream.metadata.namespace ?? '', stream.metadata.name ?? '')
        if (rows.has(key)) present.add(key)
        await this.#sync(stream)
      }
    }
    const list = this.#initialList
    // A relist after a failed watch is the scheduler's own.
    this.#initialList = undefined
    const resourceVersion = list
      ? await list(sync)
      : await listInPages<ImageStream>(this.#opts.store, 'imagestreams', sync, {
          signal: this.#stop.signal,
        })
    for (const row of rows.values()) {
      const first = row[0] as ScheduleEntry
      if (!present.has(streamKey(first.namespace, first.stream))) {
        await this.#forget(first.namespace, first.stream)
      }
    }
    return resourceVersion
  }

  async #sync(stream: ImageStream): Promise<void> {
    const namespace = stream.metadata.namespace ?? ''
    const name = stream.metadata.name ?? ''
    const key = streamKey(namespace, name)
    // A stream a delete marked waits for its finalizers: it is not checked again.
    if (isBeingDeleted(stream)) return this.#forget(namespace, name)
    const { specs, invalid } = scheduleSpecs(stream, this.#opts.intervalMs)
    for (const bad of invalid) {
      const note = `${key}:${bad.tag}=${bad.value}`
      if (this.#warned.has(note)) continue
      this.#warned.add(note)
      this.#opts.logger.warn(
        { stream: key, tag: bad.tag, value: bad.value },
        `invalid ${ANNOTATIONS.scheduledImportInterval} (want a duration of at least 1s, such as 90s or 1h); using the default interval`,
      )
    }
    if (specs.length === 0) return this.#forget(namespace, name)
    const wanted = fingerprint(specs)
    if (this.#synced.get(key) === wanted) return
    // A new scheduled tag was just imported by the tag-import controller: check it an interval later.
    await this.#schedule.syncStream(namespace, name, specs, (spec) =>
      this.#nextAfter(spec.intervalMs),
    )
    this.#synced.set(key, wanted)
  }

  async #forget(namespace: string, name: string): Promise<void> {
    const key = streamKey(namespace, name)
    if (!this.#synced.has(key)) return
    await this.#schedule.removeStream(namespace, name)
    this.#synced.delete(key)
  }

  get #leaseMs(): number {
    return this.#opts.leaseMs ?? 10 * 60_000
  }

  /**
   * #lapsing says whether the lease on a row is too near its end to start the row's HEAD: once
   * it ends another replica may claim the row and check it too.
   */
  #lapsing(row: ScheduleEntry): boolean {
    const end = this.#inflight.get(rowKey(row)) ?? 0
    return this.#clock.now() > end - this.#leaseMs * LEASE_MARGIN
  }

  #nextAfter(intervalMs: number): number {
    return this.#clock.now() + jittered(intervalMs, this.#jitter, this.#random)
  }

  #ctx(): OutcomeContext {
    return {
      now: this.#clock.now(),
      jitter: this.#jitter,
      random: this.#random,
      failureBaseMs: this.#opts.failureBaseMs ?? FAILURE_BASE_MS,
    }
  }

  /**
   * #check checks one claimed row. A row whose stream changed under it is left leased: the
   * reconciler resets or drops it. A row of a paused registry is released, to be claimed again
   * when postpone's new time comes, not when the lease ends. A row whose lease is nearly over
   * once its registry's turn comes is left to be claimed again when the lease ends.
   */
  async #check(row: ScheduleEntry, reads: BatchReads, signal: AbortSignal): Promise<void> {
    const started = this.#clock.now()
    const stream = await reads.stream(row.namespace, row.stream)
    const spec = stream?.spec?.tags?.find((t) => t.name === row.tag)
    if (!stream || !spec || spec.from?.name !== row.source) return
    const slot = await this.#budget.acquire(row.registry, signal)
    if (!slot) return this.#defer(row)
    try {
      // Another replica may have paused the registry: its store says so at this take.
      if (!(await slot.take(1, signal))) return await this.#defer(row)
      // Not released either: the row may be another replica's lease by now.
      if (this.#lapsing(row)) {
        this.#metrics.checks('deferred', row.registry)
        return
      }
      const head = await this.#head(row, stream, spec, reads, signal)
      if (!head) return
      const mode = (spec.importPolicy?.importMode ??
        this.#opts.policy.defaultImportMode) as ImportMode
      if (isUnchanged(row, stream, head, mode)) {
        await this.#schedule.complete(row, successOutcome(row, head.digest, this.#ctx()))
        this.#metrics.checks('unchanged', row.registry)
        return
      }
      // Docker Hub answers HEADs with its pull allowance: with none left, the import's GETs
      // would only collect 429s, so the registry waits for its window instead.
      const exhausted = this.#opts.client.pullLimitReachedUntil(row.registry)
      if (exhausted) {
        await this.#rateLimited(row, exhausted.getTime())
        return
      }
      this.#metrics.checks('changed', row.registry)
      await this.#import(row, stream, spec, head, slot, signal)
    } finally {
      slot.release()
      this.#metrics.checkSeconds((this.#clock.now() - started) / 1000, row.registry)
    }
  }

  /** #defer leaves a row of a paused registry for when postpone's new time comes. */
  async #defer(row: ScheduleEntry): Promise<void> {
    await this.#schedule.release(row)
    this.#metrics.checks('deferred', row.registry)
  }

  /** #head resolves the tag; on failure it records the outcome and returns undefined. */
  async #head(
    row: ScheduleEntry,
    stream: ImageStream,
    spec: TagReference,
    reads: BatchReads,
    signal: AbortSignal,
  ): Promise<HeadResult | undefined> {
    try {
      const ref = parseImageReference(row.source)
      const insecure =
        spec.importPolicy?.insecure ??
        stream.metadata.annotations?.[ANNOTATIONS.insecureRepository] === 'true'
      // A registry the allow-list stopped allowing gets the import's Forbidden condition and
      // no request (docs/imports.md#allowed-registries).
      const refused = this.#opts.policy.allowedRegistries?.admitImport(
        admittedReference(row.source),
        insecure,
      )
      if (refused) throw refused
      const repo = this.#opts.client.repository({
        registry: ref.registry,
        repository: ref.repository,
        keyring: await reads.keyring(row.namespace),
        insecure,
      })
      // scheduleSpecs leaves out digests, so the source names a tag (or implies latest).
      return await repo.resolveTag(tagOrLatest(ref) ?? 'latest', { signal })
    } catch (err) {
      if (signal.aborted) throw err
      if (err instanceof RateLimitedError) {
        await this.#rateLimited(row, err.retryAt?.getTime())
        return undefined
      }
      const status = failureStatus(err, row.source, repositoryAsSpelled(row.source))
      const message = status.message ?? 'unknown error prevented import'
      const reason = status.reason ?? 'InternalError'
      this.#opts.events?.record(checkFailedEvent(stream, row.tag, row.source, reason, message))
      await this.#writeCondition(row, reason, message)
      await this.#schedule.complete(row, failureOutcome(row, message, this.#ctx()))
      this.#metrics.checks('failed', row.registry)
      return undefined
    }
  }

  /** #import runs the tag through the import engine, as every import does. */
  async #import(
    row: ScheduleEntry,
    stream: ImageStream,
    spec: TagReference,
    head: HeadResult,
    slot: Slot,
    signal: AbortSignal,
  ): Promise<void> {
    // A pause that came up since the HEAD: the change is imported once it ends.
    if (!(await slot.take(IMPORT_REQUESTS, signal))) return this.#defer(row)
    let status
    try {
      const result = await importInto(
        this.#opts,
        row.namespace,
        importRequestFor(stream, [spec]),
        signal,
      )
      status = result.isi.status?.images?.[0]?.status
    } catch (err) {
      if (signal.aborted) throw err
      // The stream was deleted or recreated meanwhile, or the store failed: retry with backoff.
      const message = err instanceof Error ? err.message : String(err)
      await this.#schedule.complete(row, failureOutcome(row, message, this.#ctx()))
      this.#metrics.imports('failure', row.registry)
      return
    }
    if (status?.status === 'Success') {
      // The HEAD's digest, not the imported image's: for a Legacy list the stream holds a
      // child, and only the list digest says next time whether anything moved.
      await this.#schedule.complete(row, successOutcome(row, head.digest, this.#ctx()))
      this.#metrics.imports('success', row.registry)
      return
    }
    this.#metrics.imports('failure', row.registry)
    if (status?.code === 429) {
      const seconds = status.details?.retryAfterSeconds
      await this.#rateLimited(
        row,
        seconds === undefined ? undefined : this.#clock.now() + seconds * 1000,
      )
      return
    }
    // The engine has written the tag's condition; the queue records the failure for backoff.
    const message = status?.message ?? 'unknown error prevented import'
    await this.#schedule.complete(row, failureOutcome(row, message, this.#ctx()))
  }

  /**
   * #rateLimited pauses the registry and moves its due rows past the pause; other registries
   * keep their cadence. The row itself waits for the pause like the rest.
   */
  async #rateLimited(row: ScheduleEntry, retryAt: number | undefined): Promise<void> {
    const now = this.#clock.now()
    const until = Math.max(retryAt ?? 0, now + (retryAt === undefined ? DEFAULT_PAUSE_MS : 0))
    await this.#budget.pause(row.registry, until)
    await this.#schedule.postpone(row.registry, until)
    await this.#schedule.complete(row, rateLimitedOutcome(row, until, now))
    this.#metrics.checks('rate-limited', row.registry)
    this.#metrics.registryPaused(row.registry, (until - now) / 1000)
    this.#opts.logger.warn(
      { registry: row.registry, seconds: Math.round((until - now) / 1000) },
      'registry is rate limiting; pausing its scheduled checks',
    )
  }

  /**
   * #writeCondition records a failed HEAD on the tag as the engine records a failed import
   * (same reason and message), writing only when the condition changes, so a tag failing the
   * same way every backoff step costs no write and no watch event.
   */
  async #writeCondition(row: ScheduleEntry, reason: string, message: string): Promise<void> {
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')
    try {
      await this.#opts.store.guaranteedUpdate<ImageStream>(
        objectKey('imagestreams', row.stream, row.namespace),
        (current) => {
          const spec = current.spec?.tags?.find((t) => t.name === row.tag)
          if (spec?.from?.name !== row.source) return undefined
          const next = structuredClone(current)
          const changed = setFailure(next, row.tag, {
            reason,
            message,
            // The spec tag's own generation: the tag-import controller sees it as observed.
            generation: spec.generation ?? current.metadata.generation ?? 0,
            lastTransitionTime: now,
          })
          return changed ? withTagsSorted(next) : undefined
        },
      )
    } catch (err) {
      if (!isStoreError(err, 'NotFound')) throw err
    }
  }
}
