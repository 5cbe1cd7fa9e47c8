/**
 * The scheduled pruner, the server's equivalent of OpenShift's image pruner CronJob
 * (docs/pruning.md#scheduled-pruning): runs the same planner and executor as
 * `isctl adm prune images --confirm`, one run at a time, waiting the interval after each run
 * ends, so a slow run delays the next instead of overlapping it. The workloads file is re-read
 * before every run, because an operator keeps it fresh. Each run first takes the store's
 * `scheduled-prune` singleton lease, so replicas sharing one database never prune at once: a
 * replica that finds it held skips that run (docs/pruning.md#scheduled-pruning).
 */
import { readFile } from 'node:fs/promises'
import { sleep } from '../lib/abort.js'
import {
  describeInvalidReference,
  InvalidReferencesError,
  NO_WORKLOADS,
  parseWorkloads,
  PRUNE_DEFAULTS,
  runPrune,
  type PruneResult,
  type PruneTarget,
  type WorkloadInput,
} from '../pruner/index.js'
import type { SingletonLease, Store } from '../storage/index.js'
import { NO_PRUNE_METRICS, type PruneMetrics } from './metrics.js'
import type { ControllerLogger } from './tag-import-controller.js'

/** ScheduledPruneOptions configure the scheduled pruner. */
export interface ScheduledPruneOptions {
  readonly target: PruneTarget
  /** The store whose singleton lease keeps runs on one replica at a time. */
  readonly leases: Pick<Store, 'singleton'>
  /** Time from the end of one run to the start of the next. */
  readonly intervalMs: number
  readonly keepTagRevisions: number
  readonly keepYoungerThanMs: number
  readonly keepPulledWithinMs: number
  /** A kubectl JSON or YAML file of the workloads in use, read before every run. */
  readonly workloadsFile?: string | undefined
  readonly ignoreInvalidRefs: boolean
  readonly metrics?: PruneMetrics
  readonly logger: ControllerLogger
  /** The time ages are measured against (ms since the epoch); tests pass their own. */
  readonly now?: () => number
}

/** PRUNE_LEASE names the singleton lease scheduled runs hold. */
export const PRUNE_LEASE = 'scheduled-prune'

/** ScheduledPrune runs prune passes until stopped. */
export class ScheduledPrune {
  readonly #opts: ScheduledPruneOptions
  readonly #metrics: PruneMetrics
  readonly #stop = new AbortController()
  #loop: Promise<void> | undefined

  constructor(opts: ScheduledPruneOptions) {
    this.#opts = opts
    this.#metrics = opts.metrics ?? NO_PRUNE_METRICS
  }

  /** start runs the first pass after one interval, then one interval after each pass ends. */
  start(): void {
    this.#loop ??= this.#run()
  }

  /** stop cancels the wait or the running pass (its current write finishes) and waits for it. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await this.#loop
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      try {
        await sleep(this.#opts.intervalMs, signal)
      } catch {
        return
      }
      await this.runOnce()
    }
  }

  /**
   * runOnce is one pass, run only while this replica holds the prune lease (undefined when
   * another holds it): it never throws; the outcome goes to the log and the metrics.
   */
  async runOnce(): Promise<PruneResult | undefined> {
    const opts = this.#opts
    let lease: SingletonLease | undefined
    try {
      lease = await opts.leases.singleton(PRUNE_LEASE, this.#stop.signal)
    } catch (err) {
      opts.logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'scheduled prune skipped: the prune lease cannot be taken',
      )
      return undefined
    }
    if (lease === undefined) {
      if (!this.#stop.signal.aborted) {
        opts.logger.info?.({}, 'scheduled prune skipped: another replica is pruning')
      }
      return undefined
    }
    try {
      return await this.#prune(AbortSignal.any([this.#stop.signal, lease.signal]))
    } finally {
      await lease.release()
    }
  }

  async #prune(signal: AbortSignal): Promise<PruneResult | undefined> {
    const opts = this.#opts
    const started = Date.now()
    try {
      const workloads = await this.#workloads()
      const result = await runPrune(opts.target, workloads, {
        keepTagRevisions: opts.keepTagRevisions,
        keepYoungerThanMs: opts.keepYoungerThanMs,
        keepPulledWithinMs: opts.keepPulledWithinMs,
        all: true,
        pruneOverSizeLimit: false,
        pruneRegistry: true,
        now: (opts.now ?? Date.now)(),
        confirm: true,
        numWorkers: PRUNE_DEFAULTS.numWorkers,
        ignoreInvalidRefs: opts.ignoreInvalidRefs,
        signal,
      })
      const { summary, failures } = result
      this.#metrics.pruned('image', summary.deletedImages)
      this.#metrics.pruned('item', summary.deletedItems)
      this.#metrics.pruned('stream', summary.updatedStreams)
      this.#metrics.pruned('blob', summary.deletedBlobs)
      const ok = failures.length === 0
      this.#metrics.run(ok ? 'success' : 'failure', Date.now() / 1000)
      const context = { ...summary, failures: failures.length, durationMs: Date.now() - started }
      if (ok) opts.logger.info?.(context, 'scheduled prune finished')
      else
        opts.logger.warn(
          { ...context, first: failures[0] },
          'scheduled prune finished with failures',
        )
      return result
    } catch (err) {
      // Stopped by the server's shutdown or a lost lease: neither a success nor a failure.
      if (signal.aborted) {
        opts.logger.info?.({ durationMs: Date.now() - started }, 'scheduled prune stopped')
        return undefined
      }
      this.#metrics.run('failure', Date.now() / 1000)
      if (err instanceof InvalidReferencesError) {
        opts.logger.warn(
          {
            invalid: err.invalid.map(describeInvalidReference),
          },
          'scheduled prune stopped: workloads have invalid image references (fix them, or serve with --prune-ignore-invalid-refs)',
        )
      } else {
        opts.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'scheduled prune failed',
        )
      }
      return undefined
    }
  }

  async #workloads(): Promise<WorkloadInput> {
    const file = this.#opts.workloadsFile
    if (file === undefined) return NO_WORKLOADS
    return parseWorkloads([{ name: file, text: await readFile(file, 'utf8') }])
  }
}
