/**
 * The scheduler's metrics seam: the composition root passes an implementation backed by
 * prom-client; the scheduler only counts. Queue depth and lag come from `store.schedule.stats`
 * at scrape time, so they are not pushed through here.
 */

/**
 * CheckResult is how one scheduled check ended: `unchanged` (one HEAD, nothing written),
 * `changed` (the digest moved, an import followed), `failed` (the HEAD failed: auth, not
 * found, network), `rate-limited` (the registry answered 429 and is paused), `deferred` (the
 * row was claimed while its registry was paused or the scheduler stopping, or its lease neared
 * its end while it waited for the registry; it stays due).
 */
export type CheckResult = 'unchanged' | 'changed' | 'failed' | 'rate-limited' | 'deferred'

/** ImportOutcomeResult is how the import after a changed check ended. */
export type ImportOutcomeResult = 'success' | 'failure'

/** ScheduleMetrics receives the scheduler's counts, labelled by registry host. */
export interface ScheduleMetrics {
  /** checks counts one check of a scheduled tag. */
  checks(result: CheckResult, registry: string): void
  /** imports counts one import run because a check saw a new digest (or a stale status). */
  imports(result: ImportOutcomeResult, registry: string): void
  /** checkSeconds observes how long one check took, import included. */
  checkSeconds(seconds: number, registry: string): void
  /** registryPaused records that `registry` asked to be left alone for `seconds`. */
  registryPaused(registry: string, seconds: number): void
}

/** NO_METRICS discards everything, for callers without a metrics endpoint. */
export const NO_METRICS: ScheduleMetrics = {
  checks() {},
  imports() {},
  checkSeconds() {},
  registryPaused() {},
}

/** PruneRunResult is how a scheduled prune run ended: `failure` when anything in it failed. */
export type PruneRunResult = 'success' | 'failure'

/** PrunedKind is what a prune run removed: Images, history items, streams written, blobs. */
export type PrunedKind = 'image' | 'item' | 'stream' | 'blob'

/** PruneMetrics receives the scheduled pruner's counts. */
export interface PruneMetrics {
  /** run counts one finished run; `atSeconds` is when it ended (the last success is kept). */
  run(result: PruneRunResult, atSeconds: number): void
  /** pruned counts objects a run removed. */
  pruned(kind: PrunedKind, count: number): void
}

/** NO_PRUNE_METRICS discards everything. */
export const NO_PRUNE_METRICS: PruneMetrics = {
  run() {},
  pruned() {},
}
